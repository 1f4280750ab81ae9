"""Baseline Fashion-MNIST classifiers shared by the chapters.

Both take float images in [0, 1] of shape ``(B, 1, 28, 28)`` and return logits ``(B, 10)``;
they standardise their input themselves, so corruptions, generated samples and OOD digits can
be fed as plain pixel intensities.
"""

from __future__ import annotations

import torch
from torch import nn

FASHION_MNIST_MEAN = 0.2860
FASHION_MNIST_STD = 0.3530

PIXEL_LIMIT = 100.0
"""Non-negative inputs above this can only be 0..255 intensities, as can non-negative whole
numbers above 1 (``X.float()`` of uint8 images). The check on every forward pass is this loose on
purpose: inputs that leave [0, 1] on purpose must pass (SmoothGrad's noisy copies; class-model
visualisation, which reaches about -10..6); :func:`lib.checks.check_image_range` is the strict
check of metrics."""


def _check_images(X: torch.Tensor) -> None:
    if X.dim() != 4 or X.shape[1:] != (1, 28, 28) or not X.is_floating_point():
        raise ValueError(
            f"expected float images of shape (B, 1, 28, 28) in [0, 1], got {X.dtype} "
            f"{tuple(X.shape)}; convert uint8 data with lib.training.images_to_float."
        )
    if X.numel() == 0:
        return
    low, high = (float(v) for v in torch.aminmax(X.detach()))
    if low >= 0 and high > 1 and (high > PIXEL_LIMIT or torch.equal(X, X.round())):
        raise ValueError(
            f"expected float images in [0, 1], found values up to {high:.3g}: they look like "
            "0..255 intensities; divide by 255, or convert the uint8 images of lib.data with "
            "lib.training.images_to_float."
        )


class Standardize(nn.Module):
    """``(x - mean) / std`` with the Fashion-MNIST training-set statistics."""

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return (X - FASHION_MNIST_MEAN) / FASHION_MNIST_STD


class MLP(nn.Module):
    """A two-hidden-layer perceptron.

    Shapes:
        input ``(B, 1, 28, 28)`` → logits ``(B, num_classes)``.
    """

    def __init__(
        self, hidden: tuple[int, int] = (256, 128), num_classes: int = 10, dropout: float = 0.0
    ):
        super().__init__()
        self.net = nn.Sequential(
            Standardize(),
            nn.Flatten(),
            nn.Linear(28 * 28, hidden[0]),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden[0], hidden[1]),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden[1], num_classes),
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        _check_images(X)
        return self.net(X)


class SmallCNN(nn.Module):
    """Two 3×3 convolution blocks and a small classifier head, sized for a laptop CPU.

    ``dropout`` sits before each linear layer of the head; with ``dropout > 0`` the same network
    serves MC dropout (Gal & Ghahramani 2016) in the uncertainty chapter.

    Shapes:
        input ``(B, 1, 28, 28)`` → features ``(B, hidden)`` (:meth:`features`) →
        logits ``(B, num_classes)``.
    """

    def __init__(
        self,
        channels: tuple[int, int] = (16, 32),
        hidden: int = 128,
        num_classes: int = 10,
        dropout: float = 0.0,
    ):
        super().__init__()
        c1, c2 = channels
        self.body = nn.Sequential(
            Standardize(),
            nn.Conv2d(1, c1, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(c2 * 7 * 7, hidden),
            nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, num_classes))

    def features(self, X: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer features ``(B, hidden)`` (used for Fréchet distances)."""
        _check_images(X)
        return self.body(X)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(X))
