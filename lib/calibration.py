"""Calibration of a classifier: reliability bins and the expected calibration error (ECE).

Shared by every part (the uncertainty part's calibration page, the augmentation page's mixup
and CutMix); :mod:`lib.uncertainty.metrics` re-exports both. Computation is in float64 so the
numbers agree with torchmetrics to 1e-6 (tested in ``tests/test_calibration.py``).

References:
    Naeini, Cooper & Hauskrecht (2015), *Obtaining well calibrated probabilities using Bayesian
    binning*; Guo, Pleiss, Sun & Weinberger (2017), *On calibration of modern neural networks*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from lib.checks import check_labels, check_probs

__all__ = ["ReliabilityBins", "expected_calibration_error", "reliability_bins"]


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


def _binned(confidence: torch.Tensor, correct: torch.Tensor, n_bins: int) -> ReliabilityBins:
    if not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive int, got {n_bins!r}.")
    index = (confidence * n_bins).long().clamp_(0, n_bins - 1)
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
    # correct = the true class attains the maximum; one amax and one gather are about twice as
    # fast as max(dim=1) with indices, and differ from argmax only on exact ties
    confidence = probs.amax(dim=1)
    correct = probs.gather(1, labels[:, None]).squeeze(1) >= confidence
    return _binned(confidence.double(), correct, n_bins)


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
