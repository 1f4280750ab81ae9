"""Link prediction with a graph auto-encoder (GAE, Kipf & Welling, NIPS BDL workshop 2016).

Encoder: a two-layer GCN ``Z = Â ReLU(Â X W0) W1``; decoder: ``p(A_ij = 1) = σ(z_i^T z_j)``.
Trained on the edges left after holding out 5 % (validation) and 10 % (test) of them, with as
many random non-edges as negatives; evaluated by ROC AUC and average precision on the held-out
edges against as many held-out non-edges.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lib.checks import check_int, check_tensor
from lib.graphs.gcn import GCN
from lib.graphs.graph_ops import to_undirected
from lib.graphs.normalization import normalized_adjacency
from lib.graphs.validation import check_graph
from lib.training import fit

PAPER_GAE_CORA = {"auc": 0.910, "ap": 0.920}
"""GAE on Cora with features, Table 1 of Kipf & Welling (2016)."""


@dataclass
class EdgeSplit:
    """Edges of an undirected graph split for link prediction.

    Attributes:
        train_edge_index: Both directions of the training edges ``(2, 2 E_train)``.
        val_pos, val_neg, test_pos, test_neg: Held-out edges and non-edges ``(2, k)``, one
            direction each (``u < v``).
    """

    train_edge_index: torch.Tensor
    val_pos: torch.Tensor
    val_neg: torch.Tensor
    test_pos: torch.Tensor
    test_neg: torch.Tensor


def split_edges(
    edge_index: torch.Tensor,
    num_nodes: int,
    *,
    val_ratio: float = 0.05,
    test_ratio: float = 0.10,
    generator: torch.Generator | None = None,
) -> EdgeSplit:
    """Hold out a fraction of the undirected edges and draw as many non-edges.

    Shapes:
        ``edge_index (2, E)`` -> see :class:`EdgeSplit`.
    """
    check_graph(edge_index, num_nodes)
    if not (0 < val_ratio < 1 and 0 < test_ratio < 1 and val_ratio + test_ratio < 1):
        raise ValueError("val_ratio and test_ratio must be in (0, 1) with a sum below 1.")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator must be a torch.Generator or None, got {type(generator).__name__}; pass "
            "lib.reproducibility.make_generator(seed)."
        )
    und = to_undirected(edge_index, num_nodes)
    pairs = und[:, und[0] < und[1]]
    pairs = pairs[:, torch.randperm(pairs.shape[1], generator=generator)]
    n_val = int(val_ratio * pairs.shape[1])
    n_test = int(test_ratio * pairs.shape[1])
    non_edges = num_nodes * (num_nodes - 1) // 2 - pairs.shape[1]
    if non_edges < n_val + n_test:
        raise ValueError(
            f"the graph has {non_edges} non-edges but the split needs {n_val + n_test} as "
            "negative examples; it is too dense for link prediction: lower val_ratio and "
            "test_ratio or pass a sparser graph."
        )
    val_pos, test_pos = pairs[:, :n_val], pairs[:, n_val : n_val + n_test]
    train = pairs[:, n_val + n_test :]
    existing = set((und[0] * num_nodes + und[1]).tolist())
    negatives: list[int] = []
    chosen: set[int] = set()
    while len(negatives) < n_val + n_test:
        cand = torch.randint(0, num_nodes, (2, 2 * (n_val + n_test)), generator=generator)
        for u, v in cand.t().tolist():
            u, v = min(u, v), max(u, v)
            key = u * num_nodes + v
            if u != v and key not in existing and key not in chosen:
                chosen.add(key)
                negatives.append(key)
                if len(negatives) == n_val + n_test:
                    break
    neg = torch.tensor(negatives)
    neg = torch.stack([neg // num_nodes, neg % num_nodes])
    return EdgeSplit(
        train_edge_index=torch.cat([train, train.flip(0)], dim=1),
        val_pos=val_pos,
        val_neg=neg[:, :n_val],
        test_pos=test_pos,
        test_neg=neg[:, n_val:],
    )


class GAE(nn.Module):
    """Graph auto-encoder: GCN encoder and inner-product decoder.

    Args:
        in_features: Input feature size.
        hidden: Hidden size (32 in the paper).
        latent: Embedding size (16 in the paper).

    Shapes:
        ``encode: x (N, F), adj (N, N) -> z (N, latent)``; ``decode: z, pairs (2, k) -> (k,)``
        logits.
    """

    def __init__(self, in_features: int, hidden: int = 32, latent: int = 16) -> None:
        super().__init__()
        self.encoder = GCN(in_features, hidden, latent, num_layers=2, dropout=0.0)

    def encode(self, x, adj) -> torch.Tensor:
        return self.encoder(x, adj)

    @staticmethod
    def decode(z: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
        return (z[pairs[0]] * z[pairs[1]]).sum(dim=-1)


def reconstruction_loss(
    z: torch.Tensor, pos: torch.Tensor, num_nodes: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Binary cross-entropy on the positive edges and as many uniformly drawn node pairs.

    The random pairs are not filtered against the graph: on a sparse graph (Cora: 0.14 % of
    pairs are edges) almost all of them are non-edges.

    Shapes:
        ``z (N, D)``, ``pos (2, E)`` -> scalar.
    """
    neg = torch.randint(0, num_nodes, pos.shape, generator=generator)
    pos_logits = GAE.decode(z, pos)
    neg_logits = GAE.decode(z, neg)
    return F.binary_cross_entropy_with_logits(
        pos_logits, torch.ones_like(pos_logits)
    ) + F.binary_cross_entropy_with_logits(neg_logits, torch.zeros_like(neg_logits))


def link_scores(z: torch.Tensor, pos: torch.Tensor, neg: torch.Tensor) -> dict[str, float]:
    """ROC AUC and average precision of ``σ(z_i^T z_j)`` on held-out edges vs non-edges.

    Both depend only on the order of the scores, so the logits ``z_i^T z_j`` are ranked: the
    sigmoid is monotone, but in float32 it rounds every logit above about 17 to 1, and such
    ties would lower the AUC.

    Shapes:
        ``z (N, D)``, ``pos (2, P)``, ``neg (2, Q)`` -> ``{"auc": float, "ap": float}``.
    """
    from sklearn.metrics import average_precision_score, roc_auc_score

    scores = torch.cat([GAE.decode(z, pos), GAE.decode(z, neg)]).detach().cpu().double().numpy()
    labels = np.concatenate([np.ones(pos.shape[1]), np.zeros(neg.shape[1])])
    return {
        "auc": float(roc_auc_score(labels, scores)),
        "ap": float(average_precision_score(labels, scores)),
    }


@dataclass
class GAEResult:
    """Test scores and wall time of one GAE run."""

    auc: float
    ap: float
    val_auc: float
    seconds: float


def train_gae(
    x: torch.Tensor,
    split: EdgeSplit,
    *,
    implementation: str = "ours",
    hidden: int = 32,
    latent: int = 16,
    num_epochs: int = 200,
    lr: float = 0.01,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> GAEResult:
    """Train a GAE on ``split.train_edge_index`` and score the held-out edges.

    Args:
        x: Node features ``(N, F)``.
        split: From :func:`split_edges`.
        implementation: ``"ours"`` (:class:`GAE` on a cached sparse adjacency) or ``"pyg"``
            (``torch_geometric.nn.GAE`` with a ``GCNConv`` encoder and its ``recon_loss``,
            which filters sampled negatives against the graph).
        hidden: Hidden units of the two-layer GCN encoder (32 in the paper).
        latent: Embedding size (16 in the paper).
        num_epochs: Full-batch epochs with Adam.
        lr: Learning rate.
        generator: Randomness of our negative sampling (PyG uses the global seed).
        device: Where the graph, the features and the model go.
    """
    if implementation not in ("ours", "pyg"):
        raise ValueError(f"implementation must be 'ours' or 'pyg', got {implementation!r}.")
    check_tensor(x, "x")
    if x.dim() != 2:
        raise ValueError(f"x must be node features of shape (N, F), got {tuple(x.shape)}.")
    if not isinstance(split, EdgeSplit):
        raise TypeError(
            f"split must be an EdgeSplit, got {type(split).__name__}; pass "
            "split_edges(edge_index, num_nodes)."
        )
    num_nodes = x.shape[0]
    held = (split.train_edge_index, split.val_pos, split.test_pos)
    highest = max((int(e.max()) for e in held if e.numel()), default=-1)
    if highest >= num_nodes:
        raise ValueError(
            f"split holds node {highest} but x has {num_nodes} rows; pass the features of the "
            "graph that was split, one row per node."
        )
    for name, value in (("hidden", hidden), ("latent", latent), ("num_epochs", num_epochs)):
        check_int(value, name)
    start = time.perf_counter()
    pos = split.train_edge_index[:, split.train_edge_index[0] < split.train_edge_index[1]]
    x, edge_index = x.to(device), split.train_edge_index.to(device)
    if implementation == "ours":
        model = GAE(x.shape[1], hidden, latent).to(device)
        adj = normalized_adjacency(split.train_edge_index, num_nodes).to(device)
        encode = lambda: model.encode(x, adj)  # noqa: E731
        loss_fn = lambda z, pos: reconstruction_loss(z, pos, num_nodes, generator)  # noqa: E731
    else:
        from torch_geometric.nn import GAE as PyGGAE
        from torch_geometric.nn import GCNConv

        class Encoder(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.conv1 = GCNConv(x.shape[1], hidden, cached=True)
                self.conv2 = GCNConv(hidden, latent, cached=True)

            def forward(self, x, edge_index):
                return self.conv2(F.relu(self.conv1(x, edge_index)), edge_index)

        model = PyGGAE(Encoder()).to(device)
        encode = lambda: model.encode(x, edge_index)  # noqa: E731
        loss_fn = lambda z, pos: model.recon_loss(z, pos)  # noqa: E731
    fit(
        model,
        [(None, pos)],  # full batch: the positives are the targets, the encoder sees the graph
        num_epochs=num_epochs,
        optimizer=torch.optim.Adam(model.parameters(), lr=lr),
        loss_fn=loss_fn,
        metric=None,
        forward=lambda _: encode(),
        desc=None,
    )
    model.eval()
    with torch.no_grad():
        z = encode()
    test = link_scores(z, split.test_pos, split.test_neg)
    val = link_scores(z, split.val_pos, split.val_neg)
    return GAEResult(test["auc"], test["ap"], val["auc"], time.perf_counter() - start)
