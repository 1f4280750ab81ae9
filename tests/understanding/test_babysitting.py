"""Babysitting checks: the update-to-weight ratio is the optimizer's applied step, and the
warm-up + cosine schedule is torch's LinearLR then CosineAnnealingLR."""

import numpy as np
import pytest
import torch
from torch import nn

from lib.understanding.babysitting import update_ratios, warmup_cosine_lrs


def _problem(seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(64, 5, generator=g)
    y = (X[:, 0] > 0).long()
    return [(X[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2))


def test_first_ratio_of_plain_sgd_is_lr_times_gradient_over_weight():
    model, batches = _model(), _problem()
    X, y = batches[0]
    nn.functional.cross_entropy(model(X), y).backward()
    expected = [
        (0.1 * p.grad.norm() / p.detach().norm()).item() for p in model.parameters() if p.ndim == 2
    ]
    model.zero_grad()
    ratios = update_ratios(model, batches, torch.optim.SGD(model.parameters(), lr=0.1), num_steps=1)
    assert ratios.shape == (1, 2)  # one step, two weight matrices (biases left out)
    np.testing.assert_allclose(ratios[0], expected, rtol=1e-5)


def test_ratios_grow_with_the_learning_rate_and_batches_are_passed_over_again():
    ratios = {}
    for lr in (1e-3, 1e-1):
        model = _model()
        ratios[lr] = update_ratios(
            model, _problem(), torch.optim.SGD(model.parameters(), lr=lr), num_steps=10
        )
    assert ratios[1e-3].shape == (10, 2)  # 10 steps from 4 batches
    np.testing.assert_allclose(ratios[1e-1][0], 100 * ratios[1e-3][0], rtol=1e-4)
    assert (ratios[1e-1] > ratios[1e-3]).all()


def test_model_without_weight_matrix_is_refused():
    model = nn.Sequential(nn.Flatten(0))
    model.scale = nn.Parameter(torch.ones(1))
    with pytest.raises(ValueError, match="no weight matrix"):
        update_ratios(model, _problem(), torch.optim.SGD([model.scale], lr=0.1), num_steps=1)


@pytest.mark.parametrize("warmup_steps, start_factor, lr_min", [(5, 0.1, 0.0), (3, 0.5, 1e-3)])
def test_schedule_matches_torch_linear_then_cosine(warmup_steps, start_factor, lr_min):
    num_steps, lr_max = 30, 0.2
    param = nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr_max)
    scheduler = torch.optim.lr_scheduler.SequentialLR(
        optimizer,
        [
            torch.optim.lr_scheduler.LinearLR(
                optimizer, start_factor=start_factor, total_iters=warmup_steps
            ),
            torch.optim.lr_scheduler.CosineAnnealingLR(
                optimizer, T_max=num_steps - warmup_steps, eta_min=lr_min
            ),
        ],
        milestones=[warmup_steps],
    )
    reference = []
    for _ in range(num_steps):
        reference.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    lrs = warmup_cosine_lrs(
        num_steps, warmup_steps, lr_max, start_factor=start_factor, lr_min=lr_min
    )
    np.testing.assert_allclose(lrs, reference, rtol=1e-9, atol=1e-15)
    assert lrs[0] == pytest.approx(start_factor * lr_max)
    assert lrs[warmup_steps] == pytest.approx(lr_max) and lrs.max() == pytest.approx(lr_max)


def test_schedule_without_warmup_is_plain_cosine():
    lrs = warmup_cosine_lrs(4, 0, 1.0)
    np.testing.assert_allclose(
        lrs, [1.0, 0.5 + 0.5 * np.cos(np.pi / 4), 0.5, 0.5 - 0.5 * np.cos(np.pi / 4)]
    )
