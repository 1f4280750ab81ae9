"""The warnings the book's code triggers on purpose, silenced in one place.

None of them is actionable for a reader: torch flags its CSR tensors as beta and notes that
invariant checks are off (the matrices are built by ``lib.graphs.SparseMatrix.from_coo``), PyG
still calls ``torch.jit.script`` at import, which torch 2.14 flags, and PyG's tqdm import warns
about missing Jupyter widgets. :func:`lib.notebook.setup` calls :func:`ignore_known_warnings` and
the test suite's ``tests/conftest.py`` hands :data:`KNOWN_WARNINGS` to pytest; nothing else installs
warning filters.
"""

from __future__ import annotations

import warnings

KNOWN_WARNINGS = (
    r"`torch\.jit\.script` is deprecated",
    r"Sparse CSR tensor support is in beta",
    r"Sparse invariant checks are implicitly disabled",
    r"IProgress not found",
)
"""Regular expressions matched against the start of a warning's message."""


def ignore_known_warnings() -> None:
    """Install an ``ignore`` filter for each message of :data:`KNOWN_WARNINGS`."""
    for message in KNOWN_WARNINGS:
        warnings.filterwarnings("ignore", message=message)
