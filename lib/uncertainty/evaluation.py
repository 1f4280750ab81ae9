"""The chapter's evaluation sets (shifted test sets, out-of-distribution inputs) and the metrics
table of a predictor on the shifted sets (Ovadia et al. 2019).

A *predictor* is any function from float images ``(N, 1, 28, 28)`` to class probabilities
``(N, C)``; :func:`evaluate_on_shift` runs it on the clean test images and on every corruption
and severity, and returns accuracy, ECE, NLL and Brier score per set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch

from lib.calibration import expected_calibration_error
from lib.checks import check_int, check_probs, check_shape
from lib.corruptions import CLEAN, CORRUPTIONS, SEVERITIES, by_severity, check_tuple, corrupt
from lib.data import load_fashion_mnist, load_mnist_test
from lib.training import images_to_float
from lib.uncertainty.metrics import accuracy, brier_score, nll

Predictor = Callable[[torch.Tensor], torch.Tensor]


def shift_suite(
    num_images: int = 1000, *, names: tuple[str, ...] = CORRUPTIONS, seed: int = 0
) -> tuple[dict[tuple[str, int], torch.Tensor], torch.Tensor]:
    """The first ``num_images`` Fashion-MNIST test images, clean and under every corruption.

    Returns:
        ``(sets, y)``: ``sets[(name, severity)]`` float images ``(num_images, 1, 28, 28)``, with
        :data:`CLEAN` for the clean images; ``y`` the labels ``(num_images,)``.
    """
    check_int(num_images, "num_images")
    check_tuple(names, "names", "('contrast',)")
    X, y = load_fashion_mnist("test")
    if not 1 <= num_images <= len(X):
        raise ValueError(f"num_images must be in 1..{len(X)}, got {num_images}.")
    X = images_to_float(X[:num_images])
    sets = {CLEAN: X}
    for name in names:
        for s in SEVERITIES:
            sets[(name, s)] = corrupt(X, name, s, seed=seed)
    return sets, y[:num_images]


def ood_inputs(num_images: int = 2000) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """In-distribution and out-of-distribution inputs: Fashion-MNIST and MNIST test images.

    Args:
        num_images: How many of each, the first of each test set.

    Returns:
        ``(X_in, X_ood, is_ood)``: float images ``(num_images, 1, 28, 28)`` each, and the OOD
        label ``(2 * num_images,)`` bool of ``torch.cat([X_in, X_ood])``.
    """
    X_in, X_ood = load_fashion_mnist("test")[0], load_mnist_test()[0]
    if not 1 <= num_images <= min(len(X_in), len(X_ood)):
        raise ValueError(
            f"num_images must be in 1..{min(len(X_in), len(X_ood))}, got {num_images}."
        )
    X_in, X_ood = images_to_float(X_in[:num_images]), images_to_float(X_ood[:num_images])
    is_ood = torch.cat([torch.zeros(len(X_in)), torch.ones(len(X_ood))]).bool()
    return X_in, X_ood, is_ood


@dataclass
class ShiftResults:
    """Metrics of one predictor on every set of a shift suite.

    Attributes:
        metrics: ``metrics[metric][(name, severity)]`` for metric in accuracy, ece, nll, brier.
    """

    metrics: dict[str, dict[tuple[str, int], float]]

    def by_severity(self, metric: str) -> tuple[list[float], list[float], list[float]]:
        """Mean, min and max over corruption types at severity 0 (clean) to 5; six values each
        (:func:`lib.corruptions.by_severity`)."""
        return by_severity(self.metrics[metric])

    def shifted_mean(self, metric: str) -> float:
        """Mean of ``metric`` over every corrupted set (all types and severities)."""
        values = [v for k, v in self.metrics[metric].items() if k != CLEAN]
        return sum(values) / len(values)


def evaluate_probs(
    probs: Mapping[tuple[str, int], torch.Tensor], y: torch.Tensor, *, n_bins: int = 15
) -> ShiftResults:
    """Accuracy, ECE, NLL and Brier score for precomputed probabilities of every set."""
    if not isinstance(probs, Mapping):
        raise ValueError(
            f"probs must map each set (name, severity) to its probabilities, got "
            f"{type(probs).__name__}; pass predict_suite(predict, sets), or {{CLEAN: probs}} for "
            "one set."
        )
    metrics: dict[str, dict[tuple[str, int], float]] = {
        "accuracy": {},
        "ece": {},
        "nll": {},
        "brier": {},
    }
    for key, p in probs.items():
        metrics["accuracy"][key] = accuracy(p, y)
        metrics["ece"][key] = expected_calibration_error(p, y, n_bins=n_bins)
        metrics["nll"][key] = nll(p, y)
        metrics["brier"][key] = brier_score(p, y)
    return ShiftResults(metrics)


def predict_suite(
    predict: Predictor, sets: Mapping[tuple[str, int], torch.Tensor]
) -> dict[tuple[str, int], torch.Tensor]:
    """``predict`` applied to every set; returns probabilities ``(N, C)`` per key.

    Raises:
        TypeError: ``predict`` is not a function or ``sets`` not a mapping (the arguments
            swapped, or one tensor of images).
        ValueError: ``predict`` returns no probabilities (logits, say).
    """
    if not callable(predict) or isinstance(predict, Mapping):
        raise TypeError(
            f"predict must be a function from images to probabilities, got "
            f"{type(predict).__name__}; call predict_suite(predict, sets) in this order."
        )
    if not isinstance(sets, Mapping):
        raise TypeError(
            f"sets must map each (name, severity) to its images, got {type(sets).__name__}; pass "
            "the sets of shift_suite(...), or {CLEAN: X} for one set."
        )
    return {key: check_probs(predict(X), f"predict(sets[{key!r}])") for key, X in sets.items()}


def pooled_shift(
    X: torch.Tensor,
    y: torch.Tensor,
    severity: int,
    *,
    names: tuple[str, ...] = CORRUPTIONS,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """All corruption types at one severity, concatenated: one "shifted test set".

    Shapes:
        X: ``(N, 1, 28, 28)`` float in [0, 1]; y: ``(N,)`` → ``(len(names) * N, 1, 28, 28)``
        and ``(len(names) * N,)``.
    """
    check_tuple(names, "names", "('contrast',)")
    check_shape(y, "y", (len(X),), "integer labels, one per image of X")
    return torch.cat([corrupt(X, n, severity, seed=seed) for n in names]), y.repeat(len(names))
