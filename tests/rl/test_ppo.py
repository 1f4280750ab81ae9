"""PPO's clipped objective: a hand computation, and where its gradient vanishes."""

import math

import torch

from lib.rl.ppo import ppo_clipped_objective


def test_clipped_objective_matches_a_hand_computation():
    ratios = torch.tensor([0.5, 1.0, 1.5, 1.5])
    advantages = torch.tensor([1.0, -1.0, 1.0, -1.0])
    # min(r A, clip(r, 0.8, 1.2) A) per step: 0.5, -1.0, 1.2, -1.5
    value = ppo_clipped_objective(ratios.log(), torch.zeros(4), advantages, clip_eps=0.2)
    assert math.isclose(value.item(), (0.5 - 1.0 + 1.2 - 1.5) / 4, rel_tol=1e-6)


def test_gradient_is_the_policy_gradient_at_ratio_one_and_zero_where_clipped():
    old = torch.log(torch.tensor([0.2, 0.5, 0.3, 0.4]))
    advantages = torch.tensor([2.0, -1.0, 1.0, -1.0])
    log_probs = old.clone().requires_grad_()
    (grad,) = torch.autograd.grad(ppo_clipped_objective(log_probs, old, advantages), log_probs)
    assert torch.allclose(grad, advantages / 4)  # d(r A)/d log pi = r A = A at r = 1
    moved = (old + torch.log(torch.tensor([1.5, 0.5, 0.5, 1.5]))).requires_grad_()
    (grad,) = torch.autograd.grad(ppo_clipped_objective(moved, old, advantages), moved)
    # r = 1.5 with A > 0 and r = 0.5 with A < 0 are clipped: no gain from moving further;
    # r = 0.5 with A > 0 and r = 1.5 with A < 0 are not: the min keeps the worse, unclipped term.
    assert torch.allclose(grad, torch.tensor([0.0, 0.0, 0.5 / 4, -1.5 / 4]))
