"""Chapter 3, graph neural networks: GCN from scratch, training protocols, sampling, GAE.

Modules: :mod:`lib.graphs.gcn` (the GCN layer and model), :mod:`lib.graphs.normalization`
(self-loops, symmetric and mean adjacency), :mod:`lib.graphs.sparse` (a CSR matrix with its own
autograd product), :mod:`lib.graphs.validation`, :mod:`lib.graphs.graph_ops` (graph utilities),
:mod:`lib.graphs.node_classification` (the Table 2 protocol of Kipf & Welling 2017),
:mod:`lib.graphs.sampling` (GraphSAGE-style neighbour sampling in plain PyTorch),
:mod:`lib.graphs.link_prediction` (graph auto-encoders), :mod:`lib.graphs.graph_classification`
(networkx graph families, sum and mean readouts), :mod:`lib.graphs.karate` (the karate club's
labels), :mod:`lib.graphs.scaling` (forward time against the number of edges),
:mod:`lib.graphs.plotting`.
"""

from lib.graphs.gcn import GCN, GCNLayer, literal_gcn_update
from lib.graphs.graph_ops import (
    dirichlet_energy,
    from_networkx,
    induced_edges,
    permute_graph,
    to_undirected,
)
from lib.graphs.normalization import gcn_norm, mean_adjacency, normalized_adjacency, row_normalize
from lib.graphs.sparse import SparseMatrix, sparse_dropout
from lib.graphs.validation import check_graph

__all__ = [
    "GCN",
    "GCNLayer",
    "SparseMatrix",
    "check_graph",
    "dirichlet_energy",
    "from_networkx",
    "induced_edges",
    "gcn_norm",
    "literal_gcn_update",
    "mean_adjacency",
    "normalized_adjacency",
    "permute_graph",
    "row_normalize",
    "sparse_dropout",
    "to_undirected",
]
