"""Batched data augmentation: every image of a batch draws its own random parameters.

``torchvision.transforms.v2`` treats a tensor ``(B, C, H, W)`` as *one* batch of images and
draws one random setting per call, so a whole batch is flipped, shifted or erased alike. The
functions here draw one setting per image and apply all of them in a single tensor operation,
with the same distributions as the torchvision transform named in each docstring (tested in
``tests/understanding/test_augmentation.py``).

References:
    Krizhevsky, Sutskever & Hinton (2012), flips and random crops; Zhong, Zheng, Kang, Li & Yang
    (2020), *Random erasing data augmentation*.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F

MAX_ERASING_ATTEMPTS = 10
"""Rectangles drawn per image before random erasing gives up, as in torchvision."""


def _check_batch(X: torch.Tensor) -> None:
    if not isinstance(X, torch.Tensor) or X.dim() != 4 or not X.is_floating_point():
        shape = tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__
        raise ValueError(
            f"expected a float batch of images (B, C, H, W), got {shape}; convert uint8 images "
            "with lib.training.images_to_float."
        )


def _check_generator(generator: object) -> None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator must be a torch.Generator or None, got {type(generator).__name__}; pass "
            "torch.Generator().manual_seed(seed), or lib.reproducibility.make_generator(seed)."
        )


def _check_probability(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1], got {p}.")


def _uniform(low: float, high: float, shape: tuple[int, ...], generator) -> torch.Tensor:
    return low + (high - low) * torch.rand(shape, generator=generator)


def random_flip(
    X: torch.Tensor, *, p: float = 0.5, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Mirror each image left-right with probability ``p``, independently per image.

    Per image the same as ``torchvision.transforms.v2.RandomHorizontalFlip(p)``.

    Shapes:
        X: ``(B, C, H, W)`` float -> ``(B, C, H, W)``.
    """
    _check_batch(X)
    _check_probability(p)
    _check_generator(generator)
    flip = torch.rand(len(X), generator=generator) < p
    return torch.where(flip[:, None, None, None], X.flip(-1), X)


def _check_padding(padding: int) -> None:
    if not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be a non-negative int, got {padding!r}.")


def _check_offsets(X: torch.Tensor, top: torch.Tensor, left: torch.Tensor, padding: int) -> None:
    """The checks of :func:`translate`: a batch, and integer offsets ``(B,)`` in range."""
    _check_batch(X)
    _check_padding(padding)
    B = len(X)
    for name, offset in (("top", top), ("left", left)):
        if not isinstance(offset, torch.Tensor) or offset.is_floating_point():
            raise ValueError(f"{name} must be an integer tensor ({B},) of pixel offsets.")
    if top.shape != (B,) or left.shape != (B,):
        raise ValueError(f"top and left must have shape ({B},), got {tuple(top.shape)}, "
                         f"{tuple(left.shape)}.")  # fmt: skip
    if min(top.min(), left.min()) < 0 or max(top.max(), left.max()) > 2 * padding:
        raise ValueError(f"top and left must lie in 0..{2 * padding} for padding {padding}.")


def translate(X: torch.Tensor, top: torch.Tensor, left: torch.Tensor, padding: int) -> torch.Tensor:
    """Crop image ``b`` of the zero-padded batch at ``(top[b], left[b])``, keeping its size.

    ``top = left = padding`` leaves an image unchanged; ``top = padding + 1`` moves it up by
    one pixel. One gather does the whole batch.

    Shapes:
        X: ``(B, C, H, W)``; top, left: ``(B,)`` int64 in ``0..2 * padding`` -> ``(B, C, H, W)``.
    """
    _check_offsets(X, top, left, padding)
    B, _, H, W = X.shape
    padded = F.pad(X, (padding, padding, padding, padding)).permute(0, 2, 3, 1)
    rows = (top[:, None] + torch.arange(H))[:, :, None]  # (B, H, 1)
    cols = (left[:, None] + torch.arange(W))[:, None, :]  # (B, 1, W)
    return padded[torch.arange(B)[:, None, None], rows, cols].permute(0, 3, 1, 2).contiguous()


def random_translate(
    X: torch.Tensor, *, padding: int = 2, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Shift each image by its own random offset of ``-padding..padding`` pixels per axis.

    Pads with zeros and crops back to the original size at a uniformly drawn corner, per image
    the same as ``torchvision.transforms.v2.RandomCrop((H, W), padding=padding)``.

    Shapes:
        X: ``(B, C, H, W)`` float -> ``(B, C, H, W)``.
    """
    _check_batch(X)
    _check_padding(padding)
    _check_generator(generator)
    B = len(X)
    top = torch.randint(0, 2 * padding + 1, (B,), generator=generator)
    left = torch.randint(0, 2 * padding + 1, (B,), generator=generator)
    return translate(X, top, left, padding)


def random_erasing(
    X: torch.Tensor,
    *,
    p: float = 0.5,
    scale: tuple[float, float] = (0.02, 0.33),
    ratio: tuple[float, float] = (0.3, 3.3),
    value: float = 0.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Random erasing (Zhong et al. 2020): with probability ``p``, fill a random rectangle.

    Each image draws up to :data:`MAX_ERASING_ATTEMPTS` rectangles of area
    :math:`s\,HW` with :math:`s \sim U(\text{scale})` and aspect ratio :math:`r` with
    :math:`\log r \sim U(\log \text{ratio})`, so :math:`h = \mathrm{round}(\sqrt{s H W r})`,
    :math:`w = \mathrm{round}(\sqrt{s H W / r})`; the first that fits (:math:`h < H`,
    :math:`w < W`) is placed uniformly and filled with ``value``; an image none fits stays as it
    is. Per image the same as ``torchvision.transforms.v2.RandomErasing(p, scale, ratio, value)``.

    Shapes:
        X: ``(B, C, H, W)`` float -> ``(B, C, H, W)``.
    """
    _check_batch(X)
    _check_probability(p)
    _check_generator(generator)
    for name, pair in (("scale", scale), ("ratio", ratio)):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"{name} must be a pair (low, high), got {pair!r}.")
    if not (0 < scale[0] <= scale[1] <= 1) or not (0 < ratio[0] <= ratio[1]):
        raise ValueError(
            f"scale must satisfy 0 < low <= high <= 1 and ratio 0 < low <= high, got {scale}, "
            f"{ratio}."
        )
    B, _, H, W = X.shape
    attempts = (B, MAX_ERASING_ATTEMPTS)
    area = H * W * _uniform(*scale, attempts, generator)
    aspect = torch.exp(_uniform(math.log(ratio[0]), math.log(ratio[1]), attempts, generator))
    h = torch.round(torch.sqrt(area * aspect)).long()
    w = torch.round(torch.sqrt(area / aspect)).long()
    fits = (h < H) & (w < W)
    first = fits.long().argmax(dim=1, keepdim=True)  # the first rectangle that fits
    h, w = h.gather(1, first).squeeze(1), w.gather(1, first).squeeze(1)
    top = (torch.rand(B, generator=generator) * (H - h + 1)).long()
    left = (torch.rand(B, generator=generator) * (W - w + 1)).long()
    erase = (torch.rand(B, generator=generator) < p) & fits.any(dim=1)
    rows, cols = torch.arange(H)[None, :, None], torch.arange(W)[None, None, :]
    inside = (
        (rows >= top[:, None, None])
        & (rows < (top + h)[:, None, None])
        & (cols >= left[:, None, None])
        & (cols < (left + w)[:, None, None])
    )
    mask = (inside & erase[:, None, None])[:, None]  # (B, 1, H, W)
    return X.masked_fill(mask, value)


@dataclass(frozen=True)
class BatchAugment:
    """Flip, translate and erase a batch, each image with its own random parameters.

    Attributes:
        flip_p: Probability of a left-right flip (0 for none: digits).
        padding: Largest shift in pixels (0 for none).
        erase_p: Probability of random erasing (0 for none).

    Shapes:
        ``augment(X, generator)``: ``(B, C, H, W)`` float -> ``(B, C, H, W)``.
    """

    flip_p: float = 0.5
    padding: int = 2
    erase_p: float = 0.5

    def __post_init__(self) -> None:
        for name in ("flip_p", "erase_p"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} is a probability in [0, 1] (0 for none), got {value}.")
        if self.padding < 0:
            raise ValueError(
                f"padding is the largest shift in pixels, >= 0 (0 for none), got {self.padding}."
            )

    def __call__(self, X: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        if self.flip_p > 0:
            X = random_flip(X, p=self.flip_p, generator=generator)
        if self.padding > 0:
            X = random_translate(X, padding=self.padding, generator=generator)
        if self.erase_p > 0:
            X = random_erasing(X, p=self.erase_p, generator=generator)
        return X


class AugmentedBatches:
    """Re-iterable ``(X, y)`` batches passed through ``augment`` on the fly, for :func:`fit`.

    Args:
        batches: A DataLoader or any re-iterable of ``(X, y)``.
        augment: ``augment(X, y) -> (X, y)``; it may change the labels too (mixup, CutMix give
            soft labels ``(B, C)``).
    """

    def __init__(
        self,
        batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
        augment: Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]],
    ) -> None:
        self.batches, self.augment = batches, augment

    def __len__(self) -> int:
        return len(self.batches)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for X, y in self.batches:
            yield self.augment(X, y)
