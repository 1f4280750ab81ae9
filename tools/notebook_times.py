"""The notebooks' measured run times: where they are recorded and the budget they are held to.

The root ``conftest.py`` records each notebook's execution time under nbval in :data:`TIMES_FILE`
(JSON, notebook path -> seconds) and prints the times against :data:`NOTEBOOK_BUDGET_SECONDS`;
``make bench`` adds them to its report (:func:`against_budget`); the book build shows them on
every page (``_ext/run_times.py``, through its ``book_run_times_file`` setting).
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TIMES_FILE = ROOT / "_build" / "notebook-times.json"
"""Where ``make test`` records each notebook's run time (notebook path -> seconds)."""

NOTEBOOK_BUDGET_SECONDS = 180.0
"""Each notebook's budget on a 2-core CPU (reported against, never enforced by a test)."""


def against_budget(path: Path = TIMES_FILE) -> dict:
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
