"""Uncertainty metrics written from scratch: calibration, proper scores, OOD detection, decisions.

Every function takes plain tensors (NumPy arrays are converted), checks its input and raises a
``ValueError`` that says what to pass instead. Probabilities are ``(N, C)`` rows on the simplex
(``softmax(logits, dim=1)``), labels are integer class indices ``(N,)``. Computation is in
float64 so the numbers agree with torchmetrics and scikit-learn to 1e-6 (tested).

References:
    Naeini, Cooper & Hauskrecht (2015), *Obtaining well calibrated probabilities using Bayesian
    binning*; Guo, Pleiss, Sun & Weinberger (2017), *On calibration of modern neural networks*;
    Brier (1950); Hendrycks & Gimpel (2017) for max-probability OOD scores; Saerens, Latinne &
    Decaestecker (2002) for label-shift correction; Geifman & El-Yaniv (2017) for selective
    prediction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

EPS = 1e-12
"""Probabilities are clamped to at least this before taking a logarithm."""

SUM_TOLERANCE = 1e-3
"""How far a row of probabilities may sum from 1 (float32 softmax is within 1e-6)."""


# ---------------------------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------------------------


def _as_tensor(x: torch.Tensor | np.ndarray, name: str) -> torch.Tensor:
    if isinstance(x, np.ndarray):
        return torch.from_numpy(x)
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor or a numpy array, got {type(x).__name__}.")
    return x


def check_probs(probs: torch.Tensor | np.ndarray, name: str = "probs") -> torch.Tensor:
    """Validate class probabilities and return them as a tensor (dtype unchanged).

    Raises:
        ValueError: Not 2-D ``(N, C)`` with ``C >= 2``, not floating point, not finite, outside
            [0, 1], or rows not summing to 1.

    Shapes:
        probs: ``(N, C)``.
    """
    probs = _as_tensor(probs, name)
    if probs.dim() != 2 or probs.shape[0] == 0 or probs.shape[1] < 2:
        raise ValueError(
            f"{name} must have shape (N, C) with N >= 1 and C >= 2, got {tuple(probs.shape)}; "
            "for a binary score pass a 1-D tensor to auroc/aupr instead."
        )
    if not probs.is_floating_point():
        raise ValueError(f"{name} must be floating point, got {probs.dtype}.")
    low, high = torch.aminmax(probs)  # NaN propagates and fails both comparisons below
    if not (low >= -1e-9 and high <= 1 + 1e-9):
        raise ValueError(
            f"{name} must be finite and lie in [0, 1] (found values in [{low:.3g}, {high:.3g}]); "
            "pass softmax(logits, dim=1), not logits."
        )
    row_low, row_high = torch.aminmax(probs.sum(dim=1))
    deviation = max(row_high.item() - 1, 1 - row_low.item())
    if deviation > SUM_TOLERANCE:
        raise ValueError(
            f"rows of {name} must sum to 1 (largest deviation {deviation:.3g}); "
            "pass softmax(logits, dim=1), not logits or unnormalised scores."
        )
    return probs


def check_labels(labels: torch.Tensor | np.ndarray, num: int, num_classes: int) -> torch.Tensor:
    """Validate integer class labels ``(N,)`` in ``0..num_classes-1``; return them as int64."""
    labels = _as_tensor(labels, "labels")
    if labels.dim() != 1 or len(labels) != num:
        raise ValueError(
            f"labels must have shape ({num},) to match the predictions, got {tuple(labels.shape)}."
        )
    if labels.is_floating_point() or labels.dtype == torch.bool:
        raise ValueError(f"labels must be integer class indices, got {labels.dtype}.")
    labels = labels.long()
    low, high = torch.aminmax(labels)
    if low < 0 or high >= num_classes:
        raise ValueError(
            f"labels must lie in 0..{num_classes - 1} (found {low.item()}.."
            f"{high.item()}); pass class indices, not one-hot vectors."
        )
    return labels


def _check_binary(scores: torch.Tensor | np.ndarray, targets: torch.Tensor | np.ndarray):
    scores = _as_tensor(scores, "scores")
    targets = _as_tensor(targets, "targets")
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


# ---------------------------------------------------------------------------------------------
# calibration
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# proper scoring rules
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# entropy and its split
# ---------------------------------------------------------------------------------------------


def entropy(probs: torch.Tensor | np.ndarray) -> torch.Tensor:
    r"""Shannon entropy :math:`H[p] = -\sum_c p_c \log p_c` in nats, with :math:`0 \log 0 = 0`.

    Shapes:
        probs: ``(N, C)`` → ``(N,)``.
    """
    probs = check_probs(probs).double()
    return -torch.special.xlogy(probs, probs).sum(dim=1)


def _check_members(member_probs: torch.Tensor | np.ndarray) -> torch.Tensor:
    member_probs = _as_tensor(member_probs, "member_probs")
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
        member_probs: ``(M, N, C)`` → ``(N,)``, non-negative.
    """
    total, aleatoric = entropy_split(member_probs)[:2]
    return total - aleatoric


def entropy_split(member_probs: torch.Tensor | np.ndarray) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(total, aleatoric, epistemic)`` entropies per input, see :func:`mutual_information`.

    Shapes:
        member_probs: ``(M, N, C)`` → three tensors ``(N,)``.
    """
    member_probs = _check_members(member_probs)
    mean = member_probs.mean(dim=0)
    total = -torch.special.xlogy(mean, mean).sum(dim=1)
    aleatoric = -torch.special.xlogy(member_probs, member_probs).sum(dim=2).mean(dim=0)
    return total, aleatoric, (total - aleatoric).clamp_min(0.0)


# ---------------------------------------------------------------------------------------------
# OOD detection: AUROC and AUPR
# ---------------------------------------------------------------------------------------------


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
    scores, targets = _check_binary(scores, targets)
    order = torch.argsort(scores)
    sorted_scores = scores[order]
    _, inverse, counts = torch.unique_consecutive(sorted_scores, return_inverse=True, return_counts=True)
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
    scores, targets = _check_binary(scores, targets)
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


# ---------------------------------------------------------------------------------------------
# temperature scaling
# ---------------------------------------------------------------------------------------------


def _check_logits(logits: torch.Tensor | np.ndarray) -> torch.Tensor:
    logits = _as_tensor(logits, "logits")
    if logits.dim() != 2 or logits.shape[1] < 2 or not logits.is_floating_point():
        raise ValueError(f"logits must be a float tensor (N, C) with C >= 2, got {logits.dtype} {tuple(logits.shape)}.")
    if not torch.isfinite(logits).all():
        raise ValueError("logits contain NaN or inf.")
    return logits.double()


def fit_temperature(
    logits: torch.Tensor | np.ndarray,
    labels: torch.Tensor | np.ndarray,
    *,
    bounds: tuple[float, float] = (0.05, 20.0),
    num_iterations: int = 60,
) -> float:
    r"""Temperature scaling (Guo et al. 2017): the :math:`T` minimising the validation NLL.

    The NLL of :math:`\mathrm{softmax}(z/T)` is convex in :math:`\beta = 1/T`, with derivative

    .. math::
        \frac{\partial}{\partial\beta}\mathrm{NLL} = \frac1N \sum_i
        \Bigl(\sum_c \mathrm{softmax}(\beta z_i)_c\, z_{ic} - z_{i y_i}\Bigr),

    which increases in :math:`\beta`; bisection on its sign finds the minimum.

    Args:
        logits: Validation logits (not probabilities).
        labels: Validation labels.
        bounds: Search interval for ``T``; a bound is returned when the optimum lies beyond it.
        num_iterations: Bisection steps (60 halve the interval far below float precision).

    Shapes:
        logits: ``(N, C)``; labels: ``(N,)``.

    Returns:
        The temperature ``T > 0``; divide logits by it before the softmax.
    """
    logits = _check_logits(logits)
    labels = check_labels(labels, *logits.shape)
    low_t, high_t = bounds
    if not 0 < low_t < high_t:
        raise ValueError(f"bounds must satisfy 0 < low < high, got {bounds}.")
    true_logit = logits.gather(1, labels[:, None]).squeeze(1)

    def slope(beta: float) -> float:
        p = torch.softmax(beta * logits, dim=1)
        return float(((p * logits).sum(dim=1) - true_logit).mean())

    lo, hi = 1.0 / high_t, 1.0 / low_t  # beta interval
    if slope(lo) >= 0:
        return high_t
    if slope(hi) <= 0:
        return low_t
    for _ in range(num_iterations):
        mid = 0.5 * (lo + hi)
        if slope(mid) > 0:
            hi = mid
        else:
            lo = mid
    return 1.0 / (0.5 * (lo + hi))


# ---------------------------------------------------------------------------------------------
# selective prediction
# ---------------------------------------------------------------------------------------------


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
    confidence = _as_tensor(confidence, "confidence")
    correct = _as_tensor(correct, "correct")
    if confidence.dim() != 1 or correct.shape != confidence.shape or len(confidence) == 0:
        raise ValueError(
            f"confidence and correct must be 1-D of one length, got {tuple(confidence.shape)} and "
            f"{tuple(correct.shape)}."
        )
    if not confidence.is_floating_point():
        raise ValueError("confidence must be floating point.")
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


# ---------------------------------------------------------------------------------------------
# Bayes decisions from a cost table
# ---------------------------------------------------------------------------------------------


def _check_cost(cost: torch.Tensor | np.ndarray, num_classes: int | None = None) -> torch.Tensor:
    cost = _as_tensor(cost, "cost").double()
    if cost.dim() != 2 or cost.shape[0] < 1 or (num_classes is not None and cost.shape[1] != num_classes):
        want = f"(A, {num_classes})" if num_classes is not None else "(A, C)"
        raise ValueError(
            f"cost must have shape {want}: one row per action, one column per true class; "
            f"got {tuple(cost.shape)}."
        )
    return cost


def bayes_decisions(probs: torch.Tensor | np.ndarray, cost: torch.Tensor | np.ndarray) -> torch.Tensor:
    r"""The action of least expected cost for every input.

    .. math::
        a^\star(x) = \arg\min_a \sum_c \mathrm{cost}(a, c)\, p(c \mid x).

    Args:
        probs: Class probabilities.
        cost: ``cost[a, c]`` is the cost of action ``a`` when the true class is ``c``.

    Shapes:
        probs: ``(N, C)``; cost: ``(A, C)`` → actions ``(N,)`` in ``0..A-1``.
    """
    probs = check_probs(probs).double()
    cost = _check_cost(cost, probs.shape[1])
    return (probs @ cost.T).argmin(dim=1)


def expected_cost(
    actions: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray, cost: torch.Tensor | np.ndarray
) -> float:
    """Mean realised cost ``cost[action_i, label_i]`` of a set of decisions.

    Shapes:
        actions: ``(N,)``; labels: ``(N,)``; cost: ``(A, C)``.
    """
    cost = _check_cost(cost)
    actions = check_labels(actions, len(_as_tensor(actions, "actions")), cost.shape[0])
    labels = check_labels(labels, len(actions), cost.shape[1])
    return float(cost[actions, labels].mean())


def binary_decision_regions(cost: torch.Tensor | np.ndarray) -> list[tuple[float, float, int]]:
    r"""For two classes, the intervals of :math:`p = P(c = 1 \mid x)` where each action is optimal.

    Action ``a`` costs :math:`(1-p)\,\mathrm{cost}(a,0) + p\,\mathrm{cost}(a,1)`, a line in
    ``p``; the Bayes rule follows the lower envelope of the lines, and its break points are the
    decision thresholds.

    Args:
        cost: ``(A, 2)`` cost table.

    Returns:
        ``[(p_low, p_high, action), ...]`` covering [0, 1] from left to right.
    """
    cost = _check_cost(cost, 2)
    a0, a1 = cost[:, 0], cost[:, 1]
    slope = a1 - a0
    points = {0.0, 1.0}
    for i in range(len(cost)):
        for j in range(i + 1, len(cost)):
            if slope[i] != slope[j]:
                p = float((a0[j] - a0[i]) / (slope[i] - slope[j]))
                if 0 < p < 1:
                    points.add(p)
    edges = sorted(points)
    regions: list[tuple[float, float, int]] = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        mid = 0.5 * (lo + hi)
        action = int((a0 + slope * mid).argmin())
        if regions and regions[-1][2] == action:
            regions[-1] = (regions[-1][0], hi, action)
        else:
            regions.append((lo, hi, action))
    return regions


# ---------------------------------------------------------------------------------------------
# label shift
# ---------------------------------------------------------------------------------------------


def _check_prior(prior: torch.Tensor | np.ndarray, num_classes: int, name: str) -> torch.Tensor:
    prior = _as_tensor(prior, name).double()
    if prior.shape != (num_classes,) or (prior < 0).any() or abs(float(prior.sum()) - 1) > 1e-6:
        raise ValueError(f"{name} must be {num_classes} non-negative class frequencies summing to 1.")
    return prior


def correct_label_shift(
    probs: torch.Tensor | np.ndarray,
    source_prior: torch.Tensor | np.ndarray,
    target_prior: torch.Tensor | np.ndarray,
) -> torch.Tensor:
    r"""Re-weight posteriors for new class priors (Saerens et al. 2002).

    Under label shift :math:`p(x \mid y)` is unchanged, so

    .. math::
        q(y \mid x) \propto p(y \mid x)\, \frac{q(y)}{p(y)}.

    Shapes:
        probs: ``(N, C)``; priors: ``(C,)`` → ``(N, C)``.
    """
    probs = check_probs(probs).double()
    c = probs.shape[1]
    weight = _check_prior(target_prior, c, "target_prior") / _check_prior(source_prior, c, "source_prior")
    adjusted = probs * weight
    return adjusted / adjusted.sum(dim=1, keepdim=True)


def estimate_target_prior(
    probs: torch.Tensor | np.ndarray,
    source_prior: torch.Tensor | np.ndarray,
    *,
    num_iterations: int = 200,
    tol: float = 1e-10,
) -> torch.Tensor:
    """EM estimate of the test set's class priors from unlabelled predictions (Saerens et al. 2002).

    Alternates :func:`correct_label_shift` (E step) with averaging the corrected posteriors
    (M step).

    Shapes:
        probs: ``(N, C)``; source_prior: ``(C,)`` → ``(C,)``.
    """
    probs = check_probs(probs).double()
    source = _check_prior(source_prior, probs.shape[1], "source_prior")
    prior = source.clone()
    for _ in range(num_iterations):
        adjusted = probs * (prior / source)
        adjusted = adjusted / adjusted.sum(dim=1, keepdim=True)
        new = adjusted.mean(dim=0)
        if (new - prior).abs().max() < tol:
            prior = new
            break
        prior = new
    return prior
