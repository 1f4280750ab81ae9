"""Temperature scaling (Guo, Pleiss, Sun & Weinberger 2017): one scalar fitted on held-out
logits by minimising the negative log-likelihood."""

from __future__ import annotations

import numpy as np
import torch

from lib.checks import SUM_TOLERANCE, as_tensor, check_labels


def _check_logits(logits: torch.Tensor | np.ndarray) -> torch.Tensor:
    logits = as_tensor(logits, "logits")
    if logits.dim() != 2 or logits.shape[1] < 2 or not logits.is_floating_point():
        raise ValueError(
            "logits must be a float tensor (N, C) with C >= 2, "
            f"got {logits.dtype} {tuple(logits.shape)}."
        )
    if not torch.isfinite(logits).all():
        raise ValueError("logits contain NaN or inf.")
    low, high = torch.aminmax(logits)
    deviation = float((logits.double().sum(dim=1) - 1).abs().max())
    if low >= 0 and high <= 1 and deviation <= SUM_TOLERANCE:
        raise ValueError(
            "logits look like probabilities (every row in [0, 1], summing to 1); pass the "
            "logits, e.g. lib.training.predict_logits(model, X), not softmax(logits)."
        )
    return logits.double()


def fit_temperature(
    logits: torch.Tensor | np.ndarray,
    labels: torch.Tensor | np.ndarray,
    *,
    bounds: tuple[float, float] = (0.05, 20.0),
    num_iterations: int = 60,
) -> float:
    r"""Temperature scaling (Guo et al. 2017): the :math:`T` minimising the validation NLL.

    The NLL of :math:`\mathrm{softmax}(z/T)` is convex in :math:`\beta = 1/T`, with derivative

    .. math::
        \frac{\partial}{\partial\beta}\mathrm{NLL} = \frac1N \sum_i
        \Bigl(\sum_c \mathrm{softmax}(\beta z_i)_c\, z_{ic} - z_{i y_i}\Bigr),

    which increases in :math:`\beta`; bisection on its sign finds the minimum.

    Args:
        logits: Validation logits (not probabilities).
        labels: Validation labels.
        bounds: Search interval for ``T``; a bound is returned when the optimum lies beyond it.
        num_iterations: Bisection steps (60 halve the interval far below float precision).

    Shapes:
        logits: ``(N, C)``; labels: ``(N,)``.

    Returns:
        The temperature ``T > 0``; divide logits by it before the softmax.
    """
    logits = _check_logits(logits)
    labels = check_labels(labels, *logits.shape)
    low_t, high_t = bounds
    if not 0 < low_t < high_t:
        raise ValueError(f"bounds must satisfy 0 < low < high, got {bounds}.")
    true_logit = logits.gather(1, labels[:, None]).squeeze(1)

    def slope(beta: float) -> float:
        p = torch.softmax(beta * logits, dim=1)
        return float(((p * logits).sum(dim=1) - true_logit).mean())

    lo, hi = 1.0 / high_t, 1.0 / low_t  # beta interval
    if slope(lo) >= 0:
        return high_t
    if slope(hi) <= 0:
        return low_t
    for _ in range(num_iterations):
        mid = 0.5 * (lo + hi)
        if slope(mid) > 0:
            hi = mid
        else:
            lo = mid
    return 1.0 / (0.5 * (lo + hi))
