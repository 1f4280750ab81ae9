"""Bayes decisions from a cost table: the action of least expected cost, its expected cost, and
the decision regions of a binary problem."""

from __future__ import annotations

import numpy as np
import torch

from lib.checks import as_tensor, check_labels, check_probs


def _check_cost(cost: torch.Tensor | np.ndarray, num_classes: int | None = None) -> torch.Tensor:
    cost = as_tensor(cost, "cost").double()
    if (
        cost.dim() != 2
        or cost.shape[0] < 1
        or (num_classes is not None and cost.shape[1] != num_classes)
    ):
        want = f"(A, {num_classes})" if num_classes is not None else "(A, C)"
        raise ValueError(
            f"cost must have shape {want}: one row per action, one column per true class; "
            f"got {tuple(cost.shape)}."
        )
    if not torch.isfinite(cost).all():
        raise ValueError(
            f"cost must be finite, got {cost.tolist()}; give a forbidden action a large finite "
            "cost (e.g. 1e6) instead of inf or NaN."
        )
    return cost


def _check_actions(actions: torch.Tensor | np.ndarray, num_actions: int) -> torch.Tensor:
    """Integer actions ``(N,)`` in ``0..num_actions-1``, as int64."""
    actions = as_tensor(actions, "actions")
    if actions.dim() != 1 or actions.is_floating_point() or actions.dtype == torch.bool:
        raise ValueError(
            f"actions must be integer action indices (N,), got {actions.dtype} "
            f"{tuple(actions.shape)}; pass bayes_decisions(probs, cost), not the probabilities."
        )
    if len(actions) and (actions.min() < 0 or actions.max() >= num_actions):
        raise ValueError(
            f"actions must lie in 0..{num_actions - 1} (one per row of cost), found "
            f"{int(actions.min())}..{int(actions.max())}."
        )
    return actions.long()


def bayes_decisions(
    probs: torch.Tensor | np.ndarray, cost: torch.Tensor | np.ndarray
) -> torch.Tensor:
    r"""The action of least expected cost for every input.

    .. math::
        a^\star(x) = \arg\min_a \sum_c \mathrm{cost}(a, c)\, p(c \mid x).

    Args:
        probs: Class probabilities.
        cost: ``cost[a, c]`` is the cost of action ``a`` when the true class is ``c``.

    Shapes:
        probs: ``(N, C)``; cost: ``(A, C)`` → actions ``(N,)`` in ``0..A-1``.
    """
    probs = check_probs(probs).double()
    cost = _check_cost(cost, probs.shape[1])
    return (probs @ cost.T).argmin(dim=1)


def expected_cost(
    actions: torch.Tensor | np.ndarray,
    labels: torch.Tensor | np.ndarray,
    cost: torch.Tensor | np.ndarray,
) -> float:
    """Mean realised cost ``cost[action_i, label_i]`` of a set of decisions.

    Shapes:
        actions: ``(N,)``; labels: ``(N,)``; cost: ``(A, C)``.
    """
    cost = _check_cost(cost)
    actions = _check_actions(actions, cost.shape[0])
    labels = check_labels(labels, len(actions), cost.shape[1])
    return float(cost[actions, labels].mean())


def binary_decision_regions(cost: torch.Tensor | np.ndarray) -> list[tuple[float, float, int]]:
    r"""For two classes, the intervals of :math:`p = P(c = 1 \mid x)` where each action is optimal.

    Action ``a`` costs :math:`(1-p)\,\mathrm{cost}(a,0) + p\,\mathrm{cost}(a,1)`, a line in
    ``p``; the Bayes rule follows the lower envelope of the lines, and its break points are the
    decision thresholds.

    Args:
        cost: ``(A, 2)`` cost table.

    Returns:
        ``[(p_low, p_high, action), ...]`` covering [0, 1] from left to right.
    """
    cost = _check_cost(cost, 2)
    a0, a1 = cost[:, 0], cost[:, 1]
    slope = a1 - a0
    points = {0.0, 1.0}
    for i in range(len(cost)):
        for j in range(i + 1, len(cost)):
            if slope[i] != slope[j]:
                p = float((a0[j] - a0[i]) / (slope[i] - slope[j]))
                if 0 < p < 1:
                    points.add(p)
    edges = sorted(points)
    regions: list[tuple[float, float, int]] = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=False):
        mid = 0.5 * (lo + hi)
        action = int((a0 + slope * mid).argmin())
        if regions and regions[-1][2] == action:
            regions[-1] = (regions[-1][0], hi, action)
        else:
            regions.append((lo, hi, action))
    return regions
