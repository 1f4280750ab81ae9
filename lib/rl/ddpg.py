"""Deep deterministic policy gradient, DDPG (Lillicrap et al. 2016; Silver et al. 2014).

For continuous actions a deterministic actor ``mu_theta(s)`` is trained along the gradient of a
learnt critic, the deterministic policy gradient (Silver et al. 2014):

.. math::

    \\nabla_\\theta J \\approx \\mathbb{E}_{s \\sim \\mathcal{D}}\\big[
    \\nabla_a Q_\\phi(s, a)\\big|_{a = \\mu_\\theta(s)} \\nabla_\\theta \\mu_\\theta(s)\\big],

and the critic is fitted as in DQN, with the max over actions replaced by the target actor:

.. math::

    y = r + \\gamma (1 - d)\\, Q_{\\phi^-}\\big(s', \\mu_{\\theta^-}(s')\\big), \\qquad
    \\mathcal{L}(\\phi) = \\mathbb{E}_{\\mathcal{D}}\\big[(Q_\\phi(s, a) - y)^2\\big].

Both target networks follow their online networks by soft (Polyak) updates
``theta^- <- (1 - tau) theta^- + tau theta`` after every gradient step. Exploration adds Gaussian
noise to the actor's action. As for DQN, ``M`` agents train in lockstep, each with its own
environment, generator, replay rows and network members.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F

from lib.rl.checks import check_seeds
from lib.rl.config_checks import (
    check_at_least,
    check_hidden,
    check_in_unit_interval,
    check_learning_starts,
    check_positive,
)
from lib.rl.evaluation import EVAL_SEED, evaluate_population
from lib.rl.networks import BatchedMLP, single_thread

PENDULUM_RETURN_BOUNDS = (-200 * (np.pi**2 + 0.1 * 8**2 + 0.001 * 2**2), 0.0)
"""Smallest and largest possible return of a Pendulum-v1 episode: 200 steps, each costing
``theta^2 + 0.1 theta_dot^2 + 0.001 u^2`` with ``|theta| <= pi``, ``|theta_dot| <= 8``,
``|u| <= 2``."""


@dataclass(frozen=True)
class DDPGConfig:
    """Hyper-parameters of :func:`train_ddpg` (defaults: small and fast for Pendulum-v1).

    Attributes:
        env_id: Gymnasium id (vector observation, a ``Box`` action space symmetric about 0).
        total_steps: Environment steps per agent.
        hidden: Hidden sizes of the actor and of the critic.
        lr: Adam learning rate of the actor and of the critic (one rate, as stable-baselines3).
        gamma: Discount.
        tau: Soft target update rate.
        batch_size: Transitions per gradient step.
        buffer_size: Replay capacity per agent.
        learning_starts: Steps of uniformly random actions before the first update.
        action_noise: Standard deviation of the Gaussian exploration noise, as a fraction of the
            largest action.
        eval_every: Environment steps between evaluations of the deterministic actor (0: none).
        eval_episodes: Episodes per evaluation.
    """

    env_id: str = "Pendulum-v1"
    total_steps: int = 9_000
    hidden: tuple[int, ...] = (64, 64)
    lr: float = 1e-3
    gamma: float = 0.98
    tau: float = 0.005
    batch_size: int = 64
    buffer_size: int = 100_000
    learning_starts: int = 500
    action_noise: float = 0.1
    eval_every: int = 1_000
    eval_episodes: int = 5

    def __post_init__(self) -> None:
        check_at_least(self, 1, "total_steps", "batch_size", "buffer_size", "eval_episodes")
        check_at_least(self, 0, "eval_every", "action_noise")
        check_hidden(self)
        check_learning_starts(self)
        check_positive(self, "lr")
        check_in_unit_interval(self, "gamma")
        check_in_unit_interval(self, "tau", exclude_zero=True)


@dataclass
class DDPGResult:
    """Output of :func:`train_ddpg` for ``M`` agents.

    Attributes:
        seeds: ``(M,)``.
        eval_steps: ``(K,)``.
        eval_returns: Mean return of the deterministic actor at each evaluation, ``(M, K)``.
        episode_returns: Per agent, ``(step, return)`` of every finished training episode.
        actor: The actors (before the ``tanh`` squashing), a :class:`BatchedMLP`.
        critic: The critics, input ``[s, a]``.
        max_action: The environment's largest action.
        env_steps: Environment steps per agent.
        wall_time: Seconds.
        config: The configuration, as a dict.
    """

    seeds: np.ndarray
    eval_steps: np.ndarray
    eval_returns: np.ndarray
    episode_returns: list[list[tuple[int, float]]]
    actor: BatchedMLP
    critic: BatchedMLP
    max_action: float
    env_steps: int
    wall_time: float
    config: dict = field(default_factory=dict)


def deterministic_actions(actor: BatchedMLP, max_action: float):
    """``obs (M, E, obs_dim) -> max_action * tanh(actor(obs)) (M, E, action_dim)``."""

    @torch.no_grad()
    def act(obs: torch.Tensor) -> torch.Tensor:
        return max_action * torch.tanh(actor(obs))

    return act


def critic_targets(
    reward: torch.Tensor,
    next_q: torch.Tensor,
    terminated: torch.Tensor,
    gamma: float,
) -> torch.Tensor:
    """The critic's regression target ``y = r + gamma (1 - d) Q^-(s', mu^-(s'))``.

    A time-limit truncation is not a terminal state: pass ``terminated`` False for it, so that
    the target bootstraps.

    Shapes:
        - reward, next_q, terminated, returns: ``(M, B)``, the same
    """
    if not (reward.shape == next_q.shape == terminated.shape):
        raise ValueError(
            "reward, next_q and terminated must have one shape (M, B), got "
            f"{tuple(reward.shape)}, {tuple(next_q.shape)}, {tuple(terminated.shape)}."
        )
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}.")
    return reward + gamma * (1.0 - terminated.float()) * next_q


@torch.no_grad()
def soft_update_(target: torch.nn.Module, online: torch.nn.Module, tau: float) -> None:
    """Polyak averaging ``target <- (1 - tau) target + tau online``, parameter by parameter."""
    if not 0.0 < tau <= 1.0:
        raise ValueError(f"tau must be in (0, 1], got {tau}.")
    target_params, online_params = list(target.parameters()), list(online.parameters())
    if [p.shape for p in target_params] != [p.shape for p in online_params]:
        raise ValueError("target and online must have parameters of the same shapes.")
    for target_param, online_param in zip(target_params, online_params, strict=True):
        target_param.lerp_(online_param, tau)


def train_ddpg(seeds: Sequence[int], config: DDPGConfig = DDPGConfig()) -> DDPGResult:
    """Train one DDPG agent per seed, in lockstep (one torch thread).

    Agent ``i`` depends only on ``seeds[i]`` and ``config``: same seeds, same returns.

    Returns:
        A :class:`DDPGResult`.
    """
    seeds = check_seeds(seeds)
    with single_thread():
        return _train_ddpg(seeds, config)


def _train_ddpg(seeds: list[int], config: DDPGConfig) -> DDPGResult:
    start = time.perf_counter()
    M = len(seeds)
    envs = [gym.make(config.env_id) for _ in seeds]
    space = envs[0].action_space
    if not isinstance(space, gym.spaces.Box) or not np.allclose(space.low, -space.high):
        raise ValueError(
            f"DDPG needs a Box action space symmetric about 0, but {config.env_id} has {space}; "
            "for discrete actions use lib.rl.dqn.train_dqn, train_reinforce or train_a2c."
        )
    max_action = float(space.high.max())
    obs_dim = int(np.prod(envs[0].observation_space.shape))
    act_dim = int(np.prod(space.shape))
    rngs = [np.random.default_rng(s) for s in seeds]
    actor = BatchedMLP(seeds, obs_dim, config.hidden, act_dim)
    critic = BatchedMLP([s + 1_000_003 for s in seeds], obs_dim + act_dim, config.hidden, 1)
    actor_target = BatchedMLP(seeds, obs_dim, config.hidden, act_dim)
    critic_target = BatchedMLP([s + 1_000_003 for s in seeds], obs_dim + act_dim, config.hidden, 1)
    actor_target.copy_members_(actor)
    critic_target.copy_members_(critic)
    opt_actor = torch.optim.Adam(actor.parameters(), lr=config.lr, foreach=True)
    opt_critic = torch.optim.Adam(critic.parameters(), lr=config.lr, foreach=True)

    cap = config.buffer_size
    buf_obs = np.zeros((M, cap, obs_dim), np.float32)
    buf_next = np.zeros((M, cap, obs_dim), np.float32)
    buf_act = np.zeros((M, cap, act_dim), np.float32)
    buf_rew = np.zeros((M, cap), np.float32)
    buf_term = np.zeros((M, cap), np.float32)
    rows = np.arange(M)[:, None]

    obs = np.stack([env.reset(seed=s)[0] for env, s in zip(envs, seeds, strict=False)]).astype(
        np.float32
    )
    ep_return = np.zeros(M)
    episode_returns: list[list[tuple[int, float]]] = [[] for _ in seeds]
    eval_steps, eval_returns = [], []
    act = deterministic_actions(actor, max_action)

    for step in range(1, config.total_steps + 1):
        if step <= config.learning_starts:
            actions = np.stack([rng.uniform(-max_action, max_action, act_dim) for rng in rngs])
        else:
            mean = act(torch.from_numpy(obs)[:, None])[:, 0].numpy()
            noise = np.stack(
                [rng.normal(0.0, config.action_noise * max_action, act_dim) for rng in rngs]
            )
            actions = np.clip(mean + noise, -max_action, max_action)
        slot = (step - 1) % cap
        for i, env in enumerate(envs):
            o, r, term, trunc, _ = env.step(actions[i].astype(np.float32))
            buf_obs[i, slot], buf_act[i, slot], buf_next[i, slot] = obs[i], actions[i], o
            buf_rew[i, slot], buf_term[i, slot] = r, float(term)
            ep_return[i] += r
            if term or trunc:
                episode_returns[i].append((step, float(ep_return[i])))
                ep_return[i] = 0.0
                o, _ = env.reset()
            obs[i] = o

        if step > config.learning_starts:
            size = min(step, cap)
            idx = np.stack([rng.integers(0, size, config.batch_size) for rng in rngs])
            batch = [
                torch.from_numpy(b[rows, idx])
                for b in (buf_obs, buf_act, buf_rew, buf_next, buf_term)
            ]
            _update(
                actor,
                critic,
                actor_target,
                critic_target,
                opt_actor,
                opt_critic,
                batch,
                max_action,
                config,
            )

        if config.eval_every and (step % config.eval_every == 0 or step == config.total_steps):
            returns = evaluate_population(
                act, M, env_id=config.env_id, num_episodes=config.eval_episodes, seed=EVAL_SEED
            ).mean(1)
            eval_steps.append(step)
            eval_returns.append(returns)

    for env in envs:
        env.close()
    return DDPGResult(
        seeds=np.asarray(seeds),
        eval_steps=np.asarray(eval_steps),
        eval_returns=np.stack(eval_returns, 1) if eval_returns else np.zeros((M, 0)),
        episode_returns=episode_returns,
        actor=actor,
        critic=critic,
        max_action=max_action,
        env_steps=config.total_steps,
        wall_time=time.perf_counter() - start,
        config=asdict(config),
    )


def _update(
    actor, critic, actor_target, critic_target, opt_actor, opt_critic, batch, max_action, config
) -> None:
    """One critic step, one actor step and the soft target updates, for every agent."""
    s, a, r, s_next, term = batch
    with torch.no_grad():
        a_next = max_action * torch.tanh(actor_target(s_next))
        next_q = critic_target(torch.cat([s_next, a_next], -1))[..., 0]
        y = critic_targets(r, next_q, term, config.gamma)
    q = critic(torch.cat([s, a], -1))[..., 0]
    loss_critic = F.mse_loss(q, y, reduction="none").mean(1).sum()
    opt_critic.zero_grad(set_to_none=True)
    loss_critic.backward()
    opt_critic.step()

    loss_actor = -critic(torch.cat([s, max_action * torch.tanh(actor(s))], -1)).mean(1).sum()
    opt_actor.zero_grad(set_to_none=True)
    loss_actor.backward()
    opt_actor.step()
    soft_update_(critic_target, critic, config.tau)
    soft_update_(actor_target, actor, config.tau)
