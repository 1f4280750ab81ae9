"""Figures of the training-and-understanding part; each returns its figure, axes finished by
:func:`lib.plotting.finish_axes`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

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
