"""Graph utilities: permuting, symmetrising, converting from networkx, induced subgraphs and the
Dirichlet energy of node features."""

from __future__ import annotations

import torch

from lib.checks import check_shape, check_tensor
from lib.graphs.sparse import SparseMatrix, propagate
from lib.graphs.validation import check_graph


def permute_graph(
    x: torch.Tensor, edge_index: torch.Tensor, perm: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Relabel nodes: new node ``k`` is old node ``perm[k]``.

    Shapes:
        ``x (N, F)``, ``edge_index (2, E)``, ``perm (N,)`` -> ``(N, F)``, ``(2, E)``.
    """
    check_tensor(x, "x")
    num_nodes = x.shape[0]
    check_graph(edge_index, num_nodes, x=x)
    check_shape(perm, "perm", (num_nodes,), "a permutation of the node ids")
    if perm.is_floating_point() or perm.dtype == torch.bool:
        raise ValueError(f"perm must hold integer node ids, got {perm.dtype}; pass perm.long().")
    if sorted(perm.tolist()) != list(range(num_nodes)):
        raise ValueError("perm must be a permutation of 0..N-1 (e.g. torch.randperm(N)).")
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(num_nodes)
    return x[perm], inverse[edge_index]


def to_undirected(edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """Both directions of every edge, duplicates removed, sorted.

    Shapes:
        ``(2, E) -> (2, E')``.
    """
    check_graph(edge_index, num_nodes)
    both = torch.cat([edge_index, edge_index.flip(0)], dim=1)
    key = torch.unique(both[0] * num_nodes + both[1])
    return torch.stack([key // num_nodes, key % num_nodes])


def from_networkx(graph) -> tuple[torch.Tensor, int]:
    """``(edge_index, num_nodes)`` of an undirected networkx graph with nodes ``0..N-1``."""
    if not hasattr(graph, "number_of_nodes"):
        raise TypeError(
            f"graph must be a networkx graph, got {type(graph).__name__}; build one with "
            "networkx.Graph(edges), or pass an edge list as torch.tensor(edges).t() directly."
        )
    num_nodes = graph.number_of_nodes()
    if sorted(graph.nodes()) != list(range(num_nodes)):
        raise ValueError(
            "relabel the graph to nodes 0..N-1 first (networkx.convert_node_labels_to_integers)."
        )
    edges = torch.tensor(list(graph.edges()), dtype=torch.long).reshape(-1, 2).t()
    return to_undirected(edges, num_nodes), num_nodes


def induced_edges(edge_index: torch.Tensor, node_mask: torch.Tensor) -> torch.Tensor:
    """The edges whose two ends are both kept: the subgraph induced by ``node_mask``.

    Node ids are unchanged; dropped nodes become isolated (they keep only their self-loop in
    ``Â``), so they neither send nor receive messages.

    Shapes:
        ``edge_index (2, E)``, ``node_mask (N,)`` bool -> ``(2, E')``.
    """
    if node_mask.dtype != torch.bool or node_mask.dim() != 1:
        raise ValueError("node_mask must be a 1-D boolean tensor with one entry per node.")
    check_graph(edge_index, node_mask.numel())
    keep = node_mask[edge_index[0]] & node_mask[edge_index[1]]
    return edge_index[:, keep]


def dirichlet_energy(
    h: torch.Tensor, adj: torch.Tensor | SparseMatrix, eps: float = 1e-12
) -> float:
    """Normalised Dirichlet energy ``tr(H^T (I - Â) H) / tr(H^T H)`` of node features.

    It is 0 when the features are constant up to the degree scaling (the top eigenvector of a
    symmetric ``Â``) and grows as neighbouring nodes differ; repeated propagation drives it to
    0, which is *over-smoothing* (Li et al., AAAI 2018).

    Shapes:
        ``h (N, F)``, ``adj (N, N)`` -> scalar.
    """
    h = h.detach()
    smooth = (h * propagate(adj, h)).sum()
    total = (h * h).sum()
    return float(1.0 - smooth / (total + eps)) if total > eps else 0.0
