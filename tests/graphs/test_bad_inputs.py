"""Bad inputs to the public functions of part 4 (GCN layers, graph utilities): each raises an
error that names the argument, what it received and what to pass."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import pytest
import torch

from lib.graphs import (
    GCN,
    GCNLayer,
    SparseMatrix,
    dirichlet_energy,
    from_networkx,
    gcn_norm,
    literal_gcn_update,
    mean_adjacency,
    normalized_adjacency,
    permute_graph,
    row_normalize,
    to_undirected,
)
from lib.graphs.link_prediction import split_edges

EDGE_INDEX = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
ADJ = normalized_adjacency(EDGE_INDEX, 4)
X = torch.randn(4, 3)
W0 = torch.randn(3, 2)

CASES = [
    pytest.param(
        lambda: GCNLayer(3, 2)(X, EDGE_INDEX),
        ValueError,
        r"adj must be the normalised adjacency, got a torch.int64 tensor of shape \(2, 6\): "
        r"an edge_index\?.*normalized_adjacency\(edge_index, N\)",
        id="gcnlayer-edge_index-E!=N",
    ),
    pytest.param(
        lambda: GCNLayer(3, 2)(torch.randn(6, 3), EDGE_INDEX),
        ValueError,
        r"an edge_index\?.*normalized_adjacency\(edge_index, N\)",
        id="gcnlayer-edge_index-E==N",
    ),
    pytest.param(
        lambda: GCN(3, 4, 2)(X, EDGE_INDEX), ValueError, "an edge_index", id="gcn-edge_index"
    ),
    pytest.param(
        lambda: dirichlet_energy(X, EDGE_INDEX.t()),
        ValueError,
        "an edge_index",
        id="dirichlet-edge_index",
    ),
    pytest.param(
        lambda: GCNLayer(1, 2)(torch.randn(4), ADJ),
        ValueError,
        r"x must be node features of shape \(N, F\), got \(4,\); .*x\[:, None\]",
        id="gcnlayer-1d-x",
    ),
    pytest.param(
        lambda: GCNLayer(3, 2)(X.double(), ADJ),
        ValueError,
        r"x is torch.float64 but the layer's weights are torch.float32; pass x.float\(\)",
        id="gcnlayer-float64-x",
    ),
]


def test_float64_layer_takes_float64_features() -> None:
    layer = GCNLayer(3, 2).double()
    assert layer(X.double(), ADJ.to_dense().double()).dtype == torch.float64


def test_from_networkx_needs_a_graph_not_an_edge_list() -> None:
    from lib.graphs.graph_ops import from_networkx

    with pytest.raises(TypeError, match=r"graph must be a networkx graph, got list"):
        from_networkx([(0, 1), (1, 2)])


@pytest.mark.parametrize("num_edges", [100, [0], [10.5]])
def test_layer_multiply_adds_needs_a_list_of_edge_counts(num_edges: object) -> None:
    from lib.graphs.scaling import layer_multiply_adds

    with pytest.raises(TypeError, match=r"num_edges must be a sequence of positive edge counts"):
        layer_multiply_adds(num_edges)  # type: ignore[arg-type]


# Graph utilities, normalisation, the sparse matrix and the edge split of link prediction.
KARATE_EDGES, KARATE_N = from_networkx(nx.karate_club_graph())
COMPLETE = to_undirected(torch.combinations(torch.arange(5)).t(), 5)

CASES += [
    pytest.param(
        lambda: gcn_norm(EDGE_INDEX.t(), 4),
        ValueError,
        r"edge_index must have shape \(2, E\), got \(6, 2\); .*pass its transpose",
        id="gcn_norm-edge-list-(E, 2)",
    ),
    pytest.param(
        lambda: gcn_norm(EDGE_INDEX.float(), 4),
        ValueError,
        r"edge_index must have dtype torch.long \(int64\), got torch.float32; pass "
        r"edge_index.long\(\)",
        id="gcn_norm-float-edge_index",
    ),
    pytest.param(
        lambda: gcn_norm(EDGE_INDEX, 3),
        ValueError,
        r"edge_index holds node ids in \[0, 3\] but the graph has num_nodes=3",
        id="gcn_norm-node-id-beyond-num_nodes",
    ),
    pytest.param(
        lambda: gcn_norm(EDGE_INDEX, 4, -torch.ones(6)),
        ValueError,
        r"edge_weight must be non-negative \(a degree is a sum of weights\), found -1",
        id="gcn_norm-negative-weights",
    ),
    pytest.param(
        lambda: gcn_norm(EDGE_INDEX, 4, torch.ones(6, 1)),
        ValueError,
        r"edge_weight must have shape \(E,\) = \(6,\) to match edge_index, got \(6, 1\)",
        id="gcn_norm-weight-column",
    ),
    pytest.param(
        lambda: gcn_norm(EDGE_INDEX.numpy(), 4),
        ValueError,
        "edge_index must be a torch.Tensor of shape \\(2, E\\), got ndarray",
        id="gcn_norm-numpy-edge_index",
    ),
    pytest.param(
        lambda: mean_adjacency(EDGE_INDEX, 4.0),
        ValueError,
        "num_nodes must be a non-negative int, got 4.0",
        id="mean_adjacency-float-num_nodes",
    ),
    pytest.param(
        lambda: to_undirected(EDGE_INDEX.t(), 4),
        ValueError,
        r"edge_index must have shape \(2, E\), got \(6, 2\)",
        id="to_undirected-edge-list-(E, 2)",
    ),
    pytest.param(
        lambda: to_undirected(EDGE_INDEX, 2),
        ValueError,
        r"edge_index holds node ids in \[0, 3\] but the graph has num_nodes=2",
        id="to_undirected-num_nodes-too-small",
    ),
    pytest.param(
        lambda: row_normalize(X.numpy()),
        TypeError,
        r"x must be a torch.Tensor, got ndarray; convert a numpy array with torch.from_numpy",
        id="row_normalize-numpy",
    ),
    pytest.param(
        lambda: row_normalize(X),
        ValueError,
        r"x must be non-negative features such as word counts \(found -",
        id="row_normalize-negative-features",
    ),
    pytest.param(
        lambda: row_normalize(X.abs().to_sparse()),
        ValueError,
        r"x must be a dense tensor, got torch.sparse_coo; pass x.to_dense\(\)",
        id="row_normalize-sparse",
    ),
    pytest.param(
        lambda: row_normalize(torch.rand(4)),
        ValueError,
        r"x must be node features of shape \(N, F\), got \(4,\)",
        id="row_normalize-1d",
    ),
    pytest.param(
        lambda: permute_graph(X, EDGE_INDEX, [3, 2, 1, 0]),
        TypeError,
        "perm must be a torch.Tensor, got list",
        id="permute_graph-list-perm",
    ),
    pytest.param(
        lambda: permute_graph(X, EDGE_INDEX, torch.tensor([3.0, 2, 1, 0])),
        ValueError,
        r"perm must hold integer node ids, got torch.float32; pass perm.long\(\)",
        id="permute_graph-float-perm",
    ),
    pytest.param(
        lambda: permute_graph(X, EDGE_INDEX, torch.randperm(5)),
        ValueError,
        r"perm must have shape \(4,\) \(a permutation of the node ids\), got \(5,\)",
        id="permute_graph-perm-too-long",
    ),
    pytest.param(
        lambda: permute_graph(X, EDGE_INDEX, torch.tensor([0, 0, 1, 2])),
        ValueError,
        r"perm must be a permutation of 0..N-1 \(e.g. torch.randperm\(N\)\)",
        id="permute_graph-repeated-node",
    ),
    pytest.param(
        lambda: permute_graph(EDGE_INDEX, X, torch.randperm(4)),
        ValueError,
        "edge_index must have dtype torch.long",
        id="permute_graph-x-and-edge_index-swapped",
    ),
    pytest.param(
        lambda: literal_gcn_update(X, EDGE_INDEX, W0, W0, torch.ones(3, 3)),
        ValueError,
        r"c must have shape \(4, 4\) \(one constant c_ij per pair of nodes\), got \(3, 3\)",
        id="literal_gcn_update-c-too-small",
    ),
    pytest.param(
        lambda: literal_gcn_update(X, EDGE_INDEX, W0, W0, torch.zeros(4, 4)),
        ValueError,
        r"c must be nonzero on every edge \(the update divides by c_ij\)",
        id="literal_gcn_update-c-zero",
    ),
    pytest.param(
        lambda: literal_gcn_update(X, EDGE_INDEX, W0.t(), W0.t(), torch.ones(4, 4)),
        ValueError,
        r"W0 and W1 must both be \(3, F'\), got \(2, 3\), \(2, 3\)",
        id="literal_gcn_update-transposed-weights",
    ),
    pytest.param(
        lambda: literal_gcn_update(X, EDGE_INDEX, W0, W0, torch.ones(4, 4).numpy()),
        TypeError,
        "c must be a torch.Tensor, got ndarray",
        id="literal_gcn_update-numpy-c",
    ),
    pytest.param(
        lambda: split_edges(COMPLETE, 5),
        ValueError,
        r"the graph has 0 non-edges but the split needs 1 as negative examples; it is too "
        "dense for link prediction",
        id="split_edges-complete-graph-would-hang",
    ),
    pytest.param(
        lambda: split_edges(KARATE_EDGES, KARATE_N, generator=0),
        TypeError,
        r"generator must be a torch.Generator or None, got int; pass "
        r"lib.reproducibility.make_generator\(seed\)",
        id="split_edges-seed-for-generator",
    ),
    pytest.param(
        lambda: split_edges(KARATE_EDGES, KARATE_N, val_ratio=5),
        ValueError,
        r"val_ratio and test_ratio must be in \(0, 1\) with a sum below 1",
        id="split_edges-ratio-in-percent",
    ),
    pytest.param(
        lambda: split_edges(KARATE_EDGES.t(), KARATE_N),
        ValueError,
        r"edge_index must have shape \(2, E\), got \(156, 2\)",
        id="split_edges-edge-list-(E, 2)",
    ),
    pytest.param(
        lambda: SparseMatrix.from_coo(EDGE_INDEX.t(), torch.ones(6), (4, 4)),
        ValueError,
        r"index must be \(row, col\) pairs, an int64 tensor of shape \(2, nnz\), got "
        r"torch.int64 \(6, 2\); pass index.t\(\)",
        id="sparse_from_coo-pairs-(nnz, 2)",
    ),
    pytest.param(
        lambda: SparseMatrix.from_coo(EDGE_INDEX, torch.ones(5), (4, 4)),
        ValueError,
        r"values must have shape \(nnz,\) = \(6,\) to match index, got \(5,\)",
        id="sparse_from_coo-values-too-short",
    ),
    pytest.param(
        lambda: SparseMatrix.from_coo(EDGE_INDEX, torch.ones(6), (3, 3)),
        ValueError,
        r"index holds entries up to row 3 and column 3 \(or below 0\), outside the shape "
        r"\(3, 3\)",
        id="sparse_from_coo-index-outside-shape",
    ),
    pytest.param(
        lambda: ADJ @ X.numpy(),
        TypeError,
        "h must be a torch.Tensor, got ndarray",
        id="sparse_matmul-numpy",
    ),
    pytest.param(
        lambda: ADJ @ torch.ones(3, 2),
        ValueError,
        r"cannot multiply a sparse \(4, 4\) matrix with a tensor of shape \(3, 2\); the tensor "
        "needs 4 rows",
        id="sparse_matmul-wrong-rows",
    ),
]


@pytest.mark.parametrize("call, error, message", CASES)
def test_bad_input_raises_a_clear_error(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()
