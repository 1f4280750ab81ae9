"""Figure style and the figure helpers shared by every chapter.

Colours are the Okabe–Ito palette (safe for the common kinds of colour blindness); figures
have a white background so they read the same in the book's light and dark themes.
Every helper returns the ``matplotlib.figure.Figure`` it draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
"""Okabe & Ito (2008) colour-blind-safe colours, in the order the book uses them."""


def set_style() -> None:
    """Apply the book's matplotlib style (palette, sizes, white background, grid)."""
    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "figure.figsize": (6.0, 3.6),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "figure.facecolor": "white",
            "axes.facecolor": "white",
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
            "axes.titlesize": 11,
            "legend.frameon": False,
            "image.cmap": "viridis",
        }
    )


def image_grid(
    images: torch.Tensor,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 8,
    cmap: str = "gray_r",
    scale: float = 1.2,
    row_labels: Sequence[str] | None = None,
) -> Figure:
    """Show images in a grid, with an optional title over each and a label left of each row.

    Args:
        images: ``(N, H, W)`` or ``(N, 1, H, W)``, any real dtype (uint8 or [0, 1] floats).
        titles: ``N`` strings, or ``None``.
        ncols: Images per row.
        cmap: Colour map for the intensities (ink dark on white by default).
        scale: Inches per image.
        row_labels: One string per row (``ceil(N / ncols)``), written left of the row to say
            where its images come from (which model, which data); ``None``: no labels.
    """
    if images.dim() == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.dim() != 3:
        raise ValueError(f"expected images (N, H, W) or (N, 1, H, W), got {tuple(images.shape)}.")
    n = len(images)
    if titles is not None and len(titles) != n:
        raise ValueError(f"got {len(titles)} titles for {n} images.")
    nrows = -(-n // ncols)
    if row_labels is not None and len(row_labels) != nrows:
        raise ValueError(
            f"got {len(row_labels)} row labels for {nrows} rows ({n} images, ncols={ncols}); "
            "pass one label per row."
        )
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(scale * ncols, scale * nrows * 1.15), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i].detach().cpu().float().numpy(), cmap=cmap)
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    for ax, label in zip(axes[:, 0], row_labels or (), strict=False):
        # the label is the y label of the row's first image: axis on, without ticks or frame
        ax.axis("on")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    fig.tight_layout()
    return fig


def moving_mean(values: Sequence[float] | np.ndarray, window: int) -> np.ndarray:
    """Mean of every ``window`` consecutive values (a running mean that smooths a noisy curve).

    Shapes:
        - values: ``(n,)`` with ``n >= window``
        - returns: ``(n - window + 1,)``; entry ``i`` is the mean of ``values[i : i + window]``,
          drawn at x = ``i + window`` (the last value it averages, counting from 1)
    """
    values = np.asarray(values, float)
    if window < 1:
        raise ValueError(f"window must be a positive number of values, got {window}.")
    if values.ndim != 1 or len(values) < window:
        raise ValueError(
            f"values must be 1-D with at least window={window} entries, got shape {values.shape}."
        )
    return np.convolve(values, np.ones(window) / window, mode="valid")


def finish_axes(
    ax: plt.Axes,
    *,
    xlabel: str,
    ylabel: str,
    title: str | None = None,
    legend: dict[str, Any] | None = None,
) -> Figure:
    """The last touches every book figure gets: axis labels (with units), title, legend, layout.

    Args:
        ax: The axes to finish; its figure is laid out tightly and returned.
        xlabel: x-axis label with its unit.
        ylabel: y-axis label with its unit.
        title: Optional title.
        legend: Keyword arguments of ``ax.legend`` (``{}`` for the defaults); ``None``: no legend.
    """
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if legend is not None:
        ax.legend(**legend)
    ax.figure.tight_layout()
    return ax.figure


def plot_curves(
    curves: dict[str, Sequence[float]],
    *,
    xlabel: str,
    ylabel: str,
    title: str | None = None,
    x: Sequence[float] | None = None,
    logy: bool = False,
) -> Figure:
    """Line plot of named curves over a shared x axis (epochs by default, from 1).

    Args:
        curves: Label → values.
        xlabel: x-axis label with its unit.
        ylabel: y-axis label with its unit.
        title: Optional title.
        x: x values; default ``1..len(values)``. Integer x values (epochs, steps) get integer ticks.
        logy: Logarithmic y axis (for values that fall over orders of magnitude; all must be > 0).
    """
    if logy and any(v <= 0 for values in curves.values() for v in values):
        raise ValueError("a logarithmic y axis needs positive values; pass logy=False.")
    fig, ax = plt.subplots()
    for label, values in curves.items():
        xs = list(x) if x is not None else list(range(1, len(values) + 1))
        ax.plot(xs, list(values), marker="o", markersize=3, label=label)
        if all(float(v).is_integer() for v in xs):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if logy:
        ax.set_yscale("log")
    return finish_axes(ax, xlabel=xlabel, ylabel=ylabel, title=title, legend={})


def plot_bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    xlabel: str,
    ylabel: str,
    title: str | None = None,
) -> Figure:
    """Vertical bar chart, one bar per label (labels rotated when long).

    Args:
        labels: Category names.
        values: One value per label.
        xlabel: x-axis label.
        ylabel: y-axis label with its unit.
        title: Optional title.
    """
    if len(labels) != len(values):
        raise ValueError(f"got {len(labels)} labels for {len(values)} values.")
    fig, ax = plt.subplots()
    ax.bar(range(len(values)), [float(v) for v in values], color=PALETTE[0])
    rotate = max(map(len, labels)) > 4
    ax.set_xticks(
        range(len(labels)), labels, rotation=45 if rotate else 0, ha="right" if rotate else "center"
    )
    return finish_axes(ax, xlabel=xlabel, ylabel=ylabel, title=title)


def plot_confusion_matrix(counts: Sequence[Sequence[int]], class_names: Sequence[str]) -> Figure:
    """A confusion matrix as a heat map: row = true class, column = predicted class, each row
    shown as fractions of that class's images (so rows of different sizes compare), and the
    off-diagonal fractions of at least 0.05 printed in their cells.

    Args:
        counts: ``(C, C)`` counts; ``counts[i][j]`` images of class ``i`` predicted as ``j``
            (e.g. from ``sklearn.metrics.confusion_matrix(y_true, y_pred)``).
        class_names: ``C`` class names.
    """
    matrix = np.asarray(counts, float)
    if matrix.ndim != 2 or matrix.shape != (len(class_names), len(class_names)):
        raise ValueError(
            f"counts must be a square matrix with one row per class name ({len(class_names)}), "
            f"got shape {matrix.shape}."
        )
    rows = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.4, 5.4))
    image = ax.imshow(rows, cmap="Blues", vmin=0, vmax=1)
    ax.grid(False)
    ticks = range(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, class_names)
    for i in ticks:
        for j in ticks:
            if i != j and rows[i, j] >= 0.05:
                ax.text(j, i, f"{rows[i, j]:.2f}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, label="fraction of the true class")
    return finish_axes(ax, xlabel="predicted class", ylabel="true class")
