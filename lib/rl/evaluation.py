"""Seeded evaluation of a population of agents on a Gymnasium environment.

Every agent plays the same episodes: episode ``k`` starts from ``env.reset(seed=seed + k)``,
so two agents (or two runs) are compared on identical initial states, and the same policy with
the same seed always gets the same returns.
"""

from __future__ import annotations

from collections.abc import Callable

import gymnasium as gym
import numpy as np
import torch

EVAL_SEED = 10_000
"""Reset seeds of the periodic evaluations during training, the same for every agent of the
chapter (DQN, REINFORCE, model-based) for a like-for-like comparison: episode ``k`` uses
``EVAL_SEED + k``."""

SOLVED_RETURN = 475.0
"""CartPole-v1's reward threshold (``gym.spec("CartPole-v1").reward_threshold``)."""


@torch.no_grad()
def evaluate_population(
    act: Callable[[torch.Tensor], torch.Tensor],
    num_agents: int,
    *,
    env_id: str = "CartPole-v1",
    num_episodes: int = 20,
    seed: int = EVAL_SEED,
) -> np.ndarray:
    """Undiscounted returns of ``num_agents`` policies, each on the same ``num_episodes`` episodes.

    All ``num_agents * num_episodes`` episodes run side by side, so the policy is called once per
    time step with every live observation.

    Args:
        act: Maps observations ``(num_agents, num_episodes, obs_dim)`` (float32) to actions
            ``(num_agents, num_episodes)`` (ints) for a discrete action space, or
            ``(num_agents, num_episodes, action_dim)`` for a ``Box`` one; it must be
            deterministic for seeded results.
        num_agents: Number of policies (``M``).
        env_id: A Gymnasium id with a vector observation (discrete or ``Box`` actions).
        num_episodes: Episodes per agent (``E``).
        seed: Episode ``k`` uses reset seed ``seed + k``.

    Returns:
        Returns, shape ``(M, E)``.
    """
    return evaluate_population_discounted(
        act, num_agents, gamma=1.0, env_id=env_id, num_episodes=num_episodes, seed=seed
    )[0]


@torch.no_grad()
def evaluate_population_discounted(
    act: Callable[[torch.Tensor], torch.Tensor],
    num_agents: int,
    *,
    gamma: float,
    env_id: str = "CartPole-v1",
    num_episodes: int = 20,
    seed: int = EVAL_SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """Undiscounted and discounted returns of the episodes of :func:`evaluate_population`.

    The discounted return from the start state, :math:`G_0 = \\sum_t \\gamma^t r_{t+1}`, is what
    a value estimate of the start state should predict: comparing the two measures
    overestimation (van Hasselt et al. 2016).

    Args:
        act, num_agents, env_id, num_episodes, seed: As in :func:`evaluate_population`.
        gamma: Discount in ``[0, 1]``.

    Shapes:
        - returns: two arrays ``(M, E)``, undiscounted then discounted returns.
    """
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}.")
    if num_agents < 1 or num_episodes < 1:
        raise ValueError(
            f"num_agents and num_episodes must be >= 1, got {num_agents} and {num_episodes}."
        )
    envs = [[gym.make(env_id) for _ in range(num_episodes)] for _ in range(num_agents)]
    obs = np.stack(
        [[env.reset(seed=seed + k)[0] for k, env in enumerate(row)] for row in envs]
    ).astype(np.float32)
    space = envs[0][0].action_space
    discrete = isinstance(space, gym.spaces.Discrete)
    expected = (num_agents, num_episodes) if discrete else (num_agents, num_episodes, *space.shape)
    returns = np.zeros((num_agents, num_episodes))
    discounted = np.zeros((num_agents, num_episodes))
    discount = np.ones((num_agents, num_episodes))
    alive = np.ones((num_agents, num_episodes), bool)
    while alive.any():
        actions = np.asarray(act(torch.from_numpy(obs)))
        if actions.shape != expected:
            raise ValueError(f"act must return actions of shape {expected}, got {actions.shape}.")
        for i, k in zip(*np.nonzero(alive), strict=False):
            action = int(actions[i, k]) if discrete else actions[i, k].astype(space.dtype)
            o, r, terminated, truncated, _ = envs[i][k].step(action)
            obs[i, k] = o
            returns[i, k] += r
            discounted[i, k] += discount[i, k] * r
            discount[i, k] *= gamma
            alive[i, k] = not (terminated or truncated)
    for row in envs:
        for env in row:
            env.close()
    return returns, discounted
