"""mixup and CutMix: train on pairs of images mixed together, with their labels mixed alike.

Both pair image ``b`` of a batch with image ``b - 1`` (the batch rolled by one, as
``torchvision.transforms.v2`` does; the loader shuffles, so the pairs are random) and give the
pair's label weights ``lam`` and ``1 - lam``:

* mixup (Zhang, Cisse, Dauphin & Lopez-Paz 2018) blends the whole images,
  ``x = lam * x_b + (1 - lam) * x_{b-1}``;
* CutMix (Yun et al. 2019) pastes a box of image ``b - 1`` into image ``b``, and ``lam`` is the
  share of image ``b`` left visible.

``lam`` is drawn by the caller, ``lam ~ Beta(alpha, alpha)``; given the same ``lam`` (and, for
CutMix, the same box), the results equal ``torchvision.transforms.v2.MixUp`` and ``CutMix``
(tested in ``tests/understanding/test_mixing.py``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lib.checks import check_int, check_tensor

Box = tuple[int, int, int, int]
"""A rectangle ``(x1, y1, x2, y2)`` in pixels: columns ``x1:x2`` and rows ``y1:y2``."""


def _check(images: torch.Tensor, targets: torch.Tensor, num_classes: int | None) -> torch.Tensor:
    """The targets as float probabilities ``(B, num_classes)``, after checking both inputs."""
    if not isinstance(images, torch.Tensor) or images.dim() != 4 or not images.is_floating_point():
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(
            f"images must be a float batch (B, C, H, W), got {shape}; convert uint8 images "
            "with lib.training.images_to_float."
        )
    check_tensor(targets, "targets")
    if targets.dim() == 1:
        if num_classes is None:
            raise ValueError(
                "targets are class indices (B,): pass num_classes, or pass probabilities (B, C)."
            )
        check_int(num_classes, "num_classes", minimum=2)
        if targets.is_floating_point() or targets.dtype == torch.bool:
            raise ValueError(
                f"targets of shape (B,) must be integer class indices, got {targets.dtype}; pass "
                "y.long(), or probabilities of shape (B, C)."
            )
        if len(targets) and (targets.min() < 0 or targets.max() >= num_classes):
            raise ValueError(
                f"targets must be class indices in 0..{num_classes - 1} for num_classes="
                f"{num_classes}, found {int(targets.min())}..{int(targets.max())}."
            )
        targets = F.one_hot(targets.long(), num_classes)
    elif targets.dim() != 2:
        raise ValueError(
            "targets must be class indices (B,) or probabilities (B, C), got "
            f"{tuple(targets.shape)}."
        )
    if len(targets) != len(images):
        raise ValueError(f"{len(images)} images but {len(targets)} targets; pass one per image.")
    return targets.float()


def _check_lam(lam: float) -> None:
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must lie in [0, 1] (a draw of Beta(alpha, alpha)), got {lam}.")


def _check_mix(values: torch.Tensor, lam: float) -> None:
    check_tensor(values, "values")
    if not values.is_floating_point():
        raise ValueError(
            f"values must be floating point (images or label probabilities), got {values.dtype}; "
            "mix one-hot labels, F.one_hot(y, num_classes).float(), not class indices."
        )
    _check_lam(lam)


def _check_box_size(height: int, width: int, lam: float, generator: object) -> None:
    _check_lam(lam)
    check_int(height, "height")
    check_int(width, "width")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator must be a torch.Generator or None, got {type(generator).__name__}."
        )


def _check_box(box: Box, height: int, width: int) -> None:
    if not isinstance(box, (tuple, list)) or len(box) != 4:
        raise ValueError(f"box must be (x1, y1, x2, y2), e.g. from cutmix_box, got {box!r}.")
    x1, y1, x2, y2 = box
    if not (0 <= x1 <= x2 <= width and 0 <= y1 <= y2 <= height):
        raise ValueError(
            f"box {box} must satisfy 0 <= x1 <= x2 <= {width} and 0 <= y1 <= y2 <= {height}."
        )


def mix(values: torch.Tensor, lam: float) -> torch.Tensor:
    """``lam * values[b] + (1 - lam) * values[b - 1]`` for every ``b`` (the first with the last).

    Shapes:
        values: ``(B, ...)`` float -> ``(B, ...)``.
    """
    _check_mix(values, lam)
    return lam * values + (1 - lam) * values.roll(1, dims=0)


def mixup(
    images: torch.Tensor, targets: torch.Tensor, lam: float, *, num_classes: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """mixup (Zhang et al. 2018): blend each image and its label with the previous one's.

    Args:
        images: A float batch.
        targets: Class indices (then pass ``num_classes``) or probabilities per image.
        lam: Weight of each image's own content and label, in ``[0, 1]``.
        num_classes: Number of classes, for class-index targets.

    Returns:
        ``(mixed images, mixed targets)``; the targets are probabilities.

    Shapes:
        images: ``(B, C, H, W)``; targets: ``(B,)`` int or ``(B, K)`` float
        -> ``(B, C, H, W)``, ``(B, K)``.
    """
    targets = _check(images, targets, num_classes)
    _check_lam(lam)
    return mix(images, lam), mix(targets, lam)


def cutmix_box(
    height: int, width: int, lam: float, *, generator: torch.Generator | None = None
) -> Box:
    """CutMix's box: side ``sqrt(1 - lam)`` of the image's, centred at a uniform random pixel.

    The box is clipped at the image's border, so it may cover less than ``1 - lam`` of the
    image; :func:`cutmix` weights the labels by the area actually pasted. Draws the centre's
    column, then its row, as ``torchvision.transforms.v2.CutMix`` does.

    Returns:
        ``(x1, y1, x2, y2)``: the box covers columns ``x1:x2`` and rows ``y1:y2``.
    """
    _check_box_size(height, width, lam, generator)
    cx = int(torch.randint(width, (1,), generator=generator))
    cy = int(torch.randint(height, (1,), generator=generator))
    half = 0.5 * math.sqrt(1.0 - lam)
    half_w, half_h = int(half * width), int(half * height)
    return (
        max(cx - half_w, 0),
        max(cy - half_h, 0),
        min(cx + half_w, width),
        min(cy + half_h, height),
    )


def cutmix(
    images: torch.Tensor, targets: torch.Tensor, box: Box, *, num_classes: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """CutMix (Yun et al. 2019): paste ``box`` of the previous image into each image.

    The label weight of each image's own class is the share of it left visible,
    ``lam = 1 - box area / (H W)``.

    Args, returns and shapes as in :func:`mixup`, with ``box`` = ``(x1, y1, x2, y2)`` inside the
    image (e.g. from :func:`cutmix_box`) in place of ``lam``.
    """
    targets = _check(images, targets, num_classes)
    H, W = images.shape[-2:]
    _check_box(box, H, W)
    x1, y1, x2, y2 = box
    mixed = images.clone()
    mixed[..., y1:y2, x1:x2] = images.roll(1, dims=0)[..., y1:y2, x1:x2]
    lam = 1.0 - (x2 - x1) * (y2 - y1) / (W * H)
    return mixed, mix(targets, lam)
