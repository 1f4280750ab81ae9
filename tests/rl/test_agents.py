"""Agents: seeding (same seed -> same returns), independent lockstep agents, ablation switches."""

import gymnasium as gym
import numpy as np
import pytest
import torch

from lib.rl.dqn import DQNConfig, final_evaluation, train_dqn
from lib.rl.evaluation import evaluate_population
from lib.rl.mdp import from_gymnasium, value_iteration
from lib.rl.networks import BatchedMLP, clip_grad_norm_per_member_
from lib.rl.reinforce import ReinforceConfig, returns_to_go, train_reinforce
from lib.rl.tabular import q_learning

TINY = DQNConfig(
    total_steps=600,
    hidden=(16,),
    batch_size=16,
    learning_starts=100,
    buffer_size=1000,
    target_update_interval=50,
    eval_every=300,
    eval_episodes=2,
)


def test_dqn_same_seed_same_returns():
    a = train_dqn([3, 4], TINY)
    b = train_dqn([3, 4], TINY)
    assert a.episode_returns == b.episode_returns
    assert np.array_equal(a.eval_returns, b.eval_returns)
    assert np.array_equal(
        final_evaluation(a.online, num_episodes=3), final_evaluation(b.online, num_episodes=3)
    )
    c = train_dqn([5, 4], TINY)
    assert a.episode_returns[0] != c.episode_returns[0]


def test_lockstep_agents_are_independent():
    pair = train_dqn([3, 4], TINY, use_replay=[True, False], use_target=[True, False])
    alone = train_dqn([4], TINY, use_replay=False, use_target=False)
    assert pair.episode_returns[1] == alone.episode_returns[0]
    for p, q in zip(pair.online.parameters(), alone.online.parameters(), strict=False):
        assert torch.allclose(p[1], q[0], atol=1e-6)


def test_reinforce_same_seed_same_returns():
    config = ReinforceConfig(total_steps=600, rollout_steps=200, eval_every=300, eval_episodes=2)
    a, b = train_reinforce([0, 1], config), train_reinforce([0, 1], config)
    assert a.episode_returns == b.episode_returns
    assert np.array_equal(a.eval_returns, b.eval_returns)


def test_returns_to_go():
    assert np.allclose(returns_to_go(np.array([1.0, 1.0, 1.0]), 0.5), [1.75, 1.5, 1.0])


def test_evaluation_is_seeded_and_shared_across_agents():
    always_left = lambda obs: torch.zeros(obs.shape[:2], dtype=torch.long)  # noqa: E731
    r1 = evaluate_population(always_left, 2, num_episodes=4, seed=7)
    r2 = evaluate_population(always_left, 2, num_episodes=4, seed=7)
    assert np.array_equal(r1, r2) and np.array_equal(r1[0], r1[1])
    assert r1.max() < 20  # pushing one way drops the pole quickly


def test_batched_mlp_members_match_their_own_forward():
    net = BatchedMLP([0, 1, 2], 4, (8, 8), 2)
    x = torch.randn(3, 5, 4)
    out = net(x)
    for i in range(3):
        h = x[i]
        W = [w[i] for w in net.weights]
        b = [bb[i] for bb in net.biases]
        h = torch.relu(h @ W[0] + b[0])
        h = torch.relu(h @ W[1] + b[1])
        assert torch.allclose(out[i], h @ W[2] + b[2], atol=1e-6)
    assert torch.equal(BatchedMLP([1], 4, (8, 8), 2).weights[0][0], net.weights[0][1])


def test_per_member_clipping():
    net = BatchedMLP([0, 1], 3, (4,), 1)
    net(torch.randn(2, 6, 3)).mul(torch.tensor([1.0, 100.0]).view(2, 1, 1)).sum().backward()
    before = clip_grad_norm_per_member_(net, 1.0)
    after = torch.sqrt(sum(p.grad.pow(2).flatten(1).sum(1) for p in net.parameters()))
    assert torch.allclose(after, torch.clamp(before, max=1.0), atol=1e-4)


def test_q_learning_finds_the_cliff_walking_optimum():
    env = gym.make("CliffWalking-v1")
    result = q_learning(env, 300, seed=0, alpha=0.5, gamma=1.0, epsilon=0.1)
    optimal = value_iteration(from_gymnasium(env), 1.0)
    s = 36  # follow the greedy path from the start
    for _ in range(13):
        assert result.Q[s].argmax() == optimal.Q[s].argmax() or np.isclose(
            optimal.Q[s].max(), optimal.Q[s, result.Q[s].argmax()]
        )
        s = int(np.argmax(from_gymnasium(env).P[s, result.Q[s].argmax()]))
    assert s == 47


def test_dqn_config_and_seeds_reject_bad_input():
    with pytest.raises(ValueError, match="learning_starts"):
        DQNConfig(batch_size=64, learning_starts=10)
    with pytest.raises(ValueError, match="one bool per seed"):
        train_dqn([0, 1], TINY, use_replay=[True])
