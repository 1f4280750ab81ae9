"""OOD detection scores from a predictive distribution, and the uncertainty of their AUROC.

The scores (Hendrycks & Gimpel 2017) are higher for inputs that look out of distribution;
:func:`lib.uncertainty.metrics.auroc` turns a score into one number. On a finite test set that
number is itself uncertain: :func:`bootstrap_auroc` resamples the inputs, so that the
difference between two scores (or two predictors) on the same inputs gets a paired bootstrap
interval, and a difference inside it is a tie.

References:
    Hendrycks & Gimpel (2017), *A baseline for detecting misclassified and out-of-distribution
    examples in neural networks*; Efron & Tibshirani (1993), *An introduction to the
    bootstrap*.
"""

from __future__ import annotations

import numpy as np
import torch

from lib.checks import check_binary, check_probs
from lib.uncertainty.metrics import auroc, entropy

__all__ = ["bootstrap_auroc", "max_prob_score", "ood_scores"]


def max_prob_score(probs: torch.Tensor | np.ndarray) -> torch.Tensor:
    r"""The max-probability OOD score :math:`1 - \max_c p(c \mid x)` (higher = more unusual).

    Shapes:
        probs: ``(N, C)`` → ``(N,)`` float64.
    """
    probs = check_probs(probs).double()
    return 1 - probs.max(dim=1).values


def ood_scores(probs: torch.Tensor | np.ndarray) -> dict[str, torch.Tensor]:
    """The two scores of a predictive distribution: ``"max-prob"`` and ``"entropy"``.

    Shapes:
        probs: ``(N, C)`` → two tensors ``(N,)`` float64.
    """
    return {"max-prob": max_prob_score(probs), "entropy": entropy(probs)}


def bootstrap_auroc(
    scores: torch.Tensor | np.ndarray,
    targets: torch.Tensor | np.ndarray,
    *,
    num_draws: int = 1000,
    seed: int = 0,
) -> torch.Tensor:
    """AUROC on bootstrap resamples of the inputs, positives and negatives resampled apart.

    Each draw picks as many positives (OOD inputs) as there are, with replacement, from the
    positives, and as many negatives from the negatives, so every resample has the class sizes
    of the test set. The picks depend only on ``seed`` and ``targets``: two calls with the same
    ``seed`` and ``targets`` but different ``scores`` resample the same inputs, so the
    difference of their results, draw by draw, is the paired bootstrap distribution of the
    difference of two AUROCs on one test set.

    Args:
        scores: Higher means "more likely positive".
        targets: ``True``/1 for positives (OOD inputs).
        num_draws: Number of resamples.
        seed: Seed of the resampling (a generator of its own; the global state is untouched).

    Shapes:
        scores: ``(N,)``; targets: ``(N,)`` → ``(num_draws,)`` float64.
    """
    scores, targets = check_binary(scores, targets)
    if num_draws < 1:
        raise ValueError(f"num_draws must be at least 1, got {num_draws}.")
    positives = torch.nonzero(targets).squeeze(1)
    negatives = torch.nonzero(~targets).squeeze(1)
    resampled_targets = torch.cat(
        [
            torch.ones(len(positives), dtype=torch.bool),
            torch.zeros(len(negatives), dtype=torch.bool),
        ]
    )
    generator = torch.Generator().manual_seed(seed)
    draws = torch.empty(num_draws, dtype=torch.float64)
    for i in range(num_draws):
        pick = torch.cat(
            [
                positives[torch.randint(len(positives), (len(positives),), generator=generator)],
                negatives[torch.randint(len(negatives), (len(negatives),), generator=generator)],
            ]
        )
        draws[i] = auroc(scores[pick], resampled_targets)
    return draws
