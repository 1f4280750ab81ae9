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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from lib.checks import check_config
from lib.rl.checks import check_actions
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
from lib.rl.networks import BatchedMLP, clip_grad_norm_per_member_


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


@dataclass(kw_only=True)
class A2CResult(Curves):
    """Output of :func:`train_a2c` for ``M`` agents: the :class:`~lib.rl.lockstep.Curves`, and

    Attributes:
        policy: The actor networks (logits), a :class:`~lib.rl.networks.BatchedMLP`.
        critic: The value networks.
    """

    policy: BatchedMLP
    critic: BatchedMLP


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


def a2c_loss(
    policy: BatchedMLP,
    critic: BatchedMLP,
    rollout: tuple[np.ndarray, ...],
    config: A2CConfig,
) -> torch.Tensor:
    """A2C's loss on each agent's last rollout: actor, entropy bonus and critic, summed over agents.

    .. math::

        L = -\\frac{1}{n} \\sum_t \\Big(\\log \\pi_\\theta(a_t \\mid s_t)\\, \\hat A_t
        + \\beta\\, \\mathcal{H}\\big(\\pi_\\theta(\\cdot \\mid s_t)\\big)\\Big)
        + c_v\\, \\frac{1}{n} \\sum_t \\big(V_\\phi(s_t) - \\hat A_t - V(s_t)\\big)^2,

    with :func:`gae_advantages` ``A_t`` computed from the critic without gradient (``beta`` is
    ``config.ent_coef``, ``c_v`` is ``config.vf_coef``).

    Args:
        policy: The actors (logits).
        critic: The critics, one output.
        rollout: ``obs (M, n, obs_dim)``, ``next_obs (M, n, obs_dim)`` (before any reset),
            ``actions (M, n)``, ``rewards (M, n)``, ``terminated (M, n)``, ``truncated (M, n)``.
        config: ``gamma``, ``gae_lambda``, ``normalize_advantages``, ``ent_coef``, ``vf_coef``.

    Returns:
        The loss, a scalar.
    """
    _check_a2c_inputs(policy, critic, rollout, config)
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
    return (loss_pi + config.vf_coef * loss_v).sum()


ROLLOUT_FIELDS = ("obs", "next_obs", "actions", "rewards", "terminated", "truncated")


def _check_a2c_inputs(
    policy: BatchedMLP, critic: BatchedMLP, rollout: tuple[np.ndarray, ...], config: A2CConfig
) -> None:
    """Raise unless :func:`a2c_loss` got a critic with one output and six NumPy arrays with
    integer actions in ``0..policy.out_dim-1`` (shapes, dtypes and the smallest and largest action
    only: it runs at every update)."""
    check_config(config, A2CConfig)
    if critic.out_dim != 1 or policy.out_dim < 2:
        raise ValueError(
            f"a2c_loss takes (policy, critic, ...): the critic has one output and the policy one "
            f"per action, got a policy with {policy.out_dim} and a critic with {critic.out_dim}; "
            "swap them?"
        )
    if not isinstance(rollout, (tuple, list)) or len(rollout) != len(ROLLOUT_FIELDS):
        got = len(rollout) if isinstance(rollout, (tuple, list)) else type(rollout).__name__
        raise ValueError(
            f"rollout must be the six arrays ({', '.join(ROLLOUT_FIELDS)}), got {got}."
        )
    for name, array in zip(ROLLOUT_FIELDS, rollout, strict=True):
        if not isinstance(array, np.ndarray):
            raise TypeError(
                f"rollout's {name} must be a NumPy array, got {type(array).__name__}; pass "
                f"{name}.numpy() for a tensor."
            )
    if rollout[2].shape != rollout[3].shape or not np.issubdtype(rollout[2].dtype, np.integer):
        raise ValueError(
            f"rollout's actions must be integer action indices of the rewards' shape (M, n) "
            f"{rollout[3].shape}, got {rollout[2].dtype} {rollout[2].shape}; pass "
            "actions.astype(np.int64)."
        )
    check_actions(rollout[2], policy.out_dim, "rollout's actions")


@single_threaded
def train_a2c(seeds: Sequence[int], config: A2CConfig = A2CConfig()) -> A2CResult:
    """Train one A2C agent per seed, in lockstep (one torch thread).

    Agent ``i`` depends only on ``seeds[i]`` and ``config``: same seeds, same returns.

    Returns:
        An :class:`A2CResult`.
    """
    run = Lockstep(config.env_id, seeds, config.total_steps, agent="A2C")
    M, n, obs_dim = run.num_agents, config.n_steps, run.obs_dim
    policy = BatchedMLP(run.seeds, obs_dim, config.hidden, run.num_actions)
    critic = BatchedMLP(critic_seeds(run.seeds), obs_dim, config.hidden, 1)
    optimizer = torch.optim.Adam(
        [*policy.parameters(), *critic.parameters()], lr=config.lr, foreach=True
    )
    roll_obs = np.zeros((M, n, obs_dim), np.float32)
    roll_next = np.zeros((M, n, obs_dim), np.float32)  # before any reset
    roll_act = np.zeros((M, n), np.int64)
    roll_rew = np.zeros((M, n))
    roll_term = np.zeros((M, n), bool)
    roll_trunc = np.zeros((M, n), bool)
    rollout = (roll_obs, roll_next, roll_act, roll_rew, roll_term, roll_trunc)

    for step in run.steps():
        t = (step - 1) % n
        obs = run.obs
        with torch.no_grad():
            probs = torch.softmax(policy(torch.from_numpy(obs)[:, None])[:, 0], -1).numpy()
        actions = sample_categorical(probs, run.rngs)
        tr = run.step(actions)
        roll_obs[:, t], roll_next[:, t], roll_act[:, t] = obs, tr.next_obs, actions
        roll_rew[:, t], roll_term[:, t], roll_trunc[:, t] = tr.reward, tr.terminated, tr.truncated

        if t == n - 1:
            loss = a2c_loss(policy, critic, rollout, config)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if config.max_grad_norm:  # actor and critic together, as one network
                clip_grad_norm_per_member_(
                    torch.nn.ModuleList([policy, critic]), config.max_grad_norm
                )
            optimizer.step()

        run.evaluate_if_due(greedy_actions(policy), config.eval_every, config.eval_episodes)

    return A2CResult(**run.curves(config), policy=policy, critic=critic)
