"""Deletion curves, their area, cascading randomisation and the rank correlation."""

import pytest
import torch
from torch import nn

from lib.models import SmallCNN
from lib.understanding.faithfulness import (
    area_under_curve,
    deletion_curve,
    randomized_copies,
    rank_correlation,
    saliency_order,
)


@pytest.fixture(scope="module")
def linear() -> nn.Module:
    """Logits linear in the pixels: the contribution of pixel p to class c is w_cp x_p."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 3)).double().eval()


def test_deletion_curve_runs_from_the_image_to_the_blank_image(linear):
    X = torch.rand(4, 1, 28, 28, dtype=torch.float64)
    target = torch.tensor([0, 1, 2, 0])
    order = torch.stack([torch.randperm(784) for _ in range(4)])
    curve = deletion_curve(linear, X, target, order, num_steps=7)
    assert curve.shape == (4, 8)
    with torch.no_grad():
        full = torch.softmax(linear(X), 1)[torch.arange(4), target]
        blank = torch.softmax(linear(torch.zeros_like(X)), 1)[torch.arange(4), target]
    assert torch.allclose(curve[:, 0], full) and torch.allclose(curve[:, -1], blank)


def test_deleting_the_true_contributions_first_beats_a_random_order(linear):
    X = torch.rand(8, 1, 28, 28, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    target = torch.zeros(8, dtype=torch.long)
    weight = linear[1].weight.detach()
    contribution = (weight[0] - weight[1:].mean(0)).view(1, 1, 28, 28) * X
    by_map = deletion_curve(linear, X, target, saliency_order(contribution))
    random = deletion_curve(linear, X, target, torch.stack([torch.randperm(784) for _ in X]))
    assert (area_under_curve(by_map) < area_under_curve(random)).all()


def test_area_under_curve_of_simple_curves():
    curves = torch.stack([torch.full((11,), 0.3), torch.linspace(1, 0, 11)])
    assert torch.allclose(area_under_curve(curves), torch.tensor([0.3, 0.5]))


def test_saliency_order_puts_the_largest_value_first():
    maps = torch.zeros(1, 2, 2, 2)
    maps[0, 1, 1, 0] = 5.0
    maps[0, 0, 0, 1] = 1.0
    assert saliency_order(maps)[0, :2].tolist() == [2, 1]


def test_cascading_randomisation_leaves_the_model_and_the_lower_layers_alone():
    torch.manual_seed(0)
    model = SmallCNN(channels=(4, 8), hidden=16)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    layers = ["head.1", "body.9", "body.4", "body.1"]
    copies = randomized_copies(model, layers, seed=1)
    assert [name for name, _ in copies] == layers
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    for k, (_, randomised) in enumerate(copies, start=1):
        state = randomised.state_dict()
        for i, name in enumerate(layers):
            same = torch.equal(state[f"{name}.weight"], before[f"{name}.weight"])
            assert same == (i >= k), (k, name)
    again = randomized_copies(model, layers, seed=1)[-1][1].state_dict()
    assert all(torch.equal(again[k], v) for k, v in copies[-1][1].state_dict().items())


def test_rank_correlation_is_spearman():
    a = torch.rand(3, 1, 5, 5, dtype=torch.float64)
    assert torch.allclose(rank_correlation(a, a.exp()), torch.ones(3, dtype=torch.float64))
    assert torch.allclose(rank_correlation(a, -a), -torch.ones(3, dtype=torch.float64))
    assert rank_correlation(a, torch.zeros_like(a)).tolist() == [0.0, 0.0, 0.0]


def test_bad_inputs_say_what_to_pass(linear):
    X = torch.rand(2, 1, 28, 28, dtype=torch.float64)
    with pytest.raises(ValueError, match="argsort"):
        deletion_curve(linear, X, 0, torch.zeros(2, 10, dtype=torch.long))
    with pytest.raises(ValueError, match="reset_parameters"):
        randomized_copies(SmallCNN(), ["body.2"])
    with pytest.raises(ValueError, match="differ in shape"):
        rank_correlation(X, X[:1])
