"""Figures of chapter 3; every function returns the matplotlib ``Figure`` it draws."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from lib.plotting import PALETTE, finish_axes


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


def bar_comparison(
    names: Sequence[str],
    values: Sequence[float],
    errors: Sequence[float] | None,
    *,
    ylabel: str,
    reference: dict[str, float] | None = None,
) -> Figure:
    """Bars with optional error bars and horizontal reference lines (e.g. a paper's numbers).

    The bars are named by their tick labels, so the x axis has no label of its own.
    """
    fig, ax = plt.subplots()
    ax.bar(names, values, yerr=errors, color=PALETTE[: len(names)], capsize=4)
    for (label, value), colour in zip((reference or {}).items(), PALETTE[5:], strict=False):
        ax.axhline(value, color=colour, linestyle="--", label=label)
    return finish_axes(ax, xlabel="", ylabel=ylabel, legend={} if reference else None)


def graph_gallery(graphs: Sequence, titles: Sequence[str], *, seed: int = 0) -> Figure:
    """A row of small networkx graphs in spring layouts, one title each.

    A graph whose nodes carry a ``"block"`` attribute (networkx's stochastic block model) has its
    nodes coloured by block, so that its communities show; other graphs get one colour each.
    """
    import networkx as nx

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
