from __future__ import annotations

import pytest
import torch

from lib.baselines import BaselineConfig
from lib.models import MLP, SmallCNN


@pytest.mark.parametrize("model", [MLP(), SmallCNN(), SmallCNN(dropout=0.5)])
def test_shapes(model):
    X = torch.rand(5, 1, 28, 28)
    assert model(X).shape == (5, 10)


def test_cnn_features():
    assert SmallCNN(hidden=64).features(torch.rand(3, 1, 28, 28)).shape == (3, 64)


def test_dropout_is_stochastic_only_in_training_mode():
    model, X = SmallCNN(dropout=0.5), torch.rand(4, 1, 28, 28)
    model.train()
    assert not torch.equal(model(X), model(X))
    model.eval()
    assert torch.equal(model(X), model(X))


@pytest.mark.parametrize(
    "X",
    [
        torch.rand(5, 28, 28),
        torch.rand(5, 3, 28, 28),
        torch.randint(0, 255, (5, 1, 28, 28), dtype=torch.uint8),
    ],
)
def test_bad_input_is_explained(X):
    with pytest.raises(ValueError, match=r"expected float images of shape \(B, 1, 28, 28\)"):
        SmallCNN()(X)


def test_bad_config():
    with pytest.raises(ValueError, match="kind"):
        BaselineConfig(kind="resnet")
    with pytest.raises(ValueError, match="dropout"):
        BaselineConfig(dropout=1.0)
