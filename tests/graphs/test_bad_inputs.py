"""Bad inputs to the public functions of part 4 (GCN layers, graph utilities): each raises an
error that names the argument, what it received and what to pass."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from lib.graphs import GCN, GCNLayer, dirichlet_energy, normalized_adjacency

EDGE_INDEX = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
ADJ = normalized_adjacency(EDGE_INDEX, 4)
X = torch.randn(4, 3)

CASES = [
    pytest.param(
        lambda: GCNLayer(3, 2)(X, EDGE_INDEX),
        r"adj must be the normalised adjacency, got a torch.int64 tensor of shape \(2, 6\): "
        r"an edge_index\?.*normalized_adjacency\(edge_index, N\)",
        id="gcnlayer-edge_index-E!=N",
    ),
    pytest.param(
        lambda: GCNLayer(3, 2)(torch.randn(6, 3), EDGE_INDEX),
        r"an edge_index\?.*normalized_adjacency\(edge_index, N\)",
        id="gcnlayer-edge_index-E==N",
    ),
    pytest.param(lambda: GCN(3, 4, 2)(X, EDGE_INDEX), "an edge_index", id="gcn-edge_index"),
    pytest.param(
        lambda: dirichlet_energy(X, EDGE_INDEX.t()), "an edge_index", id="dirichlet-edge_index"
    ),
    pytest.param(
        lambda: GCNLayer(1, 2)(torch.randn(4), ADJ),
        r"x must be node features of shape \(N, F\), got \(4,\); .*x\[:, None\]",
        id="gcnlayer-1d-x",
    ),
    pytest.param(
        lambda: GCNLayer(3, 2)(X.double(), ADJ),
        r"x is torch.float64 but the layer's weights are torch.float32; pass x.float\(\)",
        id="gcnlayer-float64-x",
    ),
]


@pytest.mark.parametrize("call, message", CASES)
def test_bad_input_raises_a_clear_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


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
