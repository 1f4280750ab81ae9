"""Show on every notebook page how long it ran, so a student knows what a re-run costs.

Each notebook page gets a "Run time" note under its title; each part's index page gets the sum over
its notebooks, and the book's first page the sum over all of them. The times are measured, never
typed in. Their source, in order:

1. the execution of this build (``make book`` executes every notebook; MyST-NB records the time);
2. the JSON file named by the ``book_run_times_file`` setting, which maps each notebook's path to
   seconds. ``make test`` builds the book from the outputs that nbval has just verified, and the
   root ``conftest.py`` writes that file while nbval re-runs every notebook.

A notebook page with neither gets a Sphinx warning, which fails the book's ``-W`` builds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from docutils import nodes
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The CSS class of the note, used by the book's tests.
CSS_CLASS = "run-time"


def format_seconds(seconds: float) -> str:
    """``7.4`` -> ``"7 s"``, ``106.2`` -> ``"1 min 46 s"``."""
    whole = max(1, round(seconds))
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _is_notebook(app: Sphinx, docname: str) -> bool:
    return str(app.env.doc2path(docname)).endswith(".ipynb")


def _file_times(app: Sphinx) -> tuple[dict[str, float], str]:
    """The times in ``book_run_times_file`` (keyed by docname) and when they were measured."""
    name = app.config.book_run_times_file
    if not name:
        return {}, ""
    path = Path(app.srcdir, name)
    if not path.is_file():
        logger.warning(
            f"book_run_times_file {path} does not exist: run the notebooks first (make test)",
            type="run_times",
        )
        return {}, ""
    times = {
        key.removesuffix(".ipynb"): float(value)
        for key, value in json.loads(path.read_text()).items()
    }
    measured = dt.datetime.fromtimestamp(path.stat().st_mtime).date().isoformat()
    return times, f"when the book was checked on {measured}"


def _run_time(app: Sphinx, docname: str) -> tuple[float, str] | None:
    """Seconds that ``docname`` took to execute, and a phrase saying where that was measured."""
    data = NbMetadataCollector.get_exec_data(app.env, docname)
    if data and data.get("runtime") is not None:
        measured = dt.datetime.fromtimestamp(data["mtime"]).date().isoformat()
        return float(data["runtime"]), f"when the book was built on {measured}"
    times, phrase = _file_times(app)
    return (times[docname], phrase) if docname in times else None


def _note(text: str) -> nodes.admonition:
    note = nodes.admonition(classes=["tip", CSS_CLASS])
    note += nodes.title(text="Run time")
    note += nodes.paragraph(text=text)
    return note


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def add_run_time(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Insert the note under the page title of notebooks and of pages that list notebooks."""
    cores = _cores()
    if _is_notebook(app, docname):
        measured = _run_time(app, docname)
        if measured is None:
            logger.warning(
                f"no measured run time for {docname}: build with execution on (make book) "
                "or set book_run_times_file (make test does)",
                location=docname,
                type="run_times",
            )
            return
        seconds, where = measured
        text = f"This page ran in {format_seconds(seconds)} on a {cores}-core CPU, {where}."
    else:
        book = docname == app.config.root_doc
        listed = sorted(app.env.found_docs) if book else app.env.toctree_includes.get(docname, [])
        notebooks, scope = (
            [d for d in listed if _is_notebook(app, d)],
            "this book" if book else "this part",
        )
        times = [_run_time(app, d) for d in notebooks]
        if not notebooks or any(t is None for t in times):
            return
        total = sum(t[0] for t in times)
        count = f"{len(notebooks)} page{'s' if len(notebooks) > 1 else ''} with code"
        text = (
            f"The {count} of {scope} ran in {format_seconds(total)} in all on a {cores}-core CPU, "
            f"{times[0][1]}."
        )
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None:
        section.insert(1, _note(text))


def setup(app: Sphinx) -> dict[str, bool]:
    app.add_config_value("book_run_times_file", "", "env", types=[str])
    app.connect("doctree-resolved", add_run_time)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
