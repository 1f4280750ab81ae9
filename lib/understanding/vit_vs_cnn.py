"""The ViT and the book's CNN trained on Fashion-MNIST for a fixed number of steps each.

The 60,000 training images are split once (seeded) into 50,000 for training and 10,000 for
validation; the test set is left to the page, which evaluates each model on it once. The models
train for the same number of steps, and one forward pass of the ViT and of the book's CNN costs
about the same number of multiply-adds (see the page); the narrow CNN matches the ViT's
parameter count instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass

import torch
from torch import nn

from lib.checkpoints import train_or_load
from lib.checks import check_config
from lib.data import load_fashion_mnist
from lib.models import SmallCNN
from lib.reproducibility import make_generator, seed_everything
from lib.training import evaluate, fit, images_to_float, make_loader
from lib.understanding.vit import VisionTransformer

NUM_VALIDATION = 10_000
"""Training images held out for validation (the last of a seeded permutation of the 60,000)."""

KINDS = ("cnn", "cnn-narrow", "vit", "vit-no-positions")

NARROW_HIDDEN = 43
"""Hidden width of the ``"cnn-narrow"`` kind: the book's CNN with this hidden layer (instead of
128) has 72,707 parameters, within 1 % of the ViT's 72,074, so the two compare at equal size."""


def train_validation_split(seed: int = 0) -> tuple[torch.Tensor, ...]:
    """Fashion-MNIST training images split into 50,000 for training and 10,000 for validation.

    Returns:
        ``(X_train, y_train, X_val, y_val)``: float images ``(N, 1, 28, 28)`` in [0, 1] and
        int64 labels ``(N,)``.
    """
    X, y = load_fashion_mnist("train")
    order = torch.randperm(len(X), generator=make_generator(seed))
    X = images_to_float(X)[order]
    y = y[order]
    return X[:-NUM_VALIDATION], y[:-NUM_VALIDATION], X[-NUM_VALIDATION:], y[-NUM_VALIDATION:]


class StepBatches:
    """Exactly ``num_steps`` mini-batches, drawn pass after pass in a new random order each pass.

    One iteration is the whole training run, so :func:`lib.training.fit` runs it with
    ``num_epochs=1``.

    Shapes:
        X ``(N, ...)``, y ``(N,)`` -> batches ``(batch_size, ...)``, ``(batch_size,)``.
    """

    def __init__(
        self, X: torch.Tensor, y: torch.Tensor, *, num_steps: int, batch_size: int, seed: int
    ) -> None:
        if num_steps < 1 or not 1 <= batch_size <= len(X):
            raise ValueError(
                f"num_steps must be positive and batch_size in 1..{len(X)}, got {num_steps} "
                f"and {batch_size}."
            )
        self.X, self.y = X, y
        self.num_steps, self.batch_size, self.seed = num_steps, batch_size, seed

    def __len__(self) -> int:
        return self.num_steps

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        generator = make_generator(self.seed)
        per_pass = len(self.X) // self.batch_size
        for step in range(self.num_steps):
            if step % per_pass == 0:
                order = torch.randperm(len(self.X), generator=generator)
            index = order[(step % per_pass) * self.batch_size :][: self.batch_size]
            yield self.X[index], self.y[index]


@dataclass(frozen=True)
class ImageModelConfig:
    """Everything that determines one trained image model.

    Attributes:
        kind: One of :data:`KINDS`: the book's ``SmallCNN``, the same CNN with a hidden layer of
            :data:`NARROW_HIDDEN` units (the ViT's parameter count), the ViT, or the ViT without
            position embeddings.
        num_steps: Adam steps.
        batch_size: Images per step.
        lr: Adam learning rate.
        seed: Seed of initialisation, split and batch order.
    """

    kind: str = "vit"
    num_steps: int = 600
    batch_size: int = 128
    lr: float = 1e-3
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}.")


def build_image_model(config: ImageModelConfig) -> nn.Module:
    """An untrained model of ``config.kind``, initialised from ``config.seed``."""
    check_config(config, ImageModelConfig)
    seed_everything(config.seed)
    if config.kind == "cnn":
        return SmallCNN()
    if config.kind == "cnn-narrow":
        return SmallCNN(hidden=NARROW_HIDDEN)
    return VisionTransformer(position_embeddings=config.kind == "vit")


def load_or_train_image_model(
    config: ImageModelConfig, *, device: torch.device | str = "cpu"
) -> tuple[nn.Module, dict]:
    """The model of ``config``, trained on the 50,000 training images (or loaded from the cache).

    Returns:
        ``(model, metrics)``: ``val_accuracy`` on the 10,000 validation images, ``seconds`` of
        training (measured when the model was trained), ``num_parameters``.
    """
    check_config(config, ImageModelConfig)

    def build() -> nn.Module:
        return build_image_model(config)

    def train(model: nn.Module) -> dict:
        X_train, y_train, X_val, y_val = train_validation_split(config.seed)
        batches = StepBatches(
            X_train, y_train, num_steps=config.num_steps, batch_size=config.batch_size,
            seed=config.seed,
        )  # fmt: skip
        history = fit(
            model,
            batches,
            num_epochs=1,
            optimizer=torch.optim.Adam(model.parameters(), lr=config.lr),
            desc=config.kind,
        )
        val_loader = make_loader(X_val, y_val, batch_size=1000, shuffle=False)
        _, val_accuracy = evaluate(model, val_loader)
        return {
            "train_loss": history.train_loss[-1],
            "val_accuracy": val_accuracy,
            "seconds": history.seconds[-1],
            "num_parameters": sum(p.numel() for p in model.parameters()),
        }

    name = f"understanding-{config.kind}"
    return train_or_load(name, asdict(config), build, train, device=device)
