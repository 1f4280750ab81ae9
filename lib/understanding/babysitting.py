"""Babysitting the learning process (cs231n 2017, lecture 6; the notes "Neural Networks Part 3"):
the update-to-weight ratio of the first steps, and a learning-rate schedule with warm-up.

The ratio :math:`\\lVert \\Delta W \\rVert / \\lVert W \\rVert` of the update an optimizer applies
to a weight matrix, step by step, tells whether the learning rate is of the right order: cs231n's
rule of thumb is about :math:`10^{-3}`; a ratio that grows towards 1 announces divergence.

The schedule is cosine decay (Loshchilov & Hutter 2017, "SGDR") after a linear warm-up (Goyal et
al. 2017, "Accurate, large minibatch SGD"), per optimizer step.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lib.checks import check_int
from lib.training import (
    LossFn,
    check_batches,
    check_optimizer,
    model_device,
    to_device,
    train_step,
)


def _forever(batches: Iterable[tuple[Any, torch.Tensor]]) -> Iterator[tuple[Any, torch.Tensor]]:
    """Pass after pass over re-iterable batches (a seeded loader reshuffles every pass)."""
    while True:
        yield from batches


def update_ratios(
    model: nn.Module,
    batches: Iterable[tuple[Any, torch.Tensor]],
    optimizer: torch.optim.Optimizer,
    *,
    num_steps: int,
    loss_fn: LossFn = F.cross_entropy,
) -> np.ndarray:
    """Train ``num_steps`` steps and record, for every weight matrix, the size of each step's
    update relative to the weights before it, :math:`\\lVert W_{t+1} - W_t \\rVert /
    \\lVert W_t \\rVert` (Frobenius norms).

    The update is the one the optimizer applied (with momentum or weight decay, more than
    ``lr * gradient``). Weight matrices are the parameters with two or more dimensions, in the
    order of ``model.parameters()``; biases are left out.

    Args:
        model: The network (trained in place).
        batches: Re-iterable ``(X, y)`` batches, passed over again as long as needed.
        optimizer: On ``model``'s parameters.
        num_steps: Optimizer steps to take.
        loss_fn: ``loss_fn(output, y)``, the batch's mean loss.

    Returns:
        ``(num_steps, K)`` ratios for the ``K`` weight matrices (``inf`` or ``nan`` once the
        weights overflow).
    """
    check_int(num_steps, "num_steps")
    check_batches(batches, "batches")
    check_optimizer(model, optimizer)
    weights = [p for p in model.parameters() if p.ndim >= 2]
    if not weights:
        raise ValueError("model has no weight matrix (no parameter with 2 or more dimensions).")
    device = model_device(model)
    model.train()
    ratios = np.empty((num_steps, len(weights)))
    for t, (X, y) in zip(range(num_steps), _forever(batches), strict=False):
        before = [w.detach().clone() for w in weights]
        train_step(model, to_device(X, device), to_device(y, device), optimizer, loss_fn=loss_fn)
        ratios[t] = [
            float(torch.linalg.norm(w.detach() - b) / torch.linalg.norm(b))
            for w, b in zip(weights, before, strict=True)
        ]
    return ratios


def warmup_cosine_lrs(
    num_steps: int,
    warmup_steps: int,
    lr_max: float,
    *,
    start_factor: float = 0.1,
    lr_min: float = 0.0,
) -> np.ndarray:
    """The learning rate of every step: linear warm-up, then cosine decay.

    .. math::
        \\eta_t = \\begin{cases}
        \\eta_{\\max}\\bigl(s + (1 - s)\\, t / T_w\\bigr) & 0 \\le t < T_w, \\\\
        \\eta_{\\min} + \\tfrac12 (\\eta_{\\max} - \\eta_{\\min})
        \\bigl(1 + \\cos(\\pi (t - T_w) / (T - T_w))\\bigr) & T_w \\le t < T,
        \\end{cases}

    with :math:`T` = ``num_steps``, :math:`T_w` = ``warmup_steps`` and :math:`s` =
    ``start_factor``; torch's ``LinearLR`` followed by ``CosineAnnealingLR(T_max=T - T_w)``
    in a ``SequentialLR`` gives the same rates.

    Shapes:
        ``(num_steps,)``.
    """
    check_int(num_steps, "num_steps")
    check_int(warmup_steps, "warmup_steps", minimum=0)
    if warmup_steps >= num_steps or not 0 < start_factor <= 1 or not 0 <= lr_min <= lr_max:
        raise ValueError(
            "need warmup_steps < num_steps, 0 < start_factor <= 1 and 0 <= lr_min <= lr_max, got "
            f"{warmup_steps}, {num_steps}, {start_factor}, {lr_min}, {lr_max}."
        )
    t = np.arange(num_steps)
    warm = lr_max * (start_factor + (1 - start_factor) * t / max(warmup_steps, 1))
    phase = np.pi * (t - warmup_steps) / (num_steps - warmup_steps)
    decay = lr_min + 0.5 * (lr_max - lr_min) * (1 + np.cos(phase))
    return np.where(t < warmup_steps, warm, decay)
