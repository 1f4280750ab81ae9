r"""Spatial (soft) attention over a CNN's grid of features, as in image captioning with attention
(Xu et al. 2015), on garments placed at random in a larger blank canvas.

A small CNN turns a ``56 x 56`` canvas into a ``14 x 14`` grid of feature vectors ``f_i`` (one
per cell of ``4 x 4`` pixels). Attention pooling scores every cell against one learnt query
``q``, takes the softmax over the ``H W`` cells and averages the cells' features with those
weights; a linear layer classifies the average:

.. math:: \alpha = \mathrm{softmax}_i\!\left(\frac{q \cdot W_K f_i}{\sqrt d}\right), \qquad
    z = \sum_{i=1}^{HW} \alpha_i f_i, \qquad \hat y = W z + b

It is the cross-attention of :mod:`lib.understanding.retrieval` with a single query that is a
parameter, and the grid's cells as keys and values. The baseline replaces the weights by the
uniform ``1 / HW`` (global average pooling).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from lib.checkpoints import train_or_load
from lib.checks import check_config, check_int, check_shape
from lib.data import load_fashion_mnist
from lib.models import Standardize
from lib.reproducibility import make_generator, seed_everything
from lib.training import ShuffledBatches, fit, images_to_float
from lib.understanding.attention import scaled_dot_product_attention

POOLINGS = ("attention", "mean")


def random_corners(
    num_images: int, *, image_size: int = 28, canvas_size: int = 56, seed: int = 0
) -> torch.Tensor:
    """Top-left corners ``(row, column)`` of images placed uniformly at random in a canvas.

    Shapes:
        -> int64 ``(num_images, 2)``, each in ``0..canvas_size - image_size``.
    """
    check_int(num_images, "num_images")
    if not 1 <= image_size <= canvas_size:
        raise ValueError(
            f"the image ({image_size} pixels) must fit in the canvas ({canvas_size} pixels)."
        )
    high = canvas_size - image_size + 1
    return torch.randint(0, high, (num_images, 2), generator=make_generator(seed))


def place_on_canvas(X: torch.Tensor, corners: torch.Tensor, canvas_size: int = 56) -> torch.Tensor:
    """Paste each image into a blank (zero) canvas with its top-left corner at ``corners``.

    Args:
        X: Images ``(N, h, w)``, any dtype (e.g. the uint8 images of :mod:`lib.data`).
        corners: ``(row, column)`` of each image's top-left pixel in its canvas, int ``(N, 2)``.
        canvas_size: Side ``S`` of the square canvas.

    Shapes:
        X ``(N, h, w)``, corners ``(N, 2)`` -> canvases ``(N, S, S)``, the dtype of ``X``.
    """
    check_shape(X, "X", (None, None, None), "images without a channel axis")
    check_shape(corners, "corners", (len(X), 2), "top-left (row, column) of each image")
    _, h, w = X.shape
    if corners.is_floating_point() or int(corners.min()) < 0:
        raise ValueError("corners must be non-negative integer pixel positions (row, column).")
    if int(corners[:, 0].max()) + h > canvas_size or int(corners[:, 1].max()) + w > canvas_size:
        raise ValueError(
            f"an image of {h} x {w} pixels at corner {corners.max(0).values.tolist()} leaves the "
            f"{canvas_size} x {canvas_size} canvas; draw corners with random_corners."
        )
    canvases = X.new_zeros(len(X), canvas_size, canvas_size)
    rows = corners[:, 0, None, None] + torch.arange(h)[None, :, None]  # (N, h, 1)
    cols = corners[:, 1, None, None] + torch.arange(w)[None, None, :]  # (N, 1, w)
    canvases[torch.arange(len(X))[:, None, None], rows, cols] = X
    return canvases


class AttentionPooling(nn.Module):
    """One learnt query attends over the cells of a feature grid; returns the weighted average.

    Args:
        channels: Features ``C`` per cell (the values' width).
        key_dim: Width ``d`` of the query and of the keys ``W_K f_i``.

    Shapes:
        features ``(B, C, H, W)`` -> pooled ``(B, C)`` and weights ``(B, H, W)`` (each map sums
        to 1).
    """

    def __init__(self, channels: int, key_dim: int = 16) -> None:
        super().__init__()
        check_int(channels, "channels")
        check_int(key_dim, "key_dim")
        self.query = nn.Parameter(torch.randn(1, 1, key_dim) / key_dim**0.5)
        self.key_proj = nn.Linear(channels, key_dim, bias=False)

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        check_shape(features, "features", (None, self.key_proj.in_features, None, None))
        B, C, H, W = features.shape
        cells = features.flatten(2).transpose(1, 2)  # (B, H * W, C): one token per grid cell
        query = self.query.expand(B, 1, -1)  # (B, 1, d): the same learnt query for every image
        pooled, weights = scaled_dot_product_attention(query, self.key_proj(cells), cells)
        return pooled[:, 0], weights.view(B, H, W)


class MeanPooling(nn.Module):
    """Global average pooling, written as attention with uniform weights ``1 / HW``.

    Shapes:
        features ``(B, C, H, W)`` -> pooled ``(B, C)`` and weights ``(B, H, W)``.
    """

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, _, H, W = features.shape
        weights = features.new_full((B, H, W), 1.0 / (H * W))
        return features.mean((2, 3)), weights


class GridClassifier(nn.Module):
    """Strided CNN to a grid of features, pooling (attention or mean), linear classifier.

    Args:
        pooling: ``"attention"`` (:class:`AttentionPooling`) or ``"mean"``
            (:class:`MeanPooling`).
        channels: Widths of the four 3 x 3 convolutions; the first two have stride 2, so the
            grid has a quarter of the canvas's side.
        num_classes: Classes.

    Shapes:
        canvases ``(B, 1, S, S)`` in [0, 1] -> logits ``(B, num_classes)``;
        :attr:`last_weights` keeps the pooling weights of the last call, ``(B, S / 4, S / 4)``.
    """

    def __init__(
        self,
        pooling: str = "attention",
        channels: tuple[int, int, int, int] = (8, 16, 32, 32),
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}.")
        layers: list[nn.Module] = [Standardize()]
        for i, (c_in, c_out) in enumerate(zip((1, *channels), channels, strict=False)):
            layers += [nn.Conv2d(c_in, c_out, 3, stride=2 if i < 2 else 1, padding=1), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.pool = AttentionPooling(channels[-1]) if pooling == "attention" else MeanPooling()
        self.head = nn.Linear(channels[-1], num_classes)
        self.last_weights: torch.Tensor | None = None

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if X.dim() != 4 or X.shape[1] != 1 or X.shape[-1] % 4 or not X.is_floating_point():
            raise ValueError(
                f"expected float canvases of shape (B, 1, S, S) with S divisible by 4, got "
                f"{X.dtype} {tuple(X.shape)}."
            )
        pooled, weights = self.pool(self.body(X))
        self.last_weights = weights.detach()
        return self.head(pooled)


def mass_in_boxes(
    weights: torch.Tensor, corners: torch.Tensor, *, box_size: int = 28, canvas_size: int = 56
) -> torch.Tensor:
    """Share of each attention map's weight that falls inside the image's box in the canvas.

    Each cell's weight is spread evenly over its ``canvas_size / H`` squared pixels, so a
    uniform map gives the box's share of the canvas, ``(box_size / canvas_size)^2``.

    Shapes:
        weights ``(N, H, W)`` (each map sums to 1), corners int ``(N, 2)`` -> ``(N,)``.
    """
    check_shape(weights, "weights", (None, None, None), "one attention map per image")
    check_shape(corners, "corners", (len(weights), 2), "top-left (row, column) of each box")
    _, H, W = weights.shape
    if canvas_size % H or canvas_size % W:
        raise ValueError(f"the {H} x {W} grid must divide the {canvas_size}-pixel canvas.")
    pixels = weights.repeat_interleave(canvas_size // H, 1).repeat_interleave(canvas_size // W, 2)
    pixels = pixels * (H * W) / canvas_size**2  # (N, S, S), each map still sums to 1
    inside = torch.ones(len(weights), box_size, box_size, dtype=pixels.dtype)
    box = place_on_canvas(inside, corners, canvas_size)
    return (pixels * box).sum((1, 2))


@torch.no_grad()
def predict_with_weights(
    model: GridClassifier, canvases: torch.Tensor, *, batch_size: int = 1000
) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits and pooling weights of ``model`` in evaluation mode, batch by batch.

    Shapes:
        canvases float ``(N, 1, S, S)`` -> logits ``(N, C)`` and weights ``(N, S / 4, S / 4)``.
    """
    check_shape(canvases, "canvases", (None, 1, None, None), "float canvases in [0, 1]")
    model.eval()
    device = next(model.parameters()).device
    logits, weights = [], []
    for i in range(0, len(canvases), batch_size):
        logits.append(model(canvases[i : i + batch_size].to(device)).cpu())
        weights.append(model.last_weights.cpu())
    return torch.cat(logits), torch.cat(weights)


@dataclass(frozen=True)
class SpatialAttentionConfig:
    """Everything that determines one trained :class:`GridClassifier`."""

    pooling: str = "attention"
    canvas_size: int = 56
    num_train: int = 20_000
    num_epochs: int = 2
    batch_size: int = 128
    lr: float = 3e-3
    seed: int = 0

    def __post_init__(self) -> None:
        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {self.pooling!r}.")
        for name in ("num_train", "num_epochs", "batch_size"):
            check_int(getattr(self, name), name)
        if self.canvas_size < 28 or self.canvas_size % 4:
            raise ValueError(
                f"canvas_size must be at least 28 (a garment) and divisible by 4, got "
                f"{self.canvas_size}."
            )
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}.")

    def data(self, split: str, num: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The first ``num`` garments of Fashion-MNIST's ``"train"`` or ``"test"`` split (training
        uses ``num_train``), each placed at a random corner of its canvas (seeded, differently
        per split).

        Returns:
            ``(canvases, y, corners)``: uint8 canvases ``(N, S, S)`` (convert them with
            :func:`lib.training.images_to_float`), labels ``(N,)``, corners ``(N, 2)``.
        """
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
        X, y = load_fashion_mnist(split)
        check_int(num, "num")
        if num > len(X):
            raise ValueError(f"asked for {num} images of the {split} split, which has {len(X)}.")
        seed = self.seed if split == "train" else self.seed + 1
        corners = random_corners(num, canvas_size=self.canvas_size, seed=seed)
        return place_on_canvas(X[:num], corners, self.canvas_size), y[:num], corners


def load_or_train_spatial_attention(
    config: SpatialAttentionConfig = SpatialAttentionConfig(),
    *,
    device: torch.device | str = "cpu",
) -> tuple[GridClassifier, dict]:
    """The :class:`GridClassifier` of ``config``, trained with Adam on its training canvases (or
    loaded from the cache).

    Returns:
        ``(model, metrics)``: the per-epoch training loss and the training seconds.
    """
    check_config(config, SpatialAttentionConfig)

    def build() -> GridClassifier:
        seed_everything(config.seed)
        return GridClassifier(config.pooling)

    def train(model: nn.Module) -> dict:
        canvases, y, _ = config.data("train", config.num_train)
        batches = ShuffledBatches(
            len(y),
            config.batch_size,
            lambda i: (images_to_float(canvases[i]), y[i]),
            generator=make_generator(config.seed),
        )
        history = fit(
            model,
            batches,
            num_epochs=config.num_epochs,
            optimizer=torch.optim.Adam(model.parameters(), lr=config.lr),
            desc=f"{config.pooling} pooling",
        )
        return {"train_loss": history.train_loss, "seconds": sum(history.seconds)}

    name = f"understanding-spatial-{config.pooling}"
    return train_or_load(name, asdict(config), build, train, device=device)
