"""Notebook time budget for ``make test``: nbval runs every notebook cell by cell; this plugin adds
up each notebook's execution time, prints the table, writes it to ``_build/notebook-times.json``
and fails the run when a notebook exceeds the book's budget of 3 minutes on a 2-core CPU."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

NOTEBOOK_BUDGET_SECONDS = 180.0
_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _seconds[path] += report.duration


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _seconds:
        return
    out = Path(session.config.rootpath) / "_build" / "notebook-times.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(sorted(_seconds.items())), indent=2) + "\n")
    over = {p: s for p, s in _seconds.items() if s > NOTEBOOK_BUDGET_SECONDS}
    if over and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    if not _seconds:
        return
    terminalreporter.section(f"notebook execution times (budget {NOTEBOOK_BUDGET_SECONDS:.0f} s each)")
    for path, seconds in sorted(_seconds.items()):
        flag = "  OVER BUDGET" if seconds > NOTEBOOK_BUDGET_SECONDS else ""
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}{flag}")
    terminalreporter.write_line(f"{sum(_seconds.values()):7.1f} s  in all")
    if any(s > NOTEBOOK_BUDGET_SECONDS for s in _seconds.values()):
        terminalreporter.write_line("FAILED: notebooks over the time budget (the run exits non-zero)", red=True)
