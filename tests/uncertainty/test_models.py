"""Ensemble / MC-dropout helpers, the regression toy and the 2-D toy."""

import math

import pytest
import torch

from lib.models import SmallCNN
from lib.uncertainty import ensembles, regression, toy2d


def test_ensemble_and_mc_dropout_shapes_and_reproducibility():
    torch.manual_seed(0)
    X = torch.rand(7, 1, 28, 28)
    models = [SmallCNN(), SmallCNN()]
    p = ensembles.ensemble_probs(models, X)
    assert p.shape == (2, 7, 10)
    assert torch.allclose(p.sum(-1), torch.ones(2, 7, dtype=torch.float64))
    net = SmallCNN(dropout=0.5)
    state = torch.random.get_rng_state()
    a = ensembles.mc_dropout_probs(net, X, num_samples=4, seed=1)
    b = ensembles.mc_dropout_probs(net, X, num_samples=4, seed=1)
    assert torch.equal(torch.random.get_rng_state(), state)  # global RNG untouched
    assert a.shape == (4, 7, 10) and torch.equal(a, b)
    assert not torch.allclose(a[0], a[1])  # samples differ
    assert not net.training and all(not m.training for m in net.modules())
    with pytest.raises(ValueError, match="no dropout"):
        ensembles.mc_dropout_probs(SmallCNN(), X)


def test_dropout_passes_is_the_core_of_mc_dropout():
    torch.manual_seed(0)
    X = torch.rand(5, 1, 28, 28)
    net = SmallCNN(dropout=0.5)
    expected = ensembles.mc_dropout_probs(net, X, num_samples=3, seed=2, batch_size=2)
    for m in net.modules():
        if isinstance(m, torch.nn.Dropout):
            m.train()
    torch.manual_seed(2)
    by_hand = ensembles.dropout_passes(net, X, num_samples=3, batch_size=2)
    assert torch.equal(by_hand, expected)
    assert not torch.allclose(by_hand[0], by_hand[1])  # each pass draws new masks


def test_disagreement():
    a = torch.tensor([[0.9, 0.1], [0.2, 0.8]])
    assert ensembles.disagreement(a, a) == 0.0
    assert ensembles.disagreement(a, a.flip(1)) == 1.0


def test_gaussian_nll_matches_torch():
    g = torch.Generator().manual_seed(0)
    mean, y = torch.randn(50, 1, generator=g), torch.randn(50, 1, generator=g)
    var = torch.rand(50, 1, generator=g) + 0.1
    ref = torch.nn.GaussianNLLLoss(full=True)(mean, y, var)
    assert abs(regression.gaussian_nll(mean, var, y).item() - ref.item()) < 1e-6
    with pytest.raises(ValueError, match="log-variance"):
        regression.gaussian_nll(mean, -var, y)


def test_heteroscedastic_toy_learns_the_noise():
    X, y = regression.make_heteroscedastic(300, seed=0, gap=(-1.0, 1.0))
    assert X.shape == (300, 1) and ((X < -1) | (X > 1)).all()
    model = regression.train_gaussian_mlp(X, y, num_steps=400)
    with torch.no_grad():
        _, var = model(torch.tensor([[-3.5], [3.5]]))
    assert var[1] > 4 * var[0]  # noise grows from left to right


@pytest.mark.parametrize(
    ("gap", "match"),
    [
        ((-4.0, 4.0), r"gap=\(-4.0, 4.0\) covers the whole input range \(-4.0, 4.0\).*gap=\("),
        ((-5.0, 6.0), r"gap=\(-5.0, 6.0\) covers the whole input range"),
        ((1.0, -1.0), r"gap must be an interval \(a, b\) with a < b, got \(1.0, -1.0\)"),
    ],
)
def test_heteroscedastic_toy_refuses_a_gap_that_leaves_no_data(gap, match):
    with pytest.raises(ValueError, match=match):
        regression.make_heteroscedastic(10, gap=gap)


def test_heteroscedastic_toy_accepts_a_gap_at_one_end():
    X, _ = regression.make_heteroscedastic(50, gap=(-4.0, 3.0))
    assert (X > 3).all()


def test_variance_split_is_law_of_total_variance():
    g = torch.Generator().manual_seed(0)
    means, variances = torch.randn(5, 30, generator=g), torch.rand(5, 30, generator=g)
    total, aleatoric, epistemic = regression.variance_split(means, variances)
    second_moment = (variances + means**2).mean(0)
    assert torch.allclose(total, second_moment - means.mean(0) ** 2, atol=1e-6)
    assert (epistemic >= 0).all()


def test_toy2d():
    X, y = toy2d.make_blobs(50, seed=0)
    assert X.shape == (150, 2) and y.bincount().tolist() == [50, 50, 50]
    model = toy2d.train_toy(X, y, num_steps=200)
    acc = (model(X).argmax(1) == y).float().mean()
    assert acc > 0.95
    xx, yy, conf = toy2d.confidence_grid(lambda p: torch.softmax(model(p), 1), resolution=11)
    assert conf.shape == (11, 11) and (conf >= 1 / 3 - 1e-6).all() and (conf <= 1).all()
    assert math.isclose(xx[0, 0].item(), -8.0)


def test_toys_train_on_the_requested_device(device):
    X, y = toy2d.make_blobs(30)
    toy = toy2d.train_toy(X, y, num_steps=50, device=device)
    assert next(toy.parameters()).device.type == device.type
    Xr, yr = regression.make_heteroscedastic(50)
    net = regression.train_gaussian_mlp(Xr, yr, num_steps=50, device=device)
    means, variances = regression.predict_ensemble([net], Xr)
    assert means.shape == variances.shape == (1, 50) and means.device.type == "cpu"
    if device.type == "cpu":  # the default device gives the same network
        default = regression.train_gaussian_mlp(Xr, yr, num_steps=50)
        assert all(map(torch.equal, net.parameters(), default.parameters()))


def test_ensemble_and_mc_dropout_on_the_model_device(device):
    torch.manual_seed(0)
    X = torch.rand(5, 1, 28, 28)
    net = SmallCNN(dropout=0.5)
    on_cpu = ensembles.mc_dropout_probs(net, X, num_samples=2, seed=1)
    net.to(device)
    probs = ensembles.mc_dropout_probs(net, X, num_samples=2, seed=1)
    assert probs.device.type == "cpu" and probs.shape == (2, 5, 10)
    assert ensembles.ensemble_probs([net], X).device.type == "cpu"
    if device.type == "cpu":
        assert torch.equal(probs, on_cpu)


def test_interval_coverage_by_hand_and_on_samples_of_the_model():
    mean, std = torch.zeros(4), torch.ones(4)
    y = torch.tensor([0.1, -0.5, 1.0, -3.0])  # |z| = 0.1, 0.5, 1.0, 3.0
    cov = regression.interval_coverage(mean, std, y, [0.5, 0.95])
    assert cov == {0.5: 0.5, 0.95: 0.75}  # z_0.75 = 0.674, z_0.975 = 1.96
    g = torch.Generator().manual_seed(0)
    mean, std = torch.randn(200_000, generator=g), torch.rand(200_000, generator=g) + 0.1
    y = mean + std * torch.randn(200_000, generator=g)
    for q, c in regression.interval_coverage(mean, std, y, [0.5, 0.8, 0.99]).items():
        assert abs(c - q) < 0.005, (q, c)
    with pytest.raises(ValueError, match="positive"):
        regression.interval_coverage(mean, 0 * std, y, [0.5])
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        regression.interval_coverage(mean, std, y, [95])
