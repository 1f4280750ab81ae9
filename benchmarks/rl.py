"""Benchmark of the RL part: our DQN against stable-baselines3's DQN on CartPole-v1.

Both train the same five seeds with the same schedule (:data:`lib.rl.dqn.CARTPOLE_DQN`: network,
learning rate, batch, buffer, exploration, target updates, gradient clipping, Huber loss), both
on one torch thread, both evaluated by the same protocol (greedy returns on the periodic
evaluation episodes, best snapshot per seed, then 20 fresh episodes). Ours trains the five seeds
in lockstep as one batched population; stable-baselines3 trains them one after the other, as a
practitioner would. stable-baselines3 is a benchmark-only dependency, imported inside the function.
"""

from __future__ import annotations

import copy
import time

import numpy as np

from benchmarks.registry import Result, benchmark
from lib.rl.dqn import CARTPOLE_DQN, FINAL_EVAL_SEED, DQNConfig, final_evaluation, train_dqn
from lib.rl.evaluation import EVAL_SEED, SOLVED_RETURN, evaluate_population
from lib.rl.networks import single_thread

SEEDS = (0, 1, 2, 3, 4)


SB3_UNMAPPED = (
    "env_id",
    "total_steps",
    "eval_every",
    "eval_episodes",
    "double_q",
    "loss",
    "dueling",
)
"""Fields of :class:`~lib.rl.dqn.DQNConfig` that are not ``DQN(...)`` arguments: the environment,
the step count and the evaluations are passed elsewhere, and stable-baselines3's DQN always uses
the Huber loss without double Q and without a duelling network (checked in
:func:`dqn_cartpole`; stable-baselines3 has neither, so Double DQN and duelling DQN have no
benchmark row)."""


def sb3_dqn_kwargs(config: DQNConfig) -> dict:
    """stable-baselines3 ``DQN(...)`` keyword arguments with the same schedule as ``config``.

    Every field of ``config`` is either mapped here or listed in :data:`SB3_UNMAPPED`, so that a
    new hyper-parameter cannot silently differ between the two agents.
    """
    return {
        "learning_rate": config.lr,
        "buffer_size": config.buffer_size,
        "learning_starts": config.learning_starts,
        "batch_size": config.batch_size,
        "tau": config.tau,
        "gamma": config.gamma,
        "train_freq": config.train_freq,
        "gradient_steps": config.gradient_steps,
        "target_update_interval": config.target_update_interval,
        "exploration_fraction": config.eps_fraction,
        "exploration_initial_eps": config.eps_start,
        "exploration_final_eps": config.eps_end,
        "max_grad_norm": config.max_grad_norm,
        "policy_kwargs": {"net_arch": list(config.hidden)},
    }


def _sb3_dqn(seed: int, config: DQNConfig) -> tuple[np.ndarray, float]:
    """Train stable-baselines3's DQN with ``config``.

    Returns:
        The final returns of the best snapshot, and the wall-clock seconds.
    """
    import torch
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import BaseCallback

    def act_of(q_net):
        @torch.no_grad()
        def act(obs: torch.Tensor) -> torch.Tensor:
            return q_net(obs[0]).argmax(-1)[None]

        return act

    class BestSnapshot(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.best_return, self.best_state = -np.inf, None

        def _on_step(self) -> bool:
            step = self.num_timesteps
            if step % config.eval_every == 0 or step == config.total_steps:
                q_net = self.model.policy.q_net
                ret = evaluate_population(
                    act_of(q_net),
                    1,
                    env_id=config.env_id,
                    num_episodes=config.eval_episodes,
                    seed=EVAL_SEED,
                ).mean()
                if ret >= self.best_return:  # latest on ties, as ours
                    self.best_return, self.best_state = ret, copy.deepcopy(q_net.state_dict())
            return True

    start = time.perf_counter()
    model = DQN("MlpPolicy", config.env_id, seed=seed, device="cpu", **sb3_dqn_kwargs(config))
    callback = BestSnapshot()
    model.learn(total_timesteps=config.total_steps, callback=callback)
    wall = time.perf_counter() - start
    q_net = model.policy.q_net
    q_net.load_state_dict(callback.best_state)
    returns = evaluate_population(
        act_of(q_net), 1, env_id=config.env_id, num_episodes=20, seed=FINAL_EVAL_SEED
    )[0]
    return returns, wall


@benchmark("rl/dqn-cartpole")
def dqn_cartpole() -> list[Result]:
    """Ours vs stable-baselines3 DQN: wall time, environment steps per second, seeds solved."""
    import stable_baselines3

    config = CARTPOLE_DQN
    if config.loss != "huber" or config.double_q or config.dueling:
        raise ValueError(
            "the comparison assumes stable-baselines3's DQN: Huber loss, no double Q, no duelling."
        )
    with single_thread():
        ours = train_dqn(SEEDS, config)
        ours_final = final_evaluation(ours.best).mean(1)
        sb3 = [_sb3_dqn(seed, config) for seed in SEEDS]
    sb3_final = np.array([r.mean() for r, _ in sb3])
    sb3_wall = float(sum(w for _, w in sb3))
    total_steps = config.total_steps * len(SEEDS)
    reference = f"stable-baselines3 {stable_baselines3.__version__} DQN, seeds one after the other"
    details = {
        "seeds": list(SEEDS),
        "total_steps_per_seed": config.total_steps,
        "config": ours.config,
        "ours_final_returns": ours_final.round(1).tolist(),
        "sb3_final_returns": sb3_final.round(1).tolist(),
        "torch_threads": 1,
        "ours_runs_seeds_in_lockstep": True,
    }
    return [
        Result("rl/dqn-cartpole/wall-time", ours.wall_time, "s", reference, sb3_wall, details),
        Result(
            "rl/dqn-cartpole/env-steps-per-s",
            total_steps / ours.wall_time,
            "steps/s",
            reference,
            total_steps / sb3_wall,
            details,
        ),
        Result(
            "rl/dqn-cartpole/seeds-solved",
            int((ours_final >= SOLVED_RETURN).sum()),
            f"of {len(SEEDS)} seeds",
            reference,
            int((sb3_final >= SOLVED_RETURN).sum()),
            details,
        ),
    ]


# --- A2C on CartPole-v1 and DDPG on Pendulum-v1 against stable-baselines3 -----------------------

SB3_UNMAPPED_A2C = ("env_id", "total_steps", "eval_every", "eval_episodes")
"""Fields of :class:`~lib.rl.actor_critic.A2CConfig` that are not ``A2C(...)`` arguments (the
environment, the step count and the evaluations are passed elsewhere)."""

SB3_UNMAPPED_DDPG = ("env_id", "total_steps", "eval_every", "eval_episodes")
"""Fields of :class:`~lib.rl.ddpg.DDPGConfig` that are not ``DDPG(...)`` arguments."""


def cartpole_a2c_config():
    """The A2C configuration of the policy-gradient page: DQN's schedule and evaluation."""
    from lib.rl.actor_critic import A2CConfig

    return A2CConfig(
        total_steps=CARTPOLE_DQN.total_steps,
        eval_every=CARTPOLE_DQN.eval_every,
        eval_episodes=CARTPOLE_DQN.eval_episodes,
    )


def sb3_a2c_kwargs(config) -> dict:
    """stable-baselines3 ``A2C(...)`` keyword arguments with the same schedule as ``config``.

    Adam instead of stable-baselines3's default RMSprop, separate actor and critic networks of
    our widths with ReLU, no orthogonal initialisation; every field of ``config`` is mapped here
    or listed in :data:`SB3_UNMAPPED_A2C`.
    """
    import torch

    return {
        "learning_rate": config.lr,
        "n_steps": config.n_steps,
        "gamma": config.gamma,
        "gae_lambda": config.gae_lambda,
        "ent_coef": config.ent_coef,
        "vf_coef": config.vf_coef,
        "max_grad_norm": config.max_grad_norm,
        "normalize_advantage": config.normalize_advantages,
        "use_rms_prop": False,
        "policy_kwargs": {
            "net_arch": {"pi": list(config.hidden), "vf": list(config.hidden)},
            "activation_fn": torch.nn.ReLU,
            "ortho_init": False,
        },
    }


def sb3_ddpg_kwargs(config) -> dict:
    """stable-baselines3 ``DDPG(...)`` keyword arguments with the same schedule as ``config``.

    One gradient step per environment step, Gaussian action noise of ``action_noise`` times the
    largest action (Pendulum's is 2), ReLU networks of our widths; every field of ``config`` is
    mapped here or listed in :data:`SB3_UNMAPPED_DDPG`.
    """
    import gymnasium as gym
    from stable_baselines3.common.noise import NormalActionNoise

    space = gym.make(config.env_id).action_space
    # stable-baselines3 adds the noise to the actor's output in [-1, 1], before rescaling.
    return {
        "learning_rate": config.lr,
        "buffer_size": config.buffer_size,
        "learning_starts": config.learning_starts,
        "batch_size": config.batch_size,
        "tau": config.tau,
        "gamma": config.gamma,
        "train_freq": 1,
        "gradient_steps": 1,
        "action_noise": NormalActionNoise(
            np.zeros(space.shape), np.full(space.shape, config.action_noise)
        ),
        "policy_kwargs": {"net_arch": list(config.hidden)},
    }


def _sb3_periodic(model, config, act_of, final_episodes: int = 0):
    """Train ``model`` for ``config.total_steps``, evaluating as ours does.

    Returns:
        Periodic evaluation means ``(K,)``, final returns ``(final_episodes,)`` of the last
        policy at :data:`~lib.rl.dqn.FINAL_EVAL_SEED`, wall-clock seconds of the training.
    """
    from stable_baselines3.common.callbacks import BaseCallback

    class Periodic(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.returns: list[float] = []

        def _on_step(self) -> bool:
            step = self.num_timesteps
            if step % config.eval_every == 0 or step == config.total_steps:
                self.returns.append(
                    evaluate_population(
                        act_of(self.model),
                        1,
                        env_id=config.env_id,
                        num_episodes=config.eval_episodes,
                        seed=EVAL_SEED,
                    ).mean()
                )
            return True

    callback = Periodic()
    start = time.perf_counter()
    model.learn(total_timesteps=config.total_steps, callback=callback)
    wall = time.perf_counter() - start
    final = np.zeros(0)
    if final_episodes:
        final = evaluate_population(
            act_of(model),
            1,
            env_id=config.env_id,
            num_episodes=final_episodes,
            seed=FINAL_EVAL_SEED,
        )[0]
    return np.array(callback.returns), final, wall


@benchmark("rl/a2c-cartpole")
def a2c_cartpole() -> list[Result]:
    """Ours vs stable-baselines3 A2C: wall time, steps per second, mean evaluation, seeds at 475."""
    import stable_baselines3
    import torch
    from stable_baselines3 import A2C

    from lib.rl.actor_critic import train_a2c

    def act_of(model):
        @torch.no_grad()
        def act(obs: torch.Tensor) -> torch.Tensor:
            return model.policy.get_distribution(obs[0]).get_actions(deterministic=True)[None]

        return act

    config = cartpole_a2c_config()
    with single_thread():
        ours = train_a2c(SEEDS, config)
        sb3 = [
            _sb3_periodic(
                A2C("MlpPolicy", config.env_id, seed=s, device="cpu", **sb3_a2c_kwargs(config)),
                config,
                act_of,
            )
            for s in SEEDS
        ]
    sb3_returns = np.stack([r for r, _, _ in sb3])
    sb3_wall = float(sum(w for _, _, w in sb3))
    total_steps = config.total_steps * len(SEEDS)
    reference = f"stable-baselines3 {stable_baselines3.__version__} A2C, seeds one after the other"
    details = {
        "seeds": list(SEEDS),
        "config": ours.config,
        "ours_mean_eval_return_per_seed": ours.eval_returns.mean(1).round(1).tolist(),
        "sb3_mean_eval_return_per_seed": sb3_returns.mean(1).round(1).tolist(),
        "torch_threads": 1,
        "ours_runs_seeds_in_lockstep": True,
    }
    return [
        Result("rl/a2c-cartpole/wall-time", ours.wall_time, "s", reference, sb3_wall, details),
        Result(
            "rl/a2c-cartpole/env-steps-per-s",
            total_steps / ours.wall_time,
            "steps/s",
            reference,
            total_steps / sb3_wall,
            details,
        ),
        Result(
            "rl/a2c-cartpole/mean-eval-return",
            float(ours.eval_returns.mean()),
            "return (mean over evaluations and seeds)",
            reference,
            float(sb3_returns.mean()),
            details,
        ),
        Result(
            "rl/a2c-cartpole/seeds-reaching-475",
            int((ours.eval_returns >= SOLVED_RETURN).any(1).sum()),
            f"of {len(SEEDS)} seeds",
            reference,
            int((sb3_returns >= SOLVED_RETURN).any(1).sum()),
            details,
        ),
    ]


@benchmark("rl/ddpg-pendulum")
def ddpg_pendulum() -> list[Result]:
    """Ours vs stable-baselines3 DDPG on Pendulum-v1: wall time, steps per second, final return."""
    import stable_baselines3
    import torch
    from stable_baselines3 import DDPG

    from lib.rl.ddpg import DDPGConfig, deterministic_actions, train_ddpg

    def act_of(model):
        high = float(model.action_space.high.max())

        @torch.no_grad()
        def act(obs: torch.Tensor) -> torch.Tensor:
            return high * model.actor(obs[0])[None]  # the actor's tanh output, rescaled

        return act

    config = DDPGConfig()
    with single_thread():
        ours = train_ddpg(SEEDS, config)
        ours_final = evaluate_population(
            deterministic_actions(ours.actor, ours.max_action),
            len(SEEDS),
            env_id=config.env_id,
            num_episodes=20,
            seed=FINAL_EVAL_SEED,
        ).mean(1)
        sb3 = [
            _sb3_periodic(
                DDPG("MlpPolicy", config.env_id, seed=s, device="cpu", **sb3_ddpg_kwargs(config)),
                config,
                act_of,
                final_episodes=20,
            )
            for s in SEEDS
        ]
    sb3_final = np.array([f.mean() for _, f, _ in sb3])
    sb3_wall = float(sum(w for _, _, w in sb3))
    total_steps = config.total_steps * len(SEEDS)
    reference = f"stable-baselines3 {stable_baselines3.__version__} DDPG, seeds one after the other"
    details = {
        "seeds": list(SEEDS),
        "config": ours.config,
        "ours_final_returns": ours_final.round(0).tolist(),
        "sb3_final_returns": sb3_final.round(0).tolist(),
        "torch_threads": 1,
        "ours_runs_seeds_in_lockstep": True,
    }
    return [
        Result("rl/ddpg-pendulum/wall-time", ours.wall_time, "s", reference, sb3_wall, details),
        Result(
            "rl/ddpg-pendulum/env-steps-per-s",
            total_steps / ours.wall_time,
            "steps/s",
            reference,
            total_steps / sb3_wall,
            details,
        ),
        Result(
            "rl/ddpg-pendulum/final-return",
            float(ours_final.mean()),
            "return (mean over 5 seeds x 20 episodes)",
            reference,
            float(sb3_final.mean()),
            details,
        ),
    ]
