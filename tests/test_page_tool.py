"""tools/page.py: the spread of every printed number over a page's runs, against its tolerance."""

from __future__ import annotations

import nbformat
import pytest

from tools.page import MovedNumber, compare_runs, propose, report


def _notebook(*cells: tuple[str, dict]) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    for text, metadata in cells:
        cell = nbformat.v4.new_code_cell("print(...)", metadata=metadata)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        notebook.cells.append(cell)
    return notebook


TOLERANCE = {
    "tolerance": {
        "abs": 0.01,
        "measured": "x",
        "lines": [{"match": "^steps", "abs": 50, "measured": "y"}],
    }
}


def test_every_moved_number_is_reported_with_the_tolerance_of_its_line():
    stored = _notebook(("n 60000\n", {}), ("accuracy 0.901\nsteps 18000\n", TOLERANCE))
    generic = _notebook(("n 60000\n", {}), ("accuracy 0.905\nsteps 18100\n", TOLERANCE))
    onednn = _notebook(("n 60000\n", {}), ("accuracy 0.899\nsteps 18020\n", TOLERANCE))
    moved, words = compare_runs(stored, {"generic": generic, "onednn": onednn})
    assert words == []
    assert [(m.cell, m.line, m.stored) for m in moved] == [
        (1, "accuracy 0.901", 0.901),
        (1, "steps 18000", 18000.0),
    ]
    accuracy, steps = moved
    assert accuracy.spread == pytest.approx(0.004) and accuracy.within
    assert steps.spread == 100 and not steps.within and steps.declared.abs == 50


def test_changed_words_and_ignored_cells():
    stored = _notebook(("loss 2.0\n", {}), ("took 3.1 s\n", {"tags": ["nbval-ignore-output"]}))
    other = _notebook(("gain 2.0\n", {}), ("took 9.9 s\n", {"tags": ["nbval-ignore-output"]}))
    moved, words = compare_runs(stored, {"generic": other})
    assert moved == [] and words == ["code cell 0 stdout: the words differ on the generic path"]


def test_a_nan_printed_on_every_run_has_not_moved_and_a_nan_on_one_run_moved_infinitely_far(
    capsys,
):
    stored = _notebook(("ece nan, gap 0.10\n", TOLERANCE))
    same = _notebook(("ece nan, gap 0.10\n", TOLERANCE))
    moved, words = compare_runs(stored, {"generic": same})
    assert moved == [] and words == []
    other = _notebook(("ece 0.20, gap nan\n", TOLERANCE))
    moved, _ = compare_runs(stored, {"generic": other})
    assert [m.spread for m in moved] == [float("inf"), float("inf")]
    assert not any(m.within for m in moved)
    assert propose(moved[0].spread) == float("inf")
    assert not report(moved, [])  # printed, not a crash
    assert "EXCEEDS" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("spread", "proposal"), [(0.0042, 0.009), (0.11, 0.3), (5, 10), (0.0, 0.0), (0.05, 0.1)]
)
def test_the_proposal_is_about_twice_the_spread_rounded_up(spread, proposal):
    assert propose(spread) == pytest.approx(proposal)


def test_the_report_fails_on_an_exceeded_tolerance(capsys):
    from tests.nbval_tolerance import Tolerance

    inside = MovedNumber(0, "a 1.0", 1.0, {"generic": 1.001}, Tolerance(abs=0.01))
    outside = MovedNumber(1, "b 1.0", 1.0, {"generic": 1.1}, Tolerance(abs=0.01))
    assert report([inside], [])
    assert not report([inside, outside], [])
    assert "cells whose declared tolerance is exceeded: [1]" in capsys.readouterr().out


def test_compare_reads_runs_made_elsewhere_and_executes_nothing(tmp_path, capsys):
    from tools.page import main

    stored = _notebook(("accuracy 0.901\n", TOLERANCE))
    run = _notebook(("accuracy 0.950\n", TOLERANCE))
    page, other = tmp_path / "page.ipynb", tmp_path / "run.ipynb"
    nbformat.write(stored, page)
    nbformat.write(run, other)
    assert main([str(page), "--compare", str(other)]) == 1
    assert "EXCEEDS" in capsys.readouterr().out
    nbformat.write(stored, other)
    assert main([str(page), "--compare", str(other)]) == 0
    assert "every output agrees" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main([str(page), "--compare", str(tmp_path / "absent.ipynb")])


def _glued(value: str, name: str, metadata: dict) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("glue(...)", metadata=metadata)
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"application/papermill.record/text/plain": value},
            metadata={"scrapbook": {"name": name, "mime_prefix": "application/papermill.record/"}},
        )
    ]
    notebook.cells.append(cell)
    return notebook


def test_a_glued_value_is_named_and_takes_the_tolerance_of_its_glue_rule():
    metadata = {
        "tolerance": {
            "abs": 0.01,
            "measured": "x",
            "glue": [{"name": "last_.*", "abs": 200, "measured": "y"}],
        }
    }
    moved, words = compare_runs(
        _glued("433", "last_DQN", metadata), {"generic": _glued("465", "last_DQN", metadata)}
    )
    assert words == [] and [(m.line, m.within, m.declared.abs) for m in moved] == [
        ("glue last_DQN", True, 200)
    ]
    moved, _ = compare_runs(
        _glued("433", "best_DQN", metadata), {"generic": _glued("465", "best_DQN", metadata)}
    )
    assert [(m.line, m.within, m.declared.abs) for m in moved] == [("glue best_DQN", False, 0.01)]
