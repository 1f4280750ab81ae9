"""Prioritised experience replay (Schaul et al. 2016), proportional, and the Blind Cliffwalk.

Uniform replay samples every stored transition equally often, however little there is to learn
from it. Prioritised replay samples transition :math:`i` with probability

.. math::

    P(i) = \\frac{p_i^\\alpha}{\\sum_k p_k^\\alpha}, \\qquad p_i = |\\delta_i| + \\varepsilon,

where :math:`\\delta_i` is its temporal-difference (TD) error when it was last replayed (the
surprise), :math:`\\alpha` sets how strongly to prioritise (0 is uniform) and
:math:`\\varepsilon > 0` keeps every transition reachable. Sampling by :math:`P` changes the
distribution the updates average over; the importance-sampling weights
:math:`w_i = (N P(i))^{-\\beta} / \\max_j w_j` undo that bias (fully at :math:`\\beta = 1`).

The Blind Cliffwalk (Schaul et al. 2016, Figure 1) is the task built to show the effect: a chain
of ``n`` states, in each a "right" action that moves on and a "wrong" one that ends the episode
with reward 0; only ``n`` right moves in a row earn the reward 1. A random behaviour policy sees
that success once in :math:`2^n` episodes, so the one rewarding transition is drowned in a memory
of :math:`2^{n+1} - 2` transitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RIGHT, WRONG = 0, 1
"""The two actions of the Blind Cliffwalk."""


def proportional_priorities(td_errors: np.ndarray, alpha: float, eps: float) -> np.ndarray:
    """Priorities :math:`(|\\delta| + \\varepsilon)^\\alpha` of transitions with TD errors.

    Shapes:
        - td_errors: any; returns the same shape
    """
    if alpha < 0 or eps <= 0:
        raise ValueError(f"need alpha >= 0 and eps > 0, got alpha={alpha}, eps={eps}.")
    return (np.abs(td_errors) + eps) ** alpha


def sample_prioritised(
    priorities: np.ndarray, batch_size: int, beta: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Indices drawn with probability proportional to ``priorities``, and their IS weights.

    One uniform number per draw is placed on the running sum of the priorities: transition
    :math:`i` owns an interval of length :math:`p_i`. (This costs ``N`` per draw; a sum tree
    finds the interval in :math:`\\log N`, which is what large memories use.) The weights
    :math:`w_i = (N P(i))^{-\\beta}` are divided by their largest possible value, that of the least
    likely transition, so that they only ever scale an update down. Each row of a 2-D
    ``priorities`` is a separate memory (one per independent run).

    Shapes:
        - priorities: ``(N,)`` or ``(runs, N)``, positive
        - returns: indices and weights, ``(batch_size,)`` or ``(runs, batch_size)``
    """
    priorities = np.asarray(priorities, float)
    if priorities.ndim not in (1, 2) or not (priorities > 0).all():
        raise ValueError(
            "priorities must be a (N,) or (runs, N) array of positive numbers, got shape "
            f"{priorities.shape}; compute them with proportional_priorities (eps > 0)."
        )
    rows = np.atleast_2d(priorities)
    cumulative = np.cumsum(rows, axis=1)
    draws = rng.random((len(rows), batch_size)) * cumulative[:, -1:]
    indices = (cumulative[:, None, :] < draws[:, :, None]).sum(2)  # the interval each draw hits
    probabilities = rows / cumulative[:, -1:]
    size = rows.shape[1]
    weights = (size * np.take_along_axis(probabilities, indices, 1)) ** -beta
    weights /= (size * probabilities.min(1, keepdims=True)) ** -beta
    if priorities.ndim == 1:
        return indices[0], weights[0]
    return indices, weights


@dataclass(frozen=True)
class Cliffwalk:
    """The replay memory of a random policy on the Blind Cliffwalk, and its true values.

    Attributes:
        state, action, reward, next_state, terminal: One entry per stored transition, ``(N,)``.
        q_true: Optimal action values ``(n, 2)``: :math:`\\gamma^{n-1-s}` for right, 0 for wrong.
        gamma: The discount, :math:`1 - 1/n`.
    """

    state: np.ndarray
    action: np.ndarray
    reward: np.ndarray
    next_state: np.ndarray
    terminal: np.ndarray
    q_true: np.ndarray
    gamma: float


def blind_cliffwalk(n: int) -> Cliffwalk:
    """Every transition of the :math:`2^n` action sequences a random policy can play, once each.

    An episode ends at its first wrong action, so the episode that goes wrong at step ``k`` is
    stored :math:`2^{n-k}` times and the one success once: :math:`2^{n+1} - 2` transitions.
    """
    if not isinstance(n, int) or not 1 <= n <= 20:
        raise ValueError(
            f"n must be an int in [1, 20] (the memory has 2^(n+1) - 2 rows), got {n!r}."
        )
    rows = []
    for k in range(1, n + 1):  # the 2^(n-k) episodes that go right k - 1 times, then wrong
        episode = [(s, RIGHT, 0.0, s + 1, False) for s in range(k - 1)] + [
            (k - 1, WRONG, 0.0, 0, True)
        ]
        rows += episode * 2 ** (n - k)
    rows += [(s, RIGHT, float(s == n - 1), s + 1, s == n - 1) for s in range(n)]  # the success
    state, action, reward, next_state, terminal = map(np.array, zip(*rows, strict=True))
    gamma = 1.0 - 1.0 / n
    q_true = np.zeros((n, 2))
    q_true[:, RIGHT] = gamma ** np.arange(n - 1, -1, -1)
    next_state = np.minimum(next_state, n - 1)  # a terminal transition's next state is not used
    return Cliffwalk(state, action, reward, next_state, terminal.astype(bool), q_true, gamma)


def cliffwalk_td_errors(q: np.ndarray, walk: Cliffwalk, index: np.ndarray) -> np.ndarray:
    """The Q-learning TD errors of transitions ``index`` under tables ``q``, one per run.

    Shapes:
        - q: ``(runs, n, 2)``; index: ``(runs,)`` or ``(runs, N)``; returns the shape of ``index``
    """
    runs = np.arange(len(q)).reshape(-1, *([1] * (np.ndim(index) - 1)))
    s, a, s2 = walk.state[index], walk.action[index], walk.next_state[index]
    bootstrap = np.where(walk.terminal[index], 0.0, walk.gamma * q[runs, s2].max(-1))
    return walk.reward[index] + bootstrap - q[runs, s, a]


def updates_to_learn(
    walk: Cliffwalk,
    replay: str,
    *,
    runs: int,
    rng: np.random.Generator,
    learning_rate: float = 0.25,
    tolerance: float = 0.01,
    alpha: float = 1.0,
    eps: float = 1e-4,
    max_updates: int = 10**6,
) -> np.ndarray:
    """Replay updates until every action value is within ``tolerance`` of the truth, per run.

    Tabular Q-learning from a fixed memory, one transition per update. ``replay`` is
    ``"uniform"``; ``"prioritised"`` (proportional, Schaul et al.: each transition starts at the
    largest priority and keeps the priority of its last replay, so the priorities of transitions
    not replayed go stale); or ``"fresh"`` (every TD error recomputed before each draw: the
    idealised prioritisation that stale priorities approximate, at a cost of N per update).
    No importance weights: each entry of a table converges to its own target whatever the
    sampling frequency, so the bias they correct does not arise here (it does when a network
    shares parameters across transitions).

    Returns:
        ``(runs,)`` update counts (``max_updates`` where a run did not get there).
    """
    if replay not in ("uniform", "prioritised", "fresh"):
        raise ValueError(f"replay must be 'uniform', 'prioritised' or 'fresh', got {replay!r}.")
    size = len(walk.state)
    q = np.zeros((runs, *walk.q_true.shape))
    priorities = np.ones((runs, size))  # new transitions at the largest priority
    done = np.full(runs, max_updates)
    live = np.arange(runs)
    for step in range(1, max_updates + 1):
        if replay == "uniform":
            index = rng.integers(size, size=len(live))
        else:
            if replay == "fresh":
                every = np.broadcast_to(np.arange(size), (len(live), size))
                priorities[live] = proportional_priorities(
                    cliffwalk_td_errors(q[live], walk, every), alpha, eps
                )
            index = sample_prioritised(priorities[live], 1, 0.0, rng)[0][:, 0]
        delta = cliffwalk_td_errors(q[live], walk, index)
        q[live, walk.state[index], walk.action[index]] += learning_rate * delta
        priorities[live, index] = proportional_priorities(delta, alpha, eps)
        learnt = np.abs(q[live] - walk.q_true).max((1, 2)) < tolerance
        done[live[learnt]] = step
        live = live[~learnt]
        if len(live) == 0:
            break
    return done
