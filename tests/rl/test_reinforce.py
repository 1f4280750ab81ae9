"""REINFORCE's loss: its gradient is the log-derivative estimate, unbiased on a bandit; padding."""

import numpy as np
import pytest
import torch

from lib.rl.networks import BatchedMLP
from lib.rl.reinforce import pad_episodes, reinforce_loss


def test_pad_episodes():
    ep = lambda T, v: (np.full((T, 2), v, np.float32), np.arange(T), np.full(T, v))  # noqa: E731
    X, A, G, mask = pad_episodes([[ep(2, 1.0), ep(1, 2.0)], [ep(1, 3.0)]], obs_dim=2)
    assert X.shape == (2, 3, 2) and mask.tolist() == [[1, 1, 1], [1, 0, 0]]
    assert G.tolist() == [[1.0, 1.0, 2.0], [3.0, 0.0, 0.0]] and A.tolist() == [[0, 1, 0], [0, 0, 0]]
    assert pad_episodes([[], []], obs_dim=2) is None


def test_policy_gradient_is_the_log_derivative_estimate():
    """grad L_pi = -(1/N) sum_t grad log pi(a_t|s_t) (G_t - b(s_t)), term by term by autograd."""
    torch.manual_seed(0)
    policy, baseline = BatchedMLP([0], 4, (8,), 3), BatchedMLP([1], 4, (8,), 1)
    X, A, G = torch.randn(1, 6, 4), torch.randint(0, 3, (1, 6)), torch.randn(1, 6)
    mask = torch.tensor([[1.0, 1, 1, 1, 1, 0]])  # the last step is padding
    loss_pi, loss_b = reinforce_loss(policy, baseline, (X, A, G, mask), normalize=False)
    grads = torch.autograd.grad(loss_pi, list(policy.parameters()))

    expected = [torch.zeros_like(p) for p in policy.parameters()]
    with torch.no_grad():
        advantages = G - baseline(X)[..., 0]
    for t in range(5):
        log_prob = torch.log_softmax(policy(X[:, t : t + 1]), -1)[0, 0, A[0, t]]
        grads_t = torch.autograd.grad(log_prob, list(policy.parameters()))
        for e, g in zip(expected, grads_t, strict=True):
            e -= g * advantages[0, t] / 5
    for g, e in zip(grads, expected, strict=True):
        assert torch.allclose(g, e, atol=1e-6)
    # the baseline learns only from its own squared error
    assert torch.autograd.grad(loss_pi, list(baseline.parameters()), allow_unused=True)[0] is None
    assert loss_b.item() == pytest.approx((advantages[0, :5] ** 2).mean().item(), rel=1e-6)


def test_log_derivative_estimate_is_unbiased_on_a_bandit():
    """On a one-step bandit the average of the estimate over sampled actions approaches the exact
    gradient of J = sum_a pi(a) r(a), with any baseline."""
    torch.manual_seed(0)
    policy, baseline = BatchedMLP([2], 1, (4,), 3), BatchedMLP([3], 1, (4,), 1)
    r = torch.tensor([1.0, 0.0, 2.0])
    s = torch.ones(1, 1, 1)
    probs = torch.softmax(policy(s), -1)[0, 0]
    exact = torch.autograd.grad((probs * r).sum(), list(policy.parameters()))

    n = 20_000
    A = torch.multinomial(
        probs.detach(), n, replacement=True, generator=torch.Generator().manual_seed(1)
    )
    X = s.expand(1, n, 1)
    loss_pi, _ = reinforce_loss(policy, baseline, (X, A[None], r[A][None], torch.ones(1, n)), False)
    estimate = torch.autograd.grad(-loss_pi, list(policy.parameters()))
    # per-sample estimates, for the standard error of their mean
    with torch.no_grad():
        advantage = r - baseline(s)[0, 0, 0]
    per_action = [
        torch.autograd.grad(torch.log_softmax(policy(s), -1)[0, 0, a], list(policy.parameters()))
        for a in range(3)
    ]
    for k, (e, x) in enumerate(zip(estimate, exact, strict=True)):
        samples = torch.stack([per_action[a][k] * advantage[a] for a in range(3)])[A]
        se = samples.std(0) / np.sqrt(n)
        assert torch.all((e - x).abs() <= 4 * se + 1e-6)
    assert max(x.abs().max() for x in exact) > 0.01  # a gradient worth estimating
