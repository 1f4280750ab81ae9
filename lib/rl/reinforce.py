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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from lib.checks import check_int
from lib.rl.checks import check_episode_batch
from lib.rl.config_checks import (
    check_at_least,
    check_hidden,
    check_in_unit_interval,
    check_positive,
)
from lib.rl.lockstep import (
    Curves,
    Lockstep,
    critic_seeds,
    greedy_actions,
    sample_categorical,
    single_threaded,
)
from lib.rl.networks import BatchedMLP


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


@dataclass(kw_only=True)
class ReinforceResult(Curves):
    """Output of :func:`train_reinforce` for ``M`` agents: the :class:`~lib.rl.lockstep.Curves`, and

    Attributes:
        policy: The policy networks (logits), a :class:`~lib.rl.networks.BatchedMLP`.
        baseline: The value networks.
    """

    policy: BatchedMLP
    baseline: BatchedMLP


def returns_to_go(rewards: np.ndarray, gamma: float) -> np.ndarray:
    """``G_t = r_{t+1} + gamma G_{t+1}`` of one complete episode.

    Shapes:
        - rewards, returns: ``(T,)``
    """
    rewards = np.asarray(rewards, float)
    if rewards.ndim != 1:
        raise ValueError(f"rewards must be 1-D (one episode), got shape {rewards.shape}.")
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be a discount in [0, 1], got {gamma}; pass e.g. gamma=0.99.")
    G = np.zeros_like(rewards)
    running = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * running
        G[t] = running
    return G


def pad_episodes(
    episodes: Sequence[Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]], obs_dim: int
) -> tuple[torch.Tensor, ...] | None:
    """Each agent's finished episodes, concatenated and padded to one batch.

    Args:
        episodes: Per agent, its episodes as ``(observations (T, obs_dim), actions (T,),
            returns-to-go (T,))``.
        obs_dim: Size of an observation.

    Returns:
        ``None`` when no agent has a finished episode, else ``X (M, N, obs_dim)``, ``A (M, N)``,
        ``G (M, N)`` and ``mask (M, N)`` (1 on an agent's steps, 0 on padding), where ``N`` is the
        most steps of any agent.
    """
    check_int(obs_dim, "obs_dim")
    _check_episodes(episodes, obs_dim)
    M = len(episodes)
    sizes = [sum(len(episode[1]) for episode in agent) for agent in episodes]
    n_max = max(sizes)
    if n_max == 0:
        return None
    X = np.zeros((M, n_max, obs_dim), np.float32)
    A = np.zeros((M, n_max), np.int64)
    G = np.zeros((M, n_max), np.float32)
    mask = np.zeros((M, n_max), np.float32)
    for i, agent in enumerate(episodes):
        if sizes[i]:
            X[i, : sizes[i]] = np.concatenate([episode[0] for episode in agent])
            A[i, : sizes[i]] = np.concatenate([episode[1] for episode in agent])
            G[i, : sizes[i]] = np.concatenate([episode[2] for episode in agent])
            mask[i, : sizes[i]] = 1.0
    return tuple(map(torch.from_numpy, (X, A, G, mask)))


def _check_episodes(
    episodes: Sequence[Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]], obs_dim: int
) -> None:
    """Raise unless ``episodes`` holds, per agent, a list of ``(observations (T, obs_dim),
    actions (T,) ints, returns-to-go (T,))`` (shapes and dtypes, one episode at a time)."""
    if len(episodes) == 0:
        raise ValueError("episodes must hold one list of episodes per agent, got none.")
    for i, agent in enumerate(episodes):
        if isinstance(agent, tuple) or not isinstance(agent, Sequence):
            raise ValueError(
                f"episodes[{i}] must be a list of one agent's episodes, got "
                f"{type(agent).__name__}; for a single agent pass [episodes], a list of lists."
            )
        for k, episode in enumerate(agent):
            if not isinstance(episode, (tuple, list)) or len(episode) != 3:
                raise ValueError(
                    f"episodes[{i}][{k}] must be (observations, actions, returns-to-go), got "
                    f"{type(episode).__name__}."
                )
            obs, actions, returns = (np.asarray(x) for x in episode)
            T = len(actions)
            if obs.shape != (T, obs_dim) or actions.shape != (T,) or returns.shape != (T,):
                raise ValueError(
                    f"episodes[{i}][{k}] must be observations ({T}, obs_dim={obs_dim}), actions "
                    f"({T},) and returns-to-go ({T},), got {obs.shape}, {actions.shape} and "
                    f"{returns.shape}."
                )
            if not np.issubdtype(actions.dtype, np.integer):
                raise ValueError(
                    f"episodes[{i}][{k}]'s actions must be integer action indices, got "
                    f"{actions.dtype}; pass actions.astype(np.int64)."
                )


def reinforce_loss(
    policy: BatchedMLP,
    baseline: BatchedMLP,
    batch: tuple[torch.Tensor, ...],
    normalize: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """REINFORCE's surrogate loss and the baseline's squared error, summed over agents.

    .. math::

        L_\\pi(\\theta) = -\\frac{1}{N} \\sum_t \\log \\pi_\\theta(a_t \\mid s_t)
        \\,\\big(G_t - b(s_t)\\big), \\qquad
        L_b(\\phi) = \\frac{1}{N} \\sum_t \\big(b_\\phi(s_t) - G_t\\big)^2 .

    The advantage ``G_t - b(s_t)`` is a constant (detached), so the gradient of ``L_pi`` is
    minus the log-derivative estimate of the policy gradient, averaged over the agent's steps.

    Args:
        policy: Logits of ``pi_theta``.
        baseline: ``b_phi(s)``, one output.
        batch: ``X, A, G, mask`` of :func:`pad_episodes`.
        normalize: Standardise the advantages within each agent's batch.

    Returns:
        ``(L_pi, L_b)``, two scalars.
    """
    check_episode_batch(batch, policy.out_dim)
    X, A, G, mask = batch
    n = mask.sum(1).clamp(min=1.0)
    values = baseline(X)[..., 0]
    advantages = (G - values).detach()
    if normalize:
        mean = (advantages * mask).sum(1, keepdim=True) / n[:, None]
        var = (((advantages - mean) * mask) ** 2).sum(1, keepdim=True) / n[:, None]
        advantages = (advantages - mean) / (var.sqrt() + 1e-8)
    log_probs = torch.log_softmax(policy(X), -1).gather(-1, A[..., None])[..., 0]
    loss_pi = (-(log_probs * advantages * mask).sum(1) / n).sum()
    loss_baseline = ((((values - G) ** 2) * mask).sum(1) / n).sum()
    return loss_pi, loss_baseline


@single_threaded
def train_reinforce(
    seeds: Sequence[int], config: ReinforceConfig = ReinforceConfig()
) -> ReinforceResult:
    """Train one REINFORCE-with-baseline agent per seed, in lockstep (one torch thread).

    Agent ``i`` depends only on ``seeds[i]`` and ``config``: same seeds, same returns.

    Returns:
        A :class:`ReinforceResult`.
    """
    run = Lockstep(config.env_id, seeds, config.total_steps, agent="REINFORCE")
    policy = BatchedMLP(run.seeds, run.obs_dim, config.hidden, run.num_actions)
    baseline = BatchedMLP(critic_seeds(run.seeds), run.obs_dim, config.hidden, 1)
    opt_pi = torch.optim.Adam(policy.parameters(), lr=config.lr, foreach=True)
    opt_b = torch.optim.Adam(baseline.parameters(), lr=config.lr_baseline, foreach=True)
    current: list[list[tuple]] = [[] for _ in run.seeds]  # each agent's unfinished episode
    finished: list[list[tuple]] = [[] for _ in run.seeds]  # its episodes since the last update

    for step in run.steps():
        obs = run.obs
        with torch.no_grad():
            probs = torch.softmax(policy(torch.from_numpy(obs)[:, None])[:, 0], -1).numpy()
        actions = sample_categorical(probs, run.rngs)
        transition = run.step(actions)
        for i, episode in enumerate(current):
            episode.append((obs[i], actions[i], transition.reward[i]))
            if transition.done[i]:
                states, acts, rewards = zip(*episode, strict=True)
                G = returns_to_go(np.asarray(rewards, float), config.gamma)
                finished[i].append((np.stack(states), np.asarray(acts), G))
                current[i] = []

        if step % config.rollout_steps == 0:
            batch = pad_episodes(finished, run.obs_dim)
            if batch is not None:
                loss_pi, loss_b = reinforce_loss(
                    policy, baseline, batch, config.normalize_advantages
                )
                opt_pi.zero_grad(set_to_none=True)
                opt_b.zero_grad(set_to_none=True)
                (loss_pi + loss_b).backward()
                opt_pi.step()
                opt_b.step()
            finished = [[] for _ in run.seeds]

        run.evaluate_if_due(greedy_actions(policy), config.eval_every, config.eval_episodes)

    return ReinforceResult(**run.curves(config), policy=policy, baseline=baseline)
