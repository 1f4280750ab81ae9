"""The book's one supervised training and evaluation loop.

A progress bar is shown to people running a notebook and hidden when ``BOOK_PROGRESS=0`` or
``CI`` is set (``make`` sets it for nbval and the book build), so it never enters stored or
compared outputs.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lib.reproducibility import make_generator

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def progress_enabled() -> bool:
    """Whether progress bars are shown: not under CI, nbval or the book build."""
    if os.environ.get("BOOK_PROGRESS", "1") == "0":
        return False
    return not os.environ.get("CI")


def progress(iterable: Iterable, *, desc: str, total: int | None = None) -> Iterable:
    """Wrap ``iterable`` in a text progress bar on stderr when :func:`progress_enabled`."""
    if not progress_enabled():
        return iterable
    from tqdm.std import tqdm

    return tqdm(iterable, desc=desc, total=total, file=sys.stderr, leave=False)


def images_to_float(X: torch.Tensor) -> torch.Tensor:
    """uint8 images ``(N, H, W)`` in 0..255 to float32 ``(N, 1, H, W)`` in [0, 1]."""
    if X.dtype != torch.uint8 or X.dim() != 3:
        raise ValueError(
            f"expected uint8 images of shape (N, H, W), got {X.dtype} of shape {tuple(X.shape)}; "
            "pass the X returned by lib.data loaders."
        )
    return X.unsqueeze(1).float().div_(255.0)


def make_loader(
    X: torch.Tensor, y: torch.Tensor, *, batch_size: int, shuffle: bool, seed: int = 0
) -> DataLoader:
    """A DataLoader over tensors, shuffled by its own seeded generator.

    Args:
        X: Inputs, shape ``(N, ...)``.
        y: Targets, shape ``(N, ...)``.
        batch_size: Examples per batch.
        shuffle: Reshuffle every epoch (reproducibly, from ``seed``).
        seed: Seed of the shuffling generator.
    """
    if len(X) != len(y):
        raise ValueError(f"X and y differ in length: {len(X)} inputs vs {len(y)} targets.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}.")
    return DataLoader(
        TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=make_generator(seed)
    )


@dataclass
class History:
    """Per-epoch metrics of :func:`fit`; ``test_*`` stay empty without an evaluation loader."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def num_epochs(self) -> int:
        return len(self.train_loss)


@torch.no_grad()
def evaluate(
    model: nn.Module, loader: DataLoader, loss_fn: LossFn = F.cross_entropy
) -> tuple[float, float]:
    """Mean loss and accuracy of a classifier over a loader.

    Returns:
        ``(loss, accuracy)`` with accuracy in [0, 1].
    """
    model.eval()
    device = next(model.parameters()).device
    total_loss, correct, count = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = model(X)
        total_loss += loss_fn(logits, y).item() * len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
        count += len(y)
    return total_loss / count, correct / count


def fit(
    model: nn.Module,
    train_loader: DataLoader,
    *,
    num_epochs: int,
    lr: float,
    test_loader: DataLoader | None = None,
    loss_fn: LossFn = F.cross_entropy,
    weight_decay: float = 0.0,
    desc: str = "training",
) -> History:
    """Train a classifier with Adam; evaluate after every epoch.

    Args:
        model: Maps a batch ``X`` to logits ``(B, C)``.
        train_loader: Yields ``(X, y)`` with ``y`` int64 ``(B,)``.
        num_epochs: Passes over ``train_loader``.
        lr: Adam learning rate.
        test_loader: Optional held-out data, evaluated after every epoch.
        loss_fn: ``loss_fn(logits, y)``, mean over the batch.
        weight_decay: Adam's L2 penalty.
        desc: Label of the progress bar.

    Returns:
        The :class:`History` of the run.
    """
    if num_epochs < 1:
        raise ValueError(f"num_epochs must be at least 1, got {num_epochs}.")
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}.")
    device = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    history = History()
    for epoch in range(num_epochs):
        start = time.perf_counter()
        model.train()
        total_loss, correct, count = 0.0, 0, 0
        batches = progress(train_loader, desc=f"{desc} {epoch + 1}/{num_epochs}")
        for X, y in batches:
            X, y = X.to(device), y.to(device)
            logits = model(X)
            loss = loss_fn(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(y)
            correct += (logits.argmax(dim=1) == y).sum().item()
            count += len(y)
        history.train_loss.append(total_loss / count)
        history.train_accuracy.append(correct / count)
        if test_loader is not None:
            test_loss, test_accuracy = evaluate(model, test_loader, loss_fn)
            history.test_loss.append(test_loss)
            history.test_accuracy.append(test_accuracy)
        history.seconds.append(time.perf_counter() - start)
    return history


@torch.no_grad()
def predict_logits(model: nn.Module, X: torch.Tensor, *, batch_size: int = 1000) -> torch.Tensor:
    """Logits of ``model`` on ``X`` in evaluation mode, batch by batch.

    Args:
        model: A classifier.
        X: Inputs ``(N, ...)``.
        batch_size: Inputs per forward pass.

    Returns:
        Logits ``(N, C)``.
    """
    model.eval()
    device = next(model.parameters()).device
    return torch.cat([model(X[i : i + batch_size].to(device)).cpu() for i in range(0, len(X), batch_size)])
