"""The benchmark registry and command line behind ``make bench``.

A benchmark is a function decorated with :func:`benchmark` that returns one or more
:class:`Result` rows, each measuring ours next to a reference implementation *in the same run*.
``python -m benchmarks [--only NAME ...] [--out _build/bench.json]`` runs them and
writes JSON: ``{"machine": {...}, "results": [{"name", "value", "unit", "reference",
"reference_value", "details"}, ...], "notebook_times": {...}}``, the last being the notebook run
times that the latest ``make test`` or ``make book`` measured (``_build/notebook-times.json``)
against their budget (:mod:`tools.notebook_times`). The core and each part of the book register
their benchmarks in ``benchmarks/<part>.py``, listed in :data:`BENCHMARK_MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from lib.reproducibility import NUM_THREADS, seed_everything, set_threads
from tools.notebook_times import TIMES_FILE, against_budget

BENCHMARK_MODULES = (
    "benchmarks.core",
    "benchmarks.understanding",
    "benchmarks.uncertainty",
    "benchmarks.generative",
    "benchmarks.graphs",
    "benchmarks.rl",
)
"""Modules whose import registers benchmarks: the core's, then one per part of the book."""


@dataclass
class Result:
    """One measured number next to its reference.

    Attributes:
        name: What was measured, e.g. ``"baseline-cnn/train-throughput"``.
        value: Our measurement.
        unit: Its unit, e.g. ``"images/s"``.
        reference: What ``reference_value`` measures (library and function), or ``None``.
        reference_value: The reference implementation's measurement in the same run.
        details: Anything else worth keeping (sizes, accuracies, seeds).
    """

    name: str
    value: float
    unit: str
    reference: str | None = None
    reference_value: float | None = None
    details: dict = field(default_factory=dict)


BenchmarkFn = Callable[[], list[Result]]
_REGISTRY: dict[str, BenchmarkFn] = {}


def benchmark(name: str) -> Callable[[BenchmarkFn], BenchmarkFn]:
    """Register ``fn`` under ``name`` (unique across the book)."""

    def register(fn: BenchmarkFn) -> BenchmarkFn:
        if name in _REGISTRY:
            raise ValueError(f"benchmark {name!r} is registered twice.")
        _REGISTRY[name] = fn
        return fn

    return register


def registered() -> dict[str, BenchmarkFn]:
    """All benchmarks, after importing every module of :data:`BENCHMARK_MODULES`."""
    for module in BENCHMARK_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)


def machine_info() -> dict:
    """Facts about the machine that a benchmark number depends on."""
    import os

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": NUM_THREADS,
        "cuda": torch.cuda.is_available(),
    }


def run(names: list[str] | None = None) -> dict:
    """Run the named benchmarks (all when ``names`` is empty) and return the JSON document."""
    available = registered()
    unknown = sorted(set(names or ()) - set(available))
    if unknown:
        raise ValueError(f"unknown benchmark(s) {unknown}; available: {sorted(available)}.")
    set_threads(NUM_THREADS)
    results = []
    for name in names or sorted(available):
        seed_everything(0)
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        results += [asdict(r) for r in available[name]()]
    return {"machine": machine_info(), "results": results}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks (or list them) and write the JSON report; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--only", nargs="*", default=[], metavar="NAME", help="benchmarks to run")
    parser.add_argument("--out", type=Path, default=Path("_build/bench.json"))
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--notebook-times",
        type=Path,
        default=TIMES_FILE,
        help="notebook run times to record with the results (written by make test)",
    )
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(sorted(registered())))
        return 0
    try:
        document = run(args.only)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    document["notebook_times"] = against_budget(args.notebook_times)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    for row in document["results"]:
        ref = (
            f"  (reference {row['reference']}: {row['reference_value']:.4g})"
            if row["reference"]
            else ""
        )
        print(f"{row['name']}: {row['value']:.4g} {row['unit']}{ref}")
    print(f"wrote {args.out}")
    return 0
