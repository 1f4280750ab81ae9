"""Bad inputs to the public functions of part 4 (GCN layers, graph utilities): each raises an
error that names the argument, what it received and what to pass."""

from __future__ import annotations

import networkx as nx
import numpy as np
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
from lib.graphs.graph_classification import (
    GraphClassifier,
    collate,
    degree_histograms,
    generate_graph,
    graph_accuracy,
    make_graph_families,
    predict_graphs,
    train_graph_classifier,
)
from lib.graphs.link_prediction import split_edges, train_gae
from lib.graphs.node_classification import gcn_inputs, hidden_representation
from lib.graphs.plotting import (
    depth_curves,
    draw_graph,
    graph_gallery,
    loglog_scaling,
    message_passing,
)
from lib.graphs.sampling import saved_tensor_bytes
from lib.graphs.scaling import forward_time_vs_edges
from tests.clear_errors import clear_error_test

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


def test_a_numpy_integer_is_a_number_of_nodes() -> None:
    adj = normalized_adjacency(EDGE_INDEX, np.int64(4))
    assert torch.equal(adj.to_dense(), ADJ.to_dense())
    assert torch.equal(to_undirected(EDGE_INDEX, np.int64(4)), to_undirected(EDGE_INDEX, 4))


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
        lambda: gcn_norm(EDGE_INDEX, np.int64(3)),
        ValueError,
        r"edge_index holds node ids in \[0, 3\] but the graph has num_nodes=3 \(valid ids 0..2\)",
        id="gcn_norm-numpy-num_nodes-too-small",
    ),
    pytest.param(
        lambda: mean_adjacency(EDGE_INDEX, np.int64(-4)),
        ValueError,
        r"num_nodes must be a non-negative int, got .*-4.*; pass the number of nodes, e.g. "
        r"x.shape\[0\]",
        id="mean_adjacency-negative-numpy-num_nodes",
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


# Graph classification, link prediction and the measurements of the pages (the checks run
# before any training).
FAMILY_GRAPHS = make_graph_families(1, seed=0)
CLASSIFIER = GraphClassifier(11, 8, 4)
SPLIT = split_edges(KARATE_EDGES, KARATE_N, generator=torch.Generator().manual_seed(0))

CASES += [
    pytest.param(
        lambda: generate_graph("erdos_renyi", 30, np.random.default_rng(0)),
        ValueError,
        r"unknown family 'erdos_renyi'; choose one of \('erdos-renyi'",
        id="generate_graph-family-typo",
    ),
    pytest.param(
        lambda: generate_graph("erdos-renyi", 1, np.random.default_rng(0)),
        ValueError,
        "num_nodes must be an int of at least 4, got 1",
        id="generate_graph-one-node",
    ),
    pytest.param(
        lambda: generate_graph("erdos-renyi", 30, 0),
        TypeError,
        r"rng must be a numpy Generator, got int; pass np.random.default_rng\(seed\)",
        id="generate_graph-seed-for-rng",
    ),
    pytest.param(
        lambda: make_graph_families(2.5),
        ValueError,
        "num_per_class must be an int of at least 1, got 2.5",
        id="make_graph_families-float-count",
    ),
    pytest.param(
        lambda: make_graph_families(2, families="erdos-renyi"),
        ValueError,
        r"families must be a sequence of names among .*got 'erdos-renyi'; pass a tuple",
        id="make_graph_families-one-name",
    ),
    pytest.param(
        lambda: make_graph_families(2, min_nodes=40, max_nodes=20),
        ValueError,
        "max_nodes must be an int of at least 40, got 20",
        id="make_graph_families-min-above-max",
    ),
    pytest.param(
        lambda: train_graph_classifier(CLASSIFIER, collate(FAMILY_GRAPHS)),
        TypeError,
        "train must be a list of GraphSample, got GraphBatch; pass the graphs of "
        "make_graph_families",
        id="train_graph_classifier-collated-batch",
    ),
    pytest.param(
        lambda: train_graph_classifier(CLASSIFIER, []),
        ValueError,
        "train must hold at least one graph, got an empty list",
        id="train_graph_classifier-no-graphs",
    ),
    pytest.param(
        lambda: train_graph_classifier(GCN(11, 8, 4), FAMILY_GRAPHS),
        TypeError,
        "model must be a GraphClassifier, got GCN",
        id="train_graph_classifier-node-model",
    ),
    pytest.param(
        lambda: train_graph_classifier(CLASSIFIER, FAMILY_GRAPHS, num_epochs=0),
        ValueError,
        "num_epochs must be an int of at least 1, got 0",
        id="train_graph_classifier-no-epochs",
    ),
    pytest.param(
        lambda: train_graph_classifier(CLASSIFIER, FAMILY_GRAPHS, generator=0),
        TypeError,
        "generator must be a torch.Generator or None, got int",
        id="train_graph_classifier-seed-for-generator",
    ),
    pytest.param(
        lambda: graph_accuracy(CLASSIFIER, FAMILY_GRAPHS[0]),
        TypeError,
        "graphs must be a list of GraphSample, got GraphSample",
        id="graph_accuracy-one-graph",
    ),
    pytest.param(
        lambda: predict_graphs(GCN(11, 8, 4), FAMILY_GRAPHS),
        TypeError,
        "model must be a GraphClassifier, got GCN",
        id="predict_graphs-node-model",
    ),
    pytest.param(
        lambda: degree_histograms(collate(FAMILY_GRAPHS)),
        TypeError,
        "graphs must be a list of GraphSample, got GraphBatch; pass the graphs of "
        "make_graph_families",
        id="degree_histograms-collated-batch",
    ),
    pytest.param(
        lambda: degree_histograms([]),
        ValueError,
        "graphs must hold at least one graph, got an empty list",
        id="degree_histograms-no-graphs",
    ),
    pytest.param(
        lambda: degree_histograms(FAMILY_GRAPHS, max_degree=-1),
        ValueError,
        "max_degree must be an int of at least 0, got -1",
        id="degree_histograms-negative-max-degree",
    ),
    pytest.param(
        lambda: train_gae(torch.rand(10, 3), SPLIT),
        ValueError,
        "split holds node 33 but x has 10 rows; pass the features of the graph that was split",
        id="train_gae-features-of-another-graph",
    ),
    pytest.param(
        lambda: train_gae(torch.rand(KARATE_N, 3), KARATE_EDGES),
        TypeError,
        r"split must be an EdgeSplit, got Tensor; pass split_edges\(edge_index, num_nodes\)",
        id="train_gae-edge_index-for-split",
    ),
    pytest.param(
        lambda: train_gae(torch.rand(KARATE_N), SPLIT),
        ValueError,
        r"x must be node features of shape \(N, F\), got \(34,\)",
        id="train_gae-1d-features",
    ),
    pytest.param(
        lambda: train_gae(torch.rand(KARATE_N, 3), SPLIT, num_epochs=0),
        ValueError,
        "num_epochs must be an int of at least 1, got 0",
        id="train_gae-no-epochs",
    ),
    pytest.param(
        lambda: gcn_inputs(X),
        TypeError,
        "data must be a graph data set with x, edge_index and num_nodes .*got Tensor",
        id="gcn_inputs-features-for-data",
    ),
    pytest.param(
        lambda: hidden_representation(GCNLayer(3, 2), X, ADJ),
        TypeError,
        r"model must be a GCN, got GCNLayer; pass the model of a run, e.g. run.model",
        id="hidden_representation-layer",
    ),
    pytest.param(
        lambda: saved_tensor_bytes(GCN(3, 4, 2)),
        TypeError,
        r"fn must be a function of no arguments, got GCN; pass lambda: model\(x, adj\)",
        id="saved_tensor_bytes-model",
    ),
    pytest.param(
        lambda: saved_tensor_bytes(lambda: GCN(3, 4, 2)(X, ADJ).detach()),
        ValueError,
        r"fn\(\) must return a tensor that requires grad.*outside torch.no_grad\(\)",
        id="saved_tensor_bytes-no-grad",
    ),
    pytest.param(
        lambda: forward_time_vs_edges(10_000),
        TypeError,
        "num_edges must be a sequence of positive edge counts, got 10000",
        id="forward_time_vs_edges-one-count",
    ),
    pytest.param(
        lambda: forward_time_vs_edges([100], repeats=0),
        ValueError,
        "repeats must be an int of at least 1, got 0",
        id="forward_time_vs_edges-no-repeats",
    ),
]


# The figures of part 4 (each check runs before a figure is opened).
KARATE = nx.karate_club_graph()

CASES += [
    pytest.param(
        lambda: draw_graph(EDGE_INDEX, [0, 0, 1, 1], ["a", "b"]),
        TypeError,
        r"graph must be a networkx graph, got Tensor; build one from an edge_index with "
        r"nx.Graph\(edge_index.t\(\).tolist\(\)\)",
        id="draw_graph-edge_index",
    ),
    pytest.param(
        lambda: draw_graph(KARATE, [0] * 10, ["a"]),
        ValueError,
        r"labels must hold one class per node \(34\), got 10",
        id="draw_graph-labels-too-short",
    ),
    pytest.param(
        lambda: draw_graph(KARATE, [0, 1] * 17, ["a"]),
        ValueError,
        "labels holds class 1 but names has 1 entries; pass one name per class",
        id="draw_graph-class-without-name",
    ),
    pytest.param(
        lambda: message_passing(EDGE_INDEX, 0),
        TypeError,
        "graph must be a networkx graph, got Tensor",
        id="message_passing-edge_index",
    ),
    pytest.param(
        lambda: message_passing(KARATE, 40),
        ValueError,
        r"node 40 is not in the graph; pass one of \[0, 1, 2, 3, 4\]",
        id="message_passing-node-outside",
    ),
    pytest.param(
        lambda: graph_gallery(KARATE, ["karate"]),
        TypeError,
        r"graphs must be a list of networkx graphs, got one graph; pass \[graph\]",
        id="graph_gallery-one-graph",
    ),
    pytest.param(
        lambda: graph_gallery([KARATE, KARATE], ["karate"]),
        ValueError,
        r"titles must hold one title per graph \(2\), got \['karate'\]",
        id="graph_gallery-titles-too-few",
    ),
    pytest.param(
        lambda: loglog_scaling([10, 100], {"ours": [1.0, 2.0, 3.0]}, ylabel="cost"),
        ValueError,
        r"values\['ours'\] must hold one positive cost per entry of edges \(2\) for log axes, "
        r"got shape \(3,\)",
        id="loglog_scaling-series-too-long",
    ),
    pytest.param(
        lambda: loglog_scaling([10, 100], [1.0, 2.0], ylabel="cost"),
        ValueError,
        "values must be a dict of one series per name, got list",
        id="loglog_scaling-list-for-dict",
    ),
    pytest.param(
        lambda: loglog_scaling([10, 100], {"ours": [1.0, 2.0]}, ylabel="cost", slopes={"x": 1}),
        ValueError,
        "slopes has no slope for 'ours'",
        id="loglog_scaling-slope-missing",
    ),
    pytest.param(
        lambda: depth_curves([2, 4, 8], {"gcn": [0.8, 0.7]}, {}),
        ValueError,
        r"series 'gcn' must hold one value per depth \(3\), or \(runs, 3\) over runs, got "
        r"shape \(2,\)",
        id="depth_curves-series-too-short",
    ),
    pytest.param(
        lambda: depth_curves([2, 4], {}, {"gcn": np.ones((2, 4, 3))}),
        ValueError,
        r"series 'gcn' must hold one value per depth \(2\).*got shape \(2, 4, 3\)",
        id="depth_curves-all-metrics",
    ),
]


CASES += [
    pytest.param(
        lambda: SparseMatrix.from_dense(np.eye(3)),
        TypeError,
        r"dense must be a torch.Tensor, got ndarray; convert a numpy array with torch.from_numpy",
        id="SparseMatrix.from_dense-numpy",
    ),
]


test_bad_input_raises_a_clear_error = clear_error_test(CASES)
