"""The learning-rate range test: its schedule is torch's ExponentialLR, it stops on divergence."""

import numpy as np
import pytest
import torch
from torch import nn

from lib.understanding.lr_range import geometric_lrs, lr_range_test


def _problem(seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(256, 5, generator=g)
    y = (X[:, 0] > 0).long()
    return [(X[i : i + 32], y[i : i + 32]) for i in range(0, 256, 32)]


def test_schedule_matches_torch_exponential_lr():
    lrs = geometric_lrs(1e-4, 10.0, 50)
    param = nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=1e-4)
    gamma = (10.0 / 1e-4) ** (1 / 49)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=gamma)
    reference = []
    for _ in range(50):
        reference.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(lrs, reference, rtol=1e-9)
    assert lrs[0] == pytest.approx(1e-4) and lrs[-1] == pytest.approx(10.0)


def test_range_test_finds_the_useful_range_and_stops_when_the_loss_diverges():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 2))
    result = lr_range_test(
        model,
        _problem(),
        torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9),
        lr_min=1e-4,
        lr_max=1e3,
        num_steps=200,
    )
    assert len(result.lrs) < 200  # stopped: a learning rate of 1000 diverges
    assert result.smoothed.min() < result.smoothed[0]  # the loss fell somewhere in the range
    assert 1e-3 < result.steepest_lr() < 1e2
    assert result.min_loss_lr() >= result.lrs[0]


def test_bad_ranges_are_explained():
    with pytest.raises(ValueError, match="lr_min < lr_max"):
        geometric_lrs(1.0, 0.1, 10)
    model = nn.Linear(5, 2)
    with pytest.raises(ValueError, match="smoothing"):
        lr_range_test(model, _problem(), torch.optim.SGD(model.parameters(), lr=1.0), smoothing=1)
