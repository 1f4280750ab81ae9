"""Chapter 3, graph neural networks: GCN from scratch, training protocols, sampling, GAE.

Modules: :mod:`lib.graphs.gcn` (normalised adjacency, dense and sparse GCN layers),
:mod:`lib.graphs.node_classification` (the Table 2 protocol of Kipf & Welling 2017),
:mod:`lib.graphs.sampling` (GraphSAGE-style neighbour sampling in plain PyTorch),
:mod:`lib.graphs.link_prediction` (graph auto-encoders), :mod:`lib.graphs.graph_classification`
(networkx graph families, sum and mean readouts), :mod:`lib.graphs.plotting`.
"""

import warnings

# torch flags its CSR tensors as beta and notes that invariant checks are off; both are expected
# here (the matrices are built by SparseMatrix.from_coo), and PyG's tqdm import warns about
# missing Jupyter widgets. None of this is actionable for a reader of the book.
warnings.filterwarnings("ignore", message=r"Sparse CSR tensor support is in beta")
warnings.filterwarnings("ignore", message=r"Sparse invariant checks are implicitly disabled")
warnings.filterwarnings("ignore", message=r"IProgress not found")

from lib.graphs.gcn import (  # noqa: E402
    GCN,
    GCNLayer,
    SparseMatrix,
    check_graph,
    dirichlet_energy,
    from_networkx,
    induced_edges,
    gcn_norm,
    literal_gcn_update,
    mean_adjacency,
    normalized_adjacency,
    permute_graph,
    row_normalize,
    sparse_dropout,
    to_undirected,
)

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
