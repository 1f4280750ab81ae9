"""Cost of a graph convolution against the number of edges (it should be O(E))."""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Sequence

import torch

from lib.checks import check_int
from lib.graphs.gcn import GCNLayer
from lib.graphs.normalization import normalized_adjacency
from lib.graphs.sparse import SparseMatrix
from lib.reproducibility import make_generator
from lib.timing import best_time


def random_edge_index(
    num_nodes: int, num_edges: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``num_edges`` uniformly random directed edges (a sparse Erdős–Rényi graph).

    Shapes:
        ``-> (2, num_edges)``.
    """
    if num_nodes < 1 or num_edges < 0:
        raise ValueError("num_nodes must be positive and num_edges non-negative.")
    return torch.randint(0, num_nodes, (2, num_edges), generator=generator)


def _random_graphs(
    num_edges: Sequence[int], mean_degree: int, features: int, seed: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor, SparseMatrix]]:
    """For each edge count, a random graph with ``E / mean_degree`` nodes: its ``edge_index``,
    random node features ``(N, features)`` and its normalised adjacency (one generator, in order).
    """
    if isinstance(num_edges, numbers.Integral) or not all(
        isinstance(e, numbers.Integral) and e >= 1 for e in num_edges
    ):
        raise TypeError(
            f"num_edges must be a sequence of positive edge counts, got {num_edges!r}; "
            "pass e.g. [1_000, 10_000]."
        )
    g = make_generator(seed)
    for e in num_edges:
        n = max(e // mean_degree, 1)
        edge_index = random_edge_index(n, e, g)
        x = torch.randn(n, features, generator=g)
        yield edge_index, x, normalized_adjacency(edge_index, n)


def layer_multiply_adds(
    num_edges: Sequence[int], *, mean_degree: int = 10, features: int = 16, seed: int = 0
) -> list[int]:
    """Multiply-adds of one GCN layer (``features`` to ``features``) on the graphs that
    :func:`forward_time_vs_edges` times: ``N F F`` for the dense product ``H W`` plus
    ``nnz(Â) F`` for the sparse product, ``nnz(Â)`` the stored entries of the normalised
    adjacency (the edges, merged where repeated, plus one self-loop per node).

    The count is the layer's cost on every machine: exactly linear in ``E`` once ``N`` grows with
    it, whatever the time measured for it does.
    """
    return [
        x.shape[0] * features * features + adj.row.numel() * features
        for _, x, adj in _random_graphs(num_edges, mean_degree, features, seed)
    ]


@torch.no_grad()
def forward_time_vs_edges(
    num_edges: Sequence[int],
    *,
    mean_degree: int = 10,
    features: int = 16,
    repeats: int = 5,
    with_pyg: bool = False,
    seed: int = 0,
) -> tuple[list[int], list[float], list[float]]:
    """Best-of-``repeats`` forward time of one cached GCN layer on random graphs.

    The graphs have ``E / mean_degree`` nodes, so nodes and edges grow together.

    Returns:
        ``(edges, our_seconds, pyg_seconds)``; ``pyg_seconds`` is empty unless ``with_pyg``.
    """
    for value, name in ((mean_degree, "mean_degree"), (features, "features"), (repeats, "repeats")):
        check_int(value, name)
    ours, pyg = [], []
    for edge_index, x, adj in _random_graphs(num_edges, mean_degree, features, seed):
        layer = GCNLayer(features, features)
        ours.append(best_time(lambda: layer(x, adj), repeats=repeats))
        if with_pyg:
            from torch_geometric.nn import GCNConv

            conv = GCNConv(features, features, cached=True)
            conv(x, edge_index)
            pyg.append(best_time(lambda: conv(x, edge_index), repeats=repeats))
    return list(num_edges), ours, pyg
