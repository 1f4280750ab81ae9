"""Figures of the part on training and understanding networks (each returns its figure, open)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from lib.plotting import PALETTE, finish_axes


def attribution_maps(
    images: torch.Tensor,
    maps: dict[str, torch.Tensor],
    *,
    row_labels: Sequence[str] | None = None,
    scale: float = 1.3,
) -> Figure:
    """One row per image: the image, then each method's map (absolute value, channels summed,
    each map scaled to its own maximum, so colours compare pixels within a map, not methods).

    Args:
        images: ``(N, 1, H, W)`` or ``(N, H, W)`` intensities in [0, 1].
        maps: Column title -> maps ``(N, C, H, W)`` (or ``(N, 1, h, w)``, drawn stretched).
        row_labels: ``N`` labels written left of the rows (e.g. the class), or ``None``.
        scale: Inches per panel.
    """
    images = images[:, 0] if images.dim() == 4 else images
    n = len(images)
    if any(len(m) != n or m.dim() != 4 for m in maps.values()):
        raise ValueError(f"every map must be (N, C, H, W) with N = {n} images.")
    if row_labels is not None and len(row_labels) != n:
        raise ValueError(f"got {len(row_labels)} row labels for {n} images.")
    ncols = 1 + len(maps)
    fig, axes = plt.subplots(n, ncols, figsize=(scale * ncols, scale * n), squeeze=False)
    for i in range(n):
        axes[i, 0].imshow(images[i].detach().cpu().float().numpy(), cmap="gray_r", vmin=0, vmax=1)
        for j, m in enumerate(maps.values(), start=1):
            heat = m[i].detach().abs().sum(0).cpu().float()
            axes[i, j].imshow(
                (heat / heat.max().clamp_min(1e-12)).numpy(), cmap="inferno", vmin=0, vmax=1
            )
        for j, ax in enumerate(axes[i]):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
            if i == 0:
                ax.set_title("input" if j == 0 else list(maps)[j - 1], fontsize=9)
        if row_labels is not None:
            axes[i, 0].set_ylabel(row_labels[i], fontsize=8)
    fig.tight_layout()
    return fig


def embedding_scatter(
    Z: torch.Tensor,
    y: torch.Tensor,
    class_names: Sequence[str],
    *,
    xlabel: str,
    ylabel: str,
    title: str | None = None,
) -> Figure:
    """2-D embedding of feature vectors, one colour per class.

    Args:
        Z: Coordinates ``(N, 2)``.
        y: Labels ``(N,)`` in ``0..len(class_names) - 1``.
        class_names: Name of each class (legend).
        xlabel: x-axis label (e.g. ``"PC 1 (feature units)"``).
        ylabel: y-axis label.
        title: Optional title.
    """
    if Z.dim() != 2 or Z.shape[1] != 2 or len(Z) != len(y):
        raise ValueError(f"expected Z (N, 2) and y (N,), got {tuple(Z.shape)}, {tuple(y.shape)}.")
    colours = [*PALETTE, "#999999", "#882255"]
    if len(class_names) > len(colours):
        raise ValueError(f"at most {len(colours)} classes, got {len(class_names)}.")
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for c, name in enumerate(class_names):
        points = Z[y == c].detach().cpu().float().numpy()
        ax.scatter(points[:, 0], points[:, 1], s=6, color=colours[c], label=name, alpha=0.8)
    return finish_axes(
        ax,
        xlabel=xlabel,
        ylabel=ylabel,
        title=title,
        legend={"fontsize": 7, "markerscale": 2, "loc": "center left", "bbox_to_anchor": (1, 0.5)},
    )
