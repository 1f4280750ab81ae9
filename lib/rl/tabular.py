"""Tabular agents on discrete Gymnasium environments: rollouts of a fixed policy and Q-learning.

Q-learning (Watkins & Dayan 1992; Sutton & Barto 2018, sec. 6.5) updates one table entry per
step towards the one-step optimality target:

.. math::

    Q(s, a) \\leftarrow Q(s, a)
    + \\alpha \\big[r + \\gamma (1 - d) \\max_{a'} Q(s', a') - Q(s, a)\\big].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real

import gymnasium as gym
import numpy as np

from lib.checks import check_int


def _check_discrete(env: gym.Env) -> tuple[int, int]:
    if not isinstance(env.observation_space, gym.spaces.Discrete) or not isinstance(
        env.action_space, gym.spaces.Discrete
    ):
        raise ValueError(
            "expected discrete observation and action spaces, "
            f"got {env.observation_space} and {env.action_space}; "
            "pass a toy-text env such as FrozenLake-v1 or CliffWalking-v1."
        )
    return int(env.observation_space.n), int(env.action_space.n)


def rollout_returns(
    env: gym.Env,
    policy: np.ndarray,
    num_episodes: int,
    *,
    seed: int,
    gamma: float = 1.0,
    transitions: list | None = None,
) -> np.ndarray:
    """Discounted returns of ``num_episodes`` episodes of a tabular policy.

    Args:
        env: Discrete Gymnasium environment (its time limit ends long episodes).
        policy: ``pi[s, a]`` probabilities ``(S, A)``, or deterministic actions ``(S,)``.
        num_episodes: Episodes to run.
        seed: Seeds the environment (first reset) and the action sampling: same seed, same returns.
        gamma: Discount of the returns (1 gives the undiscounted sum of rewards).
        transitions: When a list is given, ``(s, a, r, s', terminated)`` tuples are appended to it
            (the experience a model can be learnt from).

    Returns:
        Returns, shape ``(num_episodes,)``.
    """
    S, A = _check_discrete(env)
    policy = np.asarray(policy)
    if policy.shape == (S,):
        if not np.issubdtype(policy.dtype, np.integer) or policy.min() < 0 or policy.max() >= A:
            raise ValueError(
                f"a deterministic policy of shape ({S},) must hold action indices in 0..{A - 1}, "
                f"got {policy.dtype} values in [{policy.min()}, {policy.max()}]; pass "
                "Q.argmax(1) (not V or Q.max(1))."
            )
        policy = np.eye(A)[policy]
    if policy.shape != (S, A):
        raise ValueError(f"policy must have shape ({S}, {A}) or ({S},), got {policy.shape}.")
    if np.any(policy < 0) or not np.allclose(policy.sum(1), 1.0):
        raise ValueError(
            "every row policy[s, :] must be a probability vector (non-negative, sum 1); pass "
            "uniform_policy(mdp), one_hot_policy(actions, A) or Q.argmax(1)."
        )
    check_int(num_episodes, "num_episodes")
    if isinstance(gamma, bool) or not isinstance(gamma, Real) or not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be a number in [0, 1], got {gamma!r}.")
    rng = np.random.default_rng(seed)
    returns = np.zeros(num_episodes)
    for episode in range(num_episodes):
        s, _ = env.reset(seed=seed if episode == 0 else None)
        G, discount, done = 0.0, 1.0, False
        while not done:
            a = int(rng.choice(A, p=policy[s]))
            s_next, r, terminated, truncated, _ = env.step(a)
            if transitions is not None:
                transitions.append((int(s), a, float(r), int(s_next), bool(terminated)))
            G += discount * r
            discount *= gamma
            s, done = s_next, terminated or truncated
        returns[episode] = G
    return returns


@dataclass
class QLearningResult:
    """Output of :func:`q_learning`.

    Attributes:
        Q: The learnt table, shape ``(S, A)``.
        episode_returns: Undiscounted return of each training episode, shape ``(num_episodes,)``.
        episode_lengths: Steps of each training episode, shape ``(num_episodes,)``.
    """

    Q: np.ndarray
    episode_returns: np.ndarray
    episode_lengths: np.ndarray


def q_learning(
    env: gym.Env,
    num_episodes: int,
    *,
    seed: int,
    alpha: float = 0.1,
    gamma: float = 0.99,
    epsilon: float | Callable[[int], float] = 0.1,
) -> QLearningResult:
    """Tabular Q-learning with epsilon-greedy exploration (Watkins & Dayan 1992).

    Args:
        env: Discrete Gymnasium environment.
        num_episodes: Training episodes.
        seed: Seeds the environment and the exploration: same seed, same table.
        alpha: Step size in ``(0, 1]``.
        gamma: Discount in ``[0, 1]``.
        epsilon: Exploration rate, or a function ``episode -> rate``.

    Returns:
        A :class:`QLearningResult`.
    """
    S, A = _check_discrete(env)
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}.")
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}.")
    if not callable(epsilon) and not 0.0 <= epsilon <= 1.0:
        raise ValueError(
            f"epsilon is a probability in [0, 1] (or a function episode -> probability), got "
            f"{epsilon}."
        )
    eps_fn = epsilon if callable(epsilon) else (lambda _episode: float(epsilon))
    rng = np.random.default_rng(seed)
    Q = np.zeros((S, A))
    returns = np.zeros(num_episodes)
    lengths = np.zeros(num_episodes, int)
    for episode in range(num_episodes):
        s, _ = env.reset(seed=seed if episode == 0 else None)
        eps = eps_fn(episode)
        done = False
        while not done:
            if rng.random() < eps:
                a = int(rng.integers(A))
            else:  # greedy, ties broken at random so that an all-zero table still explores
                best = np.flatnonzero(Q[s] == Q[s].max())
                a = int(rng.choice(best))
            s_next, r, terminated, truncated, _ = env.step(a)
            target = r + (0.0 if terminated else gamma * Q[s_next].max())
            Q[s, a] += alpha * (target - Q[s, a])
            returns[episode] += r
            lengths[episode] += 1
            s, done = s_next, terminated or truncated
    return QLearningResult(Q, returns, lengths)
