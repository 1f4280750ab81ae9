"""A2C: the advantage estimate and the loss on hand-checked rollouts, seeding, bad input."""

import numpy as np
import pytest
import torch

from lib.rl.actor_critic import A2CConfig, a2c_loss, gae_advantages, train_a2c
from lib.rl.networks import BatchedMLP
from lib.rl.reinforce import returns_to_go

F, T = False, True


def test_gae_hand_checked():
    # deltas: 1 + 0.9 * 0.5 - 0.5 = 0.95; 1 - 0.5 = 0.5 (terminal); 1 + 0.9 * 2 - 0.5 = 2.3
    adv = gae_advantages(
        [1.0, 1.0, 1.0], [0.5] * 3, [0.5, 0.5, 2.0], [F, T, F], [F, F, F], gamma=0.9, lam=0.5
    )
    assert np.allclose(adv, [0.95 + 0.45 * 0.5, 0.5, 2.3])


def test_gae_truncation_bootstraps_but_ends_the_sum():
    adv = gae_advantages([1.0, 1.0], [0.0, 0.0], [5.0, 7.0], [F, F], [T, F], gamma=0.5, lam=1.0)
    assert np.allclose(adv, [1 + 0.5 * 5, 1 + 0.5 * 7])


def test_gae_limits():
    rng = np.random.default_rng(0)
    r, v = rng.normal(size=(2, 2, 6))
    v_next = np.concatenate([v[:, 1:], rng.normal(size=(2, 1))], 1)  # V(s_{t+1}), one trajectory
    done = np.zeros((2, 6), bool)
    td = r + 0.9 * v_next - v
    assert np.allclose(gae_advantages(r, v, v_next, done, done, 0.9, 0.0), td)  # one-step TD
    term = done.copy()
    term[:, -1] = True  # a complete episode: lambda = 1 is the Monte Carlo return minus V
    mc = np.stack([returns_to_go(row, 0.9) for row in r]) - v
    assert np.allclose(gae_advantages(r, v, v_next, term, done, 0.9, 1.0), mc)


def test_gae_bad_input():
    with pytest.raises(ValueError, match="one shape"):
        gae_advantages([1.0, 1.0], [0.0], [0.0, 0.0], [F, F], [F, F], 0.9, 0.9)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        gae_advantages([1.0], [0.0], [0.0], [F], [F], 0.9, 1.5)
    with pytest.raises(ValueError, match="n_steps"):
        A2CConfig(n_steps=0)
    with pytest.raises(ValueError, match="gae_lambda"):
        A2CConfig(gae_lambda=-0.1)
    with pytest.raises(ValueError, match="seed"):
        train_a2c([])


TINY = A2CConfig(total_steps=400, n_steps=20, eval_every=200, eval_episodes=2)


def test_a2c_same_seed_same_returns_and_independent_agents():
    a, b = train_a2c([0, 1], TINY), train_a2c([0, 1], TINY)
    assert a.episode_returns == b.episode_returns
    assert np.array_equal(a.eval_returns, b.eval_returns)
    assert a.eval_returns.shape == (2, 2) and a.eval_steps.tolist() == [200, 400]
    alone = train_a2c([1], TINY)
    assert alone.episode_returns[0] == a.episode_returns[1]


def test_a2c_loss_by_hand():
    """One agent, two steps, critic V = 0 and a uniform policy over two actions: GAE with
    gamma = lambda = 1 gives A = (r_1 + r_2, r_2); the loss is -mean(log(1/2) A) - beta H
    + c_v mean(A^2)."""
    policy, critic = BatchedMLP([0], 3, (4,), 2), BatchedMLP([1], 3, (4,), 1)
    with torch.no_grad():
        for p in [*policy.parameters(), *critic.parameters()]:
            p.zero_()
    X = np.random.default_rng(0).normal(size=(1, 2, 3)).astype(np.float32)
    rewards = np.array([[1.0, 2.0]])
    rollout = (X, X, np.array([[0, 1]]), rewards, np.zeros((1, 2), bool), np.zeros((1, 2), bool))
    config = A2CConfig(
        gamma=1.0, gae_lambda=1.0, ent_coef=0.1, vf_coef=0.5, normalize_advantages=False
    )
    loss = a2c_loss(policy, critic, rollout, config)
    adv = np.array([3.0, 2.0])
    expected = -np.mean(np.log(0.5) * adv) - 0.1 * np.log(2) + 0.5 * np.mean(adv**2)
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    loss.backward()  # the actor and the critic both learn from it
    assert all(p.grad is not None for p in [*policy.parameters(), *critic.parameters()])
