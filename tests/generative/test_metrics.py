"""Fréchet distance against closed forms for Gaussians."""

import numpy as np
import pytest
import scipy.linalg
import torch

from lib.generative.metrics import (
    class_probabilities,
    classifier_features,
    frechet_distance,
    frechet_distance_from_features,
    gaussian_statistics,
    sample_quality,
)


def _random_spd(d, seed):
    g = torch.Generator().manual_seed(seed)
    A = torch.randn(d, d, generator=g, dtype=torch.float64)
    return A @ A.T / d + 0.1 * torch.eye(d, dtype=torch.float64)


def test_one_dimensional_closed_form():
    # W2^2 between N(m1, s1^2) and N(m2, s2^2) is (m1 - m2)^2 + (s1 - s2)^2
    d2 = frechet_distance(
        torch.tensor([1.0]), torch.tensor([[4.0]]), torch.tensor([-2.0]), torch.tensor([[9.0]])
    )
    assert d2 == pytest.approx(9.0 + 1.0)


def test_diagonal_closed_form():
    v1, v2 = torch.tensor([1.0, 4.0, 0.25]), torch.tensor([4.0, 1.0, 1.0])
    mu1, mu2 = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 1.0, 0.0])
    expected = ((mu1 - mu2) ** 2).sum() + ((v1.sqrt() - v2.sqrt()) ** 2).sum()
    assert frechet_distance(mu1, torch.diag(v1), mu2, torch.diag(v2)) == pytest.approx(
        expected.item()
    )


def test_general_covariances_match_scipy_sqrtm():
    d = 6
    s1, s2 = _random_spd(d, 0), _random_spd(d, 1)
    mu1, mu2 = torch.randn(d, dtype=torch.float64), torch.randn(d, dtype=torch.float64)
    covmean = scipy.linalg.sqrtm(s1.numpy() @ s2.numpy()).real
    expected = float(((mu1 - mu2) ** 2).sum() + np.trace(s1.numpy() + s2.numpy() - 2 * covmean))
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-8)
    assert frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-9)
    # symmetric in its two arguments
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(
        frechet_distance(mu2, s2, mu1, s1), rel=1e-9
    )


def test_sample_estimate_converges_to_the_closed_form():
    g = torch.Generator().manual_seed(0)
    d = 4
    s1, s2 = _random_spd(d, 2), _random_spd(d, 3)
    mu2 = torch.ones(d, dtype=torch.float64)
    X1 = torch.randn(40000, d, generator=g, dtype=torch.float64) @ torch.linalg.cholesky(s1).T
    X2 = torch.randn(40000, d, generator=g, dtype=torch.float64) @ torch.linalg.cholesky(s2).T + mu2
    exact = frechet_distance(torch.zeros(d), s1, mu2, s2)
    assert frechet_distance_from_features(X1, X2) == pytest.approx(exact, rel=0.03)
    mu, cov = gaussian_statistics(X2)
    assert torch.allclose(mu, mu2, atol=0.03) and torch.allclose(cov, s2, atol=0.05)


def test_bad_input():
    with pytest.raises(ValueError, match=r"\(N, d\)"):
        frechet_distance_from_features(torch.randn(10), torch.randn(10, 2))
    with pytest.raises(ValueError, match="feature sizes differ"):
        frechet_distance_from_features(torch.randn(10, 3), torch.randn(10, 2))
    with pytest.raises(ValueError, match="covariances"):
        frechet_distance(torch.zeros(2), torch.eye(3), torch.zeros(2), torch.eye(2))
    with pytest.raises(ValueError, match="features"):
        classifier_features(torch.nn.Linear(2, 2), torch.randn(3, 2))


class _ConstantClassifier(torch.nn.Module):
    """Logits that put class ``k`` first for image means in the ``k``-th tenth of [0, 1]."""

    def forward(self, X):
        k = (X.mean(dim=(1, 2, 3)) * 10).clamp(0, 9.999).floor().long()
        return 10.0 * torch.nn.functional.one_hot(k, 10).float()

    def features(self, X):
        return torch.stack([X.mean(dim=(1, 2, 3)), X.std(dim=(1, 2, 3))], dim=1)


def test_sample_quality_counts_classes_and_confidence():
    torch.manual_seed(0)
    classifier = _ConstantClassifier()
    levels = torch.tensor([0.05, 0.05, 0.35, 0.95])
    samples = levels[:, None, None, None] * torch.ones(4, 1, 4, 4)
    real = torch.rand(8, 1, 4, 4)
    quality = sample_quality(classifier, samples, real)
    assert quality.class_counts == [2, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    assert quality.confident_share == pytest.approx(1.0)  # softmax of logits 10 vs 0
    strict = sample_quality(classifier, samples, real, threshold=1.0)
    assert strict.confident_share == 0.0
    expected = frechet_distance_from_features(
        classifier.features(real[:4]), classifier.features(samples)
    )
    assert quality.frechet == pytest.approx(expected)
    floor = frechet_distance_from_features(
        classifier.features(real[:4]), classifier.features(real[4:8])
    )
    assert quality.floor == pytest.approx(floor)


def test_class_probabilities_are_a_softmax():
    classifier = _ConstantClassifier()
    probs = class_probabilities(classifier, torch.full((3, 1, 4, 4), 0.55), batch_size=2)
    assert probs.shape == (3, 10)
    assert torch.allclose(probs.sum(1), torch.ones(3))
    assert (probs.argmax(1) == 5).all()


def test_sample_quality_rejects_too_few_real_images():
    classifier = _ConstantClassifier()
    with pytest.raises(ValueError, match="twice as many"):
        sample_quality(classifier, torch.rand(4, 1, 4, 4), torch.rand(7, 1, 4, 4))
    with pytest.raises(ValueError, match="threshold"):
        sample_quality(classifier, torch.rand(4, 1, 4, 4), torch.rand(8, 1, 4, 4), threshold=0)
