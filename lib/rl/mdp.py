"""Finite Markov decision processes: Bellman backups, policy evaluation, value and policy iteration.

An MDP with ``S`` states and ``A`` actions is held as dense arrays (Sutton & Barto 2018, ch. 3-4):
``P[s, a, s']`` the transition probabilities and ``R[s, a]`` the expected immediate reward.
Terminal (absorbing) states have ``P[s, a, s] = 1`` and ``R[s, a] = 0``, so every state has the
same form and the Bellman equations need no special case.

The Bellman expectation and optimality equations (Silver's tutorial, its "Bellman equation" slides):

.. math::

    Q^\\pi(s, a) = R(s, a)
    + \\gamma \\sum_{s'} P(s' \\mid s, a) \\sum_{a'} \\pi(a' \\mid s') Q^\\pi(s', a'),
    \\qquad
    Q^*(s, a) = R(s, a) + \\gamma \\sum_{s'} P(s' \\mid s, a) \\max_{a'} Q^*(s', a').
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from lib.checks import check_int


@dataclass(frozen=True)
class TabularMDP:
    """A finite MDP as dense arrays.

    Attributes:
        P: Transition probabilities, rows summing to 1.
        R: Expected immediate reward of taking ``a`` in ``s``.
        terminal: Which states are absorbing (for drawing and for rollouts).

    Shapes:
        - P: ``(S, A, S)``
        - R: ``(S, A)``
        - terminal: ``(S,)`` bool
    """

    P: np.ndarray
    R: np.ndarray
    terminal: np.ndarray

    def __post_init__(self) -> None:
        P, R, terminal = (
            np.asarray(self.P, float),
            np.asarray(self.R, float),
            np.asarray(self.terminal, bool),
        )
        if P.ndim != 3 or P.shape[0] != P.shape[2]:
            raise ValueError(f"P must have shape (S, A, S), got {P.shape}.")
        if R.shape != P.shape[:2]:
            raise ValueError(f"R must have shape (S, A) = {P.shape[:2]}, got {R.shape}.")
        if terminal.shape != (P.shape[0],):
            raise ValueError(
                f"terminal must have shape (S,) = ({P.shape[0]},), got {terminal.shape}."
            )
        if np.any(P < 0) or not np.allclose(P.sum(-1), 1.0):
            raise ValueError(
                "every row P[s, a, :] must be a probability vector (non-negative, sum 1)."
            )
        object.__setattr__(self, "P", P)
        object.__setattr__(self, "R", R)
        object.__setattr__(self, "terminal", terminal)

    @property
    def num_states(self) -> int:
        return self.P.shape[0]

    @property
    def num_actions(self) -> int:
        return self.P.shape[1]


def from_gymnasium(env) -> TabularMDP:
    """The MDP of a Gymnasium toy-text environment (FrozenLake, CliffWalking, Taxi).

    Reads the environment's model ``env.unwrapped.P[s][a] = [(prob, next_state, reward, done)]``.
    A transition with ``done=True`` leads into an absorbing copy of its next state: we make that
    state absorbing (self-loop, zero reward). This matches FrozenLake (holes and goal end the
    episode) and CliffWalking's goal.

    Args:
        env: A Gymnasium environment whose unwrapped form has the attribute ``P``.

    Returns:
        The :class:`TabularMDP` with ``S = env.observation_space.n`` and ``A = env.action_space.n``.
    """
    if not hasattr(env, "unwrapped"):
        raise TypeError(
            f"env must be a Gymnasium environment, got {type(env).__name__}; pass "
            "gym.make('FrozenLake-v1'), not its name."
        )
    base = env.unwrapped
    if not hasattr(base, "P"):
        raise ValueError(
            f"{type(base).__name__} has no model P; pass a toy-text env such as FrozenLake-v1."
        )
    S, A = int(env.observation_space.n), int(env.action_space.n)
    P = np.zeros((S, A, S))
    R = np.zeros((S, A))
    terminal = np.zeros(S, bool)
    for s in range(S):
        for a in range(A):
            for prob, s_next, reward, done in base.P[s][a]:
                P[s, a, int(s_next)] += prob
                R[s, a] += prob * reward
                if done:
                    terminal[int(s_next)] = True
    # Terminal states are absorbing with zero reward, whatever the env stores for them.
    P[terminal] = 0.0
    for s in np.flatnonzero(terminal):
        P[s, :, s] = 1.0
    R[terminal] = 0.0
    return TabularMDP(P, R, terminal)


def _check_gamma(gamma: float) -> None:
    if isinstance(gamma, bool) or not isinstance(gamma, Real) or not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be a number in [0, 1], got {gamma!r}.")


def _check_mdp(mdp: object) -> None:
    if not isinstance(mdp, TabularMDP):
        raise TypeError(
            f"mdp must be a TabularMDP, got {type(mdp).__name__}; build it with "
            "from_gymnasium(env) or TabularMDP(P, R, terminal)."
        )


def _check_policy(mdp: TabularMDP, policy: np.ndarray) -> np.ndarray:
    _check_mdp(mdp)
    policy = np.asarray(policy, float)
    if policy.shape != (mdp.num_states, mdp.num_actions):
        raise ValueError(
            f"policy must be pi[s, a] of shape {(mdp.num_states, mdp.num_actions)}, "
            f"got {policy.shape}; "
            "turn a deterministic policy into one with one_hot_policy()."
        )
    if np.any(policy < 0) or not np.allclose(policy.sum(-1), 1.0):
        raise ValueError("every row policy[s, :] must be a probability vector.")
    return policy


def one_hot_policy(actions: np.ndarray, num_actions: int) -> np.ndarray:
    """The stochastic-policy matrix of a deterministic policy ``s -> actions[s]``.

    Shapes:
        - actions: ``(S,)`` ints
        - returns: ``(S, A)``
    """
    actions = np.asarray(actions)
    if actions.ndim != 1 or not np.issubdtype(actions.dtype, np.integer):
        raise ValueError(
            "actions must be a 1-D int array (one action per state), "
            f"got {actions.dtype} {actions.shape}."
        )
    if actions.size and (actions.min() < 0 or actions.max() >= num_actions):
        raise ValueError(
            f"actions must be action indices in 0..{num_actions - 1}, got "
            f"{actions.min()}..{actions.max()}; pass num_actions=mdp.num_actions."
        )
    return np.eye(num_actions)[actions]


def uniform_policy(mdp: TabularMDP) -> np.ndarray:
    """The uniformly random policy ``pi(a|s) = 1/A`` as an ``(S, A)`` matrix."""
    _check_mdp(mdp)
    return np.full((mdp.num_states, mdp.num_actions), 1.0 / mdp.num_actions)


def q_from_v(mdp: TabularMDP, V: np.ndarray, gamma: float) -> np.ndarray:
    """One-step lookahead ``Q(s, a) = R(s, a) + gamma * sum_s' P(s'|s, a) V(s')``.

    Shapes:
        - V: ``(S,)``
        - returns: ``(S, A)``
    """
    _check_mdp(mdp)
    _check_gamma(gamma)
    V = np.asarray(V, float)
    if V.shape != (mdp.num_states,):
        raise ValueError(f"V must have shape ({mdp.num_states},), got {V.shape}.")
    return mdp.R + gamma * mdp.P @ V


def bellman_backup(
    mdp: TabularMDP, V: np.ndarray, gamma: float, policy: np.ndarray | None = None
) -> np.ndarray:
    """One synchronous Bellman backup of a state-value function.

    With ``policy`` it is the expectation backup
    ``(T^pi V)(s) = sum_a pi(a|s) [R(s, a) + gamma sum_s' P(s'|s, a) V(s')]``; without, the
    optimality backup ``(T* V)(s) = max_a [R(s, a) + gamma sum_s' P(s'|s, a) V(s')]``.

    Args:
        mdp: The MDP.
        V: Current values.
        gamma: Discount in ``[0, 1]``.
        policy: ``pi[s, a]``, or ``None`` for the optimality backup.

    Shapes:
        - V, returns: ``(S,)``
    """
    Q = q_from_v(mdp, V, gamma)
    if policy is None:
        return Q.max(axis=1)
    return (_check_policy(mdp, policy) * Q).sum(axis=1)


def policy_evaluation(
    mdp: TabularMDP,
    policy: np.ndarray,
    gamma: float,
    *,
    tol: float = 1e-10,
    max_iter: int = 100_000,
) -> np.ndarray:
    """``V^pi`` by iterating the expectation backup until the largest change is below ``tol``.

    Returns:
        ``V^pi`` of shape ``(S,)``.
    """
    policy = _check_policy(mdp, policy)
    if isinstance(tol, bool) or not isinstance(tol, Real) or not tol > 0:
        raise ValueError(f"tol must be a positive number (e.g. 1e-10), got {tol!r}.")
    check_int(max_iter, "max_iter")
    V = np.zeros(mdp.num_states)
    for _ in range(max_iter):
        V_new = bellman_backup(mdp, V, gamma, policy)
        if np.max(np.abs(V_new - V)) < tol:
            return V_new
        V = V_new
    raise RuntimeError(
        f"policy evaluation did not converge in {max_iter} sweeps; "
        "use gamma < 1 or a proper policy."
    )


def policy_evaluation_exact(mdp: TabularMDP, policy: np.ndarray, gamma: float) -> np.ndarray:
    """``V^pi`` by solving the linear system ``(I - gamma P^pi) V = R^pi`` (needs ``gamma < 1``).

    Shapes:
        - returns: ``(S,)``
    """
    if not 0.0 <= gamma < 1.0:
        raise ValueError(
            f"the linear solve needs gamma in [0, 1), got {gamma}; use policy_evaluation()."
        )
    policy = _check_policy(mdp, policy)
    P_pi = np.einsum("sa,sat->st", policy, mdp.P)
    R_pi = (policy * mdp.R).sum(1)
    return np.linalg.solve(np.eye(mdp.num_states) - gamma * P_pi, R_pi)


@dataclass
class ValueIterationResult:
    """Output of :func:`value_iteration`.

    Attributes:
        V: Optimal values ``V*``, shape ``(S,)``.
        Q: Optimal action values ``Q*``, shape ``(S, A)``.
        policy: Greedy policy ``argmax_a Q*(s, a)``, shape ``(S,)``.
        deltas: Largest value change of each sweep (the convergence curve).
    """

    V: np.ndarray
    Q: np.ndarray
    policy: np.ndarray
    deltas: list[float]


def value_iteration(
    mdp: TabularMDP, gamma: float, *, tol: float = 1e-10, max_iter: int = 100_000
) -> ValueIterationResult:
    """Value iteration: ``V_{k+1} = T* V_k`` from ``V_0 = 0`` until ``max |V_{k+1} - V_k| < tol``.

    Ties in the greedy policy are broken towards the lowest action index (``np.argmax``); the
    tie-breaking uses ``Q`` rounded to 12 decimals so that floating-point noise does not decide.

    Returns:
        A :class:`ValueIterationResult`.
    """
    _check_gamma(gamma)
    V = np.zeros(mdp.num_states)
    deltas: list[float] = []
    for _ in range(max_iter):
        V_new = bellman_backup(mdp, V, gamma)
        deltas.append(float(np.max(np.abs(V_new - V))))
        V = V_new
        if deltas[-1] < tol:
            Q = q_from_v(mdp, V, gamma)
            return ValueIterationResult(V, Q, greedy_policy(Q), deltas)
    raise RuntimeError(f"value iteration did not converge in {max_iter} sweeps; use gamma < 1.")


def greedy_policy(Q: np.ndarray, decimals: int = 12) -> np.ndarray:
    """``argmax_a Q(s, a)`` with ties (to ``decimals``) broken towards the lowest action.

    Shapes:
        - Q: ``(S, A)``
        - returns: ``(S,)`` ints
    """
    Q = np.asarray(Q, float)
    if Q.ndim != 2:
        raise ValueError(f"Q must be a (S, A) table, got shape {Q.shape}.")
    return np.argmax(np.round(Q, decimals), axis=1)


def policy_iteration(
    mdp: TabularMDP, gamma: float, *, max_iter: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """Policy iteration (exact evaluation, greedy improvement) from the all-zeros policy.

    An independent route to the optimum, used to check :func:`value_iteration`.

    Returns:
        ``(policy, V)``: the optimal deterministic policy ``(S,)`` and its values ``(S,)``.
    """
    _check_mdp(mdp)
    if isinstance(gamma, bool) or not isinstance(gamma, Real) or not 0.0 <= gamma < 1.0:
        raise ValueError(
            f"policy iteration solves linear systems and needs gamma in [0, 1), got {gamma!r}; "
            "for gamma = 1 use value_iteration()."
        )
    check_int(max_iter, "max_iter")
    actions = np.zeros(mdp.num_states, int)
    for _ in range(max_iter):
        V = policy_evaluation_exact(mdp, one_hot_policy(actions, mdp.num_actions), gamma)
        new_actions = greedy_policy(q_from_v(mdp, V, gamma))
        # Keep the current action when it is still greedy (avoids cycling between ties).
        Q = np.round(q_from_v(mdp, V, gamma), 12)
        keep = Q[np.arange(mdp.num_states), actions] >= Q.max(1)
        new_actions = np.where(keep, actions, new_actions)
        if np.array_equal(new_actions, actions):
            return actions, V
        actions = new_actions
    raise RuntimeError(f"policy iteration did not converge in {max_iter} iterations.")


def estimate_mdp(
    transitions: Iterable[tuple[int, int, float, int, bool]], num_states: int, num_actions: int
) -> tuple[TabularMDP, np.ndarray]:
    """A model learnt from experience: maximum-likelihood ``P`` and mean ``R`` from counts.

    ``P_hat(s'|s, a) = N(s, a, s') / N(s, a)`` and ``R_hat(s, a)`` the mean observed reward.
    Unvisited pairs ``(s, a)`` get a self-loop with zero reward (the model knows nothing there).
    States where an episode ended are treated as absorbing.

    Args:
        transitions: ``(s, a, r, s', terminated)`` tuples.
        num_states: ``S``.
        num_actions: ``A``.

    Returns:
        ``(mdp, counts)`` with ``counts[s, a] = N(s, a)`` of shape ``(S, A)``.
    """
    check_int(num_states, "num_states")
    check_int(num_actions, "num_actions")
    N = np.zeros((num_states, num_actions, num_states))
    R_sum = np.zeros((num_states, num_actions))
    terminal = np.zeros(num_states, bool)
    n = 0
    for transition in transitions:
        if not isinstance(transition, tuple | list) or len(transition) != 5:
            raise ValueError(
                f"each transition must be a tuple (s, a, r, s', terminated), got {transition!r}."
            )
        s, a, r, s_next, done = transition
        if not all(isinstance(i, Integral) for i in (s, a, s_next)):
            raise ValueError(
                f"transition {tuple(transition)} must be (s, a, r, s', terminated) with integer "
                "s, a and s' (the order rollout_returns appends, reward before next state)."
            )
        if not (0 <= s < num_states and 0 <= s_next < num_states and 0 <= a < num_actions):
            raise ValueError(
                f"transition {(s, a, r, s_next, done)} is outside S={num_states}, A={num_actions}."
            )
        N[s, a, s_next] += 1
        R_sum[s, a] += r
        terminal[s_next] |= bool(done)
        n += 1
    if n == 0:
        raise ValueError(
            "no transitions given; pass (s, a, r, s', terminated) tuples from experience."
        )
    counts = N.sum(-1)
    P = np.where(counts[..., None] > 0, N / np.maximum(counts, 1)[..., None], 0.0)
    R = np.where(counts > 0, R_sum / np.maximum(counts, 1), 0.0)
    for s in range(num_states):
        for a in range(num_actions):
            if counts[s, a] == 0 or terminal[s]:
                P[s, a] = 0.0
                P[s, a, s] = 1.0
                R[s, a] = 0.0
    return TabularMDP(P, R, terminal), counts
