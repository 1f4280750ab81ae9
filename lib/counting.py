"""Counted work: what a forward pass costs in multiply-adds, the same on every machine.

A wall-clock time belongs to the machine and its load; the number of multiply-adds belongs to the
model. The book states costs in counted work (multiply-adds, forward passes, training steps) and
shows measured times beside them only as what one machine took.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def multiply_adds_of(compute: Callable[[], object]) -> int:
    """The multiply-adds that ``compute()`` performs (without gradients).

    Counted by PyTorch's FLOP counter over the matrix products and convolutions (a multiply-add is
    two floating-point operations); element-wise operations (activations, normalisation, softmax)
    are left out, as is usual in model cost tables.

    Args:
        compute: A function of no arguments, e.g. ``lambda: sample(model, 1, generator=g)``.

    Returns:
        The number of multiply-adds.
    """
    if not callable(compute):
        raise TypeError(
            f"compute must be a function of no arguments, got {type(compute).__name__}; pass "
            "lambda: model(X), not the result model(X)."
        )
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        compute()
    return counter.get_total_flops() // 2


def multiply_adds(model: nn.Module, example: torch.Tensor) -> int:
    """The multiply-adds of one forward pass of ``model`` on ``example`` (see
    :func:`multiply_adds_of`), in evaluation mode; the model's mode is restored.

    Args:
        model: Any module.
        example: A batch of inputs as the model takes them; the count is for the whole batch
            (pass one example, e.g. ``X[:1]``, for the cost per example).

    Returns:
        The number of multiply-adds.

    Raises:
        TypeError: If ``example`` is not a tensor.
    """
    if not isinstance(example, torch.Tensor):
        raise TypeError(
            f"example must be a tensor batch the model takes, got {type(example).__name__}; "
            "pass e.g. X[:1]."
        )
    was_training = model.training
    model.eval()
    try:
        return multiply_adds_of(lambda: model(example))
    finally:
        model.train(was_training)
