"""The chapter's figures. Every function returns the ``matplotlib.figure.Figure`` it draws."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter, NullLocator

from lib.calibration import ReliabilityBins
from lib.checks import check_image_range, check_shape, check_tensor
from lib.plotting import PALETTE, finish_axes

_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
"""Marker shapes of :func:`quality_vs_cost`, one per method."""
_LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 2)))


def _np(x) -> np.ndarray:
    return (
        x.detach().cpu().double().numpy()
        if isinstance(x, torch.Tensor)
        else np.asarray(x, dtype=float)
    )


def _check_mapping(value: object, name: str, holds: str) -> None:
    """Raise unless ``value`` is a non-empty mapping from labels to what the figure draws."""
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{name} must be a dict {{label: {holds}}}, got {type(value).__name__}; for one "
            f"curve pass {{'label': ...}}."
        )
    if not value:
        raise ValueError(f"{name} is empty; pass at least one {{label: {holds}}}.")


def _check_pair(value: object, name: str, holds: str) -> None:
    """Raise unless ``value`` is a tuple or list of two items (``holds`` names them)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name} must be a pair {holds}, got {type(value).__name__}.")


def _check_size(values: object, name: str, size: int, what: str) -> np.ndarray:
    """``values`` as an array, after checking it holds ``size`` values, one for each of ``what``."""
    array = _np(values)
    if array.size != size:
        raise ValueError(
            f"{name} has {array.size} values for {size} {what}; pass one value for each."
        )
    return array


def _check_grid(x_grid: object) -> np.ndarray:
    grid = _np(x_grid)
    if grid.ndim != 1:
        raise ValueError(
            f"x_grid must be 1-D evaluation points (G,), got {grid.shape}; pass x_grid[:, 0]."
        )
    return grid


def regression_bands(
    X: torch.Tensor,
    y: torch.Tensor,
    x_grid: torch.Tensor,
    mean: torch.Tensor,
    bands: Mapping[str, torch.Tensor],
    *,
    truth: torch.Tensor | None = None,
    gap: tuple[float, float] | None = None,
    lines: Collection[str] = (),
    legend: Mapping[str, Any] | None = None,
    title: str | None = None,
) -> Figure:
    """Training points, predicted mean and ±2 standard-deviation bands.

    Args:
        X, y: Training data ``(N, 1)``.
        x_grid: Evaluation points ``(G,)``.
        mean: Predicted mean ``(G,)``.
        bands: Label → standard deviation ``(G,)``; drawn from widest to narrowest.
        truth: Optional true mean ``(G,)``.
        gap: Optional interval without training data, shaded.
        lines: Labels of ``bands`` drawn as dashed ±2 sd lines on top instead of filled, for a
            narrow band that the wider ones would hide, each in a line style of its own.
        legend: Keyword arguments of ``ax.legend`` instead of the default (upper left, two
            columns), e.g. to set a long legend below the axes.
    """
    for name, data in (("X", X), ("y", y)):
        if _np(data).ndim != 2 or _np(data).shape[1] != 1:
            raise ValueError(
                f"{name} must have shape (N, 1), got {_np(data).shape}; pass {name}[:, None]."
            )
    if len(_np(X)) != len(_np(y)):
        raise ValueError(f"X and y must hold the same points, got {len(_np(X))} and {len(_np(y))}.")
    xg = _check_grid(x_grid)
    mu = _check_size(mean, "mean", len(xg), "grid points")
    _check_mapping(bands, "bands", "standard deviation (G,)")
    for label, std in bands.items():
        low = _check_size(std, f"bands[{label!r}]", len(xg), "grid points").min()
        if low < 0:
            raise ValueError(
                f"bands[{label!r}] must be standard deviations (>= 0), found {low:.3g}; pass "
                "var.sqrt(), not a mean or a log-variance."
            )
    if truth is not None:
        _check_size(truth, "truth", len(xg), "grid points")
    if unknown := sorted(set(lines) - set(bands)):
        raise ValueError(f"lines names {unknown}, which are not in bands; pass labels of bands")
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    if gap is not None:
        ax.axvspan(*gap, color="0.92", zorder=0, label="no training data")
    ordered = sorted(bands.items(), key=lambda kv: -float(kv[1].mean()))
    for i, (label, std) in enumerate(ordered):
        s, colour = _np(std), PALETTE[(i + 1) % len(PALETTE)]
        if label in lines:
            style = _LINE_STYLES[1 + sum(name in lines for name, _ in ordered[:i])]
            for sign, line_label in ((1, f"±2 sd, {label}"), (-1, None)):
                ax.plot(
                    xg, mu + sign * 2 * s, color=colour, lw=2, ls=style, label=line_label, zorder=4
                )
        else:
            ax.fill_between(
                xg, mu - 2 * s, mu + 2 * s, color=colour, alpha=0.35, lw=0, label=f"±2 sd, {label}"
            )
    ax.scatter(_np(X)[:, 0], _np(y)[:, 0], s=6, color="0.35", label="training data", zorder=2)
    ax.plot(xg, mu, color=PALETTE[0], lw=2, label="predicted mean", zorder=3)
    if truth is not None:
        ax.plot(xg, _np(truth), color=PALETTE[7], lw=1, ls="--", label="true mean", zorder=3)
    return finish_axes(
        ax,
        xlabel="input x (arbitrary units)",
        ylabel="target y (arbitrary units)",
        title=title,
        legend=dict(legend)
        if legend is not None
        else {"fontsize": 8, "loc": "upper left", "ncol": 2},
    )


def std_split(
    x_grid: torch.Tensor,
    stds: Mapping[str, torch.Tensor],
    *,
    gap: tuple[float, float] | None = None,
    title: str | None = None,
) -> Figure:
    """Standard deviations against the input on a log scale, one line each.

    Shows parts of an uncertainty split that differ by orders of magnitude (the epistemic and
    aleatoric standard deviations of an ensemble), which bands on a linear scale hide.

    Args:
        x_grid: Evaluation points ``(G,)``.
        stds: Label → standard deviation ``(G,)``, positive.
        gap: Optional interval without training data, shaded.
    """
    xg = _check_grid(x_grid)
    _check_mapping(stds, "stds", "standard deviation (G,)")
    for label, std in stds.items():
        low = _check_size(std, f"stds[{label!r}]", len(xg), "grid points").min()
        if low < 0:
            raise ValueError(
                f"stds[{label!r}] must be standard deviations (>= 0), found {low:.3g}; pass "
                "var.sqrt()."
            )
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    if gap is not None:
        ax.axvspan(*gap, color="0.92", zorder=0, label="no training data")
    for i, (label, std) in enumerate(stds.items()):
        ax.plot(xg, _np(std), color=PALETTE[(i + 1) % len(PALETTE)], lw=2, label=label)
    ax.set_yscale("log")
    return finish_axes(
        ax,
        xlabel="input x (arbitrary units)",
        ylabel="standard deviation (units of y, log scale)",
        title=title,
        legend={"fontsize": 8},
    )


def reliability_diagram(
    bins: Mapping[str, ReliabilityBins], *, title: str | None = None, histogram: bool = False
) -> Figure:
    """Accuracy against confidence per bin, one panel per predictor, with the bin counts.

    Bars below the diagonal are over-confident bins, their gap to the bin's mean confidence
    shaded; in under-confident bins the part of the bar above the mean confidence has a colour
    of its own.

    Args:
        bins: Label → the predictor's :class:`~lib.calibration.ReliabilityBins`.
        title: Optional title of the figure.
        histogram: Add, above each diagram, the confidence histogram of Guo et al. (2017,
            Fig. 1, top): the number of predictions per bin (the same bins, so the same counts
            the ECE weights by), with the mean confidence and the accuracy over all predictions
            as vertical lines. Accuracy left of the mean confidence is over-confidence.
    """
    _check_mapping(bins, "bins", "ReliabilityBins")
    for label, b in bins.items():
        if not isinstance(b, ReliabilityBins):
            raise TypeError(
                f"bins[{label!r}] must be ReliabilityBins, got {type(b).__name__}; pass "
                "lib.calibration.reliability_bins(probs, labels)."
            )
    n = len(bins)
    if histogram:
        fig, grid = plt.subplots(
            2,
            n,
            figsize=(3.2 * n, 5.6),
            squeeze=False,
            sharex="col",
            sharey="row",
            gridspec_kw={"height_ratios": [1, 1.6]},
        )
        tops, axes = grid[0], grid[1]
    else:
        fig, grid = plt.subplots(1, n, figsize=(3.2 * n, 3.4), squeeze=False, sharey=True)
        tops, axes = [None] * n, grid[0]
    for i, (top, ax, (label, b)) in enumerate(zip(tops, axes, bins.items(), strict=False)):
        edges = _np(b.edges)
        width = edges[1] - edges[0]
        centres = edges[:-1] + width / 2
        acc, conf = np.nan_to_num(_np(b.accuracy)), np.nan_to_num(_np(b.confidence))
        filled = _np(b.counts) > 0
        title_text = f"{label}\nECE {b.calibration_error():.3f}"
        if top is not None:
            top.bar(centres, _np(b.counts), width=width * 0.95, color=PALETTE[7], alpha=0.6)
            top.axvline(b.mean_confidence, color=PALETTE[5], lw=2, label="mean confidence")
            top.axvline(b.overall_accuracy, color=PALETTE[0], lw=2, ls="--", label="accuracy")
            top.set_title(title_text, fontsize=10)
            finish_axes(
                top,
                xlabel="",  # shared with the diagram below
                ylabel="predictions (count)" if i == 0 else "",
                legend={"fontsize": 8, "loc": "upper left"} if i == 0 else None,
            )
        ax.bar(centres[filled], acc[filled], width=width * 0.95, color=PALETTE[0], label="accuracy")
        over, under = filled & (conf > acc), filled & (acc > conf)
        ax.bar(
            centres[over],
            (conf - acc)[over],
            bottom=acc[over],
            width=width * 0.95,
            color=PALETTE[5],
            alpha=0.35,
            label="over-confident gap",
        )
        ax.bar(
            centres[under],
            (acc - conf)[under],
            bottom=conf[under],
            width=width * 0.95,
            color=PALETTE[4],
            label="under-confident gap",
        )
        ax.plot([0, 1], [0, 1], color=PALETTE[7], ls="--", lw=1)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        if top is None:
            ax.set_title(title_text, fontsize=10)
        finish_axes(
            ax,
            xlabel="confidence (max probability)",
            ylabel="accuracy in bin" if i == 0 else "",  # the panels share the y axis
            legend={"fontsize": 8, "loc": "upper left"} if i == 0 else None,
        )
    if title:
        fig.suptitle(title)
        fig.tight_layout()
    return fig


def metric_vs_severity(
    values: Mapping[str, Sequence[float]],
    *,
    ylabel: str,
    spread: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
    title: str | None = None,
    ax: plt.Axes | None = None,
    distinct: bool = False,
) -> Figure:
    """A metric at severity 0 (clean) to 5, one line per predictor, optional min–max band.

    Args:
        values: Label → six values (clean, severities 1–5), e.g. averaged over corruption types.
        ylabel: y label with unit.
        spread: Label → (low, high) six values each, drawn as a band (spread over corruption types).
        distinct: Give every line its own marker shape and line style, later lines thinner and
            their markers hollow, so that lines lying on top of each other stay visible.
    """
    _check_mapping(values, "values", "six values")
    for label, v in values.items():
        _check_size(v, f"values[{label!r}]", 6, "severities (clean, 1 to 5)")
    if spread is not None:
        _check_mapping(spread, "spread", "(low, high)")
        for label, pair in spread.items():
            _check_pair(pair, f"spread[{label!r}]", "(low, high) of six values each")
            for bound in pair:
                _check_size(bound, f"spread[{label!r}]", 6, "severities (clean, 1 to 5)")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 3.4))
    for i, (label, v) in enumerate(values.items()):
        xs = np.arange(len(v))
        colour = PALETTE[i % len(PALETTE)]
        style = {"marker": "o", "ms": 4}
        if distinct:
            style = {
                "marker": _MARKERS[i % len(_MARKERS)],
                "ms": 7 if i == 0 else 5,
                "ls": _LINE_STYLES[i % len(_LINE_STYLES)],
                "lw": 2.6 if i == 0 else 1.4,
                "mfc": colour if i == 0 else "none",
            }
        ax.plot(xs, _np(v), color=colour, label=label, **style)
        if spread and label in spread:
            lo, hi = spread[label]
            ax.fill_between(xs, _np(lo), _np(hi), color=PALETTE[i % len(PALETTE)], alpha=0.15, lw=0)
    ax.set_xticks(range(6), ["clean", "1", "2", "3", "4", "5"])
    return finish_axes(
        ax, xlabel="corruption severity", ylabel=ylabel, title=title, legend={"fontsize": 8}
    )


def severity_grid(images: Mapping[tuple[str, int], torch.Tensor], clean: torch.Tensor) -> Figure:
    """One image under every corruption (rows) and severity (columns 1–5), clean first.

    Args:
        images: ``(name, severity)`` → one image ``(28, 28)`` or ``(1, 28, 28)``.
        clean: The clean image.
    """
    _check_mapping(images, "images", "one image")
    for key, img in [*images.items(), ("clean", clean)]:
        name = "clean" if key == "clean" else f"images[{key!r}]"
        if key != "clean" and (not isinstance(key, tuple) or len(key) != 2):
            raise ValueError(f"the keys of images must be pairs (name, severity), got {key!r}.")
        check_tensor(img, name)
        if img.numel() != 28 * 28:
            raise ValueError(
                f"{name} must be one image (28, 28) or (1, 28, 28), got {tuple(img.shape)}; pass "
                "one image of the batch, e.g. X[0]."
            )
        if img.is_floating_point():
            check_image_range(img, name)
    names = list(dict.fromkeys(n for n, _ in images))
    severities = sorted({s for _, s in images})
    fig, axes = plt.subplots(
        len(names),
        len(severities) + 1,
        figsize=(1.2 * (len(severities) + 1), 1.25 * len(names)),
        squeeze=False,
    )
    for r, name in enumerate(names):
        row = [clean] + [images[(name, s)] for s in severities]
        for c, img in enumerate(row):
            ax = axes[r, c]
            ax.imshow(
                _np(img.reshape(28, 28)),
                cmap="gray_r",
                vmin=0,
                vmax=1 if img.is_floating_point() else 255,
            )
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title("clean" if c == 0 else f"severity {severities[c - 1]}", fontsize=8)
            if c == 0:
                ax.set_ylabel(name.replace("_", "\n"), fontsize=8)
    fig.tight_layout()
    return fig


def confidence_histograms(panels: Mapping[str, Mapping[str, torch.Tensor]]) -> Figure:
    """Density histograms of a score for several input sets (e.g. IID vs OOD), one panel per
    predictor, drawn as outlines in line styles of their own, so that overlapping bars mix no
    colours. Every panel uses the same bins and axes, so the panels compare directly.

    Shapes:
        panels: predictor → (input set → scores ``(N,)``); the sets may differ in size.
    """
    _check_mapping(panels, "panels", "{set: scores (N,)}")
    for title, scores in panels.items():
        _check_mapping(scores, f"panels[{title!r}]", "scores (N,)")
        for label, v in scores.items():
            values = _np(v)
            if values.ndim != 1 or values.size == 0 or not np.isfinite(values).all():
                raise ValueError(
                    f"panels[{title!r}][{label!r}] must be finite scores (N,) with N >= 1, one per "
                    f"input, got shape {values.shape}; for probabilities pass probs.max(1).values."
                )
    all_values = np.concatenate([_np(v) for scores in panels.values() for v in scores.values()])
    edges = np.linspace(all_values.min(), all_values.max(), 31)
    n = len(panels)
    fig, axes = plt.subplots(1, n, figsize=(3.4 * n + 0.6, 3.4), squeeze=False, sharey=True)
    for j, (ax, (title, scores)) in enumerate(zip(axes[0], panels.items(), strict=True)):
        for i, (label, v) in enumerate(scores.items()):
            ax.hist(
                _np(v),
                bins=edges,
                density=True,
                histtype="step",
                lw=2,
                ls=_LINE_STYLES[i % len(_LINE_STYLES)],
                color=PALETTE[i % len(PALETTE)],
                label=label,
            )
        ax.set_title(title, fontsize=10)
        finish_axes(
            ax,
            xlabel="confidence (max probability)",
            ylabel="density" if j == 0 else "",
            legend={"fontsize": 8, "loc": "upper left"} if j == 0 else None,
        )
    return fig


def roc_curves(panels: Mapping[str, Mapping[str, tuple[torch.Tensor, torch.Tensor]]]) -> Figure:
    """ROC curves of OOD detection: true- against false-positive rate, one panel per score.

    Every threshold on a score flags the inputs above it as OOD; a curve traces the two rates
    over all thresholds, and the area under it is the AUROC. The diagonal is chance.

    Args:
        panels: Panel title (the score) → label (the predictor) → ``(fpr, tpr)``, the rates
            over the thresholds as ``sklearn.metrics.roc_curve`` returns them.

    Shapes:
        fpr, tpr: ``(T,)`` each, in ``[0, 1]``.
    """
    for title, curves in panels.items():
        for label, (fpr, tpr) in curves.items():
            f, t = _np(fpr), _np(tpr)
            if (
                f.ndim != 1
                or f.shape != t.shape
                or min(f.min(), t.min()) < 0
                or max(f.max(), t.max()) > 1
            ):
                raise ValueError(
                    f"{title}/{label}: fpr and tpr must be rates in [0, 1] of one shape (T,), got "
                    f"shapes {f.shape} and {t.shape}; pass roc_curve(targets, scores)[:2]"
                )
    colours = [c for c in PALETTE if c != "#F0E442"]
    n = len(panels)
    fig, axes = plt.subplots(1, n, figsize=(3.4 * n, 3.6), squeeze=False, sharey=True)
    for j, (ax, (title, curves)) in enumerate(zip(axes[0], panels.items(), strict=True)):
        ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls=":", label="chance")
        for i, (label, (fpr, tpr)) in enumerate(curves.items()):
            ax.plot(
                _np(fpr),
                _np(tpr),
                color=colours[i % len(colours)],
                ls=_LINE_STYLES[i % len(_LINE_STYLES)],
                lw=2,
                label=label,
            )
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=10)
        finish_axes(
            ax,
            xlabel="false-positive rate\n(fraction of in-distribution flagged)",
            ylabel="true-positive rate\n(fraction of OOD flagged)" if j == 0 else "",
            legend={"fontsize": 8, "loc": "lower right"} if j == n - 1 else None,
        )
    return fig


def confidence_maps(
    maps: Mapping[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
    X: torch.Tensor,
    y: torch.Tensor,
) -> Figure:
    """Max-probability heat maps over the plane, one panel per predictor, training data on top.

    Shapes:
        maps: label → ``(xx, yy, confidence)`` of :func:`lib.uncertainty.toy2d.confidence_grid`;
        X: ``(N, 2)``; y: ``(N,)``.
    """
    _check_mapping(maps, "maps", "(xx, yy, confidence)")
    for label, triple in maps.items():
        if not isinstance(triple, (tuple, list)) or len(triple) != 3:
            raise ValueError(
                f"maps[{label!r}] must be the triple (xx, yy, confidence) of confidence_grid, got "
                f"{type(triple).__name__}."
            )
    check_shape(X, "X", (None, 2), "2-D training points")
    check_shape(y, "y", (len(X),), "one class per training point")
    n = len(maps)
    fig, axes = plt.subplots(1, n, figsize=(3.3 * n + 0.8, 3.3), squeeze=False, sharey=True)
    image = None
    for i, (ax, (label, (xx, yy, conf))) in enumerate(zip(axes[0], maps.items(), strict=False)):
        image = ax.pcolormesh(
            _np(xx), _np(yy), _np(conf), vmin=1 / 3, vmax=1, cmap="viridis", shading="auto"
        )
        for c in range(int(y.max()) + 1):
            pts = _np(X[y == c])
            ax.scatter(
                pts[:, 0],
                pts[:, 1],
                s=7,
                color=PALETTE[[5, 3, 7][c % 3]],
                edgecolor="white",
                linewidth=0.3,
            )
        ax.set_title(label, fontsize=10)
        ax.set_aspect("equal")
        ax.grid(False)
        finish_axes(
            ax,
            xlabel="$x_1$ (arbitrary units)",
            ylabel="$x_2$ (arbitrary units)" if i == 0 else "",  # the panels share the y axis
        )
    fig.colorbar(image, ax=axes[0].tolist(), label="max probability")
    return fig


def risk_coverage_plot(
    curves: Mapping[str, tuple[torch.Tensor, torch.Tensor]], *, title: str | None = None
) -> Figure:
    """Selective accuracy against coverage, one curve per predictor or data set.

    Shapes:
        curves: label → ``(coverage, accuracy)``, each ``(N,)``, as
        :func:`lib.uncertainty.metrics.risk_coverage` returns.
    """
    _check_mapping(curves, "curves", "(coverage, accuracy)")
    for label, pair in curves.items():
        _check_pair(pair, f"curves[{label!r}]", "(coverage, accuracy) as risk_coverage returns")
        _check_size(pair[1], f"curves[{label!r}]", _np(pair[0]).size, "coverages")
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    for i, (label, (cov, acc)) in enumerate(curves.items()):
        ax.plot(
            _np(cov),
            _np(acc),
            color=PALETTE[i % len(PALETTE)],
            label=label,
            ls="-" if i % 2 == 0 else "--",
        )
    return finish_axes(
        ax,
        xlabel="coverage (fraction of inputs answered)",
        ylabel="accuracy on answered inputs",
        title=title,
        legend={"fontsize": 8},
    )


def decision_regions_plot(
    cost: torch.Tensor, action_names: Sequence[str], class_names: Sequence[str]
) -> Figure:
    """Expected cost of every action against ``p = P(class 1 | x)``; the lower envelope is Bayes.

    Shapes:
        cost: ``(A, 2)``, one row per action (named by ``action_names``), one column per class
        (named by ``class_names``).
    """
    c = _np(cost)
    if c.ndim != 2 or c.shape[1] != 2:
        raise ValueError(
            f"cost must have shape (A, 2): one row per action, one column per class of a binary "
            f"problem; got {c.shape}."
        )
    if len(action_names) != len(c) or len(class_names) != 2:
        raise ValueError(
            f"pass one name per action and per class: cost has {len(c)} actions and 2 classes, "
            f"got {len(action_names)} action_names and {len(class_names)} class_names."
        )
    p = np.linspace(0, 1, 401)
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    lines = np.stack([(1 - p) * c[a, 0] + p * c[a, 1] for a in range(len(c))])
    for a, name in enumerate(action_names):
        ax.plot(p, lines[a], color=PALETTE[a % len(PALETTE)], label=name)
    ax.plot(p, lines.min(0), color=PALETTE[7], lw=3, alpha=0.3, label="Bayes decision (minimum)")
    ax.set_ylim(0, min(2.0, float(lines.max())))
    return finish_axes(
        ax,
        xlabel=f"p = P({class_names[1]} | x)",
        ylabel="expected cost (cost units)",
        legend={"fontsize": 8},
    )


def quality_vs_cost(
    points: Mapping[str, tuple[float, float]],
    *,
    xlabel: str,
    ylabel: str,
    curve: tuple[str, Sequence[float], Sequence[float]] | None = None,
    title: str | None = None,
) -> Figure:
    """Inference cost against quality per method, cost on a log axis with a tick at every cost.

    ``curve`` = ``(label, costs, qualities)`` is drawn as a line with filled markers (e.g.
    ensemble sizes 1 to 5); each of ``points`` gets a hollow marker of its own shape and colour.
    Points at the same cost as each other or as a curve point are set side by side (each a few
    per cent further right), so that none hides another; the palette's low-contrast yellow is
    skipped.
    """
    _check_mapping(points, "points", "(cost, quality)")
    for label, pair in points.items():
        _check_pair(pair, f"points[{label!r}]", "(cost, quality)")
        if not float(pair[0]) > 0:
            raise ValueError(
                f"points[{label!r}] has cost {pair[0]}; costs must be positive (a log axis)."
            )
    if curve is not None:
        if not isinstance(curve, (tuple, list)) or len(curve) != 3:
            raise ValueError(f"curve must be (label, costs, qualities), got {curve!r}.")
        xs = _np(curve[1])
        _check_size(curve[2], "curve's qualities", xs.size, "costs")
        if not (xs > 0).all():
            raise ValueError(f"curve's costs must be positive (a log axis), got {xs.tolist()}.")
    colours = [c for c in PALETTE if c != "#F0E442"]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    costs: list[float] = []
    if curve is not None:
        label, xs, ys = curve
        ax.plot(_np(xs), _np(ys), "-o", color="#333333", ms=6, lw=1.5, label=label, zorder=2)
        costs += [float(x) for x in _np(xs)]
    taken: dict[float, int] = {}
    for i, (label, (x, y)) in enumerate(points.items()):
        x = float(x)
        shift = taken.get(x, 1 if x in costs else 0)
        taken[x] = shift + 1
        ax.scatter(
            [x * 1.07**shift],
            [y],
            s=70,
            marker=_MARKERS[(i + 1) % len(_MARKERS)],
            facecolors="none",
            edgecolors=colours[i % len(colours)],
            linewidths=1.8,
            label=label,
            zorder=3,
        )
        costs.append(x)
    ax.set_xscale("log")
    ticks = sorted(set(costs))
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_minor_locator(NullLocator())
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    return finish_axes(ax, xlabel=xlabel, ylabel=ylabel, title=title)
