"""Input checks of class probabilities, labels and binary-detection scores, shared by the
calibration metrics of the core and the parts' metrics: each raises a ``ValueError`` that says
what to pass instead."""

from __future__ import annotations

import numbers

import numpy as np
import torch

EPS = 1e-12
"""Probabilities are clamped to at least this before taking a logarithm."""

SUM_TOLERANCE = 1e-3
"""How far a row of probabilities may sum from 1 (float32 softmax is within 1e-6)."""


def as_tensor(x: torch.Tensor | np.ndarray, name: str) -> torch.Tensor:
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
    probs = as_tensor(probs, name)
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
    labels = as_tensor(labels, "labels")
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


def check_binary(
    scores: torch.Tensor | np.ndarray, targets: torch.Tensor | np.ndarray
) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate binary-detection scores and 0/1 targets; return them as float64 and bool.

    Raises:
        ValueError: Not 1-D of one length, scores not finite floating point, targets not
            boolean or 0/1, or only one class present.

    Shapes:
        scores: ``(N,)``; targets: ``(N,)``.
    """
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


IMAGE_TOLERANCE = 1e-6
"""How far float images may stray outside [0, 1] (rounding of a rescaled generator output)."""


def check_image_range(X: torch.Tensor, name: str = "X") -> None:
    """Raise a ``ValueError`` unless the float images ``X`` hold intensities in [0, 1].

    The message says which mistake the range points to: 0..255 intensities (divide by 255, or
    :func:`lib.training.images_to_float`) or a tanh generator's [-1, 1] (map with ``(X + 1) / 2``).

    Shapes:
        X: any, e.g. ``(N, 1, 28, 28)``.
    """
    if X.numel() == 0:
        return
    low, high = (float(v) for v in torch.aminmax(X.detach()))
    if low >= -IMAGE_TOLERANCE and high <= 1 + IMAGE_TOLERANCE:
        return
    if high > 2:
        hint = (
            "they look like 0..255 intensities: divide by 255, or convert the uint8 images of "
            "lib.data with lib.training.images_to_float"
        )
    elif low < 0:
        hint = f"they look like images in [-1, 1] (a tanh output): pass ({name} + 1) / 2"
    else:
        hint = "pass finite intensities in [0, 1]"
    raise ValueError(
        f"{name} must hold pixel intensities in [0, 1], found values in [{low:.3g}, {high:.3g}]; "
        f"{hint}."
    )


def check_int(value: object, name: str, minimum: int = 1) -> None:
    """Raise a ``ValueError`` unless ``value`` is an integer (Python or numpy, not a bool) of at
    least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an int of at least {minimum}, got {value!r}.")


def check_tensor(x: object, name: str) -> None:
    """Raise a ``TypeError`` unless ``x`` is a ``torch.Tensor`` (say how to convert an array)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor, got {type(x).__name__}; convert a numpy array "
            f"with torch.from_numpy({name}) (or torch.as_tensor for a list)."
        )


def check_shape(
    x: object, name: str, shape: tuple[int | None, ...], what: str | None = None
) -> None:
    """Raise unless ``x`` is a ``torch.Tensor`` of ``shape`` (``None`` matches any size).

    The message names the expected shape with ``N`` for a free size, e.g. ``(N, 2)``, and says
    what the argument holds (``what``), e.g. "2-D samples".
    """
    check_tensor(x, name)
    if x.dim() != len(shape) or any(
        s is not None and s != n for s, n in zip(shape, x.shape, strict=True)
    ):
        sizes = ["N" if s is None else str(s) for s in shape]
        expected = f"({sizes[0]},)" if len(sizes) == 1 else "(" + ", ".join(sizes) + ")"
        holds = f" ({what})" if what else ""
        raise ValueError(f"{name} must have shape {expected}{holds}, got {tuple(x.shape)}.")


def check_config(config: object, cls: type, name: str = "config") -> None:
    """Raise a ``TypeError`` unless ``config`` is an instance of the dataclass ``cls`` (not a dict
    or a name)."""
    if not isinstance(config, cls):
        raise TypeError(
            f"{name} must be a {cls.__name__}, got {type(config).__name__}; pass "
            f"{cls.__name__}(...) with the settings as keyword arguments, e.g. "
            f"{cls.__name__}(**settings) for a dict."
        )
