"""SNGP: random features approximate the RBF kernel, the residual map is bi-Lipschitz, the
Laplace covariance matches a hand-built one, and the trained model is distance aware."""

import math

import pytest
import torch

from lib.uncertainty import sngp, toy2d


def test_random_features_approximate_the_rbf_kernel():
    gp = sngp.RandomFeatureGP(3, 2, num_features=20000, length_scale=1.5, seed=0)
    g = torch.Generator().manual_seed(1)
    h = torch.randn(6, 3, generator=g)
    phi = gp.features(h)
    kernel = torch.exp(-(torch.cdist(h, h) ** 2) / (2 * 1.5**2))
    assert phi.shape == (6, 20000)
    assert (phi @ phi.T - kernel).abs().max() < 0.03


def test_covariance_is_the_laplace_posterior_by_hand():
    gp = sngp.RandomFeatureGP(2, 3, num_features=8, ridge=2.0, seed=0)
    h = torch.randn(5, 2, generator=torch.Generator().manual_seed(0))
    gp.fit_covariance(h)
    phi = gp.features(h).double()
    p = torch.softmax(gp(h).double(), 1).max(1).values
    precision = 2.0 * torch.eye(8, dtype=torch.float64)
    for i in range(5):
        precision += p[i] * (1 - p[i]) * torch.outer(phi[i], phi[i])
    assert torch.allclose(gp.covariance.double() @ precision, torch.eye(8, dtype=torch.float64),
                          atol=1e-4)  # fmt: skip
    # the data shrink the variance below the prior's, ||phi||^2 / ridge, at every point
    prior = (gp.features(h) ** 2).sum(1) / 2.0
    assert (gp.variance(h) < prior).all()
    assert gp.variance(h).shape == (5,)


def test_spectral_normalised_blocks_are_bi_lipschitz():
    # the blocks' initial weights and power-iteration vectors come from torch's global generator:
    # seeded here, so the test does not depend on which tests ran before it
    torch.manual_seed(0)
    model = sngp.SNGP(2, 3, spectral_bound=0.5, hidden=16, seed=0)
    for _ in range(100):  # let the power iteration converge
        model.train()(torch.randn(4, 2))
    model.eval()
    g = torch.Generator().manual_seed(0)
    for layer in model.blocks:
        assert torch.linalg.matrix_norm(layer.weight, ord=2) < 1.0 + 1e-3
    a, b = torch.randn(200, 2, generator=g) * 5, torch.randn(200, 2, generator=g) * 5
    ha, hb = model.hidden(a), model.hidden(b)
    pa, pb = a @ model.projection.T, b @ model.projection.T  # distances after the projection
    ratio = (ha - hb).norm(dim=1) / (pa - pb).norm(dim=1)
    assert ratio.min() > 0.5 - 1e-3 and ratio.max() < 1.5 + 1e-3  # 1 - c <= ratio <= 1 + c


def test_predict_proba_is_a_distribution_and_bad_input_is_refused():
    model = sngp.SNGP(2, 3)
    p = model.predict_proba(torch.randn(7, 2))
    assert p.shape == (7, 3) and torch.allclose(p.sum(1), torch.ones(7))
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        model(torch.randn(7, 3))
    with pytest.raises(ValueError, match="spectral_bound"):
        sngp.SNGP(spectral_bound=1.5)
    with pytest.raises(ValueError, match="length_scale"):
        sngp.RandomFeatureGP(2, 3, length_scale=0.0)


def test_trained_sngp_is_confident_near_and_uncertain_far_from_the_data():
    X, y = toy2d.make_blobs(50, seed=0)
    model = sngp.train_sngp(X, y, seed=0, num_steps=300)
    near = model.predict_proba(X)
    assert (near.argmax(1) == y).float().mean() > 0.95
    assert near.max(1).values.mean() > 0.85
    far = model.predict_proba(torch.tensor([[40.0, 40.0], [-30.0, 25.0], [0.0, -50.0]]))
    assert far.max(1).values.max() < 1 / 3 + 0.1
    assert math.isclose(float(far.sum()), 3.0, rel_tol=1e-5)


def test_power_iteration_finds_the_largest_singular_value():
    W = torch.randn(64, 32, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    sigma, u, v = sngp.power_iteration(W, num_iterations=200)
    assert sigma.item() == pytest.approx(torch.linalg.matrix_norm(W, ord=2).item(), rel=1e-6)
    assert torch.allclose(W @ v, sigma * u, atol=1e-5)  # u, v: the top singular pair
    # a few steps already give a lower bound close to it
    few = sngp.power_iteration(W, num_iterations=3)[0].item()
    assert few <= sigma.item() + 1e-9 and few > 0.8 * sigma.item()
    with pytest.raises(ValueError, match="matrix"):
        sngp.power_iteration(torch.randn(3))


def test_power_iteration_agrees_with_torch_spectral_norm_of_a_trained_sngp_block():
    model = sngp.SNGP(2, 3, hidden=16, seed=0)
    for _ in range(50):  # torch's spectral_norm takes one power-iteration step per call
        model.train()(torch.randn(4, 2))
    model.eval()
    layer = model.blocks[0]
    raw = layer.parametrizations.weight.original.detach()
    sigma = sngp.power_iteration(raw, num_iterations=100)[0]
    assert torch.allclose(layer.weight, raw / sigma, atol=1e-4)
