"""The chapter's four predictors and the data they are compared on."""

import pytest
import torch
from torch import nn

from lib.training import images_to_float
from lib.uncertainty import evaluation, predictors
from lib.uncertainty.ensembles import mc_dropout_probs
from lib.uncertainty.evaluation import ood_inputs
from lib.uncertainty.predictors import VALIDATION_START, predictor_probs, validation_temperature
from lib.uncertainty.temperature import fit_temperature


def _net(seed: int, dropout: float = 0.0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(28 * 28, 10)).eval()


def _images(n: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=g)


def test_four_predictors_in_order_and_each_as_defined():
    members, dropout_net = [_net(0), _net(1), _net(2)], _net(3, dropout=0.5)
    X = torch.rand(7, 1, 28, 28)
    state = torch.get_rng_state()
    probs = predictor_probs(X, members, dropout_net, temperature=2.0, num_samples=4, seed=5)
    assert torch.equal(torch.get_rng_state(), state)  # the global random state is untouched
    assert list(probs) == ["single", "temperature-scaled", "MC dropout (4)", "ensemble (3)"]
    with torch.no_grad():
        logits = [m(X).double() for m in members]
    assert torch.allclose(probs["single"], torch.softmax(logits[0], 1), atol=1e-12)
    assert torch.allclose(probs["temperature-scaled"], torch.softmax(logits[0] / 2, 1), atol=1e-12)
    ensemble = torch.stack([torch.softmax(z, 1) for z in logits]).mean(0)
    assert torch.allclose(probs["ensemble (3)"], ensemble, atol=1e-12)
    mc = mc_dropout_probs(dropout_net, X, num_samples=4, seed=5).mean(0)
    assert torch.equal(probs["MC dropout (4)"], mc)
    for p in probs.values():
        assert p.shape == (7, 10) and p.dtype == torch.float64
        assert torch.allclose(p.sum(1), torch.ones(7, dtype=torch.float64))


def test_without_a_temperature_there_are_three_predictors():
    probs = predictor_probs(torch.rand(3, 1, 28, 28), [_net(0)], _net(1, dropout=0.5), seed=0)
    assert list(probs) == ["single", "MC dropout (10)", "ensemble (1)"]


def test_validation_temperature_is_fitted_on_the_validation_half(monkeypatch):
    X, y = _images(VALIDATION_START + 40, 0), torch.arange(VALIDATION_START + 40) % 10
    monkeypatch.setattr(predictors, "load_fashion_mnist", lambda split: (X, y))
    model = _net(0)
    with torch.no_grad():
        logits = model(images_to_float(X[VALIDATION_START:]))
    assert validation_temperature(model) == fit_temperature(logits, y[VALIDATION_START:])


def test_ood_inputs_are_the_first_images_of_each_test_set(monkeypatch):
    fashion, mnist = _images(10, 1), _images(12, 2)
    monkeypatch.setattr(evaluation, "load_fashion_mnist", lambda split: (fashion, None))
    monkeypatch.setattr(evaluation, "load_mnist_test", lambda: (mnist, None))
    X_in, X_ood, is_ood = ood_inputs(4)
    assert torch.equal(X_in, images_to_float(fashion[:4]))
    assert torch.equal(X_ood, images_to_float(mnist[:4]))
    assert is_ood.tolist() == [False] * 4 + [True] * 4
    with pytest.raises(ValueError, match=r"num_images must be in 1\.\.10"):
        ood_inputs(11)
