"""The tested code behind *Advanced Topics in Deep Learning*.

Core modules (shared by every chapter): :mod:`lib.reproducibility` (seeding, threads, device),
:mod:`lib.data` (datasets), :mod:`lib.models` (baseline classifiers), :mod:`lib.training`
(the one training loop), :mod:`lib.plotting` (figure style) and :mod:`lib.benchmark_registry` (benchmarks).
Each part of the book adds one subpackage (``lib.uncertainty``, ``lib.generative``,
``lib.graphs``, ``lib.rl``) that imports the core and never another part.
"""

__version__ = "0.1.0"
