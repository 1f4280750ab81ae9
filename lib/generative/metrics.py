"""The Fréchet distance between two sets of features, FID-style.

Heusel et al. (2017), GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
Equilibrium, fit a Gaussian to the features of real and of generated images and report the
Fréchet (2-Wasserstein) distance between the two Gaussians,

.. math::
    d^2 = \\lVert \\mu_1 - \\mu_2 \\rVert_2^2
        + \\operatorname{Tr}\\big(\\Sigma_1 + \\Sigma_2 - 2 (\\Sigma_1 \\Sigma_2)^{1/2}\\big).

The paper uses Inception-v3 pool features; the book uses the 128-d penultimate layer of its own
Fashion-MNIST classifier (:meth:`lib.models.SmallCNN.features`), so the numbers are comparable
within the book only, not with published FIDs.

:func:`sample_quality` adds what the classifier says about each sample (how many it labels with
confidence, and which classes), so that an explicit-density model and a GAN are judged on the
same scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from lib.checks import check_image_range


def _check_features(F: torch.Tensor, name: str) -> None:
    if F.dim() != 2 or len(F) < 2 or not F.is_floating_point():
        raise ValueError(
            f"{name} must be float features of shape (N, d) with N >= 2, got {F.dtype} "
            f"{tuple(F.shape)}."
        )


def gaussian_statistics(features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and unbiased covariance of features, in float64.

    Shapes:
        ``(N, d)`` → mean ``(d,)`` and covariance ``(d, d)``.
    """
    _check_features(features, "features")
    X = features.double()
    mu = X.mean(0)
    centred = X - mu
    return mu, centred.T @ centred / (len(X) - 1)


def _sqrtm_psd(S: torch.Tensor) -> torch.Tensor:
    values, vectors = torch.linalg.eigh(S)
    return (vectors * values.clamp_min(0).sqrt()) @ vectors.T


def frechet_distance(
    mu1: torch.Tensor, sigma1: torch.Tensor, mu2: torch.Tensor, sigma2: torch.Tensor
) -> float:
    """Squared Fréchet distance of :math:`N(\\mu_1, \\Sigma_1)` and :math:`N(\\mu_2, \\Sigma_2)`.

    :math:`\\operatorname{Tr}(\\Sigma_1\\Sigma_2)^{1/2}` is computed as
    :math:`\\operatorname{Tr}(\\Sigma_1^{1/2}\\Sigma_2\\Sigma_1^{1/2})^{1/2}`, the square root of a
    symmetric positive semi-definite matrix, via its eigenvalues (stable, no complex parts).

    Shapes:
        ``mu``: ``(d,)``; ``sigma``: ``(d, d)`` symmetric positive semi-definite.
    """
    d = mu1.shape[-1]
    if mu1.shape != (d,) or mu2.shape != (d,) or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ValueError(
            f"expected means (d,) and covariances (d, d) of one d; got {tuple(mu1.shape)}, "
            f"{tuple(sigma1.shape)}, {tuple(mu2.shape)}, {tuple(sigma2.shape)}."
        )
    mu1, mu2, sigma1, sigma2 = (t.double() for t in (mu1, mu2, sigma1, sigma2))
    root1 = _sqrtm_psd(sigma1)
    middle = root1 @ sigma2 @ root1
    trace_sqrt = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp_min(0).sqrt().sum()
    value = (mu1 - mu2).pow(2).sum() + torch.trace(sigma1) + torch.trace(sigma2) - 2 * trace_sqrt
    return max(value.item(), 0.0)


def frechet_distance_from_features(features1: torch.Tensor, features2: torch.Tensor) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets.

    Shapes:
        ``(N1, d)`` and ``(N2, d)``.
    """
    _check_features(features1, "features1")
    _check_features(features2, "features2")
    if features1.shape[1] != features2.shape[1]:
        raise ValueError(f"feature sizes differ: {features1.shape[1]} vs {features2.shape[1]}.")
    return frechet_distance(*gaussian_statistics(features1), *gaussian_statistics(features2))


@torch.no_grad()
def classifier_features(
    model: nn.Module, X: torch.Tensor, *, batch_size: int = 1000
) -> torch.Tensor:
    """Penultimate-layer features of float images, batch by batch.

    Args:
        model: A network with a ``features`` method, e.g. :class:`lib.models.SmallCNN` from
            :func:`lib.baselines.load_or_train_baseline`.
        X: Images ``(N, 1, 28, 28)`` in [0, 1].

    Shapes:
        returns ``(N, d)``.
    """
    if not hasattr(model, "features"):
        raise ValueError(
            "model needs a .features(X) method; pass the SmallCNN from "
            "lib.baselines.load_or_train_baseline()."
        )
    check_image_range(X)
    model.eval()
    return torch.cat([model.features(X[i : i + batch_size]) for i in range(0, len(X), batch_size)])


@dataclass(frozen=True)
class SampleQuality:
    """How much generated images look like the data, judged by a classifier of the real data.

    Attributes:
        confident_share: Share of samples whose top class probability is at least the threshold.
        class_counts: Samples per predicted class (argmax), one count per class: a model that
            collapsed onto a few modes leaves classes at 0.
        frechet: Fréchet distance between the samples' features and ``N`` real images' features.
        floor: Fréchet distance between two disjoint sets of ``N`` real images (the value a
            perfect generator would reach at this sample size, in expectation).
    """

    confident_share: float
    class_counts: list[int]
    frechet: float
    floor: float


@torch.no_grad()
def class_probabilities(
    classifier: nn.Module, X: torch.Tensor, *, batch_size: int = 1000
) -> torch.Tensor:
    """Softmax probabilities of ``classifier`` for float images ``X`` ``(N, 1, 28, 28)`` in [0, 1].

    Shapes:
        returns ``(N, num_classes)``.
    """
    check_image_range(X)
    classifier.eval()
    logits = torch.cat([classifier(X[i : i + batch_size]) for i in range(0, len(X), batch_size)])
    return torch.softmax(logits, dim=1)


def sample_quality(
    classifier: nn.Module, samples: torch.Tensor, real: torch.Tensor, *, threshold: float = 0.9
) -> SampleQuality:
    """Label every sample with ``classifier`` and compare its features with real images.

    The Fréchet distance is biased upwards at finite sample size, so it is only meaningful next
    to its floor at the same size: the samples are compared with ``real[:N]`` and the floor is
    the distance of ``real[:N]`` to ``real[N:2N]``.

    Args:
        classifier: A classifier with a ``features`` method (:class:`lib.models.SmallCNN` of
            :func:`lib.baselines.load_or_train_baseline`).
        samples: Generated images ``(N, 1, 28, 28)`` in [0, 1], ``N >= 2``.
        real: Real held-out images ``(M, 1, 28, 28)`` in [0, 1] with ``M >= 2 N``.
        threshold: Top-class probability from which a sample counts as confidently classified.

    Returns:
        The :class:`SampleQuality` of the samples.
    """
    n = len(samples)
    if samples.dim() != 4 or real.dim() != 4 or samples.shape[1:] != real.shape[1:]:
        raise ValueError(
            f"samples {tuple(samples.shape)} and real {tuple(real.shape)} must both be images "
            "(N, C, H, W) of the same size."
        )
    if n < 2 or len(real) < 2 * n:
        raise ValueError(
            f"need at least 2 samples and twice as many real images (for the floor), got {n} "
            f"samples and {len(real)} real images; pass more real images or fewer samples."
        )
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}.")
    check_image_range(samples, "samples")
    check_image_range(real, "real")
    probs = class_probabilities(classifier, samples)
    top, labels = probs.max(dim=1)
    counts = torch.bincount(labels, minlength=probs.shape[1])
    fake_features = classifier_features(classifier, samples)
    real_a = classifier_features(classifier, real[:n])
    real_b = classifier_features(classifier, real[n : 2 * n])
    return SampleQuality(
        confident_share=(top >= threshold).float().mean().item(),
        class_counts=counts.tolist(),
        frechet=frechet_distance_from_features(real_a, fake_features),
        floor=frechet_distance_from_features(real_a, real_b),
    )
