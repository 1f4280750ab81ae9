"""The learning-rate range test (Smith 2017, "Cyclical learning rates for training neural
networks").

Train for a few hundred steps while the learning rate grows geometrically from ``lr_min`` to
``lr_max``, one value per step, and record the loss. While the rate is too small the loss barely
moves; in the useful range it falls fast; past it the loss turns up and diverges. One short run
thus brackets the learning rate before any search.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import cycle
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lib.training import LossFn, check_batches, check_optimizer, model_device, to_device


@dataclass
class RangeTest:
    """The result of :func:`lr_range_test`.

    Attributes:
        lrs: ``(T,)`` the learning rate of each step taken.
        losses: ``(T,)`` the training loss of each step's batch.
        smoothed: ``(T,)`` its bias-corrected exponential moving average.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray

    def steepest_lr(self) -> float:
        """The learning rate where the smoothed loss falls fastest per decade of learning rate."""
        slope = np.gradient(self.smoothed, np.log10(self.lrs))
        return float(self.lrs[int(np.argmin(slope))])

    def min_loss_lr(self) -> float:
        """The learning rate of the lowest smoothed loss (divide it by ~10 to train with)."""
        return float(self.lrs[int(np.argmin(self.smoothed))])


def geometric_lrs(lr_min: float, lr_max: float, num_steps: int) -> np.ndarray:
    """``num_steps`` learning rates from ``lr_min`` to ``lr_max``, equally spaced in log.

    Shapes:
        ``(num_steps,)``.
    """
    if not 0 < lr_min < lr_max or num_steps < 2:
        raise ValueError(
            f"need 0 < lr_min < lr_max and num_steps >= 2, got {lr_min}, {lr_max}, {num_steps}."
        )
    return lr_min * (lr_max / lr_min) ** (np.arange(num_steps) / (num_steps - 1))


def lr_range_test(
    model: nn.Module,
    batches: Iterable[tuple[Any, torch.Tensor]],
    optimizer: torch.optim.Optimizer,
    *,
    lr_min: float = 1e-4,
    lr_max: float = 10.0,
    num_steps: int = 100,
    loss_fn: LossFn = F.cross_entropy,
    smoothing: float = 0.9,
    diverge_factor: float = 4.0,
) -> RangeTest:
    """Train ``model`` one batch per learning rate of :func:`geometric_lrs` and record the loss.

    Args:
        model: The network (trained in place: run the test on a copy you throw away).
        batches: Re-iterable ``(X, y)`` batches, cycled as long as needed.
        optimizer: On ``model``'s parameters; its learning rate is overwritten every step.
        lr_min: First learning rate.
        lr_max: Last learning rate.
        num_steps: Steps (one batch each).
        loss_fn: ``loss_fn(output, y)``, a scalar.
        smoothing: Weight of the past in the moving average of the loss.
        diverge_factor: Stop once the smoothed loss exceeds this multiple of its minimum (or is
            not finite): the rest of the range only diverges.

    Returns:
        The :class:`RangeTest` of the steps taken.
    """
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing}.")
    check_batches(batches, "batches")
    check_optimizer(model, optimizer)
    schedule = geometric_lrs(lr_min, lr_max, num_steps)
    device = model_device(model)
    model.train()
    losses, smoothed, average, best = [], [], 0.0, math.inf
    for step, (lr, (X, y)) in enumerate(zip(schedule, cycle(batches), strict=False)):
        for group in optimizer.param_groups:
            group["lr"] = float(lr)
        X, y = to_device(X, device), to_device(y, device)
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        average = smoothing * average + (1 - smoothing) * losses[-1]
        smoothed.append(average / (1 - smoothing ** (step + 1)))
        best = min(best, smoothed[-1])
        if not math.isfinite(smoothed[-1]) or smoothed[-1] > diverge_factor * best:
            break
    taken = len(losses)
    return RangeTest(schedule[:taken], np.array(losses), np.array(smoothed))
