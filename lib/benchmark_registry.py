"""The benchmark registry behind ``make bench``.

A benchmark is a function decorated with :func:`benchmark` that returns one or more
:class:`Result` rows, each measuring ours next to a reference implementation *in the same run*.
``python -m lib.benchmark_registry [--only NAME ...] [--out _build/bench.json]`` runs them and
writes JSON: ``{"machine": {...}, "results": [{"name", "value", "unit", "reference",
"reference_value", "details"}, ...], "notebook_times": {...}}``, the last being the notebook run
times that the latest ``make test`` or ``make book`` measured (``_build/notebook-times.json``)
against their budget. Each part of the book registers its benchmarks in
``lib/<part>/benchmarks.py``, listed in :data:`BENCHMARK_MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from lib.reproducibility import NUM_THREADS, seed_everything, set_threads

BENCHMARK_MODULES = (
    "lib.benchmarks",
    "lib.understanding.benchmarks",
    "lib.uncertainty.benchmarks",
    "lib.generative.benchmarks",
    "lib.graphs.benchmarks",
    "lib.rl.benchmarks",
)
"""Modules whose import registers benchmarks; a part's module may not exist yet."""


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


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    """``with timer() as elapsed: ...`` then ``elapsed()`` gives the block's wall time in s."""
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def best_time(fn: Callable[[], object], *, repeats: int = 3) -> float:
    """Best wall time of ``repeats`` calls of ``fn``, in seconds (the least disturbed run)."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}.")
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def registered() -> dict[str, BenchmarkFn]:
    """All benchmarks, after importing every module of :data:`BENCHMARK_MODULES` that exists."""
    for module in BENCHMARK_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:  # the module exists but one of its imports is missing
                raise
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


NOTEBOOK_BUDGET_SECONDS = 180.0
"""Each notebook's budget on a 2-core CPU (reported against, never enforced by a test)."""


def notebook_times(path: Path) -> dict:
    """The measured notebook run times in ``path`` (notebook -> seconds) against their budget.

    Returns:
        ``{"budget_seconds", "seconds": {notebook: s}, "total_seconds", "over_budget": [...]}``,
        or ``{"missing": "<path>: run make test or make book first"}`` when none were measured.
    """
    if not path.is_file():
        return {"missing": f"{path}: run make test or make book first"}
    seconds = json.loads(path.read_text())
    return {
        "budget_seconds": NOTEBOOK_BUDGET_SECONDS,
        "seconds": seconds,
        "total_seconds": round(sum(seconds.values()), 1),
        "over_budget": sorted(nb for nb, s in seconds.items() if s > NOTEBOOK_BUDGET_SECONDS),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lib.benchmark_registry", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--only", nargs="*", default=[], metavar="NAME", help="benchmarks to run")
    parser.add_argument("--out", type=Path, default=Path("_build/bench.json"))
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--notebook-times",
        type=Path,
        default=Path("_build/notebook-times.json"),
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
    document["notebook_times"] = notebook_times(args.notebook_times)
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


if __name__ == "__main__":
    # Run as a script this module is ``__main__``, but the benchmark modules register into
    # ``lib.benchmark_registry``: delegate to that module so there is one registry.
    from lib.benchmark_registry import main as _main

    sys.exit(_main())
