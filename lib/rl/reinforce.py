"""REINFORCE with a learnt state-value baseline (Williams 1992; Sutton & Barto 2018, sec. 13.4).

The policy-gradient theorem gives an unbiased gradient from complete episodes; subtracting a
baseline ``b(s)`` that does not depend on the action keeps it unbiased and lowers its variance:

.. math::

    \\nabla_\\theta J(\\theta) = \\mathbb{E}_\\pi\\Big[\\sum_t
    \\nabla_\\theta \\log \\pi_\\theta(a_t \\mid s_t)
    \\,\\big(G_t - b(s_t)\\big)\\Big], \\qquad G_t = \\sum_{k \\ge t} \\gamma^{k - t} r_{k+1}.

Here ``b = V_phi`` is a second network fitted to ``G_t`` by least squares. As for DQN, several
agents train in lockstep (one environment each); every ``rollout_steps`` environment steps each
agent takes one gradient step on the episodes it finished since its last update (unfinished
episodes wait for the next update, so every return is a complete Monte Carlo return).
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
from lib.rl.networks import BatchedMLP, single_thread


@dataclass(frozen=True)
class ReinforceConfig:
    """Hyper-parameters of :func:`train_reinforce`.

    Attributes:
        env_id: Gymnasium id (vector observation, discrete actions).
        total_steps: Environment steps per agent.
        hidden: Hidden sizes of the policy and of the baseline network.
        lr: Adam learning rate of the policy.
        lr_baseline: Adam learning rate of the baseline.
        gamma: Discount of the returns.
        rollout_steps: Environment steps between updates.
        normalize_advantages: Standardise ``G_t - b(s_t)`` within each agent's batch.
        eval_every: Environment steps between greedy evaluations (0: none).
        eval_episodes: Episodes per evaluation.
    """

    env_id: str = "CartPole-v1"
    total_steps: int = 20_000
    hidden: tuple[int, ...] = (32,)
    lr: float = 1e-2
    lr_baseline: float = 1e-2
    gamma: float = 0.99
    rollout_steps: int = 500
    normalize_advantages: bool = True
    eval_every: int = 2_000
    eval_episodes: int = 5

    def __post_init__(self) -> None:
        check_at_least(self, 1, "total_steps", "rollout_steps", "eval_episodes")
        check_at_least(self, 0, "eval_every")
        check_hidden(self)
        check_positive(self, "lr", "lr_baseline")
        check_in_unit_interval(self, "gamma")


@dataclass
class ReinforceResult:
    """Output of :func:`train_reinforce` for ``M`` agents (as :class:`~lib.rl.dqn.DQNResult`).

    Attributes:
        seeds: ``(M,)``.
        eval_steps: ``(K,)``.
        eval_returns: Mean greedy return at each evaluation, ``(M, K)``.
        episode_returns: Per agent, ``(step, return)`` of every finished training episode.
        policy: The policy networks (logits), a :class:`~lib.rl.networks.BatchedMLP`.
        baseline: The value networks.
        env_steps: Environment steps per agent.
        wall_time: Seconds.
        config: The configuration, as a dict.
    """

    seeds: np.ndarray
    eval_steps: np.ndarray
    eval_returns: np.ndarray
    episode_returns: list[list[tuple[int, float]]]
    policy: BatchedMLP
    baseline: BatchedMLP
    env_steps: int
    wall_time: float
    config: dict = field(default_factory=dict)


def returns_to_go(rewards: np.ndarray, gamma: float) -> np.ndarray:
    """``G_t = r_{t+1} + gamma G_{t+1}`` of one complete episode.

    Shapes:
        - rewards, returns: ``(T,)``
    """
    rewards = np.asarray(rewards, float)
    if rewards.ndim != 1:
        raise ValueError(f"rewards must be 1-D (one episode), got shape {rewards.shape}.")
    G = np.zeros_like(rewards)
    running = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * running
        G[t] = running
    return G


def greedy_policy_actions(policy: BatchedMLP):
    """``obs (M, E, obs_dim) -> argmax_a pi(a|s) (M, E)``."""

    @torch.no_grad()
    def act(obs: torch.Tensor) -> torch.Tensor:
        return policy(obs).argmax(-1)

    return act


def train_reinforce(
    seeds: Sequence[int], config: ReinforceConfig = ReinforceConfig()
) -> ReinforceResult:
    """Train one REINFORCE-with-baseline agent per seed, in lockstep (one torch thread).

    Agent ``i`` depends only on ``seeds[i]`` and ``config``: same seeds, same returns.

    Returns:
        A :class:`ReinforceResult`.
    """
    seeds = check_seeds(seeds)
    with single_thread():
        return _train_reinforce(seeds, config)


def _train_reinforce(seeds: list[int], config: ReinforceConfig) -> ReinforceResult:
    start = time.perf_counter()
    M = len(seeds)
    envs = [gym.make(config.env_id) for _ in seeds]
    obs_dim = int(np.prod(envs[0].observation_space.shape))
    num_actions = discrete_actions(envs[0].action_space, config.env_id, "REINFORCE")
    rngs = [np.random.default_rng(s) for s in seeds]
    policy = BatchedMLP(seeds, obs_dim, config.hidden, num_actions)
    baseline = BatchedMLP([s + 1_000_003 for s in seeds], obs_dim, config.hidden, 1)
    opt_pi = torch.optim.Adam(policy.parameters(), lr=config.lr, foreach=True)
    opt_v = torch.optim.Adam(baseline.parameters(), lr=config.lr_baseline, foreach=True)

    obs = np.stack([env.reset(seed=s)[0] for env, s in zip(envs, seeds, strict=False)]).astype(
        np.float32
    )
    current: list[dict[str, list]] = [{"obs": [], "action": [], "reward": []} for _ in seeds]
    done_batches: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in seeds]
    episode_returns: list[list[tuple[int, float]]] = [[] for _ in seeds]
    eval_steps, eval_returns = [], []

    for step in range(1, config.total_steps + 1):
        with torch.no_grad():
            probs = torch.softmax(policy(torch.from_numpy(obs)[:, None])[:, 0], -1).numpy()
        for i, env in enumerate(envs):
            # Inverse-CDF sampling with the agent's own generator (one uniform per step).
            a = int(
                min(
                    np.searchsorted(np.cumsum(probs[i]), rngs[i].random(), side="right"),
                    num_actions - 1,
                )
            )
            o, r, term, trunc, _ = env.step(a)
            ep = current[i]
            ep["obs"].append(obs[i].copy())
            ep["action"].append(a)
            ep["reward"].append(r)
            if term or trunc:
                rewards = np.asarray(ep["reward"], float)
                done_batches[i].append(
                    (
                        np.stack(ep["obs"]),
                        np.asarray(ep["action"]),
                        returns_to_go(rewards, config.gamma),
                    )
                )
                episode_returns[i].append((step, float(rewards.sum())))
                current[i] = {"obs": [], "action": [], "reward": []}
                o, _ = env.reset()
            obs[i] = o

        if step % config.rollout_steps == 0:
            _update(
                policy, baseline, opt_pi, opt_v, done_batches, obs_dim, config.normalize_advantages
            )
            done_batches = [[] for _ in seeds]

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
    return ReinforceResult(
        seeds=np.asarray(seeds),
        eval_steps=np.asarray(eval_steps),
        eval_returns=np.stack(eval_returns, 1) if eval_returns else np.zeros((M, 0)),
        episode_returns=episode_returns,
        policy=policy,
        baseline=baseline,
        env_steps=config.total_steps,
        wall_time=time.perf_counter() - start,
        config=asdict(config),
    )


def _update(policy, baseline, opt_pi, opt_v, batches, obs_dim: int, normalize: bool) -> None:
    """One policy-gradient step and one baseline step per agent on its finished episodes."""
    M = len(batches)
    sizes = [sum(len(b[1]) for b in agent) for agent in batches]
    n_max = max(sizes)
    if n_max == 0:
        return
    X = np.zeros((M, n_max, obs_dim), np.float32)
    A = np.zeros((M, n_max), np.int64)
    G = np.zeros((M, n_max), np.float32)
    mask = np.zeros((M, n_max), np.float32)
    for i, agent in enumerate(batches):
        if sizes[i]:
            X[i, : sizes[i]] = np.concatenate([b[0] for b in agent])
            A[i, : sizes[i]] = np.concatenate([b[1] for b in agent])
            G[i, : sizes[i]] = np.concatenate([b[2] for b in agent])
            mask[i, : sizes[i]] = 1.0
    X_t, A_t, G_t, m = map(torch.from_numpy, (X, A, G, mask))
    n = m.sum(1).clamp(min=1.0)

    values = baseline(X_t)[..., 0]
    advantages = (G_t - values).detach()
    if normalize:
        mean = (advantages * m).sum(1, keepdim=True) / n[:, None]
        var = (((advantages - mean) * m) ** 2).sum(1, keepdim=True) / n[:, None]
        advantages = (advantages - mean) / (var.sqrt() + 1e-8)
    log_probs = torch.log_softmax(policy(X_t), -1).gather(-1, A_t[..., None])[..., 0]
    loss_pi = (-(log_probs * advantages * m).sum(1) / n).sum()
    loss_v = ((((values - G_t) ** 2) * m).sum(1) / n).sum()
    opt_pi.zero_grad(set_to_none=True)
    opt_v.zero_grad(set_to_none=True)
    (loss_pi + loss_v).backward()
    opt_pi.step()
    opt_v.step()
