"""Graph convolutional networks from scratch: the GCN layer and model, dense and sparse.

The layer of Kipf & Welling (ICLR 2017, "Semi-Supervised Classification with Graph
Convolutional Networks"):

.. math::

    H' = \\sigma\\big(\\hat A H W\\big), \\qquad
    \\hat A = \\tilde D^{-1/2} (A + I) \\tilde D^{-1/2},
    \\quad \\tilde D_{ii} = \\sum_j (A + I)_{ij}.

Conventions follow PyTorch Geometric so that the two can be compared weight for weight: an
``edge_index`` ``(2, E)`` holds ``(source, target)`` pairs, messages flow from source to target,
degrees are counted at the target, existing self-loops keep their weight and missing ones get
weight 1.

The sparse path keeps the normalised adjacency as a :class:`SparseMatrix`: a CSR matrix plus
its transpose, built once (the cache), so the forward pass is one CSR product and the
backward pass is one CSR product with the stored transpose, with no coalescing per step.

The normalised adjacency is built in :mod:`lib.graphs.normalization`, :class:`SparseMatrix` and
dropout live in :mod:`lib.graphs.sparse`, input checks in :mod:`lib.graphs.validation` and graph
utilities in :mod:`lib.graphs.graph_ops`.
"""

from __future__ import annotations

import torch
from torch import nn

from lib.checks import check_shape
from lib.graphs.sparse import SparseMatrix, dropout, propagate, sparse_dropout
from lib.graphs.validation import check_graph

__all__ = ["GCN", "GCNLayer", "literal_gcn_update"]


class GCNLayer(nn.Module):
    """One graph convolution ``H' = Â H W + b`` (no non-linearity), Kipf & Welling (2017).

    Args:
        in_features: Input feature size ``F``.
        out_features: Output feature size ``F'``.
        bias: Add a learned bias.

    Shapes:
        ``x (N, F)`` dense tensor or :class:`SparseMatrix`, ``adj (N', N)`` -> ``(N', F')``.
        ``N' = N`` for a whole graph; ``N' < N`` for a sampled block.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        if in_features < 1 or out_features < 1:
            raise ValueError(f"feature sizes must be positive, got {in_features}, {out_features}.")
        self.lin = nn.Linear(in_features, out_features, bias=False)
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None
        nn.init.xavier_uniform_(self.lin.weight)  # Glorot, as in the paper and PyG

    def forward(
        self, x: torch.Tensor | SparseMatrix, adj: torch.Tensor | SparseMatrix
    ) -> torch.Tensor:
        if isinstance(x, torch.Tensor):
            if x.dim() != 2:
                raise ValueError(
                    f"x must be node features of shape (N, F), got {tuple(x.shape)}; for one "
                    "feature per node pass x[:, None]."
                )
            if x.dtype != self.lin.weight.dtype:
                raise ValueError(
                    f"x is {x.dtype} but the layer's weights are {self.lin.weight.dtype}; pass "
                    "x.float() (or convert the model with .to(x.dtype))."
                )
        if x.shape[1] != self.lin.in_features:
            raise ValueError(
                f"x has {x.shape[1]} features per node, the layer expects {self.lin.in_features}."
            )
        if isinstance(x, SparseMatrix):  # X W with X sparse: one CSR product
            h = x @ self.lin.weight.t()
        else:
            h = self.lin(x)
        out = propagate(adj, h)
        return out if self.bias is None else out + self.bias


class GCN(nn.Module):
    """A stack of :class:`GCNLayer` with ReLU and dropout, optionally residual.

    With ``num_layers=2`` and ``hidden=16`` this is the model of Kipf & Welling (2017):
    ``Z = softmax(Â ReLU(Â X W0) W1)`` (the softmax lives in the loss).

    Args:
        in_features: Input feature size.
        hidden: Hidden feature size.
        out_features: Number of classes (or embedding size).
        num_layers: Number of graph convolutions (at least 1).
        dropout: Dropout before every layer (on the stored values for sparse input).
        residual: Add the input to every hidden-to-hidden layer (``H' = H + ReLU(Â H W)``).
        activation: Non-linearity between layers.

    Shapes:
        ``x (N, F)``, ``adj (N, N)`` (or one ``(N_l+1, N_l)`` block per layer) -> ``(N, C)``.
    """

    def __init__(
        self,
        in_features: int,
        hidden: int,
        out_features: int,
        *,
        num_layers: int = 2,
        dropout: float = 0.5,
        residual: bool = False,
        activation: nn.Module | None = None,
    ) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"num_layers must be at least 1, got {num_layers}.")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must lie in [0, 1), got {dropout}.")
        sizes = [in_features] + [hidden] * (num_layers - 1) + [out_features]
        self.layers = nn.ModuleList(
            GCNLayer(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=False)
        )
        self.dropout = dropout
        self.residual = residual
        self.activation = activation if activation is not None else nn.ReLU()

    def forward(
        self,
        x: torch.Tensor | SparseMatrix,
        adj: torch.Tensor | SparseMatrix | list,
        *,
        return_hidden: bool = False,
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        """Logits, and with ``return_hidden`` also the output of every hidden layer."""
        adjs = adj if isinstance(adj, list) else [adj] * len(self.layers)
        if len(adjs) != len(self.layers):
            raise ValueError(f"got {len(adjs)} adjacency blocks for {len(self.layers)} layers.")
        hidden: list[torch.Tensor] = []
        h = x
        for i, (layer, a) in enumerate(zip(self.layers, adjs, strict=False)):
            if isinstance(h, SparseMatrix):
                dropped = sparse_dropout(h, self.dropout, self.training)
            else:
                dropped = dropout(h, self.dropout, self.training)
            out = layer(dropped, a)
            if i < len(self.layers) - 1:
                out = self.activation(out)
                if self.residual and i > 0:
                    out = out + h[: out.shape[0]]
                hidden.append(out)
            h = out
        return (h, hidden) if return_hidden else h


def literal_gcn_update(
    h: torch.Tensor,
    edge_index: torch.Tensor,
    W0: torch.Tensor,
    W1: torch.Tensor,
    c: torch.Tensor,
) -> torch.Tensor:
    """The slide's update ``h_i' = h_i W0 + sum_{j in N(i)} (1 / c_ij) h_j W1``, node by node.

    A deliberately literal Python loop (no activation), for small graphs only; compare it with
    :class:`GCNLayer` to see when the two forms coincide.

    Args:
        h: Node states.
        edge_index: ``(source, target)`` pairs without self-loops; ``N(i)`` are the sources of
            edges into ``i``.
        W0: Self weight.
        W1: Neighbour weight.
        c: ``(N, N)`` normalisation constants ``c_ij`` (only entries of edges are read).

    Shapes:
        ``h (N, F)``, ``W0 (F, F')``, ``W1 (F, F')`` -> ``(N, F')``.
    """
    num_nodes = h.shape[0]
    check_graph(edge_index, num_nodes, x=h)
    if W0.shape != W1.shape or W0.shape[0] != h.shape[1]:
        raise ValueError(
            f"W0 and W1 must both be ({h.shape[1]}, F'), got {tuple(W0.shape)}, {tuple(W1.shape)}."
        )
    check_shape(c, "c", (num_nodes, num_nodes), "one constant c_ij per pair of nodes")
    if edge_index.numel() and (c[edge_index[1], edge_index[0]] == 0).any():
        raise ValueError(
            "c must be nonzero on every edge (the update divides by c_ij), found c_ij = 0; "
            "pass e.g. c = sqrt(d_i d_j) from the degrees."
        )
    neighbours: list[list[int]] = [[] for _ in range(num_nodes)]
    for j, i in edge_index.t().tolist():
        neighbours[i].append(j)
    rows = []
    for i in range(num_nodes):
        out = h[i] @ W0
        for j in neighbours[i]:
            out = out + (h[j] @ W1) / c[i, j]
        rows.append(out)
    return torch.stack(rows)
