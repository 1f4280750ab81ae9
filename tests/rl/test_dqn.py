"""The DQN and Double DQN targets on hand-checked batches; the Double DQN and duelling switches."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from lib.rl.dqn import (
    CARTPOLE_DQN,
    DQNConfig,
    dqn_loss,
    q_learning_target,
    q_network,
    train_dqn,
)
from lib.rl.networks import BatchedDuelingMLP, BatchedMLP

# Two agents, a batch of three transitions each, three actions.
REWARD = torch.tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]])
TERMINATED = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
NEXT_Q_TARGET = torch.tensor(
    [
        [[2.0, 5.0, 1.0], [4.0, 4.0, 4.0], [0.0, -2.0, 3.0]],
        [[1.0, 0.0, 0.0], [-1.0, 6.0, 2.0], [3.0, 3.5, 0.0]],
    ]
)
NEXT_Q_ONLINE = torch.tensor(
    [
        [[3.0, 1.0, 0.0], [0.0, 9.0, 0.0], [1.0, 2.0, 3.0]],
        [[0.0, 0.0, 5.0], [0.0, 1.0, 0.0], [2.0, 1.0, 0.0]],
    ]
)


def test_dqn_target_by_hand():
    y = q_learning_target(REWARD, TERMINATED, NEXT_Q_TARGET, 0.9)
    # r + 0.9 * max_a Q^-(s', a), and no bootstrap after termination
    expected = [[1 + 0.9 * 5, 0.0, -1 + 0.9 * 3], [2 + 0.9 * 1, 1 + 0.9 * 6, 0.5 + 0.9 * 3.5]]
    assert torch.allclose(y, torch.tensor(expected))


def test_double_dqn_target_by_hand():
    y = q_learning_target(REWARD, TERMINATED, NEXT_Q_TARGET, 0.9, NEXT_Q_ONLINE)
    # the online network picks a* = (0, 1, 2 | 2, 1, 0); the target network evaluates it
    expected = [[1 + 0.9 * 2, 0.0, -1 + 0.9 * 3], [2 + 0.9 * 0, 1 + 0.9 * 6, 0.5 + 0.9 * 3]]
    assert torch.allclose(y, torch.tensor(expected))


def test_double_target_never_exceeds_dqn_and_agrees_when_networks_agree():
    gen = torch.Generator().manual_seed(0)
    q_t, q_o = torch.randn(4, 32, 5, generator=gen), torch.randn(4, 32, 5, generator=gen)
    r, d = torch.randn(4, 32, generator=gen), (torch.rand(4, 32, generator=gen) < 0.2).float()
    dqn = q_learning_target(r, d, q_t, 0.99)
    assert torch.all(q_learning_target(r, d, q_t, 0.99, q_o) <= dqn)
    assert torch.equal(q_learning_target(r, d, q_t, 0.99, q_t), dqn)


def test_max_of_noisy_estimates_is_biased_and_double_estimate_is_not():
    # every action is worth 0; two independent noisy estimates (van Hasselt 2010's argument)
    gen = torch.Generator().manual_seed(0)
    q_t, q_o = torch.randn(1, 20_000, 10, generator=gen), torch.randn(1, 20_000, 10, generator=gen)
    zeros = torch.zeros(1, 20_000)
    single = q_learning_target(zeros, zeros, q_t, 1.0).mean()
    double = q_learning_target(zeros, zeros, q_t, 1.0, q_o).mean()
    assert 1.45 < single < 1.63  # E[max of 10 standard normals] = 1.539
    assert abs(double) < 0.03


def test_bad_shapes_and_gamma_are_rejected():
    with pytest.raises(ValueError, match="next_q_target of shape"):
        q_learning_target(REWARD, TERMINATED, NEXT_Q_TARGET[:, :2], 0.9)
    with pytest.raises(ValueError, match="next_q_online"):
        q_learning_target(REWARD, TERMINATED, NEXT_Q_TARGET, 0.9, NEXT_Q_ONLINE[..., :2])
    with pytest.raises(ValueError, match="gamma"):
        q_learning_target(REWARD, TERMINATED, NEXT_Q_TARGET, 1.5)


def test_q_network_follows_the_config():
    assert type(q_network([0], 4, 2, CARTPOLE_DQN)) is BatchedMLP
    assert isinstance(q_network([0], 4, 2, replace(CARTPOLE_DQN, dueling=True)), BatchedDuelingMLP)


SMALL = DQNConfig(
    total_steps=1500,
    hidden=(32,),
    batch_size=32,
    learning_starts=200,
    buffer_size=2000,
    target_update_interval=100,
    eval_every=500,
    eval_episodes=2,
)


@pytest.mark.parametrize("switch", ["double_q", "dueling"])
def test_switches_change_training_and_keep_it_seeded(switch):
    base = train_dqn([0], SMALL)
    on = train_dqn([0], replace(SMALL, **{switch: True}))
    again = train_dqn([0], replace(SMALL, **{switch: True}))
    assert on.episode_returns == again.episode_returns
    assert np.array_equal(on.start_q, again.start_q)
    if switch == "double_q":  # same network, different targets: the weights part ways
        assert not all(
            torch.equal(p, q)
            for p, q in zip(base.online.parameters(), on.online.parameters(), strict=True)
        )
    else:
        assert base.online.weights[-1].shape[-1] + 1 == on.online.weights[-1].shape[-1]


def test_start_state_estimates_and_discounted_returns():
    result = train_dqn([0, 1], SMALL)
    K = len(result.eval_steps)
    assert result.start_q.shape == result.start_discounted_returns.shape == (2, K)
    # every CartPole reward is 1: an episode of length L is worth (1 - gamma^L) / (1 - gamma)
    lengths = result.eval_returns  # means over the episodes, exact when they are all equal
    bound = 1 / (1 - SMALL.gamma)
    assert np.all(result.start_discounted_returns <= bound * (1 - SMALL.gamma**lengths) + 1e-9)
    assert np.all(result.start_discounted_returns > 0)


def test_per_agent_double_q_matches_agents_trained_alone():
    pair = train_dqn([0, 0], SMALL, double_q=[False, True])
    assert pair.double_q.tolist() == [False, True]
    for i, config in enumerate((SMALL, replace(SMALL, double_q=True))):
        alone = train_dqn([0], config)
        assert pair.episode_returns[i] == alone.episode_returns[0]
        assert np.allclose(pair.start_q[i], alone.start_q[0], atol=1e-5)


def tabular_net(table: list[list[float]], members: int = 1) -> BatchedMLP:
    """A Q-network without hidden layers on one-hot states: ``Q(s, .) = table[s]``."""
    net = BatchedMLP(list(range(members)), len(table), (), len(table[0]))
    with torch.no_grad():
        net.weights[0].copy_(torch.tensor(table).expand(members, -1, -1))
        net.biases[0].zero_()
    return net


def one_hot_batch(members: int = 1) -> dict[str, torch.Tensor]:
    """Two transitions: s=0, a=1, r=1 -> s'=1; s=1, a=0, r=0.5 -> s'=2, terminal."""
    eye = torch.eye(3)

    def rows(x):
        return torch.stack([x] * members)

    return {
        "obs": rows(eye[[0, 1]]),
        "action": rows(torch.tensor([1, 0])),
        "reward": rows(torch.tensor([1.0, 0.5])),
        "next_obs": rows(eye[[1, 2]]),
        "terminated": rows(torch.tensor([0.0, 1.0])),
    }


ONLINE = [[1.0, 2.0], [0.5, 3.0], [0.0, 4.0]]
TARGET = [[0.5, 1.0], [2.0, 1.0], [1.0, 3.0]]


def test_dqn_loss_by_hand():
    # Q(0, 1) = 2 and Q(1, 0) = 0.5; DQN's target y = (1 + 0.9 * max(2, 1), 0.5) = (2.8, 0.5):
    # errors -0.8 and 0, Huber 0.5 * 0.8^2 = 0.32 and 0, mean 0.16; squared error mean 0.32
    online, target = tabular_net(ONLINE), tabular_net(TARGET)
    loss = dqn_loss(online, target, one_hot_batch(), 0.9)
    assert loss.item() == pytest.approx(0.16)
    assert dqn_loss(online, target, one_hot_batch(), 0.9, huber=False).item() == pytest.approx(0.32)
    loss.backward()  # the target network gets no gradient, the online one does
    assert all(p.grad is None for p in target.parameters())
    # d loss / d Q(0, 1) = error / B = -0.8 / 2; nothing else of the table is used
    expected = torch.zeros(3, 2)
    expected[0, 1] = -0.4
    assert torch.allclose(online.weights[0].grad[0], expected)


def test_double_dqn_loss_differs_where_the_networks_disagree():
    # The online network prefers action 1 in s'=1 (3 > 0.5), the target action 0 (2 > 1):
    # Double DQN evaluates action 1 with the target, y = 1 + 0.9 * 1 = 1.9, error 0.1, Huber
    # 0.005, mean 0.0025 (DQN: 0.16, from its own maximum).
    online, target = tabular_net(ONLINE, 2), tabular_net(TARGET, 2)
    batch = one_hot_batch(2)
    assert dqn_loss(online, target, batch, 0.9, double=True).item() == pytest.approx(2 * 0.0025)
    # per agent: Double DQN for the first, DQN for the second
    mixed = dqn_loss(online, target, batch, 0.9, double=torch.tensor([True, False]))
    assert mixed.item() == pytest.approx(0.0025 + 0.16)
    # where online and target agree on the best next action, the two targets are equal
    same = tabular_net(TARGET, 2)
    assert dqn_loss(same, target, batch, 0.9, double=True).item() == pytest.approx(
        dqn_loss(same, target, batch, 0.9).item()
    )
