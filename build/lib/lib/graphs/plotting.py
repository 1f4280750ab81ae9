"""Figures of chapter 3; every function returns the matplotlib ``Figure`` it draws."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from lib.plotting import PALETTE


def draw_graph(graph, labels: Sequence[int], names: Sequence[str], *, title: str | None = None,
               seed: int = 0) -> Figure:
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
        nodes = [n for n, lab in zip(graph.nodes(), labels) if lab == c]
        nx.draw_networkx_nodes(graph, pos, nodelist=nodes, node_color=PALETTE[c], node_size=160,
                               ax=ax, label=name, edgecolors="black", linewidths=0.5)
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=7)
    ax.legend(loc="lower left")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
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
    for ax, emb, title in zip(axes[0], embeddings, titles):
        emb = emb.detach().numpy()
        for c, name in enumerate(names):
            ax.scatter(emb[labels == c, 0], emb[labels == c, 1], color=PALETTE[c], label=name,
                       s=40, edgecolors="black", linewidths=0.4)
        for i in highlight:
            ax.scatter(emb[i, 0], emb[i, 1], s=220, facecolors="none", edgecolors="black",
                       linewidths=1.5)
        ax.set_title(title)
        ax.set_xlabel("embedding dimension 1 (a.u.)")
        ax.set_ylabel("embedding dimension 2 (a.u.)")
    axes[0, 0].legend()
    fig.tight_layout()
    return fig


def loglog_scaling(
    edges: Sequence[int], seconds: dict[str, Sequence[float]], slopes: dict[str, float]
) -> Figure:
    """Forward time against number of edges on log-log axes, with fitted slopes in the legend."""
    fig, ax = plt.subplots()
    for (name, ts), colour in zip(seconds.items(), PALETTE):
        ax.loglog(edges, np.asarray(ts) * 1e3, marker="o", color=colour,
                  label=f"{name} (slope {slopes[name]:.2f})")
    ax.set_xlabel("number of edges E")
    ax.set_ylabel("forward time (ms)")
    ax.legend()
    fig.tight_layout()
    return fig


def depth_curves(depths: Sequence[int], accuracy: dict[str, Sequence[float]],
                 smoothness: dict[str, Sequence[float]]) -> Figure:
    """Test accuracy (left) and feature smoothness (right) against the number of layers."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 3.6))
    names = list(dict.fromkeys([*accuracy, *smoothness]))  # one colour per model in both panels
    for name, acc in accuracy.items():
        left.plot(depths, np.asarray(acc) * 100, marker="o", color=PALETTE[names.index(name)],
                  label=name)
    for name, s in smoothness.items():
        right.semilogy(depths, s, marker="o", color=PALETTE[names.index(name)], label=name)
    for ax in (left, right):
        ax.set_xscale("log", base=2)
        ax.set_xticks(list(depths), [str(d) for d in depths])
        ax.set_xlabel("number of GCN layers")
        ax.legend()
    left.set_ylabel("test accuracy (%)")
    right.set_ylabel("Dirichlet energy (1)")
    fig.tight_layout()
    return fig


def bar_comparison(names: Sequence[str], values: Sequence[float], errors: Sequence[float] | None,
                   *, ylabel: str, reference: dict[str, float] | None = None) -> Figure:
    """Bars with optional error bars and horizontal reference lines (e.g. a paper's numbers)."""
    fig, ax = plt.subplots()
    ax.bar(names, values, yerr=errors, color=PALETTE[: len(names)], capsize=4)
    for (label, value), colour in zip((reference or {}).items(), PALETTE[5:]):
        ax.axhline(value, color=colour, linestyle="--", label=label)
    if reference:
        ax.legend()
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    return fig


def graph_gallery(graphs: Sequence, titles: Sequence[str], *, seed: int = 0) -> Figure:
    """A row of small networkx graphs in spring layouts, one title each."""
    import networkx as nx

    fig, axes = plt.subplots(1, len(graphs), figsize=(2.6 * len(graphs), 2.6), squeeze=False)
    for ax, g, title, colour in zip(axes[0], graphs, titles, PALETTE):
        nx.draw_networkx(g, nx.spring_layout(g, seed=seed), ax=ax, node_size=25, node_color=colour,
                         with_labels=False, width=0.6, edge_color="0.4")
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
    fig.tight_layout()
    return fig
