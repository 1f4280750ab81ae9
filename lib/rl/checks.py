"""Input checks shared by the deep RL agents: each raises a ``ValueError`` (a ``TypeError`` for an
argument of the wrong type) that says what to pass instead (the agents' hyper-parameters are
checked by their config dataclasses). The checks of a loss's batch read shapes, dtypes and the
smallest and largest action index only: they run at every gradient step."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real

import gymnasium as gym
import numpy as np
import torch

from lib.checks import check_tensor

TRANSITION_KEYS = ("obs", "action", "reward", "next_obs", "terminated")
"""The tensors of a batch of transitions, as :meth:`lib.rl.replay.ReplayBuffer.sample` returns
them."""


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


def check_actions(actions: torch.Tensor | np.ndarray, num_actions: int, name: str) -> None:
    """Raise unless the integer ``actions`` are action indices in ``0..num_actions-1`` (the
    outputs of the network that scores them)."""
    if math.prod(actions.shape) == 0:
        return
    low, high = int(actions.min()), int(actions.max())
    if low < 0 or high >= num_actions:
        raise ValueError(
            f"{name} must hold action indices in 0..{num_actions - 1} (the network has "
            f"{num_actions} outputs, one per action), got values in {low}..{high}; pass actions "
            f"in 0..{num_actions - 1}, or a network with as many outputs as the environment has "
            "actions."
        )


def check_target_network(q_net: torch.nn.Module, target_net: torch.nn.Module) -> None:
    """Raise unless ``target_net`` has the agents, inputs and outputs of ``q_net`` (a target
    network is a copy of the online one; with other outputs its maximum would be over other
    actions)."""
    sizes = [
        tuple(getattr(net, key, None) for key in ("num_members", "in_dim", "out_dim"))
        for net in (q_net, target_net)
    ]
    if sizes[0] != sizes[1]:
        raise ValueError(
            "target_net must have the agents, inputs and outputs (M, in_dim, out_dim) of q_net, "
            f"got {sizes[1]} for target_net and {sizes[0]} for q_net; pass a copy of q_net "
            "(copy.deepcopy(q_net)) as its target network."
        )


def check_transitions(
    batch: Mapping[str, torch.Tensor], *, continuous: bool = False, num_actions: int | None = None
) -> None:
    """Raise unless ``batch`` holds the tensors of :data:`TRANSITION_KEYS` with one ``(M, B)``.

    Args:
        batch: ``obs (M, B, obs_dim)``, ``action (M, B)`` integer indices (``continuous=False``)
            or ``(M, B, act_dim)`` floats (``continuous=True``), ``reward (M, B)``,
            ``next_obs (M, B, obs_dim)``, ``terminated (M, B)`` (float, or bool when
            ``continuous``).
        continuous: Whether the actions are continuous.
        num_actions: The number of discrete actions, to check the indices against
            (:func:`check_actions`); ``None`` skips that check.
    """
    if not isinstance(batch, Mapping):
        raise TypeError(
            f"batch must be a dict of tensors {TRANSITION_KEYS}, as ReplayBuffer.sample returns "
            f"it, got {type(batch).__name__}."
        )
    missing = [key for key in TRANSITION_KEYS if key not in batch]
    if missing:
        raise ValueError(
            f"batch has no {missing[0]!r}; pass a dict with the tensors {TRANSITION_KEYS}."
        )
    for key in TRANSITION_KEYS:
        check_tensor(batch[key], f"batch['{key}']")
    obs, action = batch["obs"], batch["action"]
    size = tuple(obs.shape[:2])
    shapes = {key: tuple(batch[key].shape) for key in TRANSITION_KEYS}
    expected_action = size + tuple(action.shape[2:3]) if continuous else size
    if (
        obs.dim() != 3
        or shapes["next_obs"] != tuple(obs.shape)
        or shapes["reward"] != size
        or shapes["terminated"] != size
        or shapes["action"] != expected_action
        or (continuous and action.dim() != 3)
    ):
        action_shape = "(M, B, act_dim)" if continuous else "(M, B)"
        raise ValueError(
            "batch must hold obs and next_obs of shape (M, B, obs_dim), action of shape "
            f"{action_shape} and reward and terminated of shape (M, B), one (M, B) for all; got "
            + ", ".join(f"{key} {shape}" for key, shape in shapes.items())
            + "."
        )
    if continuous != action.is_floating_point():
        what = "floats (continuous actions)" if continuous else "integer action indices"
        fix = "action.float()" if continuous else "action.long()"
        raise ValueError(f"batch['action'] must hold {what}, got {action.dtype}; pass {fix}.")
    if not continuous and not batch["terminated"].is_floating_point():
        raise ValueError(
            f"batch['terminated'] must be float (1.0 where the episode terminated), got "
            f"{batch['terminated'].dtype}; pass terminated.float()."
        )
    if num_actions is not None:
        check_actions(action, num_actions, "batch['action']")


def check_max_action(max_action: float) -> None:
    """Raise unless ``max_action`` is a positive finite number (the largest action)."""
    if (
        isinstance(max_action, bool)
        or not isinstance(max_action, Real)
        or not (0 < max_action < math.inf)
    ):
        raise ValueError(
            f"max_action must be a positive number (the largest action, e.g. 2.0 for "
            f"Pendulum-v1), got {max_action!r}."
        )


def check_episode_batch(batch: Sequence[torch.Tensor], num_actions: int) -> None:
    """Raise unless ``batch`` is ``X (M, N, obs_dim)``, ``A (M, N)`` integer actions in
    ``0..num_actions-1`` and ``G (M, N)``, ``mask (M, N)``, as
    :func:`lib.rl.reinforce.pad_episodes` returns them."""
    if not isinstance(batch, tuple | list) or len(batch) != 4:
        got = len(batch) if isinstance(batch, tuple | list) else type(batch).__name__
        raise ValueError(
            f"batch must be the four tensors (X, A, G, mask) of pad_episodes, got {got}."
        )
    for name, x in zip(("X", "A", "G", "mask"), batch, strict=True):
        check_tensor(x, name)
    X, A, G, mask = batch
    size = tuple(X.shape[:2])
    if X.dim() != 3 or not (tuple(A.shape) == tuple(G.shape) == tuple(mask.shape) == size):
        raise ValueError(
            f"batch must hold X (M, N, obs_dim) and A, G, mask (M, N), one (M, N) for all; got "
            f"X {tuple(X.shape)}, A {tuple(A.shape)}, G {tuple(G.shape)}, mask {tuple(mask.shape)}."
        )
    if A.is_floating_point() or A.dtype == torch.bool:
        raise ValueError(f"A must hold integer action indices, got {A.dtype}; pass A.long().")
    check_actions(A, num_actions, "A")
