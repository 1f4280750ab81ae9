"""k-means, PCA and KDE against scikit-learn and SciPy."""

import numpy as np
import pytest
import scipy.stats
import torch
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA

from lib.generative.density import gaussian_kde, kmeans, pca, scott_bandwidth


def _blobs(seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[0.0, 0.0], [5.0, 5.0], [-5.0, 5.0]])
    return torch.cat([c + 0.5 * torch.randn(100, 2, generator=g) for c in centres])


def test_kmeans_recovers_blobs_like_sklearn():
    X = _blobs()
    ours = kmeans(X, 3, generator=torch.Generator().manual_seed(0))
    ref = KMeans(3, n_init=5, random_state=0).fit(X.numpy())
    assert ours.inertia == pytest.approx(ref.inertia_, rel=1e-4)
    assert len(set(ours.labels[:100].tolist())) == 1  # each blob is one cluster
    with pytest.raises(ValueError, match="k must be"):
        kmeans(X, 0)


def test_pca_matches_sklearn():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(200, 5, generator=g, dtype=torch.float64) @ torch.randn(
        5, 5, generator=g, dtype=torch.float64
    )
    ours = pca(X, 3)
    ref = PCA(3).fit(X.numpy())
    assert np.allclose(ours.explained_variance_ratio.numpy(), ref.explained_variance_ratio_)
    assert np.allclose(np.abs(ours.components.numpy()), np.abs(ref.components_), atol=1e-8)
    full = pca(X, 5)
    assert torch.allclose(full.decode(full.encode(X)), X)  # all components: exact reconstruction
    with pytest.raises(ValueError, match="flatten"):
        pca(torch.randn(3, 2, 2), 1)


def test_kde_matches_scipy_and_sklearn():
    from sklearn.neighbors import KernelDensity

    g = torch.Generator().manual_seed(0)
    h = 0.4
    data1 = torch.randn(300, 1, generator=g, dtype=torch.float64)
    points1 = torch.randn(20, 1, generator=g, dtype=torch.float64)
    # scipy's kernel variance is factor^2 * var(data, ddof=1): choose the factor that gives h^2
    ref = scipy.stats.gaussian_kde(data1.numpy()[:, 0], bw_method=h / data1.std().item())
    assert np.allclose(
        gaussian_kde(points1, data1, h).numpy(), ref(points1.numpy()[:, 0]), rtol=1e-5
    )
    data2 = torch.randn(300, 2, generator=g, dtype=torch.float64)
    points2 = torch.randn(20, 2, generator=g, dtype=torch.float64)
    ref2 = np.exp(KernelDensity(bandwidth=h).fit(data2.numpy()).score_samples(points2.numpy()))
    assert np.allclose(gaussian_kde(points2, data2, h).numpy(), ref2, rtol=1e-5)
    assert scott_bandwidth(data2) > 0
    with pytest.raises(ValueError, match="bandwidth"):
        gaussian_kde(points2, data2, 0.0)


def test_kde_integrates_to_one_in_1d():
    data = torch.tensor([[0.0], [1.0], [3.0]])
    grid = torch.linspace(-6, 9, 3001)[:, None]
    density = gaussian_kde(grid, data, 0.7)
    assert torch.trapezoid(density, grid[:, 0]).item() == pytest.approx(1.0, abs=1e-4)
