"""Semi-supervised node classification: the protocol of Table 2 in Kipf & Welling (ICLR 2017).

Paper hyper-parameters: two layers, 16 hidden units, dropout 0.5 (on the input features and
the hidden layer), Adam with learning rate 0.01, L2 weight decay 5e-4 on the first layer only,
at most 200 epochs, early stopping when the validation loss exceeds the mean of the previous
10 epochs, row-normalised bag-of-words features, Glorot initialisation. The test accuracy of the
final model is reported.

The same :func:`train_node_classifier` trains our :class:`lib.graphs.GCN` and the PyTorch
Geometric reference :class:`PyGGCN`, so only the implementation differs. For one seed the two
still draw different random numbers (PyG initialises in another order and drops out every entry
of a dense ``X``); :class:`PyGGCNSameDraws` gives ``GCNConv`` our draws, which isolates the
implementation. ``"mlp"`` is the same network with ``A_hat = I``: each node sees only its own
words, which measures what the graph adds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lib.graphs.gcn import GCN
from lib.graphs.normalization import normalized_adjacency, row_normalize
from lib.graphs.sparse import SparseMatrix, dropout, sparse_dropout
from lib.reproducibility import seed_everything
from lib.training import History, fit, model_device

PAPER_TABLE2 = {"cora": 81.5, "citeseer": 70.3}
"""Test accuracy (%) of GCN in Table 2 of Kipf & Welling (2017)."""


@dataclass
class NodeClassificationRun:
    """One training run.

    Attributes:
        test_accuracy: Accuracy of the final model on the test nodes, in [0, 1].
        val_accuracy: Accuracy on the validation nodes.
        epochs: Epochs trained (fewer than the maximum after early stopping).
        seconds: Wall time of training and evaluation.
        train_loss: Cross-entropy on the labelled nodes at every epoch (with dropout, as trained).
        val_loss: Cross-entropy on the validation nodes after every epoch, without dropout.
        val_accuracies: Accuracy on the validation nodes after every epoch, without dropout.
        stopped_early: Whether the early-stopping rule ended training (at epoch ``epochs``).
        model: The trained model.
    """

    test_accuracy: float
    val_accuracy: float
    epochs: int
    seconds: float
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracies: list[float] = field(default_factory=list)
    stopped_early: bool = False
    model: nn.Module | None = field(default=None, repr=False, compare=False)


@dataclass
class Table2Result:
    """Runs over several seeds of one implementation on one dataset."""

    dataset: str
    implementation: str
    runs: list[NodeClassificationRun] = field(default_factory=list)
    setup_seconds: float = 0.0

    @property
    def accuracies(self) -> np.ndarray:
        return np.array([r.test_accuracy for r in self.runs])

    @property
    def mean(self) -> float:
        return float(self.accuracies.mean())

    @property
    def std(self) -> float:
        return float(self.accuracies.std())

    @property
    def seconds(self) -> float:
        """Total wall time: preprocessing once plus every run."""
        return self.setup_seconds + sum(r.seconds for r in self.runs)


def train_node_classifier(
    forward: Callable[[], torch.Tensor],
    model: nn.Module,
    y: torch.Tensor,
    train_mask: torch.Tensor,
    val_mask: torch.Tensor,
    test_mask: torch.Tensor,
    *,
    decay_parameters: Iterable[nn.Parameter],
    num_epochs: int = 200,
    lr: float = 0.01,
    weight_decay: float = 5e-4,
    early_stopping: int | None = 10,
) -> NodeClassificationRun:
    """Full-batch training with Adam, Kipf & Welling's early stopping, final test accuracy.

    Args:
        forward: Computes logits ``(N, C)`` of every node with ``model`` (reads
            ``model.training`` for dropout).
        model: The model whose parameters are trained; ``y`` and the masks are moved to its
            device, where ``forward`` must compute.
        y: Labels ``(N,)``.
        train_mask: Boolean ``(N,)`` labelled nodes.
        val_mask: Boolean ``(N,)`` validation nodes (early stopping).
        test_mask: Boolean ``(N,)`` test nodes.
        decay_parameters: Parameters that get L2 weight decay (the first layer in the paper).
        num_epochs: Maximum number of epochs.
        lr: Adam learning rate.
        weight_decay: L2 coefficient for ``decay_parameters``.
        early_stopping: Window; stop when the validation loss exceeds the mean of the previous
            ``early_stopping`` epochs. ``None`` trains all epochs.

    Returns:
        A :class:`NodeClassificationRun` with the per-epoch curves and the trained model.
    """
    if num_epochs < 1:
        raise ValueError(f"num_epochs must be at least 1, got {num_epochs}.")
    masks = {"train_mask": train_mask, "val_mask": val_mask, "test_mask": test_mask}
    for name, mask in masks.items():
        if mask.dtype != torch.bool or mask.shape != y.shape:
            raise ValueError(f"{name} must be a boolean tensor of shape {tuple(y.shape)}.")
    start = time.perf_counter()
    device = model_device(model)
    y, train_mask, val_mask, test_mask = (
        t.to(device) for t in (y, train_mask, val_mask, test_mask)
    )
    decay = list(decay_parameters)
    decay_ids = {id(p) for p in decay}
    rest = [p for p in model.parameters() if id(p) not in decay_ids]
    optimizer = torch.optim.Adam(
        [{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}],
        lr=lr,
    )
    y_val = y[val_mask]
    val_losses: list[float] = []
    val_accuracies: list[float] = []
    fired: list[bool] = []  # the rule's verdict at every epoch

    def validation_loss_rose(_history: History) -> bool:
        """Kipf & Welling's rule: the validation loss exceeds the mean of the previous window."""
        model.eval()
        with torch.no_grad():
            logits = forward()[val_mask]
        val_losses.append(F.cross_entropy(logits, y_val).item())
        val_accuracies.append((logits.argmax(dim=1) == y_val).float().mean().item())
        if early_stopping is None:
            return False
        window = val_losses[-early_stopping - 1 : -1]
        fired.append(len(val_losses) > early_stopping and val_losses[-1] > np.mean(window))
        return fired[-1]

    history = fit(
        model,
        [(train_mask, y[train_mask])],  # full batch: one step per epoch on the labelled nodes
        num_epochs=num_epochs,
        optimizer=optimizer,
        metric=None,
        forward=lambda mask: forward()[mask],
        stop=validation_loss_rose,
        desc=None,
    )
    model.eval()
    with torch.no_grad():
        pred = forward().argmax(dim=1)
    return NodeClassificationRun(
        test_accuracy=(pred[test_mask] == y[test_mask]).float().mean().item(),
        val_accuracy=(pred[val_mask] == y[val_mask]).float().mean().item(),
        epochs=history.num_epochs,
        seconds=time.perf_counter() - start,
        train_loss=history.train_loss,
        val_loss=val_losses,
        val_accuracies=val_accuracies,
        stopped_early=any(fired),
        model=model,
    )


class PyGGCN(nn.Module):
    """The reference: the same two-layer GCN built from PyTorch Geometric's ``GCNConv``.

    As in PyG's ``examples/gcn.py``: dense features, ``F.dropout`` on the input and the hidden
    layer, and ``GCNConv(cached=True)``, which normalises the graph in the first forward pass and
    reuses it afterwards (right for a transductive task, where the graph never changes).

    Shapes:
        ``x (N, F)``, ``edge_index (2, E)`` -> ``(N, C)``.
    """

    def __init__(
        self, in_features: int, hidden: int, out_features: int, *, dropout: float = 0.5
    ) -> None:
        super().__init__()
        from torch_geometric.nn import GCNConv

        self.conv1 = GCNConv(in_features, hidden, cached=True)
        self.conv2 = GCNConv(hidden, out_features, cached=True)
        self.dropout = dropout

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        x = F.dropout(x, self.dropout, training=self.training)
        x = F.relu(self.conv1(x, edge_index))
        x = F.dropout(x, self.dropout, training=self.training)
        return self.conv2(x, edge_index)


class PyGGCNSameDraws(PyGGCN):
    """:class:`PyGGCN` started from our GCN's weights and fed our GCN's dropout masks.

    The input dropout acts on the stored non-zeros of a sparse ``X`` (dropping a zero changes
    nothing, so the law is that of dense dropout), whose CSR tensor ``GCNConv`` takes as it is
    (its linear map accepts sparse input), and both dropouts draw from torch's global generator
    exactly as :class:`lib.graphs.GCN` does. Trained from the same seed, the two networks
    therefore see the same random numbers, and any difference left between their results comes
    from the implementations (floating-point rounding), not from the draws.

    Shapes:
        ``x`` a :class:`SparseMatrix` ``(N, F)``, ``edge_index (2, E)`` -> ``(N, C)``.
    """

    @classmethod
    def from_gcn(cls, model: GCN) -> PyGGCNSameDraws:
        """A copy of a two-layer :class:`lib.graphs.GCN`; draws nothing from the global RNG."""
        if len(model.layers) != 2 or model.residual or not isinstance(model.activation, nn.ReLU):
            raise ValueError(
                "from_gcn copies a plain two-layer ReLU GCN (num_layers=2, no residual, ReLU)."
            )
        first, second = model.layers
        with torch.random.fork_rng(devices=[]):  # GCNConv's own initialisation is overwritten
            pyg = cls(
                first.lin.in_features,
                first.lin.out_features,
                second.lin.out_features,
                dropout=model.dropout,
            )
        with torch.no_grad():
            for ours, conv in zip(model.layers, (pyg.conv1, pyg.conv2), strict=False):
                conv.lin.weight.copy_(ours.lin.weight)
                conv.bias.copy_(ours.bias)
        return pyg

    def forward(self, x: SparseMatrix, edge_index: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv1(sparse_dropout(x, self.dropout, self.training).matrix, edge_index))
        x = dropout(x, self.dropout, self.training)
        return self.conv2(x, edge_index)


IMPLEMENTATIONS = ("ours", "pyg", "pyg-same-draws", "mlp")


def gcn_inputs(data, *, graph: bool = True) -> tuple[SparseMatrix, SparseMatrix]:
    """Row-normalised sparse features and the sparse ``A_hat`` of our GCN.

    With ``graph=False`` the adjacency is the identity, which turns the GCN into an MLP on each
    node's own features (same layers, same dropout, same initialisation).
    """
    if not all(hasattr(data, name) for name in ("x", "edge_index", "num_nodes")):
        raise TypeError(
            f"data must be a graph data set with x, edge_index and num_nodes (e.g. "
            f"lib.data's Cora), got {type(data).__name__}."
        )
    features = SparseMatrix.from_dense(row_normalize(data.x))
    n = data.num_nodes
    if graph:
        return features, normalized_adjacency(data.edge_index, n)
    diagonal = torch.arange(n)
    return features, SparseMatrix.from_coo(torch.stack([diagonal, diagonal]), torch.ones(n), (n, n))


@torch.no_grad()
def hidden_representation(model: GCN, features: SparseMatrix, adj: SparseMatrix) -> torch.Tensor:
    """The first layer's output after ReLU, without dropout, for every node.

    Shapes:
        ``features (N, F)``, ``adj (N, N)`` -> ``(N, hidden)``.
    """
    if not isinstance(model, GCN):
        raise TypeError(
            f"model must be a GCN, got {type(model).__name__}; pass the model of a run, e.g. "
            "run.model."
        )
    was_training = model.training
    model.eval()
    _, hidden = model(features, adj, return_hidden=True)
    model.train(was_training)
    return hidden[0]


def knn_correct(
    points: np.ndarray, labels: np.ndarray, *, k: int = 5, metric: str = "euclidean"
) -> np.ndarray:
    """Leave-one-out k-nearest-neighbour votes: is each point's class the most frequent class
    among its ``k`` nearest other points? A measure of how well a representation groups the
    classes, with no classifier trained on it.

    The vote is a plurality (with 7 classes and ``k = 5``, two votes can win); ties between
    classes go to the smallest class index.

    Shapes:
        ``points (n, d)``, ``labels (n,)`` integers from 0 -> ``(n,)`` booleans.
    """
    from sklearn.neighbors import NearestNeighbors

    points, labels = np.asarray(points), np.asarray(labels)
    if len(points) != len(labels) or len(points) <= k:
        raise ValueError(
            f"need one label per point and more than k={k} points, got {len(points)} points "
            f"and {len(labels)} labels."
        )
    n = len(points)
    _, index = NearestNeighbors(n_neighbors=k + 1, metric=metric).fit(points).kneighbors(points)
    # drop each point itself, which need not come first when another point is at distance 0
    others = index != np.arange(n)[:, None]
    others[others.all(axis=1), -1] = False
    neighbours = labels[index[others].reshape(n, k)]
    votes = np.stack([(neighbours == c).sum(axis=1) for c in range(labels.max() + 1)], axis=1)
    return votes.argmax(axis=1) == labels


def run_table2(
    data,
    dataset: str,
    implementation: str = "ours",
    *,
    seeds: Iterable[int] = range(10),
    num_epochs: int = 200,
    hidden: int = 16,
    early_stopping: int | None = 10,
    device: torch.device | str = "cpu",
) -> Table2Result:
    """Train the two-layer GCN once per seed on a Planetoid graph with its public split.

    Args:
        data: A PyG ``Data`` from :func:`lib.data.load_planetoid` (binary features).
        dataset: Its name, for the record.
        implementation: ``"ours"`` (cached CSR adjacency, sparse features), ``"pyg"``
            (:class:`PyGGCN`, PyG's own random draws), ``"pyg-same-draws"``
            (:class:`PyGGCNSameDraws`: ``GCNConv`` with our initial weights and dropout masks)
            or ``"mlp"`` (ours with ``A_hat = I``, see :func:`gcn_inputs`).
        seeds: One run per seed (``seed_everything(seed)`` before building the model).
        num_epochs: Maximum epochs.
        hidden: Hidden units.
        early_stopping: Early-stopping window, see :func:`train_node_classifier`.
        device: Where the graph, the features and every model go.

    Returns:
        A :class:`Table2Result`; ``setup_seconds`` holds our one-off preprocessing.
    """
    if implementation not in IMPLEMENTATIONS:
        raise ValueError(
            f"implementation must be one of {IMPLEMENTATIONS}, got {implementation!r}."
        )
    start = time.perf_counter()
    x = row_normalize(data.x)
    num_nodes, num_features = x.shape
    num_classes = int(data.y.max()) + 1
    if implementation != "pyg":
        features, adj = (m.to(device) for m in gcn_inputs(data, graph=implementation != "mlp"))
    x, edge_index = x.to(device), data.edge_index.to(device)
    result = Table2Result(dataset, implementation, setup_seconds=time.perf_counter() - start)
    for seed in seeds:
        seed_everything(seed)
        if implementation == "pyg":
            model = PyGGCN(num_features, hidden, num_classes).to(device)
            forward = lambda m=model: m(x, edge_index)  # noqa: E731
            decay = model.conv1.parameters()
        elif implementation == "pyg-same-draws":  # our initialisation, copied into GCNConv
            model = PyGGCNSameDraws.from_gcn(GCN(num_features, hidden, num_classes)).to(device)
            forward = lambda m=model: m(features, edge_index)  # noqa: E731
            decay = model.conv1.parameters()
        else:
            model = GCN(num_features, hidden, num_classes).to(device)
            forward = lambda m=model: m(features, adj)  # noqa: E731
            decay = model.layers[0].parameters()
        result.runs.append(
            train_node_classifier(
                forward,
                model,
                data.y,
                data.train_mask,
                data.val_mask,
                data.test_mask,
                decay_parameters=decay,
                num_epochs=num_epochs,
                early_stopping=early_stopping,
            )
        )
    return result
