"""Figures of chapter 3; every function returns the matplotlib ``Figure`` it draws."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from lib.plotting import PALETTE, finish_axes


def _check_networkx(graph: object, name: str = "graph") -> None:
    """Raise a ``TypeError`` unless ``graph`` is a networkx graph (not an ``edge_index``)."""
    if not hasattr(graph, "number_of_nodes"):
        raise TypeError(
            f"{name} must be a networkx graph, got {type(graph).__name__}; build one from an "
            "edge_index with nx.Graph(edge_index.t().tolist())."
        )


def draw_graph(
    graph, labels: Sequence[int], names: Sequence[str], *, title: str | None = None, seed: int = 0
) -> Figure:
    """A networkx graph in a spring layout, nodes coloured by an integer label.

    Args:
        graph: The networkx graph.
        labels: Class of every node (indexes ``names``).
        names: Legend name of every class.
        title: Optional title.
        seed: Seed of the layout.
    """
    import networkx as nx

    _check_networkx(graph)
    labels = [int(label) for label in labels]
    if len(labels) != graph.number_of_nodes():
        raise ValueError(
            f"labels must hold one class per node ({graph.number_of_nodes()}), got {len(labels)}."
        )
    unnamed = sorted(set(labels) - set(range(len(names))))
    if unnamed:
        raise ValueError(
            f"labels holds class {unnamed[0]} but names has {len(names)} entries; pass one name "
            "per class, so that every node is drawn."
        )
    pos = nx.spring_layout(graph, seed=seed)
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    nx.draw_networkx_edges(graph, pos, ax=ax, alpha=0.35, width=0.8)
    for c, name in enumerate(names):
        nodes = [n for n, lab in zip(graph.nodes(), labels, strict=False) if lab == c]
        nx.draw_networkx_nodes(
            graph,
            pos,
            nodelist=nodes,
            node_color=PALETTE[c],
            node_size=160,
            ax=ax,
            label=name,
            edgecolors="black",
            linewidths=0.5,
        )
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=7)
    ax.legend(loc="lower left")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def message_passing(graph, node: int, *, seed: int = 0) -> Figure:
    """One message-passing step drawn on a graph: ``node`` (red) receives from its neighbours.

    The neighbours are blue, with an arrow along each edge into ``node`` (the messages
    ``h_j W_1 / c_ij``); every other node and edge is grey, since it plays no part in this
    node's update.

    Args:
        graph: An undirected networkx graph.
        node: The node whose update is drawn.
        seed: Seed of the spring layout.
    """
    import networkx as nx
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    _check_networkx(graph)
    if node not in graph:
        raise ValueError(f"node {node} is not in the graph; pass one of {sorted(graph)[:5]}...")
    pos = nx.spring_layout(graph, seed=seed)
    neighbours = sorted(graph.neighbors(node))
    others = [n for n in graph.nodes() if n != node and n not in neighbours]
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    nx.draw_networkx_edges(graph, pos, ax=ax, alpha=0.25, width=0.8, edge_color="grey")
    for j in neighbours:
        ax.add_patch(
            FancyArrowPatch(
                pos[j],
                pos[node],
                arrowstyle="-|>",
                mutation_scale=14,
                color=PALETTE[0],
                linewidth=1.8,
                shrinkA=7,
                shrinkB=9,
                zorder=3,
            )
        )
    style = {"ax": ax, "node_size": 160, "edgecolors": "black", "linewidths": 0.5}
    nx.draw_networkx_nodes(graph, pos, nodelist=others, node_color="lightgrey", **style)
    nx.draw_networkx_nodes(graph, pos, nodelist=neighbours, node_color=PALETTE[0], **style)
    nx.draw_networkx_nodes(graph, pos, nodelist=[node], node_color=PALETTE[5], **style)
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=7)
    handles = [
        Line2D([], [], marker="o", linestyle="", color=PALETTE[5], label=f"node {node}, updated"),
        Line2D([], [], marker="o", linestyle="", color=PALETTE[0], label="its neighbours"),
        Line2D([], [], color=PALETTE[0], linewidth=1.8, label="message h_j W1 / c_ij"),
    ]
    ax.legend(handles=handles, loc="upper right")
    ax.set_axis_off()
    fig.tight_layout()
    return fig


def embedding_scatter(
    embeddings: Sequence[torch.Tensor],
    labels: Sequence[int],
    names: Sequence[str],
    titles: Sequence[str],
    *,
    highlight: Sequence[int] = (),
) -> Figure:
    """Side-by-side 2-D node embeddings coloured by class; ``highlight`` marks labelled nodes."""
    width = 4.2 * len(embeddings)
    fig, axes = plt.subplots(1, len(embeddings), figsize=(width, 3.8), squeeze=False)
    labels = np.asarray(labels)
    for panel, (ax, emb, title) in enumerate(zip(axes[0], embeddings, titles, strict=False)):
        emb = emb.detach().numpy()
        for c, name in enumerate(names):
            ax.scatter(
                emb[labels == c, 0],
                emb[labels == c, 1],
                color=PALETTE[c],
                label=name,
                s=40,
                edgecolors="black",
                linewidths=0.4,
            )
        for i in highlight:
            ax.scatter(
                emb[i, 0], emb[i, 1], s=220, facecolors="none", edgecolors="black", linewidths=1.5
            )
        finish_axes(
            ax,
            xlabel="embedding dimension 1 (a.u.)",
            ylabel="embedding dimension 2 (a.u.)",
            title=title,
            legend={} if panel == 0 else None,
        )
    return fig


def loglog_scaling(
    edges: Sequence[int],
    values: dict[str, Sequence[float]],
    *,
    ylabel: str,
    slopes: dict[str, float] | None = None,
    guides: Sequence[float] = (1.0, 2.0),
) -> Figure:
    """A cost against the number of edges on log-log axes, with guide lines of given slopes.

    Args:
        edges: Numbers of edges ``E`` (the x values).
        values: One series per name, a cost for every entry of ``edges`` (e.g. counted
            multiply-adds).
        ylabel: Label of the y axis, with its unit.
        slopes: Fitted log-log slope of each series, shown in the legend.
        guides: Slopes of grey reference lines through the first point of the first series:
            slope 1 is a cost proportional to ``E``, slope 2 one proportional to ``E**2``.
    """
    if not isinstance(values, dict) or not values:
        raise ValueError(
            f"values must be a dict of one series per name, got {type(values).__name__}; pass "
            "e.g. {'GCNLayer': costs}."
        )
    for name, ys in values.items():
        ys = np.asarray(ys, dtype=float)
        if ys.shape != (len(edges),) or not (ys > 0).all():
            raise ValueError(
                f"values[{name!r}] must hold one positive cost per entry of edges ({len(edges)}) "
                f"for log axes, got shape {ys.shape}."
            )
    missing = [] if slopes is None else [name for name in values if name not in slopes]
    if missing:
        raise ValueError(f"slopes has no slope for {missing[0]!r}; pass one per series of values.")
    fig, ax = plt.subplots()
    for (name, ys), colour in zip(values.items(), PALETTE, strict=False):
        label = name if slopes is None else f"{name} (slope {slopes[name]:.2f})"
        ax.loglog(edges, ys, marker="o", color=colour, label=label)
    x = np.asarray(edges, dtype=float)
    y0 = float(np.asarray(next(iter(values.values())), dtype=float)[0])
    for slope, style in zip(guides, ("--", ":", "-."), strict=False):
        ax.loglog(
            x, y0 * (x / x[0]) ** slope, linestyle=style, color="grey", label=f"slope {slope:g}"
        )
    return finish_axes(ax, xlabel="number of edges E", ylabel=ylabel, legend={})


def _mean_and_range(values) -> tuple[np.ndarray, np.ndarray]:
    """Mean over runs and the error bar from the smallest to the largest run.

    Shapes:
        ``values (runs, points)`` or ``(points,)`` -> ``(points,)``, ``(2, points)``.
    """
    v = np.atleast_2d(np.asarray(values, dtype=float))
    mean = v.mean(axis=0)
    return mean, np.stack([mean - v.min(axis=0), v.max(axis=0) - mean])


def depth_curves(
    depths: Sequence[int],
    accuracy: dict[str, Sequence],
    smoothness: dict[str, Sequence],
) -> Figure:
    """Test accuracy (left) and feature smoothness (right) against the number of layers.

    Each series is one value per depth, or an array ``(runs, depths)`` over several runs (seeds):
    the line joins the means and the error bars span the smallest to the largest run.
    """
    for series in (accuracy, smoothness):
        for name, values in series.items():
            shape = np.shape(values)
            if not 1 <= len(shape) <= 2 or shape[-1] != len(depths):
                raise ValueError(
                    f"series {name!r} must hold one value per depth ({len(depths)}), or "
                    f"(runs, {len(depths)}) over runs, got shape {shape}."
                )
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 3.6))
    names = list(dict.fromkeys([*accuracy, *smoothness]))  # one colour per model in both panels
    for ax, series, scale in ((left, accuracy, 100.0), (right, smoothness, 1.0)):
        for name, values in series.items():
            mean, err = _mean_and_range(values)
            ax.errorbar(
                depths,
                mean * scale,
                yerr=err * scale,
                marker="o",
                capsize=3,
                color=PALETTE[names.index(name)],
                label=name,
            )
    right.set_yscale("log")
    for ax, ylabel in (
        (left, "test accuracy (%)"),
        (right, "Dirichlet energy (dimensionless)"),
    ):
        ax.set_xscale("log", base=2)
        ax.set_xticks(list(depths), [str(d) for d in depths])
        finish_axes(ax, xlabel="number of GCN layers", ylabel=ylabel, legend={})
    return fig


def dot_intervals(
    names: Sequence[str],
    means: Sequence[float],
    half_widths: Sequence[float],
    *,
    xlabel: str,
    reference: dict[str, float] | None = None,
) -> Figure:
    """One dot per model with its interval as a horizontal bar, and vertical reference lines.

    The rows are named by their tick labels (the first name on top), so the y axis has no label
    of its own; the x axis is not forced to start at zero, unlike a bar's.

    Args:
        names: Row labels, e.g. ``"Cora, ours"``.
        means: One value per row (e.g. a mean accuracy in %).
        half_widths: Half-width of each row's interval, in the unit of ``means``.
        xlabel: Label of the value axis, with its unit.
        reference: Optional named values drawn as dashed vertical lines (e.g. a paper's numbers).
    """
    if not len(names) == len(means) == len(half_widths):
        raise ValueError(
            f"need one mean and one half-width per name, got {len(names)} names, "
            f"{len(means)} means and {len(half_widths)} half-widths."
        )
    fig, ax = plt.subplots(figsize=(6.0, 0.5 * len(names) + 1.4))
    rows = np.arange(len(names))[::-1]
    ax.errorbar(
        means, rows, xerr=half_widths, fmt="o", color=PALETTE[0], capsize=4, linestyle="none"
    )
    ax.set_yticks(rows, list(names))
    styles = ("--", ":", "-.")
    for (label, value), colour, style in zip(
        (reference or {}).items(), PALETTE[1:], styles * 3, strict=False
    ):
        ax.axvline(value, color=colour, linestyle=style, linewidth=1.5, label=label)
    ax.set_ylim(-0.6, len(names) - 0.4)
    return finish_axes(ax, xlabel=xlabel, ylabel="", legend={} if reference else None)


def training_curves(
    train_loss: Sequence[float],
    val_loss: Sequence[float],
    val_accuracy: Sequence[float],
    *,
    stopped_at: int | None = None,
) -> Figure:
    """One training run: losses (left) and validation accuracy (right) against the epoch.

    Args:
        train_loss: Cross-entropy on the training nodes at every epoch (nats).
        val_loss: Cross-entropy on the validation nodes after every epoch (nats).
        val_accuracy: Validation accuracy after every epoch, in [0, 1] (drawn in %).
        stopped_at: Epoch (from 1) at which early stopping ended training, marked by a dotted
            vertical line in both panels; ``None`` marks nothing.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 3.6))
    epochs = np.arange(1, len(train_loss) + 1)
    left.plot(epochs, train_loss, color=PALETTE[0], label="training loss (with dropout)")
    left.plot(epochs[: len(val_loss)], val_loss, color=PALETTE[1], label="validation loss")
    right.plot(
        epochs[: len(val_accuracy)],
        100 * np.asarray(val_accuracy, dtype=float),
        color=PALETTE[1],
        label="validation accuracy",
    )
    for ax in (left, right):
        if stopped_at is not None:
            ax.axvline(
                stopped_at, color="grey", linestyle=":", label=f"early stop (epoch {stopped_at})"
            )
    finish_axes(left, xlabel="epoch", ylabel="cross-entropy (nats)", legend={})
    return finish_axes(right, xlabel="epoch", ylabel="validation accuracy (%)", legend={})


def tsne_scatter(
    points: np.ndarray,
    labels: Sequence[int],
    names: Sequence[str],
    *,
    title: str | None = None,
) -> Figure:
    """A 2-D t-SNE map of node representations, one colour per class.

    t-SNE places points so that close neighbours stay close; its axes have no units and no
    meaning of their own, only the grouping does.

    Shapes:
        ``points (N, 2)``, ``labels (N,)``.
    """
    points, labels = np.asarray(points), np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) != len(labels):
        raise ValueError(
            f"points must be (N, 2) with one label each, got {points.shape} and {len(labels)}."
        )
    colours = [c for c in PALETTE if c != "#F0E442"]  # yellow dots vanish on white
    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    for c, name in enumerate(names):
        ax.scatter(*points[labels == c].T, s=5, color=colours[c % len(colours)], label=name)
    ax.set_xticks([])
    ax.set_yticks([])
    return finish_axes(
        ax,
        xlabel="t-SNE dimension 1 (no units)",
        ylabel="t-SNE dimension 2 (no units)",
        title=title,
        legend={"markerscale": 3, "fontsize": 8, "loc": "best"},
    )


def graph_gallery(graphs: Sequence, titles: Sequence[str], *, seed: int = 0) -> Figure:
    """A row of small networkx graphs in spring layouts, one title each.

    A graph whose nodes carry a ``"block"`` attribute (networkx's stochastic block model) has its
    nodes coloured by block, so that its communities show; other graphs get one colour each.
    """
    import networkx as nx

    if hasattr(graphs, "number_of_nodes"):
        raise TypeError("graphs must be a list of networkx graphs, got one graph; pass [graph].")
    for g in graphs:
        _check_networkx(g, "every graph")
    if len(titles) != len(graphs) or isinstance(titles, str):
        raise ValueError(f"titles must hold one title per graph ({len(graphs)}), got {titles!r}.")
    fig, axes = plt.subplots(1, len(graphs), figsize=(2.6 * len(graphs), 2.6), squeeze=False)
    for ax, g, title, colour in zip(axes[0], graphs, titles, PALETTE, strict=False):
        blocks = nx.get_node_attributes(g, "block")
        if len(blocks) == g.number_of_nodes():
            colour = [PALETTE[(4 + blocks[n]) % len(PALETTE)] for n in g.nodes]
        nx.draw_networkx(
            g,
            nx.spring_layout(g, seed=seed),
            ax=ax,
            node_size=25,
            node_color=colour,
            with_labels=False,
            width=0.6,
            edge_color="0.4",
        )
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
    fig.tight_layout()
    return fig
