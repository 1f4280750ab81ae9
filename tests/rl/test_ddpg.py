"""DDPG: the critic target on a hand-checked batch, soft updates, seeding, bad input."""

import gymnasium as gym
import numpy as np
import pytest
import torch

from lib.rl.ddpg import (
    PENDULUM_RETURN_BOUNDS,
    DDPGConfig,
    critic_targets,
    deterministic_actions,
    soft_update_,
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


def test_soft_update():
    target, online = BatchedMLP([0, 1], 3, (4,), 1), BatchedMLP([2, 3], 3, (4,), 1)
    before = [p.clone() for p in target.parameters()]
    soft_update_(target, online, 0.1)
    for t, b, o in zip(target.parameters(), before, online.parameters(), strict=True):
        assert torch.allclose(t, 0.9 * b + 0.1 * o)
    soft_update_(target, online, 1.0)  # tau = 1 is a hard copy
    assert all(
        torch.equal(t, o) for t, o in zip(target.parameters(), online.parameters(), strict=True)
    )
    with pytest.raises(ValueError, match="tau"):
        soft_update_(target, online, 0.0)
    with pytest.raises(ValueError, match="same shapes"):
        soft_update_(target, BatchedMLP([0, 1], 3, (5,), 1), 0.5)


@pytest.mark.parametrize("tau", [0.005, 0.01, 0.1, 0.5, 0.7, 1.0])
def test_soft_update_is_bit_identical_to_the_fused_private_update(tau):
    """The public per-parameter ``lerp_`` of :func:`soft_update_` (and of DQN's target update)
    gives, bit for bit, what ``torch._foreach_lerp_`` gave, so no trained number changes."""
    if not hasattr(torch, "_foreach_lerp_"):
        pytest.skip("this torch has no torch._foreach_lerp_ to compare with")
    g = torch.Generator().manual_seed(0)
    target, online = BatchedMLP([0, 1, 2], 4, (64, 37), 2), BatchedMLP([3, 4, 5], 4, (64, 37), 2)
    with torch.no_grad():
        for scale, p in enumerate([*target.parameters(), *online.parameters()], start=1):
            p.copy_(scale * torch.randn(p.shape, generator=g))
    fused = [p.detach().clone() for p in target.parameters()]
    torch._foreach_lerp_(fused, [p.detach() for p in online.parameters()], tau)
    soft_update_(target, online, tau)
    assert all(torch.equal(t, f) for t, f in zip(target.parameters(), fused, strict=True))


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
