"""Figures of the training-and-understanding part, grouped by page; each returns its figure, axes
finished by :func:`lib.plotting.finish_axes`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from lib.checks import check_shape
from lib.corruptions import CLEAN, by_severity
from lib.plotting import PALETTE, finish_axes


def flip_accuracy_by_class(
    panels: Mapping[str, tuple[Sequence[str], Sequence[float], Sequence[float]]],
) -> Figure:
    """Per-class accuracy on original and mirrored images, one panel per data set.

    Args:
        panels: Title -> ``(class names, accuracy on originals, accuracy on flipped images)``,
            accuracies as fractions.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(5.0 * len(panels), 3.6), squeeze=False)
    for ax, (title, (names, plain, flipped)) in zip(axes.flat, panels.items(), strict=True):
        if not len(names) == len(plain) == len(flipped):
            raise ValueError(f"panel {title!r}: names, plain and flipped differ in length.")
        x = np.arange(len(names))
        ax.bar(x - 0.2, plain, width=0.4, color=PALETTE[0], label="original")
        ax.bar(x + 0.2, flipped, width=0.4, color=PALETTE[1], label="mirrored left-right")
        ax.set_xticks(x, names, rotation=45 if max(map(len, names)) > 2 else 0, ha="right")
        ax.set_ylim(0, 1.25)  # room for the legend above the bars
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        legend = {"loc": "upper center", "ncol": 2}
        finish_axes(ax, xlabel="class", ylabel="accuracy (fraction)", title=title, legend=legend)
    return fig


def augmentation_gain(
    sizes: Sequence[int],
    accuracy: Mapping[str, Sequence[Sequence[float]]],
    gap: Mapping[str, Sequence[Sequence[float]]],
) -> Figure:
    """Test accuracy and train-test gap against the number of training images.

    Args:
        sizes: Training-set sizes (the x axis, log scale).
        accuracy: Label (e.g. ``"no augmentation"``) -> per size, the test accuracy of each seed.
        gap: Label -> per size, train accuracy minus test accuracy of each seed.
    """
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.6))
    for ax, values, ylabel in (
        (axes[0], accuracy, "test accuracy (fraction)"),
        (axes[1], gap, "train − test accuracy (fraction)"),
    ):
        for colour, (label, per_size) in zip(PALETTE, values.items(), strict=False):
            if len(per_size) != len(sizes):
                raise ValueError(f"{label!r}: {len(per_size)} entries for {len(sizes)} sizes.")
            for size, seeds in zip(sizes, per_size, strict=True):
                ax.scatter([size] * len(seeds), seeds, color=colour, s=14, alpha=0.6)
            ax.plot(sizes, [np.mean(s) for s in per_size], color=colour, marker="o", label=label)
        ax.set_xscale("log")
        finish_axes(ax, xlabel="training images (count, log scale)", ylabel=ylabel, legend={})
    return fig


def method_scores(
    methods: Sequence[str], scores: Mapping[str, Sequence[Sequence[float]]]
) -> Figure:
    """One panel per score (accuracy, ECE, ...): a bar per method at the mean, a dot per seed.

    Args:
        methods: Method names (the bars).
        scores: Score label with its unit -> per method, the value of each seed.
    """
    fig, axes = plt.subplots(1, len(scores), figsize=(4.5 * len(scores), 3.6), squeeze=False)
    for ax, (label, per_method) in zip(axes.flat, scores.items(), strict=True):
        if len(per_method) != len(methods):
            raise ValueError(f"{label!r}: {len(per_method)} entries for {len(methods)} methods.")
        x = np.arange(len(methods))
        ax.bar(x, [np.mean(v) for v in per_method], color=PALETTE[0], alpha=0.7)
        for i, values in enumerate(per_method):
            ax.scatter([i] * len(values), values, color=PALETTE[7], s=12, zorder=3)
        ax.set_xticks(x, methods, rotation=20, ha="right")
        finish_axes(ax, xlabel="training", ylabel=label)
    return fig


def accuracy_under_corruption_grid(
    tables: Mapping[str, Mapping[tuple[str, int], float]], *, ncols: int = 3
) -> Figure:
    """Accuracy against corruption severity, one line per network: the first panel averages
    over the corruption types, then one panel per type.

    Args:
        tables: Network label -> ``(corruption, severity)`` -> accuracy (a fraction), with
            :data:`lib.corruptions.CLEAN` for the clean images, as returned by
            :func:`lib.corruptions.accuracy_under_corruption`; every table has the same keys.
        ncols: Panels per row.
    """
    if not tables:
        raise ValueError("pass at least one table: {label: accuracy_under_corruption(...)}.")
    keys = list(next(iter(tables.values())))
    for label, table in tables.items():
        if list(table) != keys:
            raise ValueError(
                f"table {label!r} has other (corruption, severity) keys than the first."
            )
    if CLEAN not in keys:
        raise ValueError(f"the tables have no clean accuracy: add it under the key {CLEAN}.")
    names = list(dict.fromkeys(n for n, s in keys if (n, s) != CLEAN))
    severities = sorted({s for n, s in keys if (n, s) != CLEAN})
    panels = {"mean over the corruptions": None, **{n: n for n in names}}
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.0 * ncols, 2.5 * nrows), sharex=True, sharey=True, squeeze=False
    )
    xs = np.arange(len(severities) + 1)
    for i, (ax, (title, name)) in enumerate(zip(axes.flat, panels.items(), strict=False)):
        for colour, (label, table) in zip(PALETTE, tables.items(), strict=False):
            if name is None:
                values = by_severity(table, tuple(severities))[0]
            else:
                values = [table[CLEAN]] + [table[(name, s)] for s in severities]
            ax.plot(xs, values, marker="o", markersize=3, color=colour, label=label)
        ax.set_xticks(xs, ["clean"] + [str(s) for s in severities])
        finish_axes(
            ax,
            xlabel="severity (1 mild to 5 severe)" if i >= len(panels) - ncols else "",
            ylabel="accuracy (fraction)" if i % ncols == 0 else "",
            title=title.replace("_", " "),
            legend={"fontsize": 7} if i == 0 else None,
        )
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


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
    if set(budgets) != set(regrets):
        raise ValueError(
            f"budgets and regrets must have the same methods, got {sorted(budgets)} and "
            f"{sorted(regrets)}."
        )
    for name, values in regrets.items():
        _check_curves("regrets", {name: values}, budgets[name])
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
    _check_curves("curves", {"losses": losses, "smoothed": smoothed}, lrs)
    if not len(lrs) or min(lrs) <= 0 or any(lr <= 0 for lr in marks.values()):
        raise ValueError(
            "lrs and marks must be positive learning rates (drawn on a log scale); pass the "
            "result of lr_range_test."
        )
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


def update_ratio_plot(
    ratios: Mapping[str, np.ndarray],
    layers: Sequence[str],
    *,
    reference: float = 1e-3,
    top: float = 10.0,
) -> Figure:
    """Update-to-weight ratios per step, one panel per weight matrix, one line per learning rate.

    Args:
        ratios: Label (e.g. the learning rate) -> ``(T, K)`` ratios of
            :func:`lib.understanding.babysitting.update_ratios`.
        layers: ``K`` names of the weight matrices, one per panel.
        reference: Drawn as a dashed horizontal line (cs231n's rule of thumb).
        top: Upper end of the log y axis (a diverging run leaves the plot).
    """
    for label, values in ratios.items():
        if np.ndim(values) != 2 or np.shape(values)[1] != len(layers):
            raise ValueError(
                f"ratios[{label!r}] must have shape (steps, {len(layers)}) for {len(layers)} "
                f"layers, got {np.shape(values)}."
            )
    fig, axes = plt.subplots(
        1, len(layers), figsize=(3.2 * len(layers), 3.4), sharey=True, squeeze=False
    )
    for k, (ax, layer) in enumerate(zip(axes[0], layers, strict=True)):
        for (label, values), color in zip(ratios.items(), PALETTE, strict=False):
            values = np.asarray(values)
            ax.plot(np.arange(1, len(values) + 1), values[:, k], label=label, color=color)
        ax.axhline(reference, color="black", linestyle="--", linewidth=1, label=f"{reference:g}")
        ax.set_yscale("log")
        ax.set_ylim(top=top)
        finish_axes(
            ax,
            xlabel="step",
            ylabel="update / weight (ratio of norms)" if k == 0 else "",
            title=layer,
            legend={"fontsize": 7} if k == 0 else None,
        )
    return fig


def sample_layouts(
    layouts: Mapping[str, tuple[np.ndarray, np.ndarray]], important: str, unimportant: str
) -> Figure:
    """Bergstra & Bengio's picture: where grid and random trials fall in two dimensions.

    Args:
        layouts: Method -> ``(x, y)`` trial coordinates in [0, 1]^2 (log-scaled ranges).
        important: Name of the x axis (the hyper-parameter that matters).
        unimportant: Name of the y axis.
    """
    if not layouts:
        raise ValueError("pass at least one layout: {method: (x, y)}.")
    for name, pair in layouts.items():
        if not isinstance(pair, tuple) or len(pair) != 2 or len(pair[0]) != len(pair[1]):
            raise ValueError(
                f"layouts[{name!r}] must be a pair (x, y) of equally long coordinate arrays."
            )
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


def _numpy(values: torch.Tensor) -> np.ndarray:
    return values.detach().cpu().float().numpy()


def _check_curves(name: str, curves: Mapping[str, Sequence[float]], xs: Sequence[float]) -> None:
    """Raise unless every curve has one value per x."""
    for label, values in curves.items():
        if len(values) != len(xs):
            raise ValueError(
                f"{name}[{label!r}] has {len(values)} values for {len(xs)} x values; pass one "
                "value per x."
            )


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
    check_shape(x_train, "x_train", (None,))
    check_shape(y_train, "y_train", (len(x_train),))
    check_shape(x_query, "x_query", (None,))
    check_shape(weights, "weights (queries x keys)", (len(x_query), len(x_train)))
    for label, y_hat in {**fits, **({"truth": truth} if truth is not None else {})}.items():
        check_shape(y_hat, f"fit {label!r}", (len(x_query),))
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
    _check_curves("max_weight", max_weight, dims)
    _check_curves("jacobian_norm", jacobian_norm, dims)
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
    if not maps:
        raise ValueError("pass at least one map: {title: weights (L_q, L_k)}.")
    for title, weights in maps.items():
        check_shape(weights, f"maps[{title!r}]", (None, None))
        L_q, L_k = weights.shape
        for name, labels, n in (
            ("xticklabels", xticklabels, L_k),
            ("yticklabels", yticklabels, L_q),
        ):
            if labels is not None and len(labels) != n:
                raise ValueError(
                    f"{name} has {len(labels)} names for {n} positions of maps[{title!r}]."
                )
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
    check_shape(encoding, "encoding", (None, None))
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
    if not accuracies:
        raise ValueError("pass at least one model: {model: {condition: accuracy}}.")
    models = list(accuracies)
    conditions = list(accuracies[models[0]])
    for m in models:
        if not isinstance(accuracies[m], Mapping) or set(accuracies[m]) != set(conditions):
            raise ValueError(
                f"accuracies[{m!r}] must map the same conditions {conditions} to accuracies, got "
                f"{accuracies[m]!r}."
            )
        if not all(0 <= accuracies[m][c] <= 1 for c in conditions):
            raise ValueError(
                f"accuracies must be fractions in [0, 1], got {dict(accuracies[m])} for {m!r}; "
                "divide percentages by 100."
            )
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


def retrieval_attention_maps(
    weights: torch.Tensor, pairs: torch.Tensor, queries: torch.Tensor, predictions: torch.Tensor
) -> Figure:
    """Cross-attention maps of the key-value retrieval task, one example per row: decoder
    queries (rows) against encoder pairs (columns), keys written as letters ``a, b, ...``.

    Args:
        weights: Attention weights ``(N, n_dec, n_enc)``, rows summing to 1.
        pairs: The encoder's ``(key, value)`` tokens, int ``(N, n_enc, 2)``.
        queries: The decoder's keys, int ``(N, n_dec)``.
        predictions: The predicted values, int ``(N, n_dec)``.
    """
    check_shape(weights, "weights", (None, None, None))
    n, n_dec, n_enc = weights.shape
    check_shape(pairs, "pairs", (n, n_enc, 2))
    check_shape(queries, "queries", (n, n_dec))
    check_shape(predictions, "predictions", (n, n_dec))
    letters = "abcdefghijklmnopqrstuvwxyz"
    if int(pairs[..., 0].max()) >= len(letters) or int(queries.max()) >= len(letters):
        raise ValueError(f"keys are drawn as letters: pass at most {len(letters)} keys.")
    fig, axes = plt.subplots(n, 1, figsize=(0.55 * n_enc + 2.6, 0.45 * n_dec * n + 1.2))
    axes = np.atleast_1d(axes)
    for i, ax in enumerate(axes):
        image = ax.imshow(_numpy(weights[i]), vmin=0.0, vmax=1.0, cmap="viridis")
        ax.grid(False)
        ax.set_xticks(range(n_enc), [f"{letters[k]}:{v}" for k, v in pairs[i].tolist()])
        asked = zip(queries[i].tolist(), predictions[i].tolist(), strict=True)
        ax.set_yticks(range(n_dec), [f"{letters[q]}? → {p}" for q, p in asked])
        finish_axes(
            ax,
            xlabel="encoder position: pair key:value" if i == n - 1 else "",
            ylabel="query → answer",
            title=f"test example {i + 1}",
        )
    fig.colorbar(image, ax=list(axes), label="attention weight")
    return fig


def spatial_attention_maps(
    canvases: torch.Tensor,
    weights: torch.Tensor,
    corners: torch.Tensor,
    *,
    box_size: int = 28,
    titles: Sequence[str] | None = None,
) -> Figure:
    """Images in their canvases (top row) and the attention map over each (bottom row): each
    cell's weight drawn over the pixels it covers, the image's box dashed.

    Args:
        canvases: Float canvases ``(N, 1, S, S)`` in [0, 1].
        weights: Attention maps ``(N, H, W)`` over a grid that tiles the canvas.
        corners: Top-left ``(row, column)`` of each image's box, int ``(N, 2)``.
        box_size: Side of the boxes in pixels.
        titles: ``N`` panel titles (e.g. the class and the prediction), or ``None``.
    """
    check_shape(canvases, "canvases", (None, 1, None, None), "float canvases")
    n, _, S, _ = canvases.shape
    check_shape(weights, "weights", (n, None, None), "one attention map per canvas")
    check_shape(corners, "corners", (n, 2), "top-left (row, column) of each box")
    if titles is not None and len(titles) != n:
        raise ValueError(f"got {len(titles)} titles for {n} canvases.")
    fig, axes = plt.subplots(
        2, n, figsize=(1.9 * n + 1.0, 4.4), sharex=True, sharey=True, squeeze=False,
        layout="constrained",
    )  # fmt: skip
    extent = (0.0, float(S), float(S), 0.0)  # pixel edges: x right, y down, as in the array
    vmax = float(weights.max())
    for j in range(n):
        canvas = _numpy(canvases[j, 0])
        axes[0, j].imshow(canvas, cmap="gray_r", vmin=0.0, vmax=1.0, extent=extent)
        axes[1, j].imshow(canvas, cmap="gray_r", vmin=0.0, vmax=1.0, extent=extent)
        image = axes[1, j].imshow(
            _numpy(weights[j]), cmap="inferno", alpha=0.75, vmin=0.0, vmax=vmax, extent=extent,
            interpolation="nearest",
        )  # fmt: skip
        row, col = corners[j].tolist()
        for ax in axes[:, j]:
            box = plt.Rectangle(
                (col, row), box_size, box_size, fill=False, linestyle="--", color=PALETTE[2]
            )
            ax.add_patch(box)
            ax.grid(False)
        if titles is not None:
            axes[0, j].set_title(titles[j], fontsize=9)
    for ax in axes[1]:
        ax.set_xlabel("x (pixels)")
    for ax in axes[:, 0]:
        ax.set_ylabel("y (pixels)")
    fig.colorbar(image, ax=list(axes[1]), label="attention weight of the cell")
    return fig
