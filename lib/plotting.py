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
) -> Figure:
    """Show images in a grid, with an optional title under each.

    Args:
        images: ``(N, H, W)`` or ``(N, 1, H, W)``, any real dtype (uint8 or [0, 1] floats).
        titles: ``N`` strings, or ``None``.
        ncols: Images per row.
        cmap: Colour map for the intensities (ink dark on white by default).
        scale: Inches per image.
    """
    if images.dim() == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.dim() != 3:
        raise ValueError(f"expected images (N, H, W) or (N, 1, H, W), got {tuple(images.shape)}.")
    n = len(images)
    if titles is not None and len(titles) != n:
        raise ValueError(f"got {len(titles)} titles for {n} images.")
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(scale * ncols, scale * nrows * 1.15), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i].detach().cpu().float().numpy(), cmap=cmap)
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig


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
