"""Corruptions of grey-scale images in the style of ImageNet-C (Hendrycks & Dietterich 2019),
and a classifier's accuracy under them.

Eight corruption types, each at five severities (1 = mild, 5 = severe), applied to a batch of
images. Every corruption keeps shape and dtype: float images in [0, 1] stay float in [0, 1];
uint8 images are corrupted in [0, 1] and rounded back to uint8. Random corruptions draw from
their own ``torch.Generator`` seeded by ``seed``, so a corrupted test set is reproducible.
The severity parameters are chosen for 28×28 images; the distance to the clean image grows
with severity for every type (tested in ``tests/test_corruptions.py``). Non-square images keep
their shape: ``pixelate`` shrinks the longer side to the severity's side and the shorter one in
proportion, and ``rotate`` rotates in pixel units.

Shared by every part (the uncertainty part's shifted test sets, the augmentation page's
robustness check).

References:
    Hendrycks & Dietterich (2019), *Benchmarking neural network robustness to common
    corruptions and perturbations*.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import torch
import torch.nn.functional as F

from lib.reproducibility import make_generator

__all__ = [
    "CLEAN",
    "CORRUPTIONS",
    "SEVERITIES",
    "accuracy_under_corruption",
    "by_severity",
    "check_tuple",
    "corrupt",
    "corruption_suite",
]

SEVERITIES = (1, 2, 3, 4, 5)

_PARAMS: dict[str, tuple[float, ...]] = {
    "gaussian_noise": (0.04, 0.08, 0.12, 0.18, 0.26),  # noise standard deviation
    "impulse_noise": (0.01, 0.03, 0.06, 0.10, 0.16),  # fraction of salt-and-pepper pixels
    "gaussian_blur": (0.6, 0.9, 1.2, 1.6, 2.1),  # blur standard deviation in pixels
    "pixelate": (20, 16, 12, 9, 7),  # side of the low-resolution image in pixels
    "contrast": (0.6, 0.45, 0.32, 0.22, 0.14),  # contrast factor around the image mean
    "brightness": (0.1, 0.2, 0.3, 0.4, 0.5),  # intensity added before clipping
    "rotate": (8.0, 16.0, 24.0, 32.0, 40.0),  # rotation angle in degrees
    "translate": (2, 3, 4, 5, 6),  # shift in pixels
}
CORRUPTIONS = tuple(_PARAMS)
"""Names of the corruption types, noise first, then blur, digital and geometric ones."""


def _gaussian_noise(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    return x + s * torch.randn(x.shape, generator=g, dtype=x.dtype)


def _impulse_noise(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    u = torch.rand(x.shape, generator=g, dtype=x.dtype)
    out = x.clone()
    out[u < s / 2] = 0.0
    out[(u >= s / 2) & (u < s)] = 1.0
    return out


def _gaussian_blur(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    radius = math.ceil(3 * s)
    t = torch.arange(-radius, radius + 1, dtype=x.dtype)
    kernel = torch.exp(-(t**2) / (2 * s**2))
    kernel = kernel / kernel.sum()
    padded = F.pad(x, (radius, radius, radius, radius), mode="replicate")
    out = F.conv2d(padded, kernel.view(1, 1, 1, -1))
    return F.conv2d(out, kernel.view(1, 1, -1, 1))


def _pixelate(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    # The longer side shrinks to s pixels, the shorter one in proportion (square blocks).
    H, W = x.shape[-2:]
    longer = max(H, W)
    small_size = (max(1, round(s * H / longer)), max(1, round(s * W / longer)))
    small = F.interpolate(x, size=small_size, mode="area")
    return F.interpolate(small, size=(H, W), mode="nearest")


def _contrast(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    mean = x.mean(dim=(2, 3), keepdim=True)
    return (x - mean) * s + mean


def _brightness(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    return x + s


def _rotate(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    sign = torch.randint(0, 2, (len(x),), generator=g).to(x.dtype) * 2 - 1
    angle = sign * math.radians(s)
    cos, sin = torch.cos(angle), torch.sin(angle)
    zero = torch.zeros_like(cos)
    # affine_grid's coordinates run over [-1, 1] along each axis: a rotation in pixels is
    # diag(2/W, 2/H) R diag(W/2, H/2) in them (R itself only for square images).
    H, W = x.shape[-2:]
    theta = torch.stack(
        [torch.stack([cos, -sin * H / W, zero], 1), torch.stack([sin * W / H, cos, zero], 1)], 1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def _translate(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    shift = int(s)
    direction = torch.randint(0, 4, (len(x),), generator=g)
    out = torch.zeros_like(x)
    moves = {0: (shift, 0), 1: (-shift, 0), 2: (0, shift), 3: (0, -shift)}
    for d, (dy, dx) in moves.items():
        idx = direction == d
        if idx.any():
            rolled = torch.roll(x[idx], shifts=(dy, dx), dims=(2, 3))
            if dy > 0:
                rolled[:, :, :dy] = 0
            elif dy < 0:
                rolled[:, :, dy:] = 0
            if dx > 0:
                rolled[:, :, :, :dx] = 0
            elif dx < 0:
                rolled[:, :, :, dx:] = 0
            out[idx] = rolled
    return out


_FUNCTIONS: dict[str, Callable[[torch.Tensor, float, torch.Generator], torch.Tensor]] = {
    "gaussian_noise": _gaussian_noise,
    "impulse_noise": _impulse_noise,
    "gaussian_blur": _gaussian_blur,
    "pixelate": _pixelate,
    "contrast": _contrast,
    "brightness": _brightness,
    "rotate": _rotate,
    "translate": _translate,
}


def check_tuple(value: object, name: str, example: str) -> None:
    """Raise a ``ValueError`` if ``value`` is one ``str`` or ``int`` where a tuple of corruption
    names or severities belongs (``("contrast")`` is a string: a one-element tuple needs its
    comma, as in ``example``)."""
    if isinstance(value, (str, int)):
        raise ValueError(
            f"{name} must be a tuple, got {value!r}; pass a one-element tuple such as {example}."
        )


def _check_name_severity(name: str, severity: int) -> None:
    if name not in _PARAMS:
        raise ValueError(f"unknown corruption {name!r}; choose one of {', '.join(CORRUPTIONS)}.")
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be an int in 1..5, got {severity!r}.")


def corrupt(images: torch.Tensor, name: str, severity: int, *, seed: int = 0) -> torch.Tensor:
    """Apply corruption ``name`` at ``severity`` to a batch of grey-scale images.

    Args:
        images: uint8 in 0..255 or float in [0, 1].
        name: One of :data:`CORRUPTIONS`.
        severity: 1 (mild) to 5 (severe).
        seed: Seed of the corruption's own random generator (noise, rotation sign, shift
            direction).

    Shapes:
        images: ``(N, H, W)`` or ``(N, 1, H, W)`` → the same shape and dtype.

    Returns:
        The corrupted images, clipped to the valid range.
    """
    _check_name_severity(name, severity)
    if not isinstance(images, torch.Tensor):
        raise ValueError(f"images must be a torch.Tensor, got {type(images).__name__}.")
    squeeze = images.dim() == 3
    if images.dim() not in (3, 4) or (images.dim() == 4 and images.shape[1] != 1):
        raise ValueError(
            "images must have shape (N, H, W) or (N, 1, H, W) (grey-scale), "
            f"got {tuple(images.shape)}."
        )
    if images.dtype == torch.uint8:
        x = images.float() / 255.0
    elif images.is_floating_point():
        if images.numel() and (images.min() < 0 or images.max() > 1):
            raise ValueError(
                "float images must lie in [0, 1]; convert with lib.training.images_to_float."
            )
        x = images.float()
    else:
        raise ValueError(f"images must be uint8 or floating point, got {images.dtype}.")
    if squeeze:
        x = x.unsqueeze(1)
    g = make_generator(seed)
    out = _FUNCTIONS[name](x, _PARAMS[name][severity - 1], g).clamp_(0.0, 1.0)
    if squeeze:
        out = out.squeeze(1)
    if images.dtype == torch.uint8:
        return (out * 255.0).round_().to(torch.uint8)
    return out.to(images.dtype)


def corruption_suite(
    images: torch.Tensor,
    names: tuple[str, ...] = CORRUPTIONS,
    severities: tuple[int, ...] = SEVERITIES,
    *,
    seed: int = 0,
) -> dict[tuple[str, int], torch.Tensor]:
    """Every ``(name, severity)`` corrupted copy of ``images``, as a dict keyed by the pair.

    Shapes:
        images: ``(N, H, W)`` or ``(N, 1, H, W)``; each value has the same shape and dtype.
    """
    check_tuple(names, "names", "('gaussian_noise',)")
    check_tuple(severities, "severities", "(3,)")
    return {(n, s): corrupt(images, n, s, seed=seed) for n in names for s in severities}


CLEAN = ("clean", 0)
"""Key of the uncorrupted images in a table keyed by ``(name, severity)``: severity 0."""


def accuracy_under_corruption(
    predictors: Mapping[str, Callable[[torch.Tensor], torch.Tensor]],
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    names: tuple[str, ...] = CORRUPTIONS,
    severities: tuple[int, ...] = SEVERITIES,
    seed: int = 0,
) -> dict[str, dict[tuple[str, int], float]]:
    """Accuracy of classifiers on clean images and on every ``(name, severity)`` corruption.

    The images are corrupted once and every classifier sees the same corrupted copies, all
    sets in one call of its ``predict``.

    Args:
        predictors: Label → ``predict``, float images ``(M, 1, H, W)`` → class scores
            ``(M, C)`` (logits or probabilities; the arg-max is the prediction), e.g.
            ``{"plain": lambda X: lib.training.predict_logits(model, X)}``.
        X: Float images in [0, 1].
        y: Integer labels.
        names: Corruption types, from :data:`CORRUPTIONS`.
        severities: Severities, from :data:`SEVERITIES`.
        seed: Seed of the corruptions' random generator (noise, rotation sign, shift direction).

    Shapes:
        X: ``(N, 1, H, W)``; y: ``(N,)``.

    Returns:
        Label → ``table``, with ``table[(name, severity)]`` the accuracy in [0, 1] and
        ``table[CLEAN]`` the accuracy on the clean images.
    """
    if not isinstance(X, torch.Tensor) or X.dim() != 4 or not X.is_floating_point():
        raise ValueError(
            "X must be float images (N, 1, H, W) in [0, 1]; convert uint8 images with "
            "lib.training.images_to_float."
        )
    if not isinstance(y, torch.Tensor) or y.shape != (len(X),) or y.is_floating_point():
        raise ValueError(
            f"y must be integer labels of shape ({len(X)},), one per image, "
            f"got {getattr(y, 'shape', type(y).__name__)}."
        )
    if not isinstance(predictors, Mapping) or not predictors:
        raise ValueError("predictors must be a non-empty dict {label: predict}.")
    sets = {CLEAN: X, **corruption_suite(X, names, severities, seed=seed)}
    images = torch.cat(list(sets.values()))
    tables = {}
    for label, predict in predictors.items():
        scores = predict(images)
        if scores.dim() != 2 or len(scores) != len(images):
            raise ValueError(
                f"predict of {label!r} must return class scores (M, C) with M = {len(images)}, "
                f"one row per image, got {tuple(scores.shape)}."
            )
        hits = (scores.argmax(1).view(len(sets), len(X)) == y).float().mean(1)
        tables[label] = dict(zip(sets, hits.tolist(), strict=True))
    return tables


def by_severity(
    table: Mapping[tuple[str, int], float], severities: tuple[int, ...] = SEVERITIES
) -> tuple[list[float], list[float], list[float]]:
    """Mean, min and max over corruption types at each severity, the clean value first.

    Args:
        table: ``(name, severity)`` → a metric, with :data:`CLEAN` for the clean images, as
            in each table :func:`accuracy_under_corruption` returns.
        severities: The severities to summarise, in order.

    Returns:
        ``(means, lows, highs)``, each ``1 + len(severities)`` values: the clean value, then
        the mean (min, max) over the types at each severity.
    """
    if not isinstance(table, Mapping):
        raise ValueError(
            f"table must map (name, severity) to a value, got {type(table).__name__}; pass one "
            "table of accuracy_under_corruption's result, e.g. tables['plain']."
        )
    check_tuple(severities, "severities", "(3,)")
    if CLEAN not in table and table and all(isinstance(v, Mapping) for v in table.values()):
        raise ValueError(
            f"table maps labels {list(table)} to tables; pass one of them, e.g. "
            f"by_severity(tables[{next(iter(table))!r}])."
        )
    if CLEAN not in table:
        raise ValueError(f"table has no clean value: add it under the key CLEAN = {CLEAN}.")
    means, lows, highs = [table[CLEAN]], [table[CLEAN]], [table[CLEAN]]
    for s in severities:
        values = [v for (n, sev), v in table.items() if sev == s]
        if not values:
            raise ValueError(f"table has no value at severity {s}; its keys are (name, severity).")
        means.append(sum(values) / len(values))
        lows.append(min(values))
        highs.append(max(values))
    return means, lows, highs
