"""Duelling networks: Q = V + A - mean(A), independent seeded members, clear errors."""

import pytest
import torch

from lib.rl.networks import BatchedDuelingMLP, BatchedMLP


def test_duelling_combines_value_and_centred_advantages():
    net = BatchedDuelingMLP([0, 1], 4, (8,), 3)
    x = torch.randn(2, 5, 4)
    value, advantage = net.streams(x)
    assert value.shape == (2, 5, 1) and advantage.shape == (2, 5, 3)
    q = net(x)
    assert q.shape == (2, 5, 3)
    assert torch.allclose(q.mean(-1, keepdim=True), value, atol=1e-6)  # V is the mean of Q
    assert torch.allclose(q - value, advantage - advantage.mean(-1, keepdim=True), atol=1e-6)


def test_duelling_by_hand():
    net = BatchedDuelingMLP([0], 1, (1,), 2)
    with torch.no_grad():  # trunk h = relu(x); V = h, A = (2h, 0)
        net.weights[0].fill_(1.0)
        net.biases[0].zero_()
        net.weights[1].copy_(torch.tensor([[[1.0, 2.0, 0.0]]]))
        net.biases[1].zero_()
    q = net(torch.tensor([[[3.0], [-1.0]]]))
    # x = 3: V = 3, A = (6, 0), mean 3 -> Q = (6, 0); x = -1: everything 0
    assert torch.allclose(q, torch.tensor([[[6.0, 0.0], [0.0, 0.0]]]))


def test_duelling_members_are_seeded_like_plain_networks():
    pair, alone = BatchedDuelingMLP([3, 4], 4, (8,), 2), BatchedDuelingMLP([4], 4, (8,), 2)
    for p, q in zip(pair.parameters(), alone.parameters(), strict=True):
        assert torch.equal(p[1], q[0])
    # its parameters are those of a plain MLP with one more output (the value stream)
    plain = BatchedMLP([3, 4], 4, (8,), 3)
    pairs = zip(pair.parameters(), plain.parameters(), strict=True)
    assert all(torch.equal(p, q) for p, q in pairs)
    target = BatchedDuelingMLP([0, 0], 4, (8,), 2)
    target.copy_members_(pair)
    x = torch.randn(2, 3, 4)
    assert torch.equal(target(x), pair(x))


def test_duelling_rejects_a_network_without_a_trunk():
    with pytest.raises(ValueError, match="at least one hidden layer"):
        BatchedDuelingMLP([0], 4, (), 2)
    with pytest.raises(ValueError, match="number of actions"):
        BatchedDuelingMLP([0], 4, (8,), 0)
