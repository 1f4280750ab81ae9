"""The lockstep runner: bookkeeping against a plain Gymnasium loop, agent independence, the
evaluation schedule, the curves, categorical sampling, action-space checks."""

import gymnasium as gym
import numpy as np
import pytest
import torch

from lib.rl.dqn import DQNConfig
from lib.rl.lockstep import (
    CRITIC_SEED_OFFSET,
    Lockstep,
    critic_seeds,
    sample_categorical,
    single_threaded,
)

ACTIONS = [0, 1, 1, 0, 1] * 40  # a fixed action sequence, long enough to end several episodes


def plain_loop(seed: int, actions) -> tuple[list, list]:
    """The same steps written out with one Gymnasium environment."""
    env = gym.make("CartPole-v1")
    obs, _ = env.reset(seed=seed)
    rows, returns, total = [], [], 0.0
    for step, a in enumerate(actions, start=1):
        next_obs, r, term, trunc, _ = env.step(a)
        total += r
        rows.append((obs, next_obs, r, term, trunc))
        if term or trunc:
            returns.append((step, total))
            total = 0.0
            next_obs, _ = env.reset()
        obs = next_obs
    env.close()
    return rows, returns


def test_step_matches_a_plain_gymnasium_loop():
    seeds = [3, 8]
    run = Lockstep("CartPole-v1", seeds, len(ACTIONS), agent="test")
    transitions, observed = [], []
    for step in run.steps():
        observed.append(run.obs)
        transitions.append(run.step(np.array([ACTIONS[step - 1], 1 - ACTIONS[step - 1]])))
    for i, seed in enumerate(seeds):
        agent_actions = ACTIONS if i == 0 else [1 - a for a in ACTIONS]
        rows, returns = plain_loop(seed, agent_actions)
        assert run.episode_returns[i] == returns and len(returns) >= 3
        for (obs, next_obs, r, term, trunc), seen, tr in zip(
            rows, observed, transitions, strict=True
        ):
            assert np.array_equal(seen[i], np.float32(obs))
            assert np.array_equal(tr.next_obs[i], np.float32(next_obs))  # before the reset
            assert (tr.reward[i], tr.terminated[i], tr.truncated[i]) == (r, term, trunc)
            assert tr.done[i] == (term or trunc)
    assert run.t == len(ACTIONS)


def test_an_agent_does_not_depend_on_its_neighbours():
    alone = Lockstep("CartPole-v1", [5], 50, agent="test")
    pair = Lockstep("CartPole-v1", [9, 5], 50, agent="test")
    for _ in alone.steps():
        draws = [rng.integers(2) for rng in alone.rngs]
        alone.step(np.array(draws))
    for _ in pair.steps():
        pair.step(np.array([rng.integers(2) for rng in pair.rngs]))
    assert alone.episode_returns[0] == pair.episode_returns[1]
    assert np.array_equal(alone.obs[0], pair.obs[1])


def test_evaluation_schedule_and_curves():
    run = Lockstep("CartPole-v1", [0, 1, 2], 25, agent="test")
    always_left = lambda obs: torch.zeros(obs.shape[:2], dtype=torch.long)  # noqa: E731
    due = []
    for step in run.steps():
        run.step(np.zeros(3, np.int64))
        if run.evaluate_if_due(always_left, 10, 2) is not None:
            due.append(step)
    assert due == [10, 20, 25]  # every 10 steps and after the last one
    curves = run.curves(DQNConfig())
    assert curves["eval_steps"].tolist() == due
    assert curves["eval_returns"].shape == (3, 3)
    # the same policy on the same evaluation episodes: every agent and evaluation agrees
    assert np.all(curves["eval_returns"] == curves["eval_returns"][0, 0])
    assert curves["env_steps"] == 25 and curves["config"]["env_id"] == "CartPole-v1"
    assert np.array_equal(curves["seeds"], [0, 1, 2])


def test_no_evaluation_when_turned_off():
    run = Lockstep("CartPole-v1", [0], 5, agent="test")
    for _ in run.steps():
        run.step(np.zeros(1, np.int64))
        assert run.evaluate_if_due(lambda obs: None, 0, 2) is None
    assert run.curves(DQNConfig())["eval_returns"].shape == (1, 0)


def test_action_space_checks():
    with pytest.raises(ValueError, match="X needs a Discrete action space, but Pendulum-v1"):
        Lockstep("Pendulum-v1", [0], 10, agent="X")
    with pytest.raises(ValueError, match="Y needs a Box action space symmetric about 0"):
        Lockstep("CartPole-v1", [0], 10, agent="Y", actions="box")
    run = Lockstep("Pendulum-v1", [0, 1], 10, agent="Y", actions="box")
    assert (run.act_dim, run.max_action, run.obs_dim) == (1, 2.0, 3)
    tr = run.step(np.array([[2.0], [-2.0]]))
    assert tr.next_obs.shape == (2, 3) and tr.reward.dtype == np.float64


def test_sample_categorical():
    probs = np.array([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    draws = np.stack(
        [
            sample_categorical(probs, [np.random.default_rng(k + 3 * j) for j in range(3)])
            for k in range(3000)
        ]
    )
    assert draws.dtype == np.int64
    freq = np.bincount(draws[:, 0], minlength=3) / len(draws)
    # within 4 binomial standard errors of the probabilities
    assert np.all(np.abs(freq - probs[0]) < 4 * np.sqrt(probs[0] * (1 - probs[0]) / len(draws)))
    assert np.all(draws[:, 1] == 0)
    assert np.all(draws[:, 2] == 2)  # a cumulative sum below the draw: the last action
    # one uniform per agent from its own generator
    rng, twin = np.random.default_rng(7), np.random.default_rng(7)
    a = sample_categorical(probs[:1], [rng])[0]
    u = twin.random()
    assert a == int(np.searchsorted(np.cumsum(probs[0]), u, side="right"))
    assert rng.random() == twin.random()
    with pytest.raises(ValueError, match="one generator per agent"):
        sample_categorical(probs, [rng])


def test_critic_seeds_and_single_threaded():
    assert critic_seeds([0, 4]) == [CRITIC_SEED_OFFSET, 4 + CRITIC_SEED_OFFSET]
    before = torch.get_num_threads()

    @single_threaded
    def threads() -> int:
        return torch.get_num_threads()

    assert threads() == 1 and torch.get_num_threads() == before
