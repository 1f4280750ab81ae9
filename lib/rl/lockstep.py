"""The runner that every deep RL agent of the chapter shares: ``M`` environments, one per seed,
stepped together, with the episode bookkeeping, the periodic evaluations and the learning curves.

Nothing here learns. Each agent's module (:mod:`lib.rl.dqn`, :mod:`lib.rl.reinforce`,
:mod:`lib.rl.actor_critic`, :mod:`lib.rl.ddpg`) keeps its configuration, its loss or update
function and a training loop of a few lines that reads as the algorithm, in the manner of
CleanRL's single files::

    run = Lockstep(config.env_id, seeds, config.total_steps, agent="A2C")
    for step in run.steps():
        actions = ...                       # from run.obs, drawing from run.rngs
        transition = run.step(actions)      # every environment, one step
        ...                                 # store, update
        run.evaluate_if_due(act, config.eval_every, config.eval_episodes)
    return A2CResult(**run.curves(config), policy=policy, critic=critic)

Agent ``i`` depends only on ``seeds[i]``: its environment is reset with ``seeds[i]``, its
exploration draws from its own generator ``rngs[i] = numpy.random.default_rng(seeds[i])``, its
networks are initialised from ``seeds[i]`` (a second network, a critic or a baseline, from
``seeds[i] + CRITIC_SEED_OFFSET``). Same seeds, same returns, whichever agents train beside it.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypeVar

import gymnasium as gym
import numpy as np
import torch

from lib.rl.checks import check_seeds, discrete_actions
from lib.rl.evaluation import EVAL_SEED, evaluate_population_discounted
from lib.rl.networks import single_thread

CRITIC_SEED_OFFSET = 1_000_003
"""A second network of agent ``i`` (critic, baseline) is initialised from ``seeds[i]`` plus this."""

TrainFn = TypeVar("TrainFn", bound=Callable[..., Any])


def single_threaded(train: TrainFn) -> TrainFn:
    """Run ``train`` with one torch thread (see :func:`~lib.rl.networks.single_thread`)."""

    @functools.wraps(train)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with single_thread():
            return train(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def critic_seeds(seeds: Sequence[int]) -> list[int]:
    """The seeds of the agents' second networks: ``seeds[i] + CRITIC_SEED_OFFSET``."""
    return [s + CRITIC_SEED_OFFSET for s in seeds]


@dataclass(kw_only=True)
class Curves:
    """What every agent's result holds (its ``*Result`` adds the networks).

    Attributes:
        seeds: Seed of each agent, ``(M,)``.
        eval_steps: Environment steps at each periodic evaluation, ``(K,)``.
        eval_returns: Mean return of each agent's greedy (or deterministic) policy at each
            evaluation, ``(M, K)``.
        episode_returns: Per agent, ``(step, return)`` of every finished training episode.
        env_steps: Environment steps per agent.
        wall_time: Seconds of training, periodic evaluations included.
        config: The configuration, as a dict.
    """

    seeds: np.ndarray
    eval_steps: np.ndarray
    eval_returns: np.ndarray
    episode_returns: list[list[tuple[int, float]]]
    env_steps: int
    wall_time: float
    config: dict = field(default_factory=dict)


@dataclass
class Transition:
    """One step of every environment.

    Attributes:
        next_obs: The observation after the step, before any reset, ``(M, obs_dim)`` float32.
        reward: ``(M,)`` float64.
        terminated: The episode ended in a terminal state (no bootstrap), ``(M,)`` bool.
        truncated: The episode was cut by its time limit, ``(M,)`` bool.
    """

    next_obs: np.ndarray
    reward: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray

    @property
    def done(self) -> np.ndarray:
        """The episode ended either way (the environment was reset), ``(M,)`` bool."""
        return self.terminated | self.truncated


class Lockstep:
    """``M`` environments, one per seed, stepped together; bookkeeping only, no learning.

    Args:
        env_id: Gymnasium id with a vector observation.
        seeds: One seed per agent.
        total_steps: Environment steps per agent (the length of :meth:`steps`).
        agent: The agent's name, for error messages.
        actions: ``"discrete"`` (sets ``num_actions``) or ``"box"``, continuous actions symmetric
            about 0 (sets ``act_dim`` and ``max_action``).

    Attributes:
        obs: The observations to act from, ``(M, obs_dim)`` float32 (after a reset, the new
            episode's first one).
        rngs: One ``numpy.random.Generator`` per agent, seeded with its seed.
        obs_dim: Size of an observation.
        t: The current environment step (1 to ``total_steps`` inside :meth:`steps`).

    Raises:
        ValueError: bad seeds, or an action space of the wrong kind (the message names the agents
            that fit it).
    """

    def __init__(
        self,
        env_id: str,
        seeds: Sequence[int],
        total_steps: int,
        *,
        agent: str,
        actions: Literal["discrete", "box"] = "discrete",
    ) -> None:
        self.seeds = check_seeds(seeds)
        self.env_id, self.total_steps, self.discrete = env_id, total_steps, actions == "discrete"
        self._start = time.perf_counter()
        self.envs = [gym.make(env_id) for _ in self.seeds]
        space = self.envs[0].action_space
        try:
            if self.discrete:
                self.num_actions = discrete_actions(space, env_id, agent)
            elif not isinstance(space, gym.spaces.Box) or not np.allclose(space.low, -space.high):
                raise ValueError(
                    f"{agent} needs a Box action space symmetric about 0, but {env_id} has "
                    f"{space}; for discrete actions use lib.rl.dqn.train_dqn, train_reinforce or "
                    "train_a2c."
                )
            else:
                self.max_action = float(space.high.max())
                self.act_dim = int(np.prod(space.shape))
        except ValueError:
            self.close()
            raise
        self.obs_dim = int(np.prod(self.envs[0].observation_space.shape))
        self.rngs = [np.random.default_rng(s) for s in self.seeds]
        self.obs = np.stack(
            [env.reset(seed=s)[0] for env, s in zip(self.envs, self.seeds, strict=True)]
        ).astype(np.float32)
        self.t = 0
        self._episode_return = np.zeros(len(self.seeds))
        self.episode_returns: list[list[tuple[int, float]]] = [[] for _ in self.seeds]
        self.eval_steps: list[int] = []
        self.eval_returns: list[np.ndarray] = []

    @property
    def num_agents(self) -> int:
        """``M``, the number of agents (one environment each)."""
        return len(self.seeds)

    def steps(self) -> Iterator[int]:
        """The environment steps ``1, ..., total_steps``; :attr:`t` follows them."""
        for t in range(1, self.total_steps + 1):
            self.t = t
            yield t

    def step(self, actions: np.ndarray) -> Transition:
        """Step every environment with its agent's action; reset those whose episode ended.

        A finished episode's undiscounted return is recorded in :attr:`episode_returns` at step
        :attr:`t`, and :attr:`obs` becomes the first observation of the next episode.

        Shapes:
            - actions: ``(M,)`` ints (discrete) or ``(M, act_dim)`` (box)
        """
        M = self.num_agents
        next_obs = np.empty_like(self.obs)
        after = np.empty_like(self.obs)  # the observation to act from next
        reward = np.empty(M)
        terminated, truncated = np.empty(M, bool), np.empty(M, bool)
        for i, env in enumerate(self.envs):
            action = int(actions[i]) if self.discrete else actions[i].astype(np.float32)
            o, r, term, trunc, _ = env.step(action)
            next_obs[i], reward[i], terminated[i], truncated[i] = o, r, term, trunc
            self._episode_return[i] += r
            if term or trunc:
                self.episode_returns[i].append((self.t, float(self._episode_return[i])))
                self._episode_return[i] = 0.0
                o, _ = env.reset()
            after[i] = o
        self.obs = after
        return Transition(next_obs, reward, terminated, truncated)

    def evaluate_if_due(
        self,
        act: Callable[[torch.Tensor], torch.Tensor],
        every: int,
        num_episodes: int,
        *,
        gamma: float = 1.0,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Every ``every`` steps and after the last one, evaluate the policies ``act``.

        Every agent plays the episodes reset with seeds ``EVAL_SEED + k``
        (:func:`~lib.rl.evaluation.evaluate_population`); the mean return is recorded in the
        learning curves.

        Args:
            act: Observations ``(M, E, obs_dim)`` to actions, deterministic.
            every: Steps between evaluations; 0 turns them off.
            num_episodes: Episodes per agent (``E``).
            gamma: Discount of the second array returned.

        Returns:
            ``None`` when no evaluation is due, else the undiscounted and the discounted returns,
            each ``(M, E)``.
        """
        if not every or (self.t % every and self.t != self.total_steps):
            return None
        returns, discounted = evaluate_population_discounted(
            act,
            self.num_agents,
            gamma=gamma,
            env_id=self.env_id,
            num_episodes=num_episodes,
            seed=EVAL_SEED,
        )
        self.eval_steps.append(self.t)
        self.eval_returns.append(returns.mean(1))
        return returns, discounted

    def close(self) -> None:
        """Close every environment."""
        for env in self.envs:
            env.close()

    def curves(self, config: Any) -> dict[str, Any]:
        """Close the environments; the fields of :class:`Curves`, for an agent's ``*Result``.

        Args:
            config: The agent's configuration dataclass.
        """
        self.close()
        M = self.num_agents
        return {
            "seeds": np.asarray(self.seeds),
            "eval_steps": np.asarray(self.eval_steps),
            "eval_returns": (
                np.stack(self.eval_returns, 1) if self.eval_returns else np.zeros((M, 0))
            ),
            "episode_returns": self.episode_returns,
            "env_steps": self.total_steps,
            "wall_time": time.perf_counter() - self._start,
            "config": asdict(config),
        }


def greedy_actions(net: torch.nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """The greedy policy of every member of a population of Q-networks or of policy logits.

    Returns:
        ``act``: observations ``(M, E, obs_dim)`` to ``argmax_a net(obs)``, ``(M, E)``.
    """

    @torch.no_grad()
    def act(obs: torch.Tensor) -> torch.Tensor:
        return net(obs).argmax(-1)

    return act


def sample_categorical(probs: np.ndarray, rngs: Sequence[np.random.Generator]) -> np.ndarray:
    """One action per agent from its action probabilities, with its own generator.

    Inverse-CDF sampling: one uniform draw per agent, the first action whose cumulative
    probability exceeds it (the last action if rounding leaves the sum below the draw).

    Shapes:
        - probs: ``(M, num_actions)``
        - returns: ``(M,)`` int64
    """
    if probs.ndim != 2 or len(probs) != len(rngs):
        raise ValueError(
            f"pass probs of shape (M, num_actions) and one generator per agent; got "
            f"{probs.shape} and {len(rngs)} generators."
        )
    num_actions = probs.shape[1]
    return np.array(
        [
            min(int(np.searchsorted(np.cumsum(p), rng.random(), side="right")), num_actions - 1)
            for p, rng in zip(probs, rngs, strict=True)
        ],
        np.int64,
    )
