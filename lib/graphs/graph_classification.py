"""Graph classification with a GCN and a sum (or mean) readout (Duvenaud et al., NeurIPS 2015).

Each node's last layer gives class scores ``z_n``; the graph's prediction is
``softmax(sum_n z_n)`` (the molecular-fingerprint readout) or ``softmax(mean_n z_n)``.

Real molecule benchmarks cannot be downloaded on the book's machines, so the data set is made of
random graphs from four networkx generators with the same number of nodes and about the same
mean degree; the class is the generator. :func:`degree_histograms` gives the baseline without
message passing: each graph's one-hot degree features averaged over its nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lib.checks import check_int
from lib.graphs.gcn import GCN
from lib.graphs.normalization import gcn_norm
from lib.graphs.sparse import SparseMatrix
from lib.training import ShuffledBatches, fit, model_device

FAMILIES = ("erdos-renyi", "barabasi-albert", "watts-strogatz", "two-communities")
"""The generators, one class each."""


@dataclass
class GraphSample:
    """One small graph: ``edge_index (2, E)`` with both directions, its size and class."""

    edge_index: torch.Tensor
    num_nodes: int
    y: int


def generate_graph(family: str, num_nodes: int, rng: np.random.Generator):
    """A networkx graph of the named family with mean degree about 4."""
    import networkx as nx

    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; choose one of {FAMILIES}.")
    check_int(num_nodes, "num_nodes", minimum=4)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy Generator, got {type(rng).__name__}; pass "
            "np.random.default_rng(seed)."
        )
    seed = int(rng.integers(2**31))
    if family == "erdos-renyi":
        return nx.gnp_random_graph(num_nodes, 4.0 / (num_nodes - 1), seed=seed)
    if family == "barabasi-albert":
        return nx.barabasi_albert_graph(num_nodes, 2, seed=seed)
    if family == "watts-strogatz":
        return nx.connected_watts_strogatz_graph(num_nodes, 4, 0.1, seed=seed)
    half = num_nodes // 2  # "two-communities"
    p_in = 3.6 / (half - 1)
    p_out = 0.4 / (num_nodes - half)
    sizes = [half, num_nodes - half]
    return nx.stochastic_block_model(sizes, [[p_in, p_out], [p_out, p_in]], seed=seed)


def make_graph_families(
    num_per_class: int,
    *,
    min_nodes: int = 20,
    max_nodes: int = 40,
    seed: int = 0,
    families: Sequence[str] = FAMILIES,
) -> list[GraphSample]:
    """A shuffled list of ``num_per_class`` graphs of each family, sizes uniform in the range."""
    check_int(num_per_class, "num_per_class")
    check_int(min_nodes, "min_nodes", minimum=4)
    check_int(max_nodes, "max_nodes", minimum=min_nodes)
    if isinstance(families, str) or any(family not in FAMILIES for family in families):
        raise ValueError(
            f"families must be a sequence of names among {FAMILIES}, got {families!r}; pass a "
            "tuple, e.g. ('erdos-renyi',)."
        )
    rng = np.random.default_rng(seed)
    samples = []
    for label, family in enumerate(families):
        for _ in range(num_per_class):
            n = int(rng.integers(min_nodes, max_nodes + 1))
            g = generate_graph(family, n, rng)
            edges = torch.tensor(list(g.edges()), dtype=torch.long).reshape(-1, 2).t()
            samples.append(GraphSample(torch.cat([edges, edges.flip(0)], dim=1), n, label))
    order = rng.permutation(len(samples))
    return [samples[i] for i in order]


def degree_features(edge_index: torch.Tensor, num_nodes: int, max_degree: int = 10) -> torch.Tensor:
    """One-hot node degree, capped at ``max_degree`` (the usual input for featureless graphs).

    Shapes:
        ``edge_index (2, E)`` -> ``(N, max_degree + 1)``.
    """
    deg = torch.bincount(edge_index[1], minlength=num_nodes).clamp(max=max_degree)
    return F.one_hot(deg, max_degree + 1).float()


def degree_histograms(graphs: Sequence[GraphSample], max_degree: int = 10) -> torch.Tensor:
    """The normalised degree histogram of every graph: its one-hot degree features averaged over
    its nodes.

    Entry ``k`` of row ``g`` is the share of graph ``g``'s nodes of degree ``k`` (the last entry:
    degree ``max_degree`` or more). It is all that a GCN without graph convolutions and with a
    mean readout sees of a graph, ``(1 / |G|) sum_n x_n`` with the features of
    :func:`degree_features`, so a linear classifier on it is the message-passing-free baseline of
    the graph-family task.

    Args:
        graphs: The graphs, e.g. from :func:`make_graph_families`.
        max_degree: Degrees above it count as ``max_degree``, as in :func:`degree_features`.

    Shapes:
        ``G`` graphs -> ``(G, max_degree + 1)``, every row summing to 1.
    """
    _check_graphs(graphs, "graphs")
    check_int(max_degree, "max_degree", minimum=0)
    return torch.stack(
        [degree_features(g.edge_index, g.num_nodes, max_degree).mean(dim=0) for g in graphs]
    )


@dataclass
class GraphBatch:
    """Many graphs as one block-diagonal graph.

    Attributes:
        x: Node features ``(N_total, F)``.
        adj: Normalised block-diagonal adjacency ``(N_total, N_total)``.
        batch: Graph id of every node ``(N_total,)``.
        y: Class of every graph ``(G,)``.
    """

    x: torch.Tensor
    adj: SparseMatrix
    batch: torch.Tensor
    y: torch.Tensor

    def to(self, device: torch.device | str) -> GraphBatch:
        """The batch on ``device``."""
        return GraphBatch(
            self.x.to(device), self.adj.to(device), self.batch.to(device), self.y.to(device)
        )


def collate(graphs: Sequence[GraphSample], max_degree: int = 10) -> GraphBatch:
    """Stack graphs into one :class:`GraphBatch`."""
    if not graphs:
        raise ValueError("collate needs at least one graph.")
    offset, xs, edges, batch = 0, [], [], []
    for i, g in enumerate(graphs):
        xs.append(degree_features(g.edge_index, g.num_nodes, max_degree))
        edges.append(g.edge_index + offset)
        batch.append(torch.full((g.num_nodes,), i, dtype=torch.long))
        offset += g.num_nodes
    index, weight = gcn_norm(torch.cat(edges, dim=1), offset)
    return GraphBatch(
        x=torch.cat(xs),
        adj=SparseMatrix.from_coo(index.flip(0), weight, (offset, offset)),
        batch=torch.cat(batch),
        y=torch.tensor([g.y for g in graphs]),
    )


class GraphClassifier(nn.Module):
    """GCN node scores pooled over each graph: ``softmax(sum_n z_n)`` or ``softmax(mean_n z_n)``.

    Args:
        in_features: Node feature size.
        hidden: Hidden size.
        num_classes: Number of graph classes.
        num_layers: Graph convolutions.
        readout: ``"sum"`` or ``"mean"``.

    Shapes:
        ``GraphBatch`` with ``G`` graphs -> logits ``(G, C)``.
    """

    def __init__(
        self,
        in_features: int,
        hidden: int,
        num_classes: int,
        *,
        num_layers: int = 3,
        readout: str = "sum",
    ) -> None:
        super().__init__()
        if readout not in ("sum", "mean"):
            raise ValueError(f"readout must be 'sum' or 'mean', got {readout!r}.")
        self.gcn = GCN(in_features, hidden, num_classes, num_layers=num_layers, dropout=0.0)
        self.readout = readout

    def forward(self, data: GraphBatch) -> torch.Tensor:
        z = self.gcn(data.x, data.adj)
        num_graphs = int(data.batch.max()) + 1
        pooled = z.new_zeros(num_graphs, z.shape[1]).index_add_(0, data.batch, z)
        if self.readout == "mean":
            pooled = pooled / torch.bincount(data.batch, minlength=num_graphs)[:, None]
        return pooled


def _check_graphs(graphs: Sequence[GraphSample], name: str) -> None:
    """Raise unless ``graphs`` is a non-empty list of :class:`GraphSample` (not a collated
    :class:`GraphBatch`)."""
    if not isinstance(graphs, Sequence) or any(not isinstance(g, GraphSample) for g in graphs):
        raise TypeError(
            f"{name} must be a list of GraphSample, got {type(graphs).__name__}; pass the graphs "
            "of make_graph_families (or a slice of them), not a collated batch."
        )
    if not graphs:
        raise ValueError(f"{name} must hold at least one graph, got an empty list.")


def _check_classifier_inputs(
    model: GraphClassifier, graphs: Sequence[GraphSample], name: str
) -> None:
    """Raise unless ``model`` is a :class:`GraphClassifier` and ``graphs`` a non-empty list of
    :class:`GraphSample`."""
    if not isinstance(model, GraphClassifier):
        raise TypeError(f"model must be a GraphClassifier, got {type(model).__name__}.")
    _check_graphs(graphs, name)


def train_graph_classifier(
    model: GraphClassifier,
    train: Sequence[GraphSample],
    *,
    num_epochs: int = 100,
    batch_size: int = 32,
    lr: float = 0.01,
    generator: torch.Generator | None = None,
) -> list[float]:
    """Mini-batch training with Adam on the model's device; the mean training loss of every epoch.

    Args:
        model: The classifier (trained in place).
        train: The training graphs.
        num_epochs: Passes over ``train``.
        batch_size: Graphs per step.
        lr: Adam learning rate.
        generator: Randomness of the order of the graphs.
    """

    _check_classifier_inputs(model, train, "train")
    check_int(num_epochs, "num_epochs")
    check_int(batch_size, "batch_size")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator must be a torch.Generator or None, got {type(generator).__name__}; pass "
            "lib.reproducibility.make_generator(seed)."
        )

    def take(indices: torch.Tensor) -> tuple[GraphBatch, torch.Tensor]:
        data = collate([train[j] for j in indices.tolist()])
        return data, data.y

    history = fit(
        model,
        ShuffledBatches(len(train), batch_size, take, generator=generator),
        num_epochs=num_epochs,
        optimizer=torch.optim.Adam(model.parameters(), lr=lr),
        metric=None,
        desc="graph classifier",
    )
    return history.train_loss


@torch.no_grad()
def predict_graphs(model: GraphClassifier, graphs: Sequence[GraphSample]) -> torch.Tensor:
    """The predicted class of every graph (the class of the largest pooled score), on the CPU.

    Shapes:
        ``G`` graphs -> ``(G,)`` class indices.
    """
    _check_classifier_inputs(model, graphs, "graphs")
    model.eval()
    data = collate(graphs).to(model_device(model))
    return model(data).argmax(dim=1).cpu()


def graph_accuracy(model: GraphClassifier, graphs: Sequence[GraphSample]) -> float:
    """Fraction of graphs whose class is predicted correctly."""
    predictions = predict_graphs(model, graphs)  # checks the inputs
    return (predictions == torch.tensor([g.y for g in graphs])).float().mean().item()
