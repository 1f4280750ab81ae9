"""Notebook run times for ``make test``, and nbval's portable output comparison.

nbval runs every notebook cell by cell; this plugin adds up each notebook's execution time and
prints the table against the book's budget of 3 minutes on a 2-core CPU. The budget is measured and
reported, not enforced: machines differ in speed by 2.5x, so a wall-clock limit would turn a correct
book red on a slower machine (a hung cell still fails, by nbval's per-cell timeout). The times are
recorded in ``_build/notebook-times.json`` as each notebook finishes (merged with the times of
notebooks this run did not execute; ``make bench`` copies them into its report), and the tests
marked ``after_notebooks`` (the book build and the browser test, which show those times on every
page) run after all notebooks. The output comparison itself is ``tests/nbval_tolerance.py``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from tools.notebook_times import NOTEBOOK_BUDGET_SECONDS, TIMES_FILE

pytest_plugins = ["tests.nbval_tolerance"]

_seconds: dict[str, float] = defaultdict(float)


@pytest.fixture(scope="session")
def notebook_times_file() -> Path:
    """The JSON file of measured notebook run times (path -> seconds) that this plugin writes."""
    return TIMES_FILE


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "after_notebooks: run after every notebook of the session")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("after_notebooks") is not None)


def _record_times() -> None:
    times = json.loads(TIMES_FILE.read_text()) if TIMES_FILE.is_file() else {}
    times.update(_seconds)
    TIMES_FILE.parent.mkdir(parents=True, exist_ok=True)
    TIMES_FILE.write_text(json.dumps(dict(sorted(times.items())), indent=2) + "\n")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _seconds[path] += report.duration
        if report.when == "teardown":
            _record_times()


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    if not _seconds:
        return
    terminalreporter.section(
        f"notebook execution times (budget {NOTEBOOK_BUDGET_SECONDS:.0f} s each)"
    )
    for path, seconds in sorted(_seconds.items()):
        flag = "  OVER BUDGET" if seconds > NOTEBOOK_BUDGET_SECONDS else ""
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}{flag}")
    terminalreporter.write_line(f"{sum(_seconds.values()):7.1f} s  in all")
    if any(s > NOTEBOOK_BUDGET_SECONDS for s in _seconds.values()):
        terminalreporter.write_line(
            "NOTE: notebooks over the time budget (measured on this machine; "
            "see README, Measured times)",
            yellow=True,
        )
