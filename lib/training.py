"""The book's one supervised training and evaluation loop.

A progress bar is shown to people running a notebook and hidden when ``BOOK_PROGRESS=0`` or
``CI`` is set (``make`` sets it for nbval and the book build), so it never enters stored or
compared outputs.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

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
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise ValueError(
            f"X and y must be torch tensors, got {type(X).__name__} and {type(y).__name__}; "
            "convert numpy arrays with torch.from_numpy."
        )
    if len(X) != len(y):
        raise ValueError(f"X and y differ in length: {len(X)} inputs vs {len(y)} targets.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}.")
    return DataLoader(
        TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=make_generator(seed)
    )


class ShuffledBatches:
    """Mini-batches in a new random order every pass, for data a DataLoader does not hold.

    Each pass draws one ``torch.randperm(num_items, generator=generator)`` (a DataLoader also
    draws a worker seed from its generator, so the two give different orders) and yields
    ``collate(indices)`` for consecutive slices of ``batch_size`` indices.

    Args:
        num_items: Number of examples.
        batch_size: Examples per batch (the last batch may be smaller).
        collate: Maps a slice of the permutation ``(B,)`` int64 to a batch ``(X, y)``.
        generator: Randomness of the order (shared with ``collate`` if it samples too).
    """

    def __init__(
        self,
        num_items: int,
        batch_size: int,
        collate: Callable[[torch.Tensor], tuple[Any, torch.Tensor]],
        *,
        generator: torch.Generator | None,
    ) -> None:
        if num_items < 1 or batch_size < 1:
            raise ValueError(
                f"num_items and batch_size must be positive, got {num_items} and {batch_size}."
            )
        self.num_items, self.batch_size = num_items, batch_size
        self.collate, self.generator = collate, generator

    def __len__(self) -> int:
        return -(-self.num_items // self.batch_size)

    def __iter__(self) -> Iterator[tuple[Any, torch.Tensor]]:
        order = torch.randperm(self.num_items, generator=self.generator)
        for i in range(0, self.num_items, self.batch_size):
            yield self.collate(order[i : i + self.batch_size])


Metric = Callable[[Any, torch.Tensor], torch.Tensor]
"""``metric(output, y)`` -> one score per example ``(B,)``; :func:`fit` reports their mean."""


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """1.0 where the arg-max class is the label, else 0.0 (the mean is the accuracy).

    ``y`` holds class indices, or class probabilities (one-hot or soft labels, which
    :func:`torch.nn.functional.cross_entropy` takes too) whose arg-max is the label.

    Shapes:
        logits ``(B, C)``, y ``(B,)`` int64 or ``(B, C)`` float -> ``(B,)`` float.
    """
    if y.is_floating_point() and y.shape == logits.shape:
        y = y.argmax(dim=1)
    return (logits.argmax(dim=1) == y).float()


def check_batches(batches: Any, name: str) -> None:
    """Refuse a tensor or an ``(X, y)`` pair passed where an iterable of batches belongs."""
    if isinstance(batches, torch.Tensor) or (
        isinstance(batches, (tuple, list)) and batches and isinstance(batches[0], torch.Tensor)
    ):
        raise ValueError(
            f"{name} must be an iterable of (X, y) batches, got a {type(batches).__name__} of "
            "tensors; pass [(X, y)] for one full batch, or "
            "make_loader(X, y, batch_size=..., shuffle=...) for mini-batches."
        )


def check_optimizer(model: nn.Module, optimizer: torch.optim.Optimizer) -> None:
    """Refuse an optimizer that holds none of ``model``'s parameters (it would train nothing)."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(
            f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}; pass "
            "e.g. torch.optim.Adam(model.parameters(), lr=1e-3)."
        )
    own = {id(p) for p in model.parameters()}
    if own and not any(id(p) in own for group in optimizer.param_groups for p in group["params"]):
        raise ValueError(
            "optimizer holds none of the model's parameters, so training would change nothing "
            "(was it built on another model, or on a model created again since?); build it on "
            "this model: torch.optim.Adam(model.parameters(), lr=...)."
        )


def _check_class_targets(output: Any, y: Any) -> None:
    """Check the targets of the default loss, cross-entropy: class indices of the output's
    classes, or class probabilities of the output's shape."""
    if not isinstance(output, torch.Tensor) or not isinstance(y, torch.Tensor) or output.dim() < 2:
        return
    num_classes = output.shape[1]
    index_shape = (output.shape[0], *output.shape[2:])
    if y.is_floating_point():
        if y.shape != output.shape:
            raise ValueError(
                f"y must hold class indices (int64, shape {index_shape}) or class probabilities "
                f"of the output's shape {tuple(output.shape)}, got {y.dtype} {tuple(y.shape)}; "
                "pass y.long() for class indices."
            )
        return
    if y.dtype == torch.bool or y.shape != index_shape:
        raise ValueError(
            f"y must hold class indices (int64) of shape {index_shape}, got {y.dtype} "
            f"{tuple(y.shape)}."
        )
    if y.numel():
        low, high = (int(v) for v in torch.aminmax(y))
        if low < 0 or high >= num_classes:
            raise ValueError(
                f"y must hold class indices in 0..{num_classes - 1} (the model outputs "
                f"{num_classes} classes), found {low}..{high}; number the classes from 0, or "
                f"build the model with {high + 1} outputs."
            )


def model_device(model: nn.Module) -> torch.device:
    """The device of ``model``'s first parameter (or buffer); CPU for a model with neither."""
    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")


def to_device(batch: Any, device: torch.device | str) -> Any:
    """``batch`` on ``device``: tensors and objects with a ``to`` method moved, tuples and lists
    element by element, anything else (``None``, numbers) returned as it is."""
    if isinstance(batch, (tuple, list)):
        return type(batch)(to_device(item, device) for item in batch)
    if hasattr(batch, "to"):
        return batch.to(device)
    return batch


@dataclass
class History:
    """Per-epoch results of :func:`fit`; ``*_metric`` stay empty without a metric and ``test_*``
    without test batches."""

    train_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_metric: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def num_epochs(self) -> int:
        return len(self.train_loss)

    def named(self, metric: str) -> dict[str, list[float]]:
        """The history as a dict with the metric under its name, e.g. ``"train_accuracy"``."""
        return {
            "train_loss": self.train_loss,
            f"train_{metric}": self.train_metric,
            "test_loss": self.test_loss,
            f"test_{metric}": self.test_metric,
            "seconds": self.seconds,
        }


@torch.no_grad()
def evaluate(
    model: nn.Module,
    batches: Iterable[tuple[Any, torch.Tensor]],
    *,
    loss_fn: LossFn = F.cross_entropy,
    metric: Metric | None = accuracy,
    forward: Callable[[Any], Any] | None = None,
) -> tuple[float, float | None]:
    """Mean loss and metric of ``model`` in evaluation mode over ``(X, y)`` batches.

    Args:
        model: The network; its device is where the batches go.
        batches: A DataLoader or any iterable of ``(X, y)``.
        loss_fn: ``loss_fn(output, y)``, mean over the batch.
        metric: Per-example scores, see :data:`Metric`; ``None`` for none.
        forward: ``forward(X)`` -> output; defaults to ``model(X)``.

    Returns:
        ``(loss, metric)``, each the mean over all examples (``metric`` is ``None`` without one).
    """
    check_batches(batches, "batches")
    model.eval()
    device = model_device(model)
    forward = model if forward is None else forward
    total_loss, total_metric, count = 0.0, 0.0, 0
    for X, y in batches:
        X, y = to_device(X, device), to_device(y, device)
        output = forward(X)
        if loss_fn is F.cross_entropy:
            _check_class_targets(output, y)
        total_loss += loss_fn(output, y).item() * len(y)
        if metric is not None:
            total_metric += metric(output, y).sum().item()
        count += len(y)
    if count == 0:
        raise ValueError("evaluate got no examples; pass a non-empty iterable of (X, y) batches.")
    return total_loss / count, (None if metric is None else total_metric / count)


def train_step(
    forward: Callable[[Any], Any],
    X: Any,
    y: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    *,
    loss_fn: LossFn = F.cross_entropy,
) -> tuple[Any, torch.Tensor]:
    """One step of mini-batch gradient descent: forward pass, loss, gradients, parameter update.

    Args:
        forward: The network (or ``forward(X) -> output``).
        X: A batch of inputs, e.g. images ``(B, 1, 28, 28)``.
        y: Its targets, e.g. class indices ``(B,)``.
        optimizer: Holds the parameters and the update rule (Adam, SGD).
        loss_fn: ``loss_fn(output, y)``, the batch's mean loss.

    Returns:
        The batch's output (e.g. logits ``(B, C)``) and its loss (a scalar), for bookkeeping.
    """
    output = forward(X)
    if loss_fn is F.cross_entropy:
        _check_class_targets(output, y)  # a clear error for one-hot or out-of-range targets
    loss = loss_fn(output, y)
    optimizer.zero_grad()  # gradients accumulate in .grad: clear the last batch's
    loss.backward()  # d loss / d parameter, for every parameter
    optimizer.step()  # the update, e.g. theta <- theta - lr * gradient for SGD
    return output, loss


def fit(
    model: nn.Module,
    train_batches: Iterable[tuple[Any, torch.Tensor]],
    *,
    num_epochs: int,
    optimizer: torch.optim.Optimizer,
    loss_fn: LossFn = F.cross_entropy,
    metric: Metric | None = accuracy,
    forward: Callable[[Any], Any] | None = None,
    test_batches: Iterable[tuple[Any, torch.Tensor]] | None = None,
    stop: Callable[[History], bool] | None = None,
    desc: str | None = "training",
) -> History:
    """The book's supervised loop: :func:`train_step` on every batch, for ``num_epochs`` passes.

    Every batch is moved to the device of ``model`` (:func:`to_device`). The loop draws no
    random numbers itself: shuffling belongs to ``train_batches`` (a seeded
    :func:`make_loader` or :class:`ShuffledBatches`), dropout to the model.

    Args:
        model: The network being trained (put in training mode every epoch).
        train_batches: Re-iterable ``(X, y)`` batches, one pass per epoch: a DataLoader,
            :class:`ShuffledBatches`, or ``[(X, y)]`` for full-batch training.
        num_epochs: Passes over ``train_batches``.
        optimizer: Built on the parameters to train, e.g.
            ``torch.optim.Adam(model.parameters(), lr=1e-3)``; its state carries over between
            calls.
        loss_fn: ``loss_fn(output, y)``, a scalar (the mean over the batch).
        metric: Per-example scores of the output (default: :func:`accuracy`, for classifiers);
            ``None`` for none.
        forward: ``forward(X)`` -> output, for models that take more than one input or parts of
            a batch; defaults to ``model(X)``.
        test_batches: Optional held-out ``(X, y)`` batches, evaluated after every epoch.
        stop: Called with the history after every epoch; training ends when it returns true
            (early stopping).
        desc: Label of the progress bar; ``None`` shows none (full-batch training).

    Returns:
        The :class:`History`; losses and metrics are means over the examples of each epoch
        (``len(y)`` counts a batch's examples).
    """
    if not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs must be an int of at least 1, got {num_epochs!r}.")
    check_batches(train_batches, "train_batches")
    if test_batches is not None:
        check_batches(test_batches, "test_batches")
    check_optimizer(model, optimizer)
    device = model_device(model)
    forward = model if forward is None else forward
    history = History()
    for epoch in range(num_epochs):
        start = time.perf_counter()
        model.train()
        total_loss, total_metric, count = 0.0, 0.0, 0
        batches = train_batches
        if desc is not None:
            batches = progress(train_batches, desc=f"{desc} {epoch + 1}/{num_epochs}")
        for X, y in batches:
            X, y = to_device(X, device), to_device(y, device)
            output, loss = train_step(forward, X, y, optimizer, loss_fn=loss_fn)
            total_loss += loss.item() * len(y)
            if metric is not None:
                with torch.no_grad():
                    total_metric += metric(output, y).sum().item()
            count += len(y)
        if count == 0:
            raise ValueError("train_batches yielded no batch; pass a non-empty iterable.")
        history.train_loss.append(total_loss / count)
        if metric is not None:
            history.train_metric.append(total_metric / count)
        if test_batches is not None:
            test_loss, test_metric = evaluate(
                model, test_batches, loss_fn=loss_fn, metric=metric, forward=forward
            )
            history.test_loss.append(test_loss)
            if test_metric is not None:
                history.test_metric.append(test_metric)
        history.seconds.append(time.perf_counter() - start)
        if stop is not None and stop(history):
            break
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
    if not isinstance(X, torch.Tensor):
        raise ValueError(
            f"X must be a torch.Tensor of inputs (N, ...), got {type(X).__name__}; convert "
            "numpy arrays with torch.from_numpy."
        )
    if len(X) == 0:
        raise ValueError(
            f"X holds no examples (shape {tuple(X.shape)}); pass at least one input (N >= 1)."
        )
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}.")
    model.eval()
    device = next(model.parameters()).device
    return torch.cat(
        [model(X[i : i + batch_size].to(device)).cpu() for i in range(0, len(X), batch_size)]
    )
