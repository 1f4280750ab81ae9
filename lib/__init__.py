"""The tested code behind *Advanced Topics in Deep Learning*.

Core modules, shared by every part:

- the teaching core: :mod:`lib.data` (every data set, checksummed), :mod:`lib.models` (baseline
  classifiers), :mod:`lib.training` (the one training loop), :mod:`lib.baselines` (the baseline
  classifiers trained once and cached) and :mod:`lib.plotting` (figure style and helpers);
- code that several parts use: :mod:`lib.calibration` (reliability bins, expected calibration
  error), :mod:`lib.checks` (input checks of probabilities, labels and scores) and
  :mod:`lib.corruptions` (ImageNet-C style corruptions and accuracy under them),
  :mod:`lib.counting` (the cost of a computation in multiply-adds) and :mod:`lib.statistics`
  (confidence intervals of a mean);
- infrastructure: :mod:`lib.reproducibility` (seeding, threads, device), :mod:`lib.notebook`
  (every page's set-up cell, glue, a function's source on the page), :mod:`lib.claims` (the
  table of a page's claims, checked on the run), :mod:`lib.cache` and :mod:`lib.checkpoints`
  (results and models cached by configuration and code), :mod:`lib.timing` (wall-clock timing) and
  :mod:`lib.known_warnings` (the warnings the book triggers on purpose).

Each part of the book adds one subpackage that imports the core and never another part:
:mod:`lib.understanding` (training and understanding networks), :mod:`lib.uncertainty`,
:mod:`lib.generative`, :mod:`lib.graphs` and :mod:`lib.rl`. The benchmarks are not part of the
package: they live in the repository's ``benchmarks/``.

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
