"""Model-based RL: the termination rule, a learnt model's accuracy, the planner's determinism,
and open-loop errors along real trajectories."""

import gymnasium as gym
import numpy as np
import torch

from lib.rl.model_based import (
    DynamicsModel,
    MBRLConfig,
    RandomShootingMPC,
    Transitions,
    cartpole_alive,
    collect,
    episode_segments,
    fit_dynamics,
    model_rollout,
    one_step_errors,
    open_loop_errors,
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


def _drift(states: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """A known system: each step moves the state by +v (action 1) or -v (action 0)."""
    v = torch.tensor([1.0, 0.5])
    return states + (2 * actions[:, None].float() - 1) * v


def _drift_trajectories(num: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    actions = np.random.default_rng(0).integers(2, size=(num, horizon))
    states = [torch.randn(num, 2, generator=torch.Generator().manual_seed(0))]
    for k in range(horizon):
        states.append(_drift(states[-1], torch.from_numpy(actions[:, k])))
    return torch.stack(states, 1).numpy(), actions


def test_open_loop_errors_of_a_perfect_a_biased_and_the_no_change_model():
    states, actions = _drift_trajectories(5, 8)
    assert np.allclose(open_loop_errors(_drift, states, actions), 0.0, atol=1e-6)
    bias = np.array([0.01, -0.02], np.float32)
    biased = open_loop_errors(lambda s, a: _drift(s, a) + torch.from_numpy(bias), states, actions)
    k = np.arange(1, 9)[None, :, None]
    assert np.allclose(biased, k * bias, atol=1e-5)  # a constant bias grows linearly
    steps = np.cumsum(2 * actions - 1, axis=1)[..., None] * np.array([1.0, 0.5])
    assert np.allclose(open_loop_errors(lambda s, a: s, states, actions), -steps, atol=1e-5)


def test_episode_segments_stay_inside_one_episode():
    obs = np.arange(10, dtype=np.float32)[:, None].repeat(4, 1)
    next_obs = obs + 1
    next_obs[4] = 99.0  # episode 1 (steps 0-4) ends in a terminal state
    next_obs[7] = 98.0  # episode 2 (steps 5-7) is cut by a time limit: step 8 starts afresh
    terminated = np.zeros(10, bool)
    terminated[4] = True
    data = Transitions(obs, np.arange(10) % 2, next_obs, terminated)  # episode 3: steps 8-9
    states, actions = episode_segments(data, 3, seed=0)
    assert states.shape == (2, 4, 4) and actions.shape == (2, 3)
    assert states[0, 0, 0] in (0, 1, 2) and states[1, 0, 0] == 5  # one segment per episode
    assert states[1, -1, 0] == 98.0 and actions[1].tolist() == [1, 0, 1]
    assert len(episode_segments(data, 2, seed=0)[0]) == 3
    assert len(episode_segments(data, 5, seed=0)[0]) == 1


def test_segments_of_cartpole_are_real_trajectories():
    env = gym.make("CartPole-v1")
    rng = np.random.default_rng(0)
    data, returns = collect(env, lambda _o: rng.integers(2), 2000, seed=0)
    states, actions = episode_segments(data, 15, seed=0)
    assert len(states) == sum(r >= 15 for r in returns) + (len(data) - sum(returns) >= 15)
    for s, a in zip(states[:5], actions[:5], strict=True):
        env.reset()
        env.unwrapped.state = s[0].astype(np.float64)
        replay = [env.step(int(action))[0] for action in a]
        assert np.allclose(replay, s[1:], atol=1e-6)
    model = DynamicsModel()
    predicted = model_rollout(model, states[0, 0], actions[0])
    errors = open_loop_errors(model, states[:1], actions[:1])
    assert np.allclose(predicted[1:] - states[0, 1:], errors[0], atol=1e-6)
