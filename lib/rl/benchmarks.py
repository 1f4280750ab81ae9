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

from lib.benchmark_registry import Result, benchmark
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
