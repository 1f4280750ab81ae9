"""Compatibility path: the benchmark registry lives in :mod:`lib.benchmark_registry`.

Kept so that ``from lib.bench import best_time`` (in a chapter notebook) and ``python -m
lib.bench`` keep working; new code imports :mod:`lib.benchmark_registry`.
"""

from __future__ import annotations

import sys

from lib.benchmark_registry import Result, benchmark, best_time, main, registered, run, timer

__all__ = ["Result", "benchmark", "best_time", "main", "registered", "run", "timer"]

if __name__ == "__main__":
    sys.exit(main())
