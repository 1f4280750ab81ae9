"""Input checks shared by the deep RL agents: each raises a ``ValueError`` that says what to pass
instead (the agents' hyper-parameters are checked by their config dataclasses)."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import gymnasium as gym
import numpy as np


def check_seeds(seeds: Sequence[int] | np.ndarray) -> list[int]:
    """The agents' seeds as a list of ints, one per agent.

    Raises:
        ValueError: ``seeds`` is a string or a single number, holds a non-integer, or is empty.
    """
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (Sequence, np.ndarray)):
        raise ValueError(
            f"seeds must be a sequence of ints, one per agent, got {seeds!r}; pass e.g. [0] or "
            "[0, 1, 2]."
        )
    bad = [s for s in seeds if not isinstance(s, Integral) or isinstance(s, bool)]
    if bad:
        raise ValueError(
            f"seeds must be ints, one per agent, got {bad[0]!r} in {list(seeds)!r}; pass e.g. "
            "[0, 1, 2]."
        )
    if len(seeds) == 0:
        raise ValueError("pass at least one seed.")
    return [int(s) for s in seeds]


def discrete_actions(space: gym.Space, env_id: str, agent: str) -> int:
    """The number of actions of a discrete action space.

    Raises:
        ValueError: ``space`` is not a :class:`gymnasium.spaces.Discrete` (e.g. a continuous
            ``Box``), so ``agent`` cannot choose among its actions.
    """
    if not isinstance(space, gym.spaces.Discrete):
        raise ValueError(
            f"{agent} needs a Discrete action space, but {env_id} has {space}; for continuous "
            "actions use lib.rl.ddpg.train_ddpg, or pick an environment with discrete actions "
            "(e.g. CartPole-v1)."
        )
    return int(space.n)
