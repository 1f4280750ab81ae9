"""Model-based RL: the termination rule, a learnt model's accuracy, the planner's determinism."""

import gymnasium as gym
import numpy as np
import torch

from lib.rl.model_based import (
    DynamicsModel,
    MBRLConfig,
    RandomShootingMPC,
    cartpole_alive,
    collect,
    fit_dynamics,
    one_step_errors,
    train_mbrl,
)


def test_alive_matches_the_environment():
    env = gym.make("CartPole-v1")
    rng = np.random.default_rng(0)
    data, _ = collect(env, lambda _o: rng.integers(2), 500, seed=0)
    alive = cartpole_alive(torch.from_numpy(data.next_obs)).numpy()
    assert np.array_equal(~alive, data.terminated)


def test_learnt_model_beats_the_constant_model_and_planner_is_seeded():
    env = gym.make("CartPole-v1")
    rng = np.random.default_rng(0)
    train, _ = collect(env, lambda _o: rng.integers(2), 1500, seed=0)
    test, _ = collect(env, lambda _o: rng.integers(2), 300, seed=1)
    torch.manual_seed(0)
    model = DynamicsModel()
    fit_dynamics(model, train, num_epochs=15, seed=0)
    errors = one_step_errors(model, test).mean(0)
    constant = np.abs(test.next_obs - test.obs).mean(0)  # predict "nothing changes"
    assert np.all(errors < 0.5 * constant), (errors, constant)
    obs = torch.from_numpy(test.obs[:8])
    a1 = RandomShootingMPC(model, horizon=10, num_sequences=50, seed=3)(obs)
    a2 = RandomShootingMPC(model, horizon=10, num_sequences=50, seed=3)(obs)
    assert torch.equal(a1, a2) and a1.shape == (8,)


def test_train_mbrl_is_seeded_and_aggregates_data():
    config = MBRLConfig(
        random_steps=200,
        iterations=2,
        mpc_steps=50,
        horizon=5,
        num_sequences=20,
        hidden=16,
        num_epochs=2,
        eval_episodes=1,
    )
    first, second = train_mbrl(0, config), train_mbrl(0, config)
    assert first.env_steps.tolist() == [200, 250]  # the MPC steps are added to the data
    assert np.array_equal(first.eval_returns, second.eval_returns)
    assert np.array_equal(first.model_losses, second.model_losses)
    assert all(
        torch.equal(a, b)
        for a, b in zip(first.model.parameters(), second.model.parameters(), strict=True)
    )
    assert first.config["iterations"] == 2 and (first.eval_returns >= 1).all()


def test_fit_dynamics_on_the_model_device(device):
    env = gym.make("CartPole-v1")
    rng = np.random.default_rng(0)
    data, _ = collect(env, lambda _o: rng.integers(2), 200, seed=0)
    torch.manual_seed(0)
    model = DynamicsModel().to(device)
    losses = fit_dynamics(model, data, num_epochs=3, seed=0)
    assert len(losses) == 3 and model.obs_mean.device.type == device.type
