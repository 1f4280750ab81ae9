"""DDPG: the critic target on a hand-checked batch, soft updates, seeding, bad input."""

import copy

import gymnasium as gym
import numpy as np
import pytest
import torch

from lib.rl.ddpg import (
    PENDULUM_RETURN_BOUNDS,
    DDPGConfig,
    critic_targets,
    ddpg_update,
    deterministic_actions,
    smoothed_target_actions,
    td3_targets,
    train_ddpg,
)
from lib.rl.evaluation import evaluate_population
from lib.rl.networks import BatchedMLP


def test_critic_target_hand_checked():
    r = torch.tensor([[1.0, -2.0], [0.5, 0.0]])
    next_q = torch.tensor([[3.0, 4.0], [-1.0, 10.0]])
    term = torch.tensor([[False, True], [False, False]])
    y = critic_targets(r, next_q, term, gamma=0.9)
    assert torch.allclose(y, torch.tensor([[3.7, -2.0], [-0.4, 9.0]]))
    with pytest.raises(ValueError, match="one shape"):
        critic_targets(r, next_q[:, :1], term, 0.9)
    with pytest.raises(ValueError, match="gamma"):
        critic_targets(r, next_q, term, 1.5)


def test_td3_target_hand_checked():
    # mu^-(s') = [1.9, -0.2, 0.0], noise [0.4, -0.9, 0.1], clipped at 0.5 -> [0.4, -0.5, 0.1],
    # sums [2.3, -0.7, 0.1], clipped to the torque range [-2, 2] -> [2.0, -0.7, 0.1].
    mu = torch.tensor([[[1.9], [-0.2], [0.0]]])
    noise = torch.tensor([[[0.4], [-0.9], [0.1]]])
    a = smoothed_target_actions(mu, noise, noise_clip=0.5, max_action=2.0)
    assert torch.allclose(a, torch.tensor([[[2.0], [-0.7], [0.1]]]))
    # y = r + 0.9 (1 - d) min(q1, q2): min = [-5, -3, 1] -> [-1 - 4.5, 0.5 - 2.7, 2 + 0]
    r = torch.tensor([[-1.0, 0.5, 2.0]])
    q1, q2 = torch.tensor([[-5.0, -2.0, 1.0]]), torch.tensor([[-4.0, -3.0, 7.0]])
    term = torch.tensor([[False, False, True]])
    y = td3_targets(r, q1, q2, term, gamma=0.9)
    assert torch.allclose(y, torch.tensor([[-5.5, -2.2, 2.0]]))
    # with equal critics it is DDPG's target
    assert torch.equal(td3_targets(r, q1, q1, term, 0.9), critic_targets(r, q1, term, 0.9))
    with pytest.raises(ValueError, match="one shape"):
        td3_targets(r, q1, q2[:, :2], term, 0.9)
    with pytest.raises(ValueError, match="one shape"):
        smoothed_target_actions(mu, noise[:, :2], noise_clip=0.5, max_action=2.0)
    with pytest.raises(ValueError, match="noise_clip"):
        smoothed_target_actions(mu, noise, noise_clip=-0.1, max_action=2.0)


def test_deterministic_actions_are_bounded():
    actor = BatchedMLP([0, 1], 3, (8,), 1)
    a = deterministic_actions(actor, 2.0)(100 * torch.randn(2, 7, 3))
    assert a.shape == (2, 7, 1) and a.abs().max() <= 2.0


def test_evaluation_of_box_actions():
    zero = lambda obs: torch.zeros(*obs.shape[:2], 1)  # noqa: E731
    r1 = evaluate_population(zero, 2, env_id="Pendulum-v1", num_episodes=3, seed=5)
    r2 = evaluate_population(zero, 2, env_id="Pendulum-v1", num_episodes=3, seed=5)
    assert np.array_equal(r1, r2) and np.array_equal(r1[0], r1[1])
    assert (r1 >= PENDULUM_RETURN_BOUNDS[0]).all() and (r1 <= PENDULUM_RETURN_BOUNDS[1]).all()
    with pytest.raises(ValueError, match="shape"):
        evaluate_population(lambda o: torch.zeros(o.shape[:2]), 1, env_id="Pendulum-v1")


TINY = DDPGConfig(
    total_steps=300,
    hidden=(16,),
    batch_size=16,
    learning_starts=100,
    eval_every=150,
    eval_episodes=1,
)


def test_ddpg_same_seed_same_returns_and_independent_agents():
    a, b = train_ddpg([0, 1], TINY), train_ddpg([0, 1], TINY)
    assert a.episode_returns == b.episode_returns
    assert np.array_equal(a.eval_returns, b.eval_returns)
    assert a.eval_returns.shape == (2, 2)
    alone = train_ddpg([1], TINY)
    assert alone.episode_returns[0] == a.episode_returns[1]
    for p, q in zip(a.actor.parameters(), alone.actor.parameters(), strict=True):
        assert torch.allclose(p[1], q[0], atol=1e-6)


def test_ddpg_bad_input():
    with pytest.raises(ValueError, match="learning_starts"):
        DDPGConfig(batch_size=256, learning_starts=100)
    with pytest.raises(ValueError, match="tau"):
        DDPGConfig(tau=0.0)
    with pytest.raises(ValueError, match="Box"):
        train_ddpg([0], DDPGConfig(env_id="CartPole-v1", total_steps=600))
    with pytest.raises(ValueError, match="seed"):
        train_ddpg([])
    assert gym.spec("Pendulum-v1").max_episode_steps == 200  # the bounds assume 200 steps


def test_ddpg_update_step_by_step():
    """One update is: a critic step on (Q - y)^2, then an actor step up the *updated* critic's
    Q(s, mu(s)), then both targets moved by tau towards their online networks."""
    torch.manual_seed(0)
    actor, critic = BatchedMLP([0, 1], 3, (16,), 1), BatchedMLP([2, 3], 4, (16,), 1)
    actor_target, critic_target = BatchedMLP([4, 5], 3, (16,), 1), BatchedMLP([6, 7], 4, (16,), 1)
    lr, tau, gamma, max_action = 0.05, 0.1, 0.9, 2.0
    opt_actor = torch.optim.SGD(actor.parameters(), lr=lr)
    opt_critic = torch.optim.SGD(critic.parameters(), lr=lr)
    batch = {
        "obs": torch.randn(2, 32, 3),
        "action": torch.rand(2, 32, 1) * 4 - 2,
        "reward": torch.randn(2, 32),
        "next_obs": torch.randn(2, 32, 3),
        "terminated": (torch.rand(2, 32) < 0.2).float(),
    }
    s, a = batch["obs"], batch["action"]
    before = {
        name: copy.deepcopy(net)
        for name, net in [
            ("actor", actor),
            ("critic", critic),
            ("actor_target", actor_target),
            ("critic_target", critic_target),
        ]
    }
    ddpg_update(
        actor,
        critic,
        actor_target,
        critic_target,
        opt_actor,
        opt_critic,
        batch,
        max_action=max_action,
        gamma=gamma,
        tau=tau,
    )

    def sgd_step(net, loss):
        grads = torch.autograd.grad(loss, list(net.parameters()))
        return [p.detach() - lr * g for p, g in zip(net.parameters(), grads, strict=True)]

    with torch.no_grad():
        a_next = max_action * torch.tanh(before["actor_target"](batch["next_obs"]))
        next_q = before["critic_target"](torch.cat([batch["next_obs"], a_next], -1))[..., 0]
        y = batch["reward"] + gamma * (1 - batch["terminated"]) * next_q
    q = before["critic"](torch.cat([s, a], -1))[..., 0]
    expected_critic = sgd_step(before["critic"], ((q - y) ** 2).mean(1).sum())
    assert all(
        torch.allclose(p, e, atol=1e-6)
        for p, e in zip(critic.parameters(), expected_critic, strict=True)
    )
    q_of_mu = critic(torch.cat([s, max_action * torch.tanh(before["actor"](s))], -1))
    expected_actor = sgd_step(before["actor"], -q_of_mu.mean(1).sum())
    assert all(
        torch.allclose(p, e, atol=1e-6)
        for p, e in zip(actor.parameters(), expected_actor, strict=True)
    )
    for online, target, old in [
        (actor, actor_target, before["actor_target"]),
        (critic, critic_target, before["critic_target"]),
    ]:
        for p, t, o in zip(online.parameters(), target.parameters(), old.parameters(), strict=True):
            assert torch.allclose(t, (1 - tau) * o + tau * p, atol=1e-6)
    assert not torch.allclose(actor.weights[0], before["actor"].weights[0])
