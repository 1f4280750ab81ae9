"""The replay buffer: ring overwrite, per-agent sampling, the 'most recent' window."""

import numpy as np
import pytest
import torch

from lib.rl.replay import ReplayBuffer


def fill(buffer: ReplayBuffer, n: int) -> None:
    for t in range(n):
        obs = (
            np.full((buffer.num_envs, buffer.obs_dim), t, np.float32)
            + np.arange(buffer.num_envs)[:, None] * 1000
        )
        buffer.add(
            obs,
            np.full(buffer.num_envs, t % 2),
            np.full(buffer.num_envs, float(t)),
            obs + 1,
            np.zeros(buffer.num_envs),
        )


def test_ring_overwrites_oldest():
    buffer = ReplayBuffer(capacity=5, obs_dim=3, num_envs=2)
    fill(buffer, 8)
    assert len(buffer) == 5
    assert sorted(buffer.reward[0].tolist()) == [3.0, 4.0, 5.0, 6.0, 7.0]


def test_samples_are_consistent_transitions_of_own_agent():
    buffer = ReplayBuffer(capacity=100, obs_dim=2, num_envs=3)
    fill(buffer, 50)
    batch = buffer.sample(32, [np.random.default_rng(i) for i in range(3)])
    assert batch["obs"].shape == (3, 32, 2) and batch["action"].shape == (3, 32)
    t = batch["reward"]
    for i in range(3):
        assert np.allclose(batch["obs"][i, :, 0].numpy(), t[i].numpy() + 1000 * i)
        assert np.allclose(batch["next_obs"][i].numpy(), batch["obs"][i].numpy() + 1)
        assert np.array_equal(batch["action"][i].numpy(), t[i].numpy().astype(int) % 2)


def test_sampling_is_uniform_and_seeded():
    buffer = ReplayBuffer(capacity=10, obs_dim=1)
    fill(buffer, 10)
    idx = buffer.sample_indices(20_000, [np.random.default_rng(0)])
    freq = np.bincount(idx[0], minlength=10) / idx.size
    assert np.abs(freq - 0.1).max() < 0.01
    again = buffer.sample_indices(20_000, [np.random.default_rng(0)])
    assert np.array_equal(idx, again)


def test_recent_window_after_wraparound():
    buffer = ReplayBuffer(capacity=6, obs_dim=1, num_envs=2)
    fill(buffer, 9)
    batch = buffer.sample(
        4, [np.random.default_rng(0), np.random.default_rng(1)], recent=np.array([True, False])
    )
    assert batch["reward"][0].tolist() == [5.0, 6.0, 7.0, 8.0]


def test_bad_input_raises():
    buffer = ReplayBuffer(capacity=4, obs_dim=2, num_envs=2)
    with pytest.raises(ValueError, match="empty"):
        buffer.sample(1, [np.random.default_rng(0)] * 2)
    with pytest.raises(ValueError, match="shape"):
        buffer.add(np.zeros((1, 2)), np.zeros(2), np.zeros(2), np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="positive"):
        ReplayBuffer(capacity=0, obs_dim=2)


def test_continuous_actions():
    buffer = ReplayBuffer(4, 3, 2, action_shape=(2,), action_dtype=np.float32)
    obs = np.zeros((2, 3), np.float32)
    buffer.add(obs, np.array([[0.5, -1.0], [2.0, 0.25]]), np.ones(2), obs, np.zeros(2))
    batch = buffer.sample(3, [np.random.default_rng(0), np.random.default_rng(1)])
    assert batch["action"].shape == (2, 3, 2) and batch["action"].dtype == torch.float32
    assert batch["action"][1, 0].tolist() == [2.0, 0.25]
    with pytest.raises(ValueError, match=r"action must have shape \(2, 2\)"):
        buffer.add(obs, np.zeros(2), np.ones(2), obs, np.zeros(2))
