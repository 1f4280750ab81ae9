"""The from-scratch GCN against PyTorch Geometric's GCNConv, and its invariances."""

from __future__ import annotations

import pytest
import torch

from lib.graphs import (
    GCN,
    GCNLayer,
    SparseMatrix,
    check_graph,
    literal_gcn_update,
    normalized_adjacency,
    permute_graph,
    to_undirected,
)

GCNConv = pytest.importorskip("torch_geometric.nn").GCNConv


def random_graph(num_nodes: int, num_edges: int, seed: int, *, self_loops: bool) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    edge_index = torch.randint(0, num_nodes, (2, num_edges), generator=g)
    if not self_loops:
        edge_index = edge_index[:, edge_index[0] != edge_index[1]]
    return edge_index


def copy_weights(layer: GCNLayer, conv) -> None:
    with torch.no_grad():
        layer.lin.weight.copy_(conv.lin.weight)
        layer.bias.copy_(torch.randn_like(layer.bias))
        conv.bias.copy_(layer.bias)


CASES = [
    # (num_nodes, num_edges, seed, self_loops in the input, weighted, add_self_loops)
    (12, 30, 0, False, False, True),
    (12, 30, 1, True, False, True),  # existing self-loops keep their weight
    (40, 25, 2, False, False, True),  # sparse: many isolated nodes
    (40, 25, 3, False, False, False),  # isolated nodes without self-loops: degree 0
    (30, 90, 4, True, True, True),  # weighted edges, some self-loops
    (30, 90, 5, False, True, False),
    (25, 60, 6, False, False, True),  # duplicate edges are summed by both
]


@pytest.mark.parametrize("num_nodes,num_edges,seed,self_loops,weighted,add_loops", CASES)
@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_layer_matches_pyg_gcnconv(
    num_nodes, num_edges, seed, self_loops, weighted, add_loops, layout
):
    torch.manual_seed(seed)
    edge_index = random_graph(num_nodes, num_edges, seed, self_loops=self_loops)
    weight = torch.rand(edge_index.shape[1]) + 0.1 if weighted else None
    x = torch.randn(num_nodes, 7)
    conv = GCNConv(7, 5, add_self_loops=add_loops)
    layer = GCNLayer(7, 5)
    copy_weights(layer, conv)
    adj = normalized_adjacency(
        edge_index, num_nodes, weight, add_self_loops=add_loops, layout=layout
    )
    ours = layer(x, adj)
    theirs = conv(x, edge_index, weight)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=1e-5)


def test_dense_and_sparse_agree_in_gradients():
    torch.manual_seed(0)
    edge_index = to_undirected(random_graph(20, 50, 0, self_loops=False), 20)
    x = torch.randn(20, 6)
    dense = normalized_adjacency(edge_index, 20, layout="dense")
    sparse = normalized_adjacency(edge_index, 20)
    torch.testing.assert_close(sparse.to_dense(), dense)
    layer = GCNLayer(6, 3)
    grads = []
    for adj in (dense, sparse):
        layer.zero_grad()
        layer(x, adj).pow(2).sum().backward()
        grads.append(layer.lin.weight.grad.clone())
    torch.testing.assert_close(grads[0], grads[1])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_normalized_adjacency_keeps_the_dtype_of_the_edge_weights(dtype, layout):
    # D^{-1/2} (A + I) D^{-1/2} written out on a weighted directed graph, in float64.
    edge_index = torch.tensor([[0, 1, 1, 2, 3], [1, 0, 2, 0, 0]])
    edge_weight = torch.tensor([0.5, 2.0, 1.5, 0.25, 3.0], dtype=dtype)
    A = torch.zeros(4, 4, dtype=torch.float64)
    A[edge_index[1], edge_index[0]] = edge_weight.double()  # A[target, source]
    A += torch.eye(4, dtype=torch.float64)
    d = A.sum(dim=1) ** -0.5
    expected = d[:, None] * A * d[None, :]
    adj = normalized_adjacency(edge_index, 4, edge_weight, layout=layout)
    dense = adj if layout == "dense" else adj.to_dense()
    assert dense.dtype == dtype
    torch.testing.assert_close(
        dense.double(), expected, atol=1e-6 if dtype == torch.float32 else 1e-12, rtol=0
    )


def test_sparse_features_match_dense_features_and_gradients():
    torch.manual_seed(0)
    x = (torch.rand(15, 9) < 0.2).float()
    edge_index = to_undirected(random_graph(15, 30, 1, self_loops=False), 15)
    adj = normalized_adjacency(edge_index, 15)
    layer = GCNLayer(9, 4)
    layer(x, adj).sum().backward()
    dense_grad = layer.lin.weight.grad.clone()
    layer.zero_grad()
    layer(SparseMatrix.from_dense(x), adj).sum().backward()
    torch.testing.assert_close(layer.lin.weight.grad, dense_grad)


def test_directed_graph_transpose_in_backward():
    """Â is not symmetric on a directed graph: the stored transpose must be the real one."""
    torch.manual_seed(0)
    edge_index = random_graph(10, 25, 3, self_loops=False)
    h = torch.randn(10, 4, requires_grad=True)
    sparse = normalized_adjacency(edge_index, 10)
    dense = normalized_adjacency(edge_index, 10, layout="dense")
    (sparse @ h).pow(2).sum().backward()
    g1 = h.grad.clone()
    h.grad = None
    (dense @ h).pow(2).sum().backward()
    torch.testing.assert_close(g1, h.grad)


def test_sparse_matrix_transpose_roundtrip():
    torch.manual_seed(0)
    dense = torch.randn(6, 8) * (torch.rand(6, 8) < 0.3)
    m = SparseMatrix.from_dense(dense)
    torch.testing.assert_close(m.t().to_dense(), dense.t())
    torch.testing.assert_close(m.t().t().to_dense(), dense)
    doubled = m.with_values(m.values() * 2)
    torch.testing.assert_close(doubled.transpose.to_dense(), 2 * dense.t())


def test_permutation_equivariance():
    torch.manual_seed(0)
    num_nodes = 25
    edge_index = to_undirected(random_graph(num_nodes, 60, 7, self_loops=False), num_nodes)
    x = torch.randn(num_nodes, 5)
    model = GCN(5, 8, 3, num_layers=3, dropout=0.0).eval()
    out = model(x, normalized_adjacency(edge_index, num_nodes))
    perm = torch.randperm(num_nodes)
    x_p, edge_index_p = permute_graph(x, edge_index, perm)
    out_p = model(x_p, normalized_adjacency(edge_index_p, num_nodes))
    torch.testing.assert_close(out_p, out[perm], atol=1e-5, rtol=1e-5)
    # a sum readout is permutation invariant
    torch.testing.assert_close(out_p.sum(0), out.sum(0), atol=1e-4, rtol=1e-5)


def test_literal_update_coincides_on_a_regular_graph():
    import networkx as nx

    from lib.graphs import from_networkx

    edge_index, n = from_networkx(nx.random_regular_graph(3, 12, seed=0))
    torch.manual_seed(0)
    h, W = torch.randn(n, 4), torch.randn(4, 2)
    d = 3 + 1  # degree with the self-loop
    c = torch.full((n, n), float(d))  # sqrt(d_i d_j) = d on a regular graph
    literal = literal_gcn_update(h, edge_index, W / d, W, c)
    renormalised = normalized_adjacency(edge_index, n, layout="dense") @ h @ W
    torch.testing.assert_close(literal, renormalised, atol=1e-5, rtol=1e-5)


def test_literal_update_differs_on_an_irregular_graph():
    import networkx as nx

    from lib.graphs import from_networkx

    edge_index, n = from_networkx(nx.karate_club_graph())
    torch.manual_seed(0)
    h, W = torch.randn(n, 4), torch.randn(4, 2)
    deg = torch.bincount(edge_index[1], minlength=n).float() + 1
    c = (deg[:, None] * deg[None, :]).sqrt()
    literal = literal_gcn_update(h, edge_index, W / deg.mean(), W, c)
    renormalised = normalized_adjacency(edge_index, n, layout="dense") @ h @ W
    assert not torch.allclose(literal, renormalised, atol=1e-3)


def test_residual_gcn_shapes_and_hidden_outputs():
    edge_index = to_undirected(random_graph(10, 20, 0, self_loops=False), 10)
    model = GCN(4, 6, 2, num_layers=4, residual=True).eval()
    adj = normalized_adjacency(edge_index, 10)
    out, hidden = model(torch.randn(10, 4), adj, return_hidden=True)
    assert out.shape == (10, 2)
    assert [h.shape for h in hidden] == [(10, 6)] * 3


@pytest.mark.parametrize(
    "edge_index,num_nodes,match",
    [
        (torch.tensor([[0, 1], [1, 5]]), 5, "node ids in"),
        (torch.tensor([[0, -1], [1, 2]]), 5, "node ids in"),
        (torch.tensor([[0.0, 1.0], [1.0, 2.0]]), 5, "dtype torch.long"),
        (torch.tensor([[0, 1, 2]]), 5, r"shape \(2, E\)"),
        ([[0, 1], [1, 2]], 5, "torch.Tensor"),
    ],
)
def test_bad_edge_index_raises(edge_index, num_nodes, match):
    with pytest.raises(ValueError, match=match):
        normalized_adjacency(edge_index, num_nodes)


def test_bad_weights_and_feature_sizes_raise():
    edge_index = torch.tensor([[0, 1], [1, 2]])
    with pytest.raises(ValueError, match="edge_weight must have shape"):
        normalized_adjacency(edge_index, 3, torch.ones(3))
    with pytest.raises(ValueError, match="floating-point"):
        normalized_adjacency(edge_index, 3, torch.ones(2, dtype=torch.long))
    with pytest.raises(ValueError, match="NaN"):
        normalized_adjacency(edge_index, 3, torch.tensor([1.0, float("nan")]))
    with pytest.raises(ValueError, match="rows but the graph has"):
        check_graph(edge_index, 3, x=torch.zeros(4, 2))
    adj = normalized_adjacency(edge_index, 3)
    with pytest.raises(ValueError, match="needs 3 rows"):
        GCNLayer(2, 2)(torch.zeros(4, 2), adj)
    with pytest.raises(ValueError, match="features per node"):
        GCNLayer(2, 2)(torch.zeros(3, 5), adj)
    with pytest.raises(ValueError, match="layout"):
        normalized_adjacency(edge_index, 3, layout="csr")


def test_dirichlet_energy_zero_on_top_eigenvector_and_decreases_with_propagation():
    from lib.graphs import dirichlet_energy

    edge_index = to_undirected(random_graph(30, 80, 2, self_loops=False), 30)
    adj = normalized_adjacency(edge_index, 30, layout="dense")
    deg = adj.new_zeros(30).index_add_(0, edge_index[1], torch.ones(edge_index.shape[1])) + 1
    assert abs(dirichlet_energy(deg.sqrt()[:, None], adj)) < 1e-6
    torch.manual_seed(0)
    h = torch.randn(30, 4)
    energies = [dirichlet_energy(torch.matrix_power(adj, k) @ h, adj) for k in (0, 2, 8, 32)]
    assert all(a > b for a, b in zip(energies, energies[1:], strict=False)), energies


def test_induced_edges_isolates_dropped_nodes():
    from lib.graphs import induced_edges

    edge_index = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 0]])
    mask = torch.tensor([True, True, False, True])
    assert induced_edges(edge_index, mask).tolist() == [[0, 3], [1, 0]]
    with pytest.raises(ValueError, match="boolean"):
        induced_edges(edge_index, mask.long())


def test_graph_gallery_colours_the_communities_of_a_block_model():
    import matplotlib

    matplotlib.use("Agg")
    import networkx as nx

    from lib.graphs.plotting import graph_gallery

    blocks = nx.stochastic_block_model([10, 10], [[0.6, 0.02], [0.02, 0.6]], seed=0)
    fig = graph_gallery([nx.path_graph(5), blocks], ["path", "two communities"])
    path_nodes, block_nodes = (ax.collections[0] for ax in fig.axes)
    assert len({tuple(c) for c in path_nodes.get_facecolor()}) == 1
    colours = [tuple(c) for c in block_nodes.get_facecolor()]
    assert len(set(colours[:10])) == 1 and len(set(colours[10:])) == 1 and colours[0] != colours[10]
    assert [ax.get_title() for ax in fig.axes] == ["path", "two communities"]
