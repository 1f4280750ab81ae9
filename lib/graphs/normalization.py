"""Normalising a graph for message passing: self-loops, symmetric (GCN) and mean adjacency.

Conventions follow PyTorch Geometric: degrees are counted at the target, existing self-loops
keep their weight and missing ones get weight 1.
"""

from __future__ import annotations

import torch

from lib.checks import check_tensor
from lib.graphs.sparse import SparseMatrix
from lib.graphs.validation import check_graph


def add_remaining_self_loops(
    edge_index: torch.Tensor,
    edge_weight: torch.Tensor,
    num_nodes: int,
    fill_value: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Add a self-loop of weight ``fill_value`` to every node that has none.

    A node that already has a self-loop keeps one loop with its existing weight (as PyG does).

    Shapes:
        ``edge_index (2, E) -> (2, E')``, ``edge_weight (E,) -> (E',)``.
    """
    is_loop = edge_index[0] == edge_index[1]
    loop_weight = torch.full((num_nodes,), fill_value, dtype=edge_weight.dtype)
    loop_weight[edge_index[0, is_loop]] = edge_weight[is_loop]
    loops = torch.arange(num_nodes).repeat(2, 1)
    return (
        torch.cat([edge_index[:, ~is_loop], loops], dim=1),
        torch.cat([edge_weight[~is_loop], loop_weight]),
    )


def gcn_norm(
    edge_index: torch.Tensor,
    num_nodes: int,
    edge_weight: torch.Tensor | None = None,
    *,
    add_self_loops: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetrically normalised edge weights ``w_ij / sqrt(d_i d_j)``.

    Degrees ``d`` are weighted in-degrees (counted at the target) after adding self-loops;
    nodes of degree 0 get weight 0 instead of infinity.

    Args:
        edge_index: ``(source, target)`` pairs.
        num_nodes: Number of nodes.
        edge_weight: Edge weights, default all ones.
        add_self_loops: Use ``A + I`` (the renormalisation trick) instead of ``A``.

    Returns:
        ``(edge_index, weight)`` of the normalised adjacency, self-loops included.

    Shapes:
        ``edge_index (2, E)``, ``edge_weight (E,)`` -> ``(2, E')``, ``(E',)``.
    """
    check_graph(edge_index, num_nodes, edge_weight)
    if edge_weight is None:
        edge_weight = torch.ones(edge_index.shape[1])
    if add_self_loops:
        edge_index, edge_weight = add_remaining_self_loops(edge_index, edge_weight, num_nodes)
    source, target = edge_index
    deg = torch.zeros(num_nodes, dtype=edge_weight.dtype).index_add_(0, target, edge_weight)
    inv_sqrt = deg.pow(-0.5)
    inv_sqrt[torch.isinf(inv_sqrt)] = 0.0
    return edge_index, inv_sqrt[source] * edge_weight * inv_sqrt[target]


def normalized_adjacency(
    edge_index: torch.Tensor,
    num_nodes: int,
    edge_weight: torch.Tensor | None = None,
    *,
    add_self_loops: bool = True,
    layout: str = "sparse",
) -> torch.Tensor | SparseMatrix:
    """The propagation matrix ``Â = D̃^{-1/2} (A + I) D̃^{-1/2}`` with ``Â[target, source]``.

    Build it once per graph and pass it to every forward pass (the cache).

    Args:
        edge_index: ``(source, target)`` pairs.
        num_nodes: Number of nodes ``N``.
        edge_weight: Optional edge weights.
        add_self_loops: Renormalisation trick (``A + I``).
        layout: ``"sparse"`` (a :class:`SparseMatrix`) or ``"dense"`` (an ``(N, N)`` tensor).

    Shapes:
        ``edge_index (2, E)`` -> ``(N, N)``, of the dtype of ``edge_weight`` (float32 without).
    """
    if layout not in ("sparse", "dense"):
        raise ValueError(f"layout must be 'sparse' or 'dense', got {layout!r}.")
    index, weight = gcn_norm(edge_index, num_nodes, edge_weight, add_self_loops=add_self_loops)
    if layout == "dense":
        return torch.zeros(num_nodes, num_nodes, dtype=weight.dtype).index_put_(
            (index[1], index[0]), weight, accumulate=True
        )
    return SparseMatrix.from_coo(index.flip(0), weight, (num_nodes, num_nodes))


def mean_adjacency(
    edge_index: torch.Tensor, num_nodes: int, *, add_self_loops: bool = True
) -> SparseMatrix:
    """Row-normalised ``D̃^{-1}(A + I)``: each node averages its in-neighbours (GraphSAGE-mean).

    Shapes:
        ``edge_index (2, E)`` -> ``(N, N)``.
    """
    check_graph(edge_index, num_nodes)
    weight = torch.ones(edge_index.shape[1])
    if add_self_loops:
        edge_index, weight = add_remaining_self_loops(edge_index, weight, num_nodes)
    deg = torch.zeros(num_nodes).index_add_(0, edge_index[1], weight).clamp(min=1.0)
    weight = weight / deg[edge_index[1]]
    return SparseMatrix.from_coo(edge_index.flip(0), weight, (num_nodes, num_nodes))


def row_normalize(x: torch.Tensor) -> torch.Tensor:
    """Divide each feature row by its sum (Kipf & Welling's preprocessing); zero rows stay zero.

    Shapes:
        ``x (N, F) -> (N, F)``.
    """
    check_tensor(x, "x")
    if x.layout != torch.strided:
        raise ValueError(f"x must be a dense tensor, got {x.layout}; pass x.to_dense().")
    if x.dim() != 2:
        raise ValueError(f"x must be node features of shape (N, F), got {tuple(x.shape)}.")
    if x.numel() and x.min() < 0:
        raise ValueError(
            f"x must be non-negative features such as word counts (found {x.min().item():.3g}): "
            "a row with negative entries can sum to about 0; standardise such features instead."
        )
    total = x.sum(dim=1, keepdim=True)
    return x / torch.where(total == 0, torch.ones_like(total), total)
