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

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from lib.rl.checks import check_max_action, check_transitions
from lib.rl.config_checks import (
    check_at_least,
    check_hidden,
    check_in_unit_interval,
    check_learning_starts,
    check_positive,
)
from lib.rl.lockstep import Curves, Lockstep, critic_seeds, single_threaded
from lib.rl.networks import BatchedMLP, soft_update_
from lib.rl.replay import ReplayBuffer

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


@dataclass(kw_only=True)
class DDPGResult(Curves):
    """Output of :func:`train_ddpg` for ``M`` agents: the :class:`~lib.rl.lockstep.Curves`, and

    Attributes:
        actor: The actors (before the ``tanh`` squashing), a :class:`BatchedMLP`.
        critic: The critics, input ``[s, a]``.
        max_action: The environment's largest action.
    """

    actor: BatchedMLP
    critic: BatchedMLP
    max_action: float


def deterministic_actions(actor: BatchedMLP, max_action: float):
    """``obs (M, E, obs_dim) -> max_action * tanh(actor(obs)) (M, E, action_dim)``.

    Raises:
        TypeError: ``actor`` is not a :class:`~lib.rl.networks.BatchedMLP`.
        ValueError: ``max_action`` is not a positive finite number.
    """
    if not isinstance(actor, BatchedMLP):
        raise TypeError(
            f"actor must be a BatchedMLP (e.g. the actor of train_ddpg's result), got "
            f"{type(actor).__name__}."
        )
    check_max_action(max_action)

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


def smoothed_target_actions(
    target_actions: torch.Tensor,
    noise: torch.Tensor,
    *,
    noise_clip: float,
    max_action: float,
) -> torch.Tensor:
    """TD3's target-policy smoothing (Fujimoto et al. 2018):
    ``a' = clip(mu^-(s') + clip(eps, -noise_clip, noise_clip), -max_action, max_action)``.

    The critic's target is then taken at a slightly perturbed action, so that a narrow peak of the
    critic at ``mu^-(s')`` cannot be copied into the targets (TD3 draws ``eps ~ N(0, 0.2^2)``
    times ``max_action`` and clips it at ``0.5 max_action``).

    Shapes:
        - target_actions (the target actor's actions ``mu^-(s')``), noise, returns:
          ``(M, B, act_dim)``, the same
    """
    if target_actions.shape != noise.shape:
        raise ValueError(
            f"target_actions and noise must have one shape, got {tuple(target_actions.shape)} "
            f"and {tuple(noise.shape)}."
        )
    if noise_clip < 0 or max_action <= 0:
        raise ValueError(
            f"noise_clip must be >= 0 and max_action > 0, got {noise_clip} and {max_action}."
        )
    smoothed = target_actions + noise.clamp(-noise_clip, noise_clip)
    return smoothed.clamp(-max_action, max_action)


def td3_targets(
    reward: torch.Tensor,
    next_q1: torch.Tensor,
    next_q2: torch.Tensor,
    terminated: torch.Tensor,
    gamma: float,
) -> torch.Tensor:
    """TD3's clipped double-Q target (Fujimoto et al. 2018):
    ``y = r + gamma (1 - d) min(Q_1^-(s', a'), Q_2^-(s', a'))``, with ``a'`` from
    :func:`smoothed_target_actions`; both critics regress on this one ``y``.

    The smaller of two independently initialised critics' estimates counters the overestimation
    that the actor's ascent on a single critic builds up, as Double DQN's decoupling does for the
    max over actions (van Hasselt et al. 2016).

    Shapes:
        - reward, next_q1, next_q2, terminated, returns: ``(M, B)``, the same
    """
    if next_q1.shape != next_q2.shape:
        raise ValueError(
            f"next_q1 and next_q2 must have one shape, got {tuple(next_q1.shape)} and "
            f"{tuple(next_q2.shape)}."
        )
    return critic_targets(reward, torch.minimum(next_q1, next_q2), terminated, gamma)


def ddpg_update(
    actor: BatchedMLP,
    critic: BatchedMLP,
    actor_target: BatchedMLP,
    critic_target: BatchedMLP,
    opt_actor: torch.optim.Optimizer,
    opt_critic: torch.optim.Optimizer,
    batch: dict[str, torch.Tensor],
    *,
    max_action: float,
    gamma: float,
    tau: float,
) -> None:
    """One DDPG step of every agent: the critic, then the actor, then both target networks.

    1. Critic: regress ``Q_phi(s, a)`` on ``y = r + gamma (1 - d) Q_phi^-(s', mu_theta^-(s'))``
       (:func:`critic_targets`), squared error.
    2. Actor: ascend ``Q_phi(s, mu_theta(s))``; its gradient with respect to ``theta`` is the
       deterministic policy gradient ``grad_a Q(s, a)|_{a = mu(s)} grad_theta mu_theta(s)``.
    3. Targets: Polyak averaging with rate ``tau`` (:func:`~lib.rl.networks.soft_update_`).

    The actor's output is squashed as ``max_action * tanh(actor(s))``.

    Args:
        actor, critic: The online networks; the critic's input is ``[s, a]``.
        actor_target, critic_target: Their target networks.
        opt_actor, opt_critic: Their optimisers.
        batch: Tensors ``obs (M, B, obs_dim)``, ``action (M, B, act_dim)``, ``reward (M, B)``,
            ``next_obs (M, B, obs_dim)``, ``terminated (M, B)`` (as
            :meth:`~lib.rl.replay.ReplayBuffer.sample` returns them).
        max_action: The largest action.
        gamma: Discount.
        tau: Soft target update rate.
    """
    check_transitions(batch, continuous=True)
    check_max_action(max_action)
    s, a, s_next = batch["obs"], batch["action"], batch["next_obs"]
    with torch.no_grad():
        a_next = max_action * torch.tanh(actor_target(s_next))
        next_q = critic_target(torch.cat([s_next, a_next], -1))[..., 0]
        y = critic_targets(batch["reward"], next_q, batch["terminated"], gamma)
    q = critic(torch.cat([s, a], -1))[..., 0]
    loss_critic = F.mse_loss(q, y, reduction="none").mean(1).sum()
    opt_critic.zero_grad(set_to_none=True)
    loss_critic.backward()
    opt_critic.step()

    loss_actor = -critic(torch.cat([s, max_action * torch.tanh(actor(s))], -1)).mean(1).sum()
    opt_actor.zero_grad(set_to_none=True)
    loss_actor.backward()
    opt_actor.step()

    soft_update_(critic_target, critic, tau)
    soft_update_(actor_target, actor, tau)


@single_threaded
def train_ddpg(seeds: Sequence[int], config: DDPGConfig = DDPGConfig()) -> DDPGResult:
    """Train one DDPG agent per seed, in lockstep (one torch thread).

    Agent ``i`` depends only on ``seeds[i]`` and ``config``: same seeds, same returns.

    Returns:
        A :class:`DDPGResult`.
    """
    run = Lockstep(config.env_id, seeds, config.total_steps, agent="DDPG", actions="box")
    obs_dim, act_dim, max_action = run.obs_dim, run.act_dim, run.max_action
    actor = BatchedMLP(run.seeds, obs_dim, config.hidden, act_dim)
    critic = BatchedMLP(critic_seeds(run.seeds), obs_dim + act_dim, config.hidden, 1)
    actor_target, critic_target = copy.deepcopy(actor), copy.deepcopy(critic)
    opt_actor = torch.optim.Adam(actor.parameters(), lr=config.lr, foreach=True)
    opt_critic = torch.optim.Adam(critic.parameters(), lr=config.lr, foreach=True)
    buffer = ReplayBuffer(
        config.buffer_size,
        obs_dim,
        run.num_agents,
        action_shape=(act_dim,),
        action_dtype=np.float32,
    )
    act = deterministic_actions(actor, max_action)

    for step in run.steps():
        if step <= config.learning_starts:  # uniformly random actions
            actions = np.stack([rng.uniform(-max_action, max_action, act_dim) for rng in run.rngs])
        else:  # the actor's action plus Gaussian noise
            mean = act(torch.from_numpy(run.obs)[:, None])[:, 0].numpy()
            noise = np.stack(
                [rng.normal(0.0, config.action_noise * max_action, act_dim) for rng in run.rngs]
            )
            actions = np.clip(mean + noise, -max_action, max_action)
        obs = run.obs
        tr = run.step(actions)
        buffer.add(obs, actions, tr.reward, tr.next_obs, tr.terminated)

        if step > config.learning_starts:
            batch = buffer.sample(config.batch_size, run.rngs)
            ddpg_update(
                actor,
                critic,
                actor_target,
                critic_target,
                opt_actor,
                opt_critic,
                batch,
                max_action=max_action,
                gamma=config.gamma,
                tau=config.tau,
            )

        run.evaluate_if_due(act, config.eval_every, config.eval_episodes)

    return DDPGResult(**run.curves(config), actor=actor, critic=critic, max_action=max_action)
