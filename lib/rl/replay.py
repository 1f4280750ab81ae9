"""Experience replay (Lin 1992; Mnih et al. 2015): a ring buffer of transitions, sampled uniformly.

One buffer serves ``num_envs`` independent agents that step in lockstep (one environment each):
row ``i`` of every array belongs to agent ``i``, and each agent samples only its own experience
with its own random generator. With ``num_envs=1`` it is the ordinary single-agent buffer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch


class ReplayBuffer:
    """A fixed-capacity ring buffer of ``(s, a, r, s', terminated)`` per agent.

    When full, the oldest transition is overwritten. ``terminated`` is the true end of an
    episode (bootstrapping stops); a time-limit truncation is *not* stored as terminal.

    Args:
        capacity: Transitions kept per agent (``>= 1``).
        obs_dim: Size of an observation vector.
        num_envs: Number of agents sharing the buffer (each has its own rows).
        action_shape: Shape of one action: ``()`` for a discrete action (an index), ``(act_dim,)``
            for a continuous one.
        action_dtype: ``np.int64`` for discrete actions, ``np.float32`` for continuous ones.

    Shapes:
        - add(): ``obs, next_obs: (num_envs, obs_dim)``; ``action: (num_envs, *action_shape)``;
          ``reward, terminated: (num_envs,)``
        - sample(): tensors with leading ``(num_envs, batch_size)``
    """

    def __init__(
        self,
        capacity: int,
        obs_dim: int,
        num_envs: int = 1,
        *,
        action_shape: tuple[int, ...] = (),
        action_dtype: type = np.int64,
    ) -> None:
        for name, value in (("capacity", capacity), ("obs_dim", obs_dim), ("num_envs", num_envs)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}.")
        self.capacity, self.obs_dim, self.num_envs = capacity, obs_dim, num_envs
        self.obs = np.zeros((num_envs, capacity, obs_dim), np.float32)
        self.next_obs = np.zeros((num_envs, capacity, obs_dim), np.float32)
        self.action_shape = tuple(action_shape)
        self.action = np.zeros((num_envs, capacity, *self.action_shape), action_dtype)
        self.reward = np.zeros((num_envs, capacity), np.float32)
        self.terminated = np.zeros((num_envs, capacity), np.float32)
        self.pos = 0  # next slot to write
        self.size = 0  # filled slots (the same for every agent)

    def __len__(self) -> int:
        return self.size

    def add(
        self,
        obs: np.ndarray,
        action: np.ndarray,
        reward: np.ndarray,
        next_obs: np.ndarray,
        terminated: np.ndarray,
    ) -> None:
        """Store one transition for every agent."""
        obs, next_obs = np.asarray(obs, np.float32), np.asarray(next_obs, np.float32)
        expected = (self.num_envs, self.obs_dim)
        if obs.shape != expected or next_obs.shape != expected:
            raise ValueError(
                f"obs and next_obs must have shape {expected}, "
                f"got {obs.shape} and {next_obs.shape}."
            )
        for name, value, shape in (
            ("action", action, (self.num_envs, *self.action_shape)),
            ("reward", reward, (self.num_envs,)),
            ("terminated", terminated, (self.num_envs,)),
        ):
            if np.shape(value) != shape:
                raise ValueError(f"{name} must have shape {shape}, got {np.shape(value)}.")
        i = self.pos
        self.obs[:, i] = obs
        self.next_obs[:, i] = next_obs
        self.action[:, i] = action
        self.reward[:, i] = reward
        self.terminated[:, i] = terminated
        self.pos = (self.pos + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def recent_indices(self, n: int) -> np.ndarray:
        """Slots of the ``n`` most recent transitions, oldest first (no replay: correlated data)."""
        if not 1 <= n <= self.size:
            raise ValueError(f"n must be in [1, {self.size}] (the stored transitions), got {n}.")
        return (self.pos - n + np.arange(n)) % self.capacity

    def sample_indices(
        self, batch_size: int, rngs: Sequence[np.random.Generator], recent: np.ndarray | None = None
    ) -> np.ndarray:
        """Uniform slots per agent, each agent drawing with its own generator.

        Args:
            batch_size: Transitions per agent.
            rngs: One ``numpy.random.Generator`` per agent.
            recent: Optional bool mask ``(num_envs,)``: those agents get the ``batch_size`` most
                recent transitions instead of a uniform sample (the "no replay" ablation).

        Returns:
            Slot indices, shape ``(num_envs, batch_size)``.
        """
        if self.size == 0:
            raise ValueError("the buffer is empty; add() transitions before sampling.")
        if len(rngs) != self.num_envs:
            raise ValueError(f"pass one generator per agent ({self.num_envs}), got {len(rngs)}.")
        idx = np.stack([rng.integers(0, self.size, batch_size) for rng in rngs])
        if recent is not None and np.any(recent):
            recent = np.asarray(recent, bool)
            if recent.shape != (self.num_envs,):
                raise ValueError(
                    f"recent must be a bool mask of shape ({self.num_envs},), got {recent.shape}."
                )
            if batch_size > self.size:
                raise ValueError(
                    f"the {batch_size} most recent transitions are not stored yet "
                    f"(size {self.size})."
                )
            idx[recent] = self.recent_indices(batch_size)
        return idx

    def sample(
        self, batch_size: int, rngs: Sequence[np.random.Generator], recent: np.ndarray | None = None
    ) -> dict[str, torch.Tensor]:
        """A batch per agent as tensors ``obs, action, reward, next_obs, terminated``.

        See :meth:`sample_indices` for the arguments. Every tensor has leading shape
        ``(num_envs, batch_size)``; observations add ``obs_dim``.
        """
        idx = self.sample_indices(batch_size, rngs, recent)
        rows = np.arange(self.num_envs)[:, None]
        return {
            "obs": torch.from_numpy(self.obs[rows, idx]),
            "action": torch.from_numpy(self.action[rows, idx]),
            "reward": torch.from_numpy(self.reward[rows, idx]),
            "next_obs": torch.from_numpy(self.next_obs[rows, idx]),
            "terminated": torch.from_numpy(self.terminated[rows, idx]),
        }
