"""Neighbour sampler, GAE split and scores, graph-family data and readouts."""

from __future__ import annotations

import networkx as nx
import pytest
import torch

from lib.graphs import (
    GCN,
    SparseMatrix,
    from_networkx,
    mean_adjacency,
    normalized_adjacency,
    scaling,
)
from lib.graphs.graph_classification import (
    FAMILIES,
    GraphClassifier,
    GraphSample,
    collate,
    degree_histograms,
    graph_accuracy,
    make_graph_families,
    predict_graphs,
    train_graph_classifier,
)
from lib.graphs.karate import karate_club_labels
from lib.graphs.link_prediction import GAE, link_scores, split_edges, train_gae
from lib.graphs.node_classification import (
    PyGGCNSameDraws,
    gcn_inputs,
    hidden_representation,
    knn_correct,
    run_table2,
    train_node_classifier,
)
from lib.graphs.sampling import (
    NeighborSampler,
    SampledTrainingResult,
    saved_tensor_bytes,
    train_sampled,
)
from lib.graphs.scaling import forward_time_vs_edges, layer_multiply_adds, random_edge_index
from lib.reproducibility import make_generator


@pytest.fixture
def karate():
    return from_networkx(nx.karate_club_graph())


def test_sampler_with_large_fanout_equals_full_mean_aggregation(karate):
    edge_index, n = karate
    sampler = NeighborSampler(edge_index, n, [100, 100])
    seeds = torch.tensor([0, 5, 33])
    batch = sampler.sample(seeds, torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    model = GCN(n, 8, 2, dropout=0.0).eval()
    x = torch.randn(n, n)
    full = model(x, mean_adjacency(edge_index, n))[seeds]
    sampled = model(x[batch.nodes], batch.blocks)
    torch.testing.assert_close(sampled, full, atol=1e-5, rtol=1e-5)
    assert torch.equal(batch.nodes[:3], seeds)


def test_sampler_respects_fanout_and_is_reproducible(karate):
    edge_index, n = karate
    sampler = NeighborSampler(edge_index, n, [2, 2])
    seeds = torch.tensor([0, 33])
    a = sampler.sample(seeds, torch.Generator().manual_seed(1))
    b = sampler.sample(seeds, torch.Generator().manual_seed(1))
    assert torch.equal(a.nodes, b.nodes)
    last = a.blocks[-1]
    assert last.shape[0] == 2
    # each seed averages itself and at most 2 neighbours
    assert (torch.bincount(last.row, minlength=2) <= 3).all()
    torch.testing.assert_close(last.to_dense().sum(1), torch.ones(2))
    with pytest.raises(ValueError, match="fanouts"):
        NeighborSampler(edge_index, n, [])
    with pytest.raises(ValueError, match="seeds must lie"):
        sampler.sample(torch.tensor([40]))


def test_saved_tensor_bytes_grows_with_batch(karate):
    edge_index, n = karate
    model = GCN(n, 8, 2, dropout=0.0)
    x = torch.eye(n)
    adj = mean_adjacency(edge_index, n)
    full = saved_tensor_bytes(lambda: model(x, adj))
    assert full > 0
    sampler = NeighborSampler(edge_index, n, [1, 1])
    batch = sampler.sample(torch.tensor([0]), torch.Generator().manual_seed(0))
    assert saved_tensor_bytes(lambda: model(x[batch.nodes], batch.blocks)) < full


def test_edge_split_is_disjoint_and_negatives_are_non_edges(karate):
    edge_index, n = karate
    split = split_edges(edge_index, n, generator=torch.Generator().manual_seed(0))

    def keys(e):
        return set((torch.minimum(e[0], e[1]) * n + torch.maximum(e[0], e[1])).tolist())

    train, val, test = keys(split.train_edge_index), keys(split.val_pos), keys(split.test_pos)
    assert not (train & val) and not (train & test) and not (val & test)
    assert len(train) + len(val) + len(test) == 78
    assert len(test) == 7 and len(val) == 3
    neg = keys(split.val_neg) | keys(split.test_neg)
    assert len(neg) == 10 and not (neg & keys(edge_index))


def test_link_scores_perfect_and_chance():
    z = torch.tensor([[5.0, 0.0], [5.0, 0.0], [0.0, 5.0], [-5.0, 0.0]])
    pos = torch.tensor([[0], [1]])
    neg = torch.tensor([[0], [3]])
    assert link_scores(z, pos, neg) == {"auc": 1.0, "ap": 1.0}
    # identical embeddings score every pair alike: chance (AP is the share of positives)
    same = torch.ones(4, 2)
    assert link_scores(same, pos, neg) == {"auc": 0.5, "ap": 0.5}
    wrong = torch.tensor(
        [[5.0, 0.0], [-5.0, 0.0], [0.0, 5.0], [5.0, 0.0]]
    )  # negatives ranked first
    assert link_scores(wrong, pos, neg)["auc"] == 0.0


def test_link_scores_rank_logits_that_saturate_the_sigmoid():
    # Scaling the embeddings by c scales every logit z_i^T z_j by c^2 and keeps their order,
    # so AUC and AP must not change, even where float32 sigmoids of the logits are all 1.
    g = torch.Generator().manual_seed(0)
    z_a = torch.randn(100, 8, generator=g)
    z = torch.cat([z_a, z_a + 3 * torch.randn(100, 8, generator=g)])  # node i + 100 near node i
    pos = torch.stack([torch.arange(100), torch.arange(100, 200)])
    neg = torch.stack([torch.arange(100), 100 + torch.arange(100).roll(1)])
    small = link_scores(z, pos, neg)
    assert 0.6 < small["auc"] < 0.95, small
    for scale in (3.0, 10.0):
        assert link_scores(scale * z, pos, neg) == pytest.approx(small, abs=1e-12)


def test_graph_families_and_readouts():
    graphs = make_graph_families(5, seed=0)
    assert len(graphs) == 5 * len(FAMILIES)
    assert sorted({g.y for g in graphs}) == list(range(len(FAMILIES)))
    data = collate(graphs[:3])
    assert data.x.shape[0] == sum(g.num_nodes for g in graphs[:3])
    torch.manual_seed(0)
    model = GraphClassifier(data.x.shape[1], 8, 4, readout="sum").eval()
    out = model(data)
    assert out.shape == (3, 4)
    # the sum readout of a graph does not depend on its neighbours in the batch
    torch.testing.assert_close(model(collate(graphs[:1])), out[:1], atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="readout"):
        GraphClassifier(3, 8, 4, readout="max")


def test_graph_classifier_learns_above_chance():
    torch.manual_seed(0)
    graphs = make_graph_families(30, seed=1)
    model = GraphClassifier(11, 16, 4)
    generator = torch.Generator().manual_seed(0)
    losses = train_graph_classifier(model, graphs, num_epochs=15, generator=generator)
    assert losses[-1] < losses[0]
    assert graph_accuracy(model, graphs) > 0.5


def test_degree_histograms_are_the_mean_readout_of_the_degree_features():
    graphs = make_graph_families(3, seed=0)
    histograms = degree_histograms(graphs)
    assert histograms.shape == (len(graphs), 11)
    torch.testing.assert_close(histograms.sum(dim=1), torch.ones(len(graphs)))
    # a "GCN" with no graph convolution and a mean readout sees exactly these rows
    data = collate(graphs)
    sums = torch.zeros(len(graphs), 11).index_add_(0, data.batch, data.x)
    sizes = torch.bincount(data.batch, minlength=len(graphs))[:, None]
    torch.testing.assert_close(histograms, sums / sizes)


def test_degree_histograms_of_a_star_cap_the_hub():
    edges = torch.tensor([[0, 0, 0, 0], [1, 2, 3, 4]])
    star = GraphSample(torch.cat([edges, edges.flip(0)], dim=1), 5, 0)
    torch.testing.assert_close(
        degree_histograms([star]), torch.tensor([[0.0, 0.8, 0.0, 0.0, 0.2] + [0.0] * 6])
    )
    # the hub's degree 4 counts as max_degree 3
    torch.testing.assert_close(
        degree_histograms([star], max_degree=3), torch.tensor([[0.0, 0.8, 0.0, 0.2]])
    )


def test_predict_graphs_gives_one_class_per_graph_and_the_accuracy():
    graphs = make_graph_families(4, seed=2)
    torch.manual_seed(0)
    model = GraphClassifier(11, 8, len(FAMILIES))
    predictions = predict_graphs(model, graphs)
    assert predictions.shape == (len(graphs),) and predictions.dtype == torch.long
    torch.testing.assert_close(predictions, model(collate(graphs)).argmax(dim=1))
    y = torch.tensor([g.y for g in graphs])
    assert graph_accuracy(model, graphs) == pytest.approx((predictions == y).float().mean().item())


def test_node_classifier_trains_on_karate(karate):
    edge_index, n = karate
    y = karate_club_labels(nx.karate_club_graph())
    train = torch.zeros(n, dtype=torch.bool)
    train[[0, 33]] = True
    torch.manual_seed(0)
    model = GCN(n, 8, 2, dropout=0.0)
    adj = mean_adjacency(edge_index, n)
    run = train_node_classifier(
        lambda: model(torch.eye(n), adj),
        model,
        y,
        train,
        ~train,
        ~train,
        decay_parameters=[],
        num_epochs=100,
        early_stopping=None,
    )
    assert run.test_accuracy > 0.7
    # the curves: one value per epoch, no early stop without a rule
    assert len(run.train_loss) == len(run.val_loss) == len(run.val_accuracies) == 100
    assert run.train_loss[-1] < run.train_loss[0] and not run.stopped_early
    assert run.val_accuracies[-1] == pytest.approx(run.val_accuracy)
    assert run.model is model
    with pytest.raises(ValueError, match="boolean"):
        train_node_classifier(
            lambda: model(torch.eye(n), adj),
            model,
            y,
            train.long(),
            ~train,
            ~train,
            decay_parameters=[],
        )


@pytest.fixture
def planted_partition():
    """A Planetoid-like toy: 3 communities of 40 nodes, sparse binary words, a public split."""
    from torch_geometric.data import Data

    graph = nx.planted_partition_graph(3, 40, 0.1, 0.04, seed=0)
    edge_index, n = from_networkx(graph)
    y = torch.arange(n) // 40
    generator = torch.Generator().manual_seed(0)
    word_rate = 0.03 + 0.05 * (torch.arange(60) // 20 == y[:, None])  # 20 topical words per class
    x = (torch.rand(n, 60, generator=generator) < word_rate).float()
    order = torch.randperm(n, generator=generator)
    masks = [torch.zeros(n, dtype=torch.bool) for _ in range(3)]
    train = torch.cat([order[y[order] == c][:4] for c in range(3)])
    rest = order[~torch.isin(order, train)]
    masks[0][train], masks[1][rest[:30]], masks[2][rest[30:]] = True, True, True
    return Data(
        x=x, y=y, edge_index=edge_index, train_mask=masks[0], val_mask=masks[1], test_mask=masks[2]
    )


def test_pyg_same_draws_copies_weights_without_drawing(planted_partition):
    data = planted_partition
    x = SparseMatrix.from_dense(data.x)
    torch.manual_seed(0)
    ours = GCN(data.num_features, 16, 3)
    state = torch.get_rng_state()
    pyg = PyGGCNSameDraws.from_gcn(ours)
    assert torch.equal(torch.get_rng_state(), state)
    ours.eval(), pyg.eval()
    adj = normalized_adjacency(data.edge_index, data.num_nodes)
    torch.testing.assert_close(pyg(x, data.edge_index), ours(x, adj), atol=1e-6, rtol=1e-5)
    with pytest.raises(ValueError, match="two-layer"):
        PyGGCNSameDraws.from_gcn(GCN(data.num_features, 16, 3, num_layers=3))
    with pytest.raises(ValueError, match="ReLU"):
        PyGGCNSameDraws.from_gcn(GCN(data.num_features, 16, 3, activation=torch.nn.Tanh()))


def test_same_draws_give_the_same_runs_and_own_draws_differ(planted_partition):
    # The paper's protocol: early stopping makes the epoch count depend on every validation loss.
    ours, same, own = (
        run_table2(planted_partition, "toy", impl, seeds=range(4))
        for impl in ("ours", "pyg-same-draws", "pyg")
    )
    for result in (same, own):
        assert all(r.epochs < 200 for r in result.runs)
    assert [r.epochs for r in same.runs] == [r.epochs for r in ours.runs]
    assert same.accuracies.tolist() == ours.accuracies.tolist()
    assert [r.val_accuracy for r in same.runs] == [r.val_accuracy for r in ours.runs]
    assert [r.epochs for r in own.runs] != [r.epochs for r in ours.runs]  # PyG's own draws
    with pytest.raises(ValueError, match="implementation"):
        run_table2(planted_partition, "toy", "pyg-cached")


def test_run_curves_end_where_early_stopping_fired(planted_partition):
    (run,) = run_table2(planted_partition, "toy", "ours", seeds=[0]).runs
    assert run.stopped_early and run.epochs < 200
    assert len(run.train_loss) == len(run.val_loss) == len(run.val_accuracies) == run.epochs
    window = run.val_loss[-11:-1]  # the rule: last validation loss above the previous 10's mean
    assert run.val_loss[-1] > sum(window) / 10


def test_mlp_is_the_gcn_with_identity_adjacency(planted_partition):
    data = planted_partition
    features, identity = gcn_inputs(data, graph=False)
    torch.testing.assert_close(identity.to_dense(), torch.eye(data.num_nodes))
    _, adj = gcn_inputs(data)
    torch.testing.assert_close(
        adj.to_dense(), normalized_adjacency(data.edge_index, data.num_nodes, layout="dense")
    )
    mlp = run_table2(data, "toy", "mlp", seeds=[0]).runs[0]
    model = mlp.model.eval()
    hidden = hidden_representation(model, features, identity)
    assert hidden.shape == (data.num_nodes, 16) and (hidden >= 0).all()
    assert model.training is False
    # without the graph, a node's output depends on its own features only
    x = features.to_dense()
    expected = torch.relu(x @ model.layers[0].lin.weight.t() + model.layers[0].bias)
    torch.testing.assert_close(hidden, expected, atol=1e-6, rtol=1e-5)


def test_knn_correct_votes_among_the_other_points():
    points = [[0.0], [0.1], [0.2], [5.0], [5.1], [5.2], [0.15]]
    labels = [0, 0, 0, 1, 1, 1, 1]  # the last point sits among class 0
    correct = knn_correct(points, labels, k=3)
    assert correct.tolist() == [True, True, True, True, True, True, False]
    with pytest.raises(ValueError, match="more than k"):
        knn_correct(points[:3], labels[:3], k=3)
    # a point never votes for itself, even when a duplicate ties with it at distance 0
    duplicates = [[0.0], [0.0], [1.0], [1.0], [1.0]]
    assert knn_correct(duplicates, [0, 1, 1, 1, 1], k=1).tolist() == [False, False] + [True] * 3


def test_scaling_times_the_layer_on_graphs_of_the_requested_size(monkeypatch):
    outputs = []

    def fake_best_time(fn, *, repeats):
        outputs.append(fn())
        return float(repeats)

    monkeypatch.setattr(scaling, "best_time", fake_best_time)
    edges, ours, pyg = forward_time_vs_edges([100, 1000], mean_degree=10, features=4, repeats=2)
    assert edges == [100, 1000] and ours == [2.0, 2.0] and pyg == []
    assert [tuple(o.shape) for o in outputs] == [(10, 4), (100, 4)]  # E / mean_degree nodes
    assert random_edge_index(5, 7).shape == (2, 7)
    with pytest.raises(ValueError, match="num_nodes"):
        random_edge_index(0, 7)


def test_train_sampled_learns_karate_and_is_seeded(karate):
    edge_index, n = karate
    graph = nx.karate_club_graph()
    y = torch.tensor([int(graph.nodes[i]["club"] == "Officer") for i in range(n)])
    x = torch.eye(n)

    def run() -> tuple[torch.Tensor, SampledTrainingResult]:
        torch.manual_seed(0)
        model = GCN(n, 8, 2, dropout=0.0)
        result = train_sampled(
            model,
            x,
            y,
            torch.arange(n),
            NeighborSampler(edge_index, n, [5, 5]),
            batch_size=8,
            num_epochs=20,
            generator=torch.Generator().manual_seed(0),
        )
        with torch.no_grad():
            accuracy = (
                (model.eval()(x, mean_adjacency(edge_index, n)).argmax(1) == y).float().mean()
            )
        return accuracy, result

    accuracy, result = run()
    assert accuracy > 0.9 and result.num_batches == 20 * 5 and result.sampled_nodes > 0
    assert torch.equal(run()[0], accuracy)
    with pytest.raises(ValueError, match="batch_size"):
        train_sampled(
            GCN(n, 8, 2),
            x,
            y,
            torch.arange(n),
            NeighborSampler(edge_index, n, [5]),
            batch_size=0,
            num_epochs=1,
        )


@pytest.mark.parametrize("implementation", ["ours", "pyg"])
def test_train_gae_beats_chance_with_the_requested_sizes(karate, implementation):
    edge_index, n = karate
    split = split_edges(edge_index, n, generator=torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    result = train_gae(
        torch.eye(n),
        split,
        implementation=implementation,
        hidden=8,
        latent=4,
        num_epochs=100,
        generator=torch.Generator().manual_seed(0),
    )
    assert result.auc > 0.6 and 0 <= result.ap <= 1


def test_gae_sizes_are_arguments():
    model = GAE(34, hidden=8, latent=4)
    assert model.encode(
        torch.eye(34), normalized_adjacency(torch.tensor([[0, 1], [1, 0]]), 34)
    ).shape == (34, 4)


def test_sampled_mean_is_biased_towards_the_node_itself_when_fanout_is_below_the_degree():
    # A star: node 0 receives edges from nodes 1..4; features 0 for the centre, 1..4 for the leaves.
    edge_index = torch.tensor([[1, 2, 3, 4], [0, 0, 0, 0]])
    x = torch.tensor([[0.0], [1.0], [2.0], [3.0], [4.0]])
    k, draws = 2, 4000  # fan-out 2 below the centre's in-degree 4
    sampler = NeighborSampler(edge_index, 5, [k])
    generator = torch.Generator().manual_seed(0)
    with_self, neighbours_only = [], []
    for _ in range(draws):
        batch = sampler.sample(torch.tensor([0]), generator)
        mean = (batch.blocks[0] @ x[batch.nodes])[0, 0].item()  # (x_0 + sum of k sampled) / (k + 1)
        with_self.append(mean)
        neighbours_only.append(((k + 1) * mean - x[0, 0].item()) / k)
    full_mean = (
        mean_adjacency(edge_index, 5).to_dense()[0] @ x[:, 0]
    )  # (x_0 + sum of all 4) / 5 = 2
    expected_biased = (x[0, 0] + k * x[1:, 0].mean()) / (
        k + 1
    )  # 5/3: the centre weighs 1/3, not 1/5
    standard_error = 1.0 / draws**0.5
    assert abs(sum(with_self) / draws - expected_biased.item()) < 5 * standard_error
    assert full_mean.item() - sum(with_self) / draws > 0.25  # biased towards x_0 = 0
    assert (
        abs(sum(neighbours_only) / draws - x[1:, 0].mean().item()) < 5 * standard_error
    )  # unbiased


def test_graph_training_on_the_requested_device(karate, device):
    """Every graph trainer runs where its model is (or where ``device=`` says)."""
    edge_index, n = karate
    x = torch.eye(n)
    split = split_edges(edge_index, n, generator=torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    gae = train_gae(x, split, hidden=8, latent=4, num_epochs=5, device=device)
    assert 0 <= gae.auc <= 1
    y = torch.arange(n) % 2
    mask = torch.zeros(n, dtype=torch.bool)
    mask[:10] = True
    torch.manual_seed(0)
    model = GCN(n, 8, 2).to(device)
    adj = normalized_adjacency(edge_index, n).to(device)
    run = train_node_classifier(
        lambda: model(x.to(device), adj), model, y, mask, ~mask, ~mask,
        decay_parameters=model.layers[0].parameters(), num_epochs=5, early_stopping=None,
    )  # fmt: skip
    assert run.epochs == 5
    result = train_sampled(
        model, x, y, torch.arange(n), NeighborSampler(edge_index, n, [3, 3]),
        batch_size=16, num_epochs=1, generator=torch.Generator().manual_seed(0),
    )  # fmt: skip
    assert result.num_batches == 3
    graphs = make_graph_families(2, seed=0)
    classifier = GraphClassifier(11, 8, 4).to(device)
    losses = train_graph_classifier(classifier, graphs, num_epochs=2, batch_size=4)
    assert len(losses) == 2 and 0 <= graph_accuracy(classifier, graphs) <= 1


def test_layer_multiply_adds_counts_the_dense_and_the_sparse_product():
    features, (count,) = 4, layer_multiply_adds([200], mean_degree=10, features=4, seed=3)
    g = make_generator(3)
    edge_index = random_edge_index(20, 200, g)
    pairs = {(int(i), int(j)) for i, j in edge_index.t()} | {(i, i) for i in range(20)}
    # H W: 20 nodes x 4 x 4; Â (H W): one multiply-add per stored entry and output feature
    assert count == 20 * features * features + len(pairs) * features
    grown = layer_multiply_adds([10**4, 10**5], features=4)
    assert 9.5 < grown[1] / grown[0] < 10.5  # linear in E when N grows with it
