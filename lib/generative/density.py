"""Unsupervised learning from scratch: k-means, PCA and kernel density estimation.

Small, readable versions of the classics the lecture opens with; the tests compare them with
scikit-learn and SciPy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


def _check_data(X: torch.Tensor) -> None:
    if X.dim() != 2 or not X.is_floating_point() or len(X) < 2:
        raise ValueError(
            f"expected float data of shape (N, d) with N >= 2, got {X.dtype} {tuple(X.shape)}; "
            "flatten images with X.flatten(1)."
        )


@dataclass
class KMeansResult:
    """Centres ``(k, d)``, labels ``(N,)``, inertia (sum of squared distances) and iterations."""

    centres: torch.Tensor
    labels: torch.Tensor
    inertia: float
    num_iterations: int


def kmeans(
    X: torch.Tensor, k: int, *, num_iterations: int = 50, generator: torch.Generator | None = None
) -> KMeansResult:
    """Lloyd's algorithm with k-means++ seeding (Arthur & Vassilvitskii 2007).

    Minimises :math:`\\sum_n \\min_j \\lVert x_n - \\mu_j \\rVert^2` by alternating assignment and
    mean updates until the assignment stops changing.

    Shapes:
        ``X``: ``(N, d)`` → centres ``(k, d)``, labels ``(N,)``.
    """
    _check_data(X)
    if not 1 <= k <= len(X):
        raise ValueError(f"k must be between 1 and the number of points {len(X)}, got {k}.")
    first = torch.randint(len(X), (1,), generator=generator)
    centres = X[first]
    for _ in range(1, k):  # k-means++: next centre with probability proportional to D(x)^2
        d2 = torch.cdist(X, centres).pow(2).min(dim=1).values
        centres = torch.cat([centres, X[torch.multinomial(d2, 1, generator=generator)]])
    labels = torch.full((len(X),), -1)
    for iteration in range(1, num_iterations + 1):  # noqa: B007 (returned after the loop)
        new_labels = torch.cdist(X, centres).argmin(dim=1)
        if torch.equal(new_labels, labels):
            break
        labels = new_labels
        for j in range(k):
            members = X[labels == j]
            if len(members):
                centres[j] = members.mean(0)
    inertia = (X - centres[labels]).pow(2).sum().item()
    return KMeansResult(centres, labels, inertia, iteration)


@dataclass
class PCAResult:
    """Mean ``(d,)``, orthonormal components ``(q, d)``, explained variance ratios ``(q,)``."""

    mean: torch.Tensor
    components: torch.Tensor
    explained_variance_ratio: torch.Tensor

    def encode(self, X: torch.Tensor) -> torch.Tensor:
        """``(N, d)`` → codes ``(N, q)``."""
        return (X - self.mean) @ self.components.T

    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """Codes ``(N, q)`` → reconstructions ``(N, d)``."""
        return codes @ self.components + self.mean


def pca(X: torch.Tensor, num_components: int) -> PCAResult:
    """Principal component analysis by the SVD of the centred data.

    Shapes:
        ``X``: ``(N, d)``; ``num_components`` ≤ ``min(N, d)``.
    """
    _check_data(X)
    if not 1 <= num_components <= min(X.shape):
        raise ValueError(
            f"num_components must be between 1 and {min(X.shape)}, got {num_components}."
        )
    mean = X.mean(0)
    _, S, Vh = torch.linalg.svd(X - mean, full_matrices=False)
    variance = S.pow(2)
    # fix the sign of each component (largest |entry| positive) so results are reproducible
    signs = torch.sign(Vh[torch.arange(len(Vh)), Vh.abs().argmax(dim=1)])
    Vh = Vh * signs[:, None]
    return PCAResult(mean, Vh[:num_components], (variance / variance.sum())[:num_components])


def gaussian_kde(
    points: torch.Tensor, data: torch.Tensor, bandwidth: torch.Tensor | float
) -> torch.Tensor:
    """Kernel density estimate with a Gaussian kernel,
    :math:`\\hat p(x) = \\frac1N \\sum_n \\mathcal N(x; x_n, h^2 I)`.

    Shapes:
        ``points``: ``(M, d)``; ``data``: ``(N, d)``; returns densities ``(M,)``.
    """
    _check_data(data)
    if points.dim() != 2 or points.shape[1] != data.shape[1]:
        raise ValueError(f"points must be (M, {data.shape[1]}), got {tuple(points.shape)}.")
    h = float(bandwidth)
    if h <= 0:
        raise ValueError(f"bandwidth must be positive, got {h}.")
    d = data.shape[1]
    log_k = -torch.cdist(points.double(), data.double()).pow(2) / (2 * h * h)
    log_norm = math.log(len(data)) + d * math.log(h * math.sqrt(2 * math.pi))
    return (torch.logsumexp(log_k, dim=1) - log_norm).exp().float()


def scott_bandwidth(data: torch.Tensor) -> float:
    """Scott's rule :math:`h = \\sigma N^{-1/(d+4)}` (mean standard deviation over dimensions)."""
    _check_data(data)
    n, d = data.shape
    return data.std(0).mean().item() * n ** (-1.0 / (d + 4))
