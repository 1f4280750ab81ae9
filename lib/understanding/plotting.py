"""Figures of the attention page; each returns its figure with axes finished by
:func:`lib.plotting.finish_axes`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from lib.plotting import PALETTE, finish_axes


def _numpy(values: torch.Tensor) -> np.ndarray:
    return values.detach().cpu().float().numpy()


def kernel_regression_plot(
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_query: torch.Tensor,
    fits: Mapping[str, torch.Tensor],
    weights: torch.Tensor,
    *,
    truth: torch.Tensor | None = None,
) -> Figure:
    """Nadaraya-Watson regression: the fits (left) and the attention weights (right).

    Args:
        x_train: Keys ``(n,)`` (sorted, so that the weight matrix reads as a band).
        y_train: Values ``(n,)``.
        x_query: Queries ``(m,)``.
        fits: Label -> prediction at the queries ``(m,)``.
        weights: Attention weights of one fit, queries x keys ``(m, n)``.
        truth: Optional noiseless function at the queries ``(m,)``.
    """
    x_train, y_train, x_query, weights = map(_numpy, (x_train, y_train, x_query, weights))
    fig, (ax, ax_w) = plt.subplots(1, 2, figsize=(10, 3.6))
    ax.scatter(x_train, y_train, s=10, color="0.6", label="training pairs (keys, values)")
    if truth is not None:
        ax.plot(x_query, _numpy(truth), color=PALETTE[7], linestyle="--", label="true function")
    for (label, y_hat), color in zip(fits.items(), PALETTE, strict=False):
        ax.plot(x_query, _numpy(y_hat), color=color, label=label)
    finish_axes(ax, xlabel="x (query or key)", ylabel="y (value)", legend={"fontsize": 8})
    image = ax_w.imshow(
        weights,
        aspect="auto",
        origin="lower",
        extent=(float(x_train.min()), float(x_train.max()), float(x_query.min()),
                float(x_query.max())),
    )  # fmt: skip
    ax_w.grid(False)
    fig.colorbar(image, ax=ax_w, label="attention weight")
    return finish_axes(ax_w, xlabel="key x_i", ylabel="query x")


def softmax_saturation_plot(
    dims: Sequence[int],
    max_weight: Mapping[str, Sequence[float]],
    jacobian_norm: Mapping[str, Sequence[float]],
) -> Figure:
    """Largest softmax weight (left) and norm of the softmax's Jacobian (right) against the
    dimension ``d`` of queries and keys, one curve per scaling.

    Args:
        dims: The dimensions ``d``.
        max_weight: Label -> mean largest weight per ``d``.
        jacobian_norm: Label -> mean Frobenius norm of the Jacobian per ``d``.
    """
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, curves, ylabel in (
        (axes[0], max_weight, "largest attention weight"),
        (axes[1], jacobian_norm, "Jacobian norm of the softmax"),
    ):
        for label, values in curves.items():
            ax.plot(dims, values, marker="o", markersize=3, label=label)
        ax.set_xscale("log", base=2)
        finish_axes(ax, xlabel="dimension d of queries and keys", ylabel=ylabel, legend={})
    axes[1].set_yscale("log")
    return fig


def attention_maps(
    maps: Mapping[str, torch.Tensor],
    *,
    xlabel: str = "key position",
    ylabel: str = "query position",
    xticklabels: Sequence[str] | None = None,
    yticklabels: Sequence[str] | None = None,
) -> Figure:
    """Attention weight matrices side by side, each ``(L_q, L_k)``, one colour bar.

    Args:
        maps: Title -> weights ``(L_q, L_k)``, rows summing to 1.
        xlabel: x-axis label (the keys).
        ylabel: y-axis label (the queries).
        xticklabels: Names of the keys, e.g. the input tokens.
        yticklabels: Names of the queries.
    """
    fig, axes = plt.subplots(1, len(maps), figsize=(3.4 * len(maps) + 0.8, 3.2), squeeze=False)
    for ax, (title, weights) in zip(axes[0], maps.items(), strict=True):
        image = ax.imshow(_numpy(weights), vmin=0.0, vmax=1.0, cmap="viridis")
        ax.grid(False)
        L_q, L_k = weights.shape
        ax.set_xticks(range(L_k), xticklabels if xticklabels is not None else range(L_k))
        ax.set_yticks(range(L_q), yticklabels if yticklabels is not None else range(L_q))
        finish_axes(ax, xlabel=xlabel, ylabel=ylabel, title=title)
    fig.colorbar(image, ax=list(axes[0]), label="attention weight")
    return fig


def positional_encoding_plot(encoding: torch.Tensor) -> Figure:
    """The sinusoidal positional encodings as an image: one row per position.

    Args:
        encoding: ``(length, dim)``.
    """
    fig, ax = plt.subplots(figsize=(6.0, 3.2))
    image = ax.imshow(_numpy(encoding), aspect="auto", cmap="RdBu_r", vmin=-1.0, vmax=1.0)
    ax.grid(False)
    fig.colorbar(image, ax=ax, label="encoding value")
    return finish_axes(ax, xlabel="feature index", ylabel="position t")


def accuracy_bars(accuracies: Mapping[str, Mapping[str, float]]) -> Figure:
    """Grouped bars: one group per model, one bar per test condition.

    Args:
        accuracies: Model -> condition -> accuracy (fraction); every model has the same
            conditions.
    """
    models = list(accuracies)
    conditions = list(accuracies[models[0]])
    width = 0.8 / len(conditions)
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    for j, (condition, color) in enumerate(zip(conditions, PALETTE, strict=False)):
        values = [accuracies[m][condition] for m in models]
        positions = [i + (j - (len(conditions) - 1) / 2) * width for i in range(len(models))]
        ax.bar(positions, values, width=width, color=color, label=condition)
    ax.set_xticks(range(len(models)), models)
    ax.set_ylim(0.0, 1.15)  # room for the legend above the bars
    legend = {"loc": "upper center", "ncol": len(conditions)}
    return finish_axes(ax, xlabel="model", ylabel="test accuracy (fraction)", legend=legend)
