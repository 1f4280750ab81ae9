"""Input checks shared by the uncertainty metrics and methods: each raises a ``ValueError`` that
says what to pass instead. The checks of probabilities and labels live in :mod:`lib.checks` (the
core's calibration metrics use them too) and are re-exported here."""

from __future__ import annotations

import numpy as np
import torch

from lib.checks import EPS, SUM_TOLERANCE, as_tensor, check_labels, check_probs

__all__ = ["EPS", "SUM_TOLERANCE", "as_tensor", "check_binary", "check_labels", "check_probs"]


def check_binary(scores: torch.Tensor | np.ndarray, targets: torch.Tensor | np.ndarray):
    scores = as_tensor(scores, "scores")
    targets = as_tensor(targets, "targets")
    if scores.dim() != 1 or targets.shape != scores.shape:
        raise ValueError(
            f"scores and targets must be 1-D of the same length, got {tuple(scores.shape)} and "
            f"{tuple(targets.shape)}."
        )
    if not scores.is_floating_point() or not torch.isfinite(scores).all():
        raise ValueError("scores must be finite floating-point numbers.")
    if targets.dtype != torch.bool:
        if targets.is_floating_point() or not ((targets == 0) | (targets == 1)).all():
            raise ValueError("targets must be booleans or 0/1 integers (1 = positive, e.g. OOD).")
        targets = targets.bool()
    positives = int(targets.sum())
    if positives == 0 or positives == len(targets):
        raise ValueError(
            "targets must contain both classes (some positives and some negatives); "
            "concatenate in-distribution and OOD scores before calling."
        )
    return scores.double(), targets
