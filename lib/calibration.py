"""Calibration of a classifier: reliability bins and the expected calibration error (ECE).

Shared by every part (the uncertainty part's calibration page, the augmentation page's mixup
and CutMix); :mod:`lib.uncertainty.metrics` re-exports both. Computation is in float64 so the
numbers agree with torchmetrics to 1e-6 (tested in ``tests/test_calibration.py``).

The ECE of a finite sample is a noisy, upward-biased estimate: a perfectly calibrated model
shows a positive ECE by chance. :func:`ece_noise_floor` measures that floor for given
predictions, and :func:`bootstrap_ece` resamples the images to put an interval on an ECE or on
the difference of two.

References:
    Naeini, Cooper & Hauskrecht (2015), *Obtaining well calibrated probabilities using Bayesian
    binning*; Guo, Pleiss, Sun & Weinberger (2017), *On calibration of modern neural networks*;
    Bröcker & Smith (2007), *Increasing the reliability of reliability diagrams* (consistency
    resampling); Nixon et al. (2019), *Measuring calibration in deep learning*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from lib.checks import check_labels, check_probs

__all__ = [
    "ReliabilityBins",
    "bootstrap_ece",
    "ece_noise_floor",
    "expected_calibration_error",
    "reliability_bins",
]


@dataclass(frozen=True)
class ReliabilityBins:
    """Equal-width confidence bins of a reliability diagram.

    Attributes:
        edges: Bin edges ``(n_bins + 1,)`` from 0 to 1; bin ``b`` is ``[edges[b], edges[b+1])``,
            the last bin also holds confidence 1.
        counts: Predictions per bin ``(n_bins,)``.
        confidence: Mean confidence per bin ``(n_bins,)``, NaN where the bin is empty.
        accuracy: Accuracy per bin ``(n_bins,)``, NaN where the bin is empty.
    """

    edges: torch.Tensor
    counts: torch.Tensor
    confidence: torch.Tensor
    accuracy: torch.Tensor

    @property
    def share(self) -> torch.Tensor:
        """Fraction of all predictions in each bin ``(n_bins,)``: the confidence histogram of
        Guo et al. (2017, Fig. 1, top), normalised."""
        return self.counts.double() / self.counts.sum()

    @property
    def mean_confidence(self) -> float:
        """Mean confidence over all predictions: the bins' means weighted by their counts."""
        return float((self.share * self.confidence.nan_to_num()).sum())

    @property
    def overall_accuracy(self) -> float:
        """Accuracy over all predictions: the bins' accuracies weighted by their counts."""
        return float((self.share * self.accuracy.nan_to_num()).sum())

    @property
    def gap(self) -> torch.Tensor:
        """``accuracy - confidence`` per bin (negative: overconfident), NaN where empty."""
        return self.accuracy - self.confidence

    def calibration_error(self, norm: str = "l1") -> float:
        """ECE (``"l1"``), RMS calibration error (``"l2"``) or maximum calibration error
        (``"max"``) of these bins."""
        nonempty = self.counts > 0
        gap = self.gap[nonempty].abs()
        weight = self.counts[nonempty].double() / self.counts.sum()
        if norm == "l1":
            return float((weight * gap).sum())
        if norm == "l2":
            return float((weight * gap**2).sum().sqrt())
        if norm == "max":
            return float(gap.max())
        raise ValueError(f"norm must be 'l1', 'l2' or 'max', got {norm!r}.")


def _bin_index(confidence: torch.Tensor, n_bins: int) -> torch.Tensor:
    """The bin of every confidence: bin ``b`` is ``[b / n_bins, (b + 1) / n_bins)``, the last
    bin also holds 1. Shapes: ``(...,)`` → ``(...,)``, int64."""
    if not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive int, got {n_bins!r}.")
    return (confidence * n_bins).long().clamp_(0, n_bins - 1)


def _top1(probs: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Confidence (the largest probability, float64) and correctness of every prediction.

    Correct means the true class attains the maximum; one amax and one gather are about twice as
    fast as max(dim=1) with indices, and differ from argmax only on exact ties.
    Shapes: probs ``(N, C)``, labels ``(N,)`` → two ``(N,)``.
    """
    confidence = probs.amax(dim=1)
    correct = probs.gather(1, labels[:, None]).squeeze(1) >= confidence
    return confidence.double(), correct


def _binned(confidence: torch.Tensor, correct: torch.Tensor, n_bins: int) -> ReliabilityBins:
    index = _bin_index(confidence, n_bins)
    # scatter_add_ is deterministic on the CPU and much faster than bincount with weights
    zeros = torch.zeros(n_bins, dtype=torch.float64)
    counts = zeros.clone().scatter_add_(0, index, torch.ones_like(confidence)).long()
    conf_sum = zeros.clone().scatter_add_(0, index, confidence)
    correct_sum = zeros.clone().scatter_add_(0, index, correct.double())
    denom = counts.double()
    empty = counts == 0
    confidence_mean = torch.where(empty, torch.nan, conf_sum / denom.clamp_min(1))
    accuracy = torch.where(empty, torch.nan, correct_sum / denom.clamp_min(1))
    edges = torch.linspace(0, 1, n_bins + 1, dtype=torch.float64)
    return ReliabilityBins(edges, counts, confidence_mean, accuracy)


def reliability_bins(
    probs: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray, n_bins: int = 15
) -> ReliabilityBins:
    """Bin the top-1 confidence into ``n_bins`` equal-width bins, with accuracy per bin.

    The confidence of a prediction is its largest probability, and the prediction is correct
    when that class is the label (Guo et al. 2017, Sec. 2); on an exact tie for the largest
    probability, a label among the tied classes counts as correct.

    Args:
        probs: Class probabilities.
        labels: True classes.
        n_bins: Number of equal-width bins over [0, 1] (15 as in Guo et al. 2017).

    Shapes:
        probs: ``(N, C)``; labels: ``(N,)``; every field of the result: ``(n_bins,)``.
    """
    probs = check_probs(probs)
    labels = check_labels(labels, *probs.shape)
    confidence, correct = _top1(probs, labels)
    return _binned(confidence, correct, n_bins)


def expected_calibration_error(
    probs: torch.Tensor | np.ndarray,
    labels: torch.Tensor | np.ndarray,
    n_bins: int = 15,
    norm: str = "l1",
) -> float:
    r"""Expected calibration error with equal-width bins (Naeini et al. 2015; Guo et al. 2017).

    .. math::
        \mathrm{ECE} = \sum_{b=1}^{B} \frac{|B_b|}{N}\,
        \bigl|\mathrm{acc}(B_b) - \mathrm{conf}(B_b)\bigr|.

    Args:
        probs: Class probabilities.
        labels: True classes.
        n_bins: Number of bins.
        norm: ``"l1"`` (ECE), ``"l2"`` (RMS) or ``"max"`` (maximum calibration error).

    Shapes:
        probs: ``(N, C)``; labels: ``(N,)``.

    Returns:
        The calibration error in [0, 1].
    """
    return reliability_bins(probs, labels, n_bins).calibration_error(norm)


def _check_draws(num_draws: int) -> None:
    if not isinstance(num_draws, int) or num_draws < 1:
        raise ValueError(f"num_draws must be a positive int, got {num_draws!r}.")


def ece_noise_floor(
    probs: torch.Tensor | np.ndarray,
    *,
    n_bins: int = 15,
    num_draws: int = 1000,
    seed: int = 0,
) -> torch.Tensor:
    """ECE that a perfectly calibrated model with these predictions shows by chance.

    Each draw keeps the predictions and draws every label from the model's own probabilities,
    so the model is calibrated by construction; only whether the top class is right matters for
    the ECE, and it is right with probability equal to the confidence. The ECE of each draw is a
    sample of what ECE a calibrated model shows on ``N`` images (Bröcker & Smith 2007). An
    observed ECE inside this distribution is no evidence of miscalibration; the floor shrinks
    about like ``1 / sqrt(N)``.

    Args:
        probs: Class probabilities of the model on the images.
        n_bins: Number of equal-width bins, as in :func:`expected_calibration_error`.
        num_draws: Number of label draws.
        seed: Seed of the draws (a generator of its own; the global one is not touched).

    Shapes:
        probs: ``(N, C)`` → ``(num_draws,)``.

    Returns:
        The ECE of every draw, float64.
    """
    probs = check_probs(probs)
    _check_draws(num_draws)
    confidence = probs.amax(dim=1).double()
    n = len(confidence)
    index = _bin_index(confidence, n_bins)
    conf_sum = torch.zeros(n_bins, dtype=torch.float64).scatter_add_(0, index, confidence)
    generator = torch.Generator().manual_seed(seed)
    draws = []
    for start in range(0, num_draws, 100):  # 100 draws at a time bound the memory
        size = min(100, num_draws - start)
        correct = torch.rand(size, n, generator=generator, dtype=torch.float64) < confidence
        correct_sum = torch.zeros(size, n_bins, dtype=torch.float64).scatter_add_(
            1, index.expand(size, n), correct.double()
        )
        draws.append((correct_sum - conf_sum).abs().sum(dim=1) / n)
    return torch.cat(draws)


def bootstrap_ece(
    probs: torch.Tensor | np.ndarray,
    labels: torch.Tensor | np.ndarray,
    *,
    n_bins: int = 15,
    num_draws: int = 1000,
    seed: int = 0,
) -> torch.Tensor:
    """ECE on bootstrap resamples of the images (drawn with replacement).

    Two calls with the same ``seed`` on the same number of images resample the same images, so
    the difference of their results is the paired bootstrap distribution of the difference of
    two predictors' ECE on one test set.

    Args:
        probs: Class probabilities.
        labels: True classes.
        n_bins: Number of equal-width bins.
        num_draws: Number of resamples.
        seed: Seed of the resampling (a generator of its own).

    Shapes:
        probs: ``(N, C)``; labels: ``(N,)`` → ``(num_draws,)``.

    Returns:
        The ECE of every resample, float64.
    """
    probs = check_probs(probs)
    labels = check_labels(labels, *probs.shape)
    _check_draws(num_draws)
    confidence, correct = _top1(probs, labels)
    correct = correct.double()
    n = len(confidence)
    index = _bin_index(confidence, n_bins)
    generator = torch.Generator().manual_seed(seed)
    draws = []
    for start in range(0, num_draws, 100):
        size = min(100, num_draws - start)
        pick = torch.randint(n, (size, n), generator=generator)
        bins = index[pick]
        gap = torch.zeros(size, n_bins, dtype=torch.float64).scatter_add_(
            1, bins, correct[pick] - confidence[pick]
        )
        draws.append(gap.abs().sum(dim=1) / n)
    return torch.cat(draws)
