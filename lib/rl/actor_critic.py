"""Advantage actor-critic, A2C (Mnih et al. 2016, synchronous; Schulman et al. 2016 for GAE).

REINFORCE waits for the end of an episode and weights each log-probability by the Monte Carlo
return ``G_t``. An actor-critic replaces ``G_t - b(s_t)`` by an estimate of the advantage built
from a learnt critic ``V_phi``, so it can update after a few steps, in the middle of an episode.
With the temporal-difference errors
``delta_t = r_{t+1} + gamma (1 - d_{t+1}) V(s_{t+1}) - V(s_t)``, the generalised advantage
estimate (GAE) is

.. math::

    \\hat A_t = \\sum_{k \\ge 0} (\\gamma \\lambda)^k \\delta_{t+k},

cut at the end of an episode and at the end of the rollout (the last ``delta`` bootstraps from
``V(s_{t+n})``): ``lambda = 0`` is the one-step TD error, ``lambda = 1`` the ``n``-step return
minus ``V(s_t)``. The actor follows ``grad log pi(a_t | s_t) A_t`` plus an entropy bonus; the
critic regresses on ``A_t + V(s_t)``.

As for REINFORCE, ``M`` agents train in lockstep (one environment each); every ``n_steps``
environment steps each agent takes one gradient step on its last ``n_steps`` transitions.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import gymnasium as gym
import numpy as np
import torch

from lib.rl.checks import check_seeds, discrete_actions
from lib.rl.config_checks import (
    check_at_least,
    check_hidden,
    check_in_unit_interval,
    check_positive,
)
from lib.rl.evaluation import EVAL_SEED, evaluate_population
from lib.rl.networks import BatchedMLP, clip_grad_norm_per_member_, single_thread
from lib.rl.reinforce import greedy_policy_actions


@dataclass(frozen=True)
class A2CConfig:
    """Hyper-parameters of :func:`train_a2c`.

    Attributes:
        env_id: Gymnasium id (vector observation, discrete actions).
        total_steps: Environment steps per agent.
        hidden: Hidden sizes of the actor and of the (separate) critic.
        lr: Adam learning rate of both networks (one optimiser, as stable-baselines3's A2C).
        gamma: Discount.
        gae_lambda: GAE's ``lambda`` (0: one-step TD error, 1: ``n``-step return).
        n_steps: Environment steps per rollout (between updates).
        ent_coef: Weight of the entropy bonus.
        vf_coef: Weight of the critic's squared error.
        max_grad_norm: Clip each agent's gradient (actor and critic together) to this L2 norm.
        normalize_advantages: Standardise the advantages within each agent's rollout.
        eval_every: Environment steps between greedy evaluations (0: none).
        eval_episodes: Episodes per evaluation.
    """

    env_id: str = "CartPole-v1"
    total_steps: int = 30_000
    hidden: tuple[int, ...] = (32,)
    lr: float = 3e-3
    gamma: float = 0.99
    gae_lambda: float = 0.95
    n_steps: int = 64
    ent_coef: float = 0.0
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5
    normalize_advantages: bool = True
    eval_every: int = 1_000
    eval_episodes: int = 5

    def __post_init__(self) -> None:
        check_at_least(self, 1, "total_steps", "n_steps", "eval_episodes")
        check_at_least(self, 0, "eval_every", "ent_coef", "vf_coef")
        check_hidden(self)
        check_positive(self, "lr", "max_grad_norm")
        check_in_unit_interval(self, "gamma", "gae_lambda")


@dataclass
class A2CResult:
    """Output of :func:`train_a2c` for ``M`` agents (as :class:`~lib.rl.reinforce.ReinforceResult`).

    Attributes:
        seeds: ``(M,)``.
        eval_steps: ``(K,)``.
        eval_returns: Mean greedy return at each evaluation, ``(M, K)``.
        episode_returns: Per agent, ``(step, return)`` of every finished training episode.
        policy: The actor networks (logits), a :class:`~lib.rl.networks.BatchedMLP`.
        critic: The value networks.
        env_steps: Environment steps per agent.
        wall_time: Seconds.
        config: The configuration, as a dict.
    """

    seeds: np.ndarray
    eval_steps: np.ndarray
    eval_returns: np.ndarray
    episode_returns: list[list[tuple[int, float]]]
    policy: BatchedMLP
    critic: BatchedMLP
    env_steps: int
    wall_time: float
    config: dict = field(default_factory=dict)


def gae_advantages(
    rewards: np.ndarray,
    values: np.ndarray,
    next_values: np.ndarray,
    terminated: np.ndarray,
    truncated: np.ndarray,
    gamma: float,
    lam: float,
) -> np.ndarray:
    """Generalised advantage estimates of one rollout (Schulman et al. 2016), along the last axis.

    ``next_values[t]`` is ``V`` of the observation that followed step ``t`` (before any reset), so
    a truncated episode (time limit) bootstraps from it and a terminated one does not; either
    ends the sum. The last step bootstraps from ``next_values[-1]``.

    Args:
        rewards: ``r_{t+1}``.
        values: ``V(s_t)``.
        next_values: ``V(s_{t+1})``.
        terminated: The episode ended in a terminal state after step ``t``.
        truncated: The episode was cut (time limit) after step ``t``.
        gamma: Discount in ``[0, 1]``.
        lam: GAE's ``lambda`` in ``[0, 1]``.

    Shapes:
        - every array: ``(..., T)``, the same
        - returns: ``(..., T)``
    """
    rewards, values, next_values = (np.asarray(x, float) for x in (rewards, values, next_values))
    terminated, truncated = np.asarray(terminated, bool), np.asarray(truncated, bool)
    shapes = {x.shape for x in (rewards, values, next_values, terminated, truncated)}
    if len(shapes) != 1 or rewards.ndim < 1:
        raise ValueError(
            "rewards, values, next_values, terminated and truncated must have one shape (..., T), "
            f"got {sorted(shapes)}."
        )
    if not (0.0 <= gamma <= 1.0 and 0.0 <= lam <= 1.0):
        raise ValueError(f"gamma and lam must be in [0, 1], got {gamma} and {lam}.")
    deltas = rewards + gamma * (~terminated) * next_values - values
    carry = ~(terminated | truncated)
    advantages = np.zeros_like(deltas)
    running = np.zeros(deltas.shape[:-1])
    for t in range(deltas.shape[-1] - 1, -1, -1):
        running = deltas[..., t] + gamma * lam * carry[..., t] * running
        advantages[..., t] = running
    return advantages


def train_a2c(seeds: Sequence[int], config: A2CConfig = A2CConfig()) -> A2CResult:
    """Train one A2C agent per seed, in lockstep (one torch thread).

    Agent ``i`` depends only on ``seeds[i]`` and ``config``: same seeds, same returns.

    Returns:
        An :class:`A2CResult`.
    """
    seeds = check_seeds(seeds)
    with single_thread():
        return _train_a2c(seeds, config)


def _train_a2c(seeds: list[int], config: A2CConfig) -> A2CResult:
    start = time.perf_counter()
    M, n = len(seeds), config.n_steps
    envs = [gym.make(config.env_id) for _ in seeds]
    obs_dim = int(np.prod(envs[0].observation_space.shape))
    num_actions = discrete_actions(envs[0].action_space, config.env_id, "A2C")
    rngs = [np.random.default_rng(s) for s in seeds]
    policy = BatchedMLP(seeds, obs_dim, config.hidden, num_actions)
    critic = BatchedMLP([s + 1_000_003 for s in seeds], obs_dim, config.hidden, 1)
    optimizer = torch.optim.Adam(
        [*policy.parameters(), *critic.parameters()], lr=config.lr, foreach=True
    )

    obs = np.stack([env.reset(seed=s)[0] for env, s in zip(envs, seeds, strict=False)]).astype(
        np.float32
    )
    roll_obs = np.zeros((M, n, obs_dim), np.float32)
    roll_next = np.zeros((M, n, obs_dim), np.float32)
    roll_act = np.zeros((M, n), np.int64)
    roll_rew = np.zeros((M, n))
    roll_term = np.zeros((M, n), bool)
    roll_trunc = np.zeros((M, n), bool)
    ep_return = np.zeros(M)
    episode_returns: list[list[tuple[int, float]]] = [[] for _ in seeds]
    eval_steps, eval_returns = [], []

    for step in range(1, config.total_steps + 1):
        t = (step - 1) % n
        with torch.no_grad():
            probs = torch.softmax(policy(torch.from_numpy(obs)[:, None])[:, 0], -1).numpy()
        roll_obs[:, t] = obs
        for i, env in enumerate(envs):
            # Inverse-CDF sampling with the agent's own generator (one uniform per step).
            a = int(
                min(
                    np.searchsorted(np.cumsum(probs[i]), rngs[i].random(), side="right"),
                    num_actions - 1,
                )
            )
            o, r, term, trunc, _ = env.step(a)
            roll_act[i, t], roll_rew[i, t] = a, r
            roll_term[i, t], roll_trunc[i, t] = term, trunc
            roll_next[i, t] = o
            ep_return[i] += r
            if term or trunc:
                episode_returns[i].append((step, float(ep_return[i])))
                ep_return[i] = 0.0
                o, _ = env.reset()
            obs[i] = o

        if t == n - 1:
            _update(
                policy,
                critic,
                optimizer,
                (roll_obs, roll_next, roll_act, roll_rew, roll_term, roll_trunc),
                config,
            )

        if config.eval_every and (step % config.eval_every == 0 or step == config.total_steps):
            returns = evaluate_population(
                greedy_policy_actions(policy),
                M,
                env_id=config.env_id,
                num_episodes=config.eval_episodes,
                seed=EVAL_SEED,
            ).mean(1)
            eval_steps.append(step)
            eval_returns.append(returns)

    for env in envs:
        env.close()
    return A2CResult(
        seeds=np.asarray(seeds),
        eval_steps=np.asarray(eval_steps),
        eval_returns=np.stack(eval_returns, 1) if eval_returns else np.zeros((M, 0)),
        episode_returns=episode_returns,
        policy=policy,
        critic=critic,
        env_steps=config.total_steps,
        wall_time=time.perf_counter() - start,
        config=asdict(config),
    )


def _update(policy, critic, optimizer, rollout, config: A2CConfig) -> None:
    """One actor-critic gradient step per agent on its last ``n_steps`` transitions."""
    X, X_next, A, R, term, trunc = rollout
    X_t = torch.from_numpy(X)
    values = critic(X_t)[..., 0]
    with torch.no_grad():
        next_values = critic(torch.from_numpy(X_next))[..., 0].numpy()
    adv = gae_advantages(
        R, values.detach().numpy(), next_values, term, trunc, config.gamma, config.gae_lambda
    )
    targets = torch.from_numpy((adv + values.detach().numpy()).astype(np.float32))
    adv_t = torch.from_numpy(adv.astype(np.float32))
    if config.normalize_advantages:
        adv_t = (adv_t - adv_t.mean(1, keepdim=True)) / (adv_t.std(1, keepdim=True) + 1e-8)
    log_probs_all = torch.log_softmax(policy(X_t), -1)
    log_probs = log_probs_all.gather(-1, torch.from_numpy(A)[..., None])[..., 0]
    entropy = -(log_probs_all.exp() * log_probs_all).sum(-1)
    loss_pi = -(log_probs * adv_t).mean(1) - config.ent_coef * entropy.mean(1)
    loss_v = ((values - targets) ** 2).mean(1)
    optimizer.zero_grad(set_to_none=True)
    (loss_pi + config.vf_coef * loss_v).sum().backward()
    if config.max_grad_norm:  # actor and critic together, as one network
        clip_grad_norm_per_member_(torch.nn.ModuleList([policy, critic]), config.max_grad_norm)
    optimizer.step()
