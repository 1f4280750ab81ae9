"""Uncertainty metrics written from scratch: proper scores, OOD detection, entropy and mutual
information, selective prediction.

Every function takes plain tensors (NumPy arrays are converted), checks its input and raises a
``ValueError`` that says what to pass instead. Probabilities are ``(N, C)`` rows on the simplex
(``softmax(logits, dim=1)``), labels are integer class indices ``(N,)``. Computation is in
float64 so the numbers agree with torchmetrics and scikit-learn to 1e-6 (tested).

Temperature scaling lives in :mod:`lib.uncertainty.temperature`, Bayes decisions in
:mod:`lib.uncertainty.decisions`, label-shift correction in :mod:`lib.uncertainty.label_shift`;
the expected calibration error and reliability bins in the core, :mod:`lib.calibration` (other
parts use them too), and the input checks in :mod:`lib.checks`.

References:
    Naeini, Cooper & Hauskrecht (2015), *Obtaining well calibrated probabilities using Bayesian
    binning*; Guo, Pleiss, Sun & Weinberger (2017), *On calibration of modern neural networks*;
    Brier (1950); Hendrycks & Gimpel (2017) for max-probability OOD scores; Geifman & El-Yaniv
    (2017) for selective prediction.
"""

from __future__ import annotations

import numpy as np
import torch

from lib.checks import EPS, as_tensor, check_binary, check_labels, check_probs

__all__ = [
    "accuracy",
    "accuracy_at_coverage",
    "aupr",
    "auroc",
    "brier_score",
    "entropy",
    "entropy_split",
    "mutual_information",
    "nll",
    "risk_coverage",
]


def nll(probs: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray) -> float:
    r"""Mean negative log-likelihood :math:`-\frac1N\sum_i \log p_{i, y_i}` in nats.

    Probabilities are clamped to :data:`EPS` first, so a confident mistake costs about 27.6
    nats instead of infinity.

    Shapes:
        probs: ``(N, C)``; labels: ``(N,)``.
    """
    probs = check_probs(probs)
    labels = check_labels(labels, *probs.shape)
    picked = probs.gather(1, labels[:, None]).squeeze(1).double()
    return float(-picked.clamp_min(EPS).log().mean())


def brier_score(probs: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray) -> float:
    r"""Multi-class Brier score (Brier 1950): :math:`\frac1N\sum_i\sum_c (p_{ic} - [y_i = c])^2`.

    Ranges over [0, 2]; 0 for a perfect, certain forecaster.

    Shapes:
        probs: ``(N, C)``; labels: ``(N,)``.
    """
    probs = check_probs(probs).double()
    labels = check_labels(labels, *probs.shape)
    one_hot = torch.zeros_like(probs).scatter_(1, labels[:, None], 1.0)
    return float(((probs - one_hot) ** 2).sum(dim=1).mean())


def accuracy(probs: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray) -> float:
    """Top-1 accuracy in [0, 1]. Shapes: probs ``(N, C)``; labels ``(N,)``."""
    probs = check_probs(probs)
    labels = check_labels(labels, *probs.shape)
    return float((probs.argmax(dim=1) == labels).double().mean())


def entropy(probs: torch.Tensor | np.ndarray) -> torch.Tensor:
    r"""Shannon entropy :math:`H[p] = -\sum_c p_c \log p_c` in nats, with :math:`0 \log 0 = 0`.

    Shapes:
        probs: ``(N, C)`` → ``(N,)``.
    """
    probs = check_probs(probs).double()
    return -torch.special.xlogy(probs, probs).sum(dim=1)


def _check_members(member_probs: torch.Tensor | np.ndarray) -> torch.Tensor:
    member_probs = as_tensor(member_probs, "member_probs")
    if member_probs.dim() != 3:
        raise ValueError(
            f"member_probs must have shape (M, N, C) (one row of probabilities per member or "
            f"dropout sample), got {tuple(member_probs.shape)}."
        )
    m, n, c = member_probs.shape
    check_probs(member_probs.reshape(m * n, c), "member_probs")
    return member_probs.double()


def mutual_information(member_probs: torch.Tensor | np.ndarray) -> torch.Tensor:
    r"""Epistemic part of the predictive entropy: mutual information between label and model.

    .. math::
        \underbrace{H\Bigl[\tfrac1M\sum_m p_m\Bigr]}_{\text{total}}
        = \underbrace{\tfrac1M\sum_m H[p_m]}_{\text{aleatoric}}
        + \underbrace{I(y; \theta)}_{\text{epistemic}}.

    Args:
        member_probs: Probabilities of M ensemble members (or MC-dropout samples).

    Shapes:
        member_probs: ``(M, N, C)`` → ``(N,)``, non-negative (the rounding error of the
        difference, which can be a tiny negative number when the members agree, is clamped to 0).
    """
    return entropy_split(member_probs)[2]


def entropy_split(
    member_probs: torch.Tensor | np.ndarray,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(total, aleatoric, epistemic)`` entropies per input, see :func:`mutual_information`.

    Shapes:
        member_probs: ``(M, N, C)`` → three tensors ``(N,)``.
    """
    member_probs = _check_members(member_probs)
    mean = member_probs.mean(dim=0)
    total = -torch.special.xlogy(mean, mean).sum(dim=1)
    aleatoric = -torch.special.xlogy(member_probs, member_probs).sum(dim=2).mean(dim=0)
    return total, aleatoric, (total - aleatoric).clamp_min(0.0)


def auroc(scores: torch.Tensor | np.ndarray, targets: torch.Tensor | np.ndarray) -> float:
    r"""Area under the ROC curve, from ranks (Mann–Whitney U), ties counted half.

    .. math::
        \mathrm{AUROC} = P(s_+ > s_-) + \tfrac12 P(s_+ = s_-).

    Args:
        scores: Higher means "more likely positive" (for OOD detection: an uncertainty such as
            the entropy or ``1 - max prob``).
        targets: ``True``/1 for positives (e.g. OOD inputs).

    Shapes:
        scores: ``(N,)``; targets: ``(N,)``.
    """
    scores, targets = check_binary(scores, targets)
    order = torch.argsort(scores)
    sorted_scores = scores[order]
    _, inverse, counts = torch.unique_consecutive(
        sorted_scores, return_inverse=True, return_counts=True
    )
    ends = counts.cumsum(0).double()
    average_rank = ends - (counts.double() - 1) / 2  # 1-based mean rank of each tie group
    ranks = torch.empty_like(scores)
    ranks[order] = average_rank[inverse]
    n_pos = int(targets.sum())
    n_neg = len(targets) - n_pos
    u = ranks[targets].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))


def aupr(scores: torch.Tensor | np.ndarray, targets: torch.Tensor | np.ndarray) -> float:
    r"""Area under the precision–recall curve as average precision (step-wise, no interpolation).

    .. math::
        \mathrm{AP} = \sum_k (R_k - R_{k-1})\, P_k

    over the distinct score thresholds, from the highest down.

    Args:
        scores: Higher means "more likely positive".
        targets: ``True``/1 for positives.

    Shapes:
        scores: ``(N,)``; targets: ``(N,)``.
    """
    scores, targets = check_binary(scores, targets)
    order = torch.argsort(scores, descending=True, stable=True)
    sorted_scores = scores[order]
    hits = targets[order].double()
    _, counts = torch.unique_consecutive(sorted_scores, return_counts=True)
    last = counts.cumsum(0) - 1  # last index of each tie group = one threshold
    tp = hits.cumsum(0)[last]
    predicted = (last + 1).double()
    precision = tp / predicted
    recall = tp / tp[-1]
    previous = torch.cat([torch.zeros(1, dtype=torch.float64), recall[:-1]])
    return float(((recall - previous) * precision).sum())


def risk_coverage(
    confidence: torch.Tensor | np.ndarray, correct: torch.Tensor | np.ndarray
) -> tuple[torch.Tensor, torch.Tensor]:
    """Accuracy on the most confident fraction of inputs, for every coverage.

    The model answers the ``k`` inputs it is most confident about and abstains on the rest
    (Geifman & El-Yaniv 2017); coverage is ``k / N``.

    Args:
        confidence: Any confidence score (higher = answer first), e.g. the max probability.
        correct: Whether each prediction is right.

    Shapes:
        confidence: ``(N,)``; correct: ``(N,)`` → ``(coverage, selective_accuracy)``, each ``(N,)``.
    """
    confidence = as_tensor(confidence, "confidence")
    correct = as_tensor(correct, "correct")
    if confidence.dim() != 1 or correct.shape != confidence.shape or len(confidence) == 0:
        raise ValueError(
            f"confidence and correct must be 1-D of one length, got {tuple(confidence.shape)} and "
            f"{tuple(correct.shape)}."
        )
    if not confidence.is_floating_point():
        raise ValueError("confidence must be floating point.")
    if correct.dtype != torch.bool and not ((correct == 0) | (correct == 1)).all():
        low, high = (float(v) for v in torch.aminmax(correct))
        raise ValueError(
            f"correct must say whether each prediction is right (booleans or 0/1), got "
            f"{correct.dtype} values in [{low:.3g}, {high:.3g}]; pass probs.argmax(1) == labels, "
            "not the labels."
        )
    order = torch.argsort(confidence.double(), descending=True, stable=True)
    hits = correct[order].double().cumsum(0)
    k = torch.arange(1, len(confidence) + 1, dtype=torch.float64)
    return k / len(confidence), hits / k


def accuracy_at_coverage(
    confidence: torch.Tensor | np.ndarray, correct: torch.Tensor | np.ndarray, coverage: float
) -> float:
    """Selective accuracy when answering the ``coverage`` fraction of most confident inputs."""
    if not 0 < coverage <= 1:
        raise ValueError(f"coverage must be in (0, 1], got {coverage}.")
    cov, acc = risk_coverage(confidence, correct)
    k = max(1, int(round(coverage * len(cov))))
    return float(acc[k - 1])
