"""Figures of the hyper-parameter tuning page; each returns its figure, axes finished by
:func:`lib.plotting.finish_axes`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from lib.plotting import PALETTE, finish_axes


def accuracy_vs_lr(
    lrs: Sequence[float],
    curves: Mapping[str, Sequence[float]],
    *,
    spread: tuple[Sequence[float], Sequence[float], Sequence[float]] | None = None,
    ylabel: str = "validation accuracy (fraction)",
) -> Figure:
    """One line per setting of the other hyper-parameters, accuracy against the learning rate.

    Args:
        lrs: ``(L,)`` learning rates (drawn on a log axis).
        curves: Label -> ``(L,)`` accuracies.
        spread: Optional ``(x, lows, highs)``: vertical bars (e.g. min to max over seeds) at
            the learning rates ``x``.
        ylabel: y-axis label with its unit.
    """
    fig, ax = plt.subplots()
    for (label, values), color in zip(curves.items(), PALETTE, strict=False):
        if len(values) != len(lrs):
            raise ValueError(f"curve {label!r} has {len(values)} values for {len(lrs)} lrs.")
        ax.plot(lrs, values, marker="o", markersize=3, label=label, color=color)
    if spread is not None:
        x, lows, highs = spread
        ax.vlines(x, lows, highs, color="black", linewidth=4, alpha=0.6, label="range over seeds")
    ax.set_xscale("log")
    return finish_axes(ax, xlabel="learning rate (log scale)", ylabel=ylabel, legend={})


def regret_vs_budget(
    budgets: Mapping[str, Sequence[float]], regrets: Mapping[str, Sequence[float]]
) -> Figure:
    """Mean regret of each search method against its budget.

    Args:
        budgets: Method -> budgets (trials or epochs).
        regrets: Method -> mean regret at each budget (accuracy points, a fraction).
    """
    fig, ax = plt.subplots()
    for (name, values), color in zip(regrets.items(), PALETTE, strict=False):
        ax.plot(budgets[name], values, marker="o", label=name, color=color)
    return finish_axes(
        ax,
        xlabel="budget (trials of full training)",
        ylabel="mean regret (validation accuracy)",
        legend={},
    )


def range_test_plot(
    lrs: Sequence[float],
    losses: Sequence[float],
    smoothed: Sequence[float],
    marks: Mapping[str, float],
) -> Figure:
    """The learning-rate range test: loss against the learning rate, with marked rates.

    Args:
        lrs: ``(T,)`` the learning rate of each step.
        losses: ``(T,)`` raw training losses.
        smoothed: ``(T,)`` their moving average.
        marks: Label -> learning rate, drawn as vertical lines.
    """
    fig, ax = plt.subplots()
    ax.plot(lrs, losses, color=PALETTE[4], alpha=0.6, label="loss per step")
    ax.plot(lrs, smoothed, color=PALETTE[0], label="smoothed")
    for (label, lr), color in zip(marks.items(), PALETTE[1:], strict=False):
        ax.axvline(lr, color=color, linestyle="--", label=label)
    ax.set_xscale("log")
    ax.set_ylim(0, 2 * float(np.asarray(smoothed)[0]))  # the divergence at the end goes off the top
    return finish_axes(
        ax, xlabel="learning rate (log scale)", ylabel="training loss (nats)", legend={}
    )


def sample_layouts(
    layouts: Mapping[str, tuple[np.ndarray, np.ndarray]], important: str, unimportant: str
) -> Figure:
    """Bergstra & Bengio's picture: where grid and random trials fall in two dimensions.

    Args:
        layouts: Method -> ``(x, y)`` trial coordinates in [0, 1]^2 (log-scaled ranges).
        important: Name of the x axis (the hyper-parameter that matters).
        unimportant: Name of the y axis.
    """
    fig, axes = plt.subplots(1, len(layouts), figsize=(3.6 * len(layouts), 3.4), sharey=True)
    for ax, (name, (x, y)) in zip(np.atleast_1d(axes), layouts.items(), strict=True):
        ax.scatter(x, y, color=PALETTE[0], s=18)
        ax.plot(x, np.full_like(x, -0.08), "|", color=PALETTE[5], markersize=10)
        ax.set_xlim(-0.05, 1.05)
        ax.set_ylim(-0.14, 1.05)
        ax.set_title(f"{name}\n{len(np.unique(np.round(x, 6)))} distinct values of {important}")
        finish_axes(ax, xlabel=f"{important} (position in range)", ylabel="")
    np.atleast_1d(axes)[0].set_ylabel(f"{unimportant} (position in range)")
    fig.tight_layout()
    return fig
