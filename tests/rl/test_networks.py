"""Duelling networks (Q = V + A - mean(A)), seeded independent members, soft updates, errors."""

import pytest
import torch

from lib.rl.networks import BatchedDuelingMLP, BatchedMLP, soft_update_


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
