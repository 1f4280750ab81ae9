"""The tested code behind *Advanced Topics in Deep Learning*.

Core modules (shared by every chapter): :mod:`lib.reproducibility` (seeding, threads, device),
:mod:`lib.data` (datasets), :mod:`lib.models` (baseline classifiers), :mod:`lib.training`
(the one training loop), :mod:`lib.plotting` (figure style) and :mod:`lib.benchmark_registry`
(benchmarks).
Each part of the book adds one subpackage (``lib.uncertainty``, ``lib.generative``,
``lib.graphs``, ``lib.rl``) that imports the core and never another part.

The version has one home, ``[project] version`` in ``pyproject.toml``: read from there in a
source checkout (also an editable install), from the installed package's metadata otherwise.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import tomllib

DISTRIBUTION = "advanced-dl-book"
"""The name ``lib`` is installed under (``[project] name`` in ``pyproject.toml``)."""


def _version() -> str:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    if pyproject.is_file():
        project = tomllib.loads(pyproject.read_text())["project"]
        if project["name"] == DISTRIBUTION:
            return project["version"]
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise ImportError(
            "lib has neither its pyproject.toml beside it nor installed metadata: "
            "install it with `pip install -e .` from the book's repository"
        ) from None


__version__ = _version()
