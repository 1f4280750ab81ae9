"""Validation of graph inputs: ``edge_index``, edge weights and node counts."""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from lib.graphs.sparse import SparseMatrix


def check_graph(
    edge_index: torch.Tensor,
    num_nodes: int,
    edge_weight: torch.Tensor | None = None,
    x: torch.Tensor | SparseMatrix | None = None,
) -> None:
    """Raise a clear ``ValueError`` when a graph is malformed.

    Args:
        edge_index: ``(2, E)`` int64 tensor of ``(source, target)`` node ids.
        num_nodes: Number of nodes ``N`` (a Python or NumPy integer); every id must lie in
            ``0..N-1``.
        edge_weight: Optional ``(E,)`` floating tensor of finite non-negative weights.
        x: Optional node features whose first dimension must be ``N``.

    Shapes:
        ``edge_index (2, E)``, ``edge_weight (E,)``, ``x (N, F)``.
    """
    if not isinstance(num_nodes, Integral) or isinstance(num_nodes, bool) or num_nodes < 0:
        raise ValueError(
            f"num_nodes must be a non-negative int, got {num_nodes!r}; pass the number of nodes, "
            "e.g. x.shape[0]."
        )
    num_nodes = int(num_nodes)  # np.int64(5) -> 5, as the messages below print it
    if not isinstance(edge_index, torch.Tensor):
        raise ValueError(
            f"edge_index must be a torch.Tensor of shape (2, E), got {type(edge_index).__name__}; "
            "convert with torch.as_tensor(edges, dtype=torch.long).t()."
        )
    if edge_index.dtype != torch.long:
        raise ValueError(
            f"edge_index must have dtype torch.long (int64), got {edge_index.dtype}; "
            "pass edge_index.long()."
        )
    if edge_index.dim() != 2 or edge_index.shape[0] != 2:
        raise ValueError(
            f"edge_index must have shape (2, E), got {tuple(edge_index.shape)}; "
            "if you hold a list of (source, target) pairs of shape (E, 2), pass its transpose."
        )
    if edge_index.numel() > 0:
        low, high = int(edge_index.min()), int(edge_index.max())
        if low < 0 or high >= num_nodes:
            raise ValueError(
                f"edge_index holds node ids in [{low}, {high}] but the graph has num_nodes="
                f"{num_nodes} (valid ids 0..{num_nodes - 1}); pass the right num_nodes or "
                "relabel the nodes."
            )
    if edge_weight is not None:
        if not isinstance(edge_weight, torch.Tensor) or not edge_weight.is_floating_point():
            raise ValueError("edge_weight must be a floating-point tensor of shape (E,) or None.")
        if edge_weight.shape != (edge_index.shape[1],):
            raise ValueError(
                f"edge_weight must have shape (E,) = ({edge_index.shape[1]},) to match edge_index, "
                f"got {tuple(edge_weight.shape)}."
            )
        if not torch.isfinite(edge_weight).all():
            raise ValueError("edge_weight holds NaN or infinite values; pass finite weights.")
        if edge_weight.numel() and edge_weight.min() < 0:
            raise ValueError(
                f"edge_weight must be non-negative (a degree is a sum of weights), found "
                f"{edge_weight.min().item():.3g}; pass edge strengths, e.g. edge_weight.abs()."
            )
    if x is not None:
        rows = x.shape[0]
        if rows != num_nodes:
            raise ValueError(
                f"the features have {rows} rows but the graph has {num_nodes} nodes; "
                "x must be (num_nodes, F) with one row per node."
            )
