"""The portable output comparison (tests/nbval_tolerance.py): what passes and what fails."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

from tests.nbval_tolerance import (
    DETERMINISTIC,
    NUMBER,
    SAVE_EXECUTED_ENV,
    Tolerance,
    check,
    compare_outputs,
    compare_text,
    flatten_outputs,
    glue_name,
    lines_of_numbers,
    split_numbers,
    spread,
    tolerance_of,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").rglob("*.ipynb"))
LOOSE = Tolerance(abs=0.05, rel=0.0)


def test_split_numbers_keeps_words_and_reads_numbers():
    words, numbers = split_numbers("accuracy  90.02 %, ECE 1.2e-02, loss -0.5 (nan)")
    assert numbers[:3] == [90.02, 0.012, -0.5] and math.isnan(numbers[3])
    assert words == ["accuracy ", " %, ECE ", ", loss ", " (", ")"]


@pytest.mark.parametrize(
    ("stored", "test"),
    [
        ("test accuracy 90.02 %", "test accuracy 90.06 %"),  # within abs 0.05
        ("  9.98 | 0.10", " 10.02 | 0.10"),  # a column that widens
        ("-0.00", "0.00"),
        ("loss nan", "loss nan"),
    ],
)
def test_numbers_within_the_tolerance_pass(stored, test):
    assert compare_text(stored, test, LOOSE) is None


@pytest.mark.parametrize(
    ("stored", "test", "why"),
    [
        ("test accuracy 90.02 %", "test accuracy 90.11 %", "exceeds the tolerance"),
        ("test accuracy 90.02 %", "train accuracy 90.02 %", "text differs"),
        ("DQN beats no replay: 498.0", "DQN loses to no replay: 498.0", "text differs"),
        ("3 seeds: 1.0 2.0 3.0", "3 seeds: 1.0 2.0", "text differs"),
        ("value 1.0", "value nan", "exceeds the tolerance"),
    ],
)
def test_changed_words_and_numbers_outside_the_tolerance_fail(stored, test, why):
    assert why in compare_text(stored, test, LOOSE)


def test_the_default_comparison_is_exact_to_one_part_in_a_million():
    assert compare_text("n = 60000", "n = 60000", DETERMINISTIC) is None
    assert (
        compare_text("mean 0.28604060411453247", "mean 0.2860406041145325", DETERMINISTIC) is None
    )
    assert compare_text("mean 0.2860", "mean 0.2861", DETERMINISTIC) is not None
    assert compare_text("n = 60000", "n = 60001", DETERMINISTIC) is not None


def _stream(text: str) -> dict:
    return {"output_type": "stream", "stdout": text}


def _glue(value: str, name: str | None = None) -> dict:
    output = {
        "output_type": "display_data",
        "data": {"application/papermill.record/text/plain": value},
    }
    if name is not None:
        output["metadata"] = {"scrapbook": {"name": name}}
    return output


GLUE = {
    "tolerance": {
        "abs": 0.01,
        "measured": "x",
        "glue": [{"name": "last_.*", "abs": 200, "measured": "one draw of a chaotic run"}],
    }
}


def test_a_glue_rule_gives_the_values_glued_under_its_names_their_own_bound():
    tolerance = tolerance_of(GLUE)
    stored = [_stream("mean 0.50\n"), _glue("433", "last_DQN"), _glue("0.25", "best_DQN")]
    moved = [_stream("mean 0.505\n"), _glue("465", "last_DQN"), _glue("0.255", "best_DQN")]
    assert compare_outputs(stored, moved, tolerance) == []
    # the name must match in full: "best_DQN_last_x" is not a "last_.*" value
    for wide, name in (("0.30", "best_DQN"), ("0.30", "x_last_DQN")):
        tight = [_stream("mean 0.50\n"), _glue("433", "last_DQN"), _glue(wide, name)]
        stored_tight = [_stream("mean 0.50\n"), _glue("433", "last_DQN"), _glue("0.25", name)]
        (problem,) = compare_outputs(stored_tight, tight, tolerance)
        assert f"glued as {name!r}" in problem and "abs=0.01" in problem
    # the cell's printed numbers keep the cell-wide bound
    (problem,) = compare_outputs(stored, [_stream("mean 0.60\n"), *moved[1:]], tolerance)
    assert "'stdout'" in problem
    assert "glue /last_.*/: abs=200" in tolerance.describe()


def test_glue_rules_alone_leave_the_other_numbers_exact():
    tolerance = tolerance_of(
        {"tolerance": {"measured": "x", "glue": [{"name": "g", "abs": 1, "measured": "y"}]}}
    )
    assert compare_outputs([_glue("1.0", "g")], [_glue("1.9", "g")], tolerance) == []
    assert compare_outputs([_glue("1.0", "h")], [_glue("1.1", "h")], tolerance) != []


def test_missing_extra_and_miscounted_outputs_fail():
    stored = [_stream("a 1.0\n"), _glue("0.5")]
    assert compare_outputs(stored, stored, DETERMINISTIC) == []
    assert "missing outputs" in compare_outputs(stored, stored[:1], DETERMINISTIC)[0]
    assert "unexpected outputs" in compare_outputs(stored[:1], stored, DETERMINISTIC)[0]
    assert "2 in this run" in compare_outputs(stored, [*stored, _glue("0.5")], DETERMINISTIC)[0]


@pytest.mark.parametrize(
    "metadata",
    [
        {"tolerance": 0.1},
        {"tolerance": {"abs": 0.1}},  # no measured spread
        {"tolerance": {"abs": -1, "measured": "x"}},
        {"tolerance": {"abs": 0, "rel": 0, "measured": "x"}},
        {"tolerance": {"atol": 0.1, "measured": "x"}},
        {"tolerance": {"measured": "x", "glue": [{"match": "g", "abs": 1, "measured": "y"}]}},
        {"tolerance": {"measured": "x", "glue": [{"name": "g", "abs": 1}]}},
        {"tolerance": {"measured": "x", "glue": [{"name": "(", "abs": 1, "measured": "y"}]}},
        {"tolerance": {"measured": "x", "glue": "last_.*"}},
    ],
)
def test_malformed_tolerances_are_refused_with_a_message(metadata):
    with pytest.raises(ValueError, match="tolerance"):
        tolerance_of(metadata)


LINES = {
    "tolerance": {
        "abs": 0.01,
        "measured": "x",
        "lines": [{"match": "^solved at", "abs": 5, "measured": "y"}],
    }
}


def test_a_line_rule_gives_the_numbers_on_its_lines_their_own_bound():
    tolerance = tolerance_of(LINES)
    stored = "final return 498.0\nsolved at 18 k steps\n"
    assert compare_text(stored, "final return 498.005\nsolved at 21 k steps\n", tolerance) is None
    assert "exceeds" in compare_text(
        stored, "final return 498.5\nsolved at 18 k steps\n", tolerance
    )
    assert "abs=5" in compare_text(stored, "final return 498.0\nsolved at 24 k steps\n", tolerance)


def test_line_rules_alone_leave_the_other_numbers_exact():
    tolerance = tolerance_of(
        {"tolerance": {"measured": "x", "lines": [{"match": "loss", "rel": 0.1, "measured": "y"}]}}
    )
    assert compare_text("n 100\nloss 2.0", "n 100\nloss 2.1", tolerance) is None
    assert compare_text("n 100\nloss 2.0", "n 101\nloss 2.0", tolerance) is not None


@pytest.mark.parametrize(
    "rules",
    [
        [{"match": "(", "abs": 1, "measured": "y"}],
        [{"match": "x", "abs": 1}],
        [{"match": "x", "abs": 0, "measured": "y"}],
        [{"pattern": "x", "abs": 1, "measured": "y"}],
        "x",
    ],
)
def test_malformed_line_rules_are_refused_with_a_message(rules):
    with pytest.raises(ValueError, match="tolerance"):
        tolerance_of({"tolerance": {"abs": 0.1, "measured": "x", "lines": rules}})


def _trained_cells() -> list[tuple[str, dict]]:
    """Every stored cell of the book that declares a tolerance and prints a number."""
    found = []
    for path in NOTEBOOKS:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code" and tolerance_of(cell.metadata) is not None:
                text = [o for o in cell.outputs if o.get("output_type") == "stream"]
                if text and split_numbers(text[0]["text"])[1]:
                    found.append((f"{path.relative_to(ROOT)}:{index}", cell))
    return found


def test_every_declared_tolerance_is_well_formed():
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            tolerance_of(cell.metadata)  # raises on a malformed declaration


def test_every_rule_applies_to_an_output_of_its_cell():
    """A rule that matches no printed line or glued name of its cell is stale: the output it was
    measured for has been renamed or removed."""
    stale = []
    for path in NOTEBOOKS:
        cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        for index, cell in enumerate(cells):
            if (tolerance := tolerance_of(cell.metadata)) is None:
                continue
            names = {glue_name(output) for output in cell.outputs} - {None}
            texts = [
                value
                for values in flatten_outputs(cell.outputs, ("metadata",)).values()
                for value in values
                if isinstance(value, str)
            ]
            lines = [line for text in texts for line in text.splitlines()]
            where = f"{path.relative_to(ROOT)} code cell {index}"
            stale += [
                f"{where}: glue rule {pattern!r}"
                for pattern, _ in tolerance.glue
                if not any(re.fullmatch(pattern, name) for name in names)
            ]
            stale += [
                f"{where}: line rule {pattern!r}"
                for pattern, _ in tolerance.lines
                if not any(re.search(pattern, line) for line in lines)
            ]
    assert not stale, "rules that match no output of their cell:\n" + "\n".join(stale)


def test_a_wrong_number_in_a_trained_cell_fails_and_one_inside_its_tolerance_passes():
    trained = _trained_cells()
    assert trained, "no notebook cell declares a tolerance"
    for where, cell in trained:
        tolerance = tolerance_of(cell.metadata)
        stored = [dict(o) for o in cell.outputs]
        text = next(o for o in stored if o.get("output_type") == "stream")["text"]
        last = list(NUMBER.finditer(text))[
            -1
        ]  # the last number printed: moved inside, then past its bound
        value = float(last.group())
        line = lines_of_numbers(text)[-1]
        allowed = tolerance.for_line(line)
        bound = allowed.abs + allowed.rel * abs(value)

        def rewritten(new_text: str) -> list[dict]:
            return [
                (
                    {**o, "text": new_text}
                    if o.get("output_type") == "stream" and o["text"] == text
                    else o
                )
                for o in stored
            ]

        def with_number(number: float) -> list[dict]:
            return rewritten(text[: last.start()] + repr(number) + text[last.end() :])

        assert compare_outputs(stored, with_number(value + 0.5 * bound), tolerance) == [], where
        assert compare_outputs(stored, with_number(value + 2 * bound + 1e-9), tolerance), where
        problems = compare_outputs(stored, rewritten("not " + text), tolerance)
        assert any("text differs" in p for p in problems), where


CASES = {
    # source, stored text, tolerance or None, expected outcome
    "within-tolerance": (
        "print(f'accuracy {0.9002 + 0.0004:.4f}')",
        "accuracy 0.9002\n",
        0.001,
        "passed",
    ),
    "outside-tolerance": (
        "print(f'accuracy {0.9002 + 0.0040:.4f}')",
        "accuracy 0.9002\n",
        0.001,
        "failed",
    ),
    "changed-word": ("print(f'accuracy {0.9002:.4f}')", "precision 0.9002\n", 0.001, "failed"),
    "exact-number": ("print(60000)", "60000\n", None, "passed"),
    "exact-number-changed": ("print(60001)", "60000\n", None, "failed"),
    "missing-output": ("x = 1", "1\n", None, "failed"),
    "extra-output": ("print(1); print(2, file=__import__('sys').stderr)", "1\n", None, "failed"),
    "error": ("raise ValueError('boom')", "", None, "failed"),
}


def test_nbval_with_the_plugin_on_a_notebook(tmp_path: Path):
    """The real runner: nbval re-executes cells and the plugin compares them with stored outputs."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for name, (source, stored, tolerance, _) in CASES.items():
        cell = nbformat.v4.new_code_cell(f"# {name}\n{source}", execution_count=1)
        if stored:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
        if tolerance is not None:
            cell.metadata["tolerance"] = {"abs": tolerance, "measured": "test"}
        notebook.cells.append(cell)
    path = tmp_path / "cases.ipynb"
    nbformat.write(notebook, path)
    report = tmp_path / "report.xml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "--nbval-current-env",
            "-p",
            "tests.nbval_tolerance",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
            "--rootdir",
            str(tmp_path),
            str(path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), SAVE_EXECUTED_ENV: str(tmp_path / "executed")},
    )
    assert "cells compared exactly" in result.stdout, result.stdout[-3000:]
    outcomes = []
    for case in ET.parse(report).getroot().iter("testcase"):
        outcomes.append(
            "failed"
            if case.find("failure") is not None or case.find("error") is not None
            else "passed"
        )
    expected = [expected for *_, expected in CASES.values()]
    assert outcomes == expected, result.stdout[-5000:]

    # The run left its outputs behind; checked against the stored ones without executing anything,
    # they fail in the same cells as nbval did, and agree with themselves.
    executed = nbformat.read(tmp_path / "executed" / "cases.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"] == "accuracy 0.9006\n"
    failing = {int(line.split()[2]) for line in check(notebook, executed, notebook)}
    assert failing == {i for i, outcome in enumerate(expected) if outcome == "failed"}
    assert check(executed, executed, notebook) == []


def test_spread_reports_the_largest_difference_per_cell_and_leaves_its_inputs_intact():
    def notebook(*texts: str) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook()
        for text in texts:
            cell = nbformat.v4.new_code_cell("print()", execution_count=1)
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=part)
                for part in text.split("|")
            ]
            nb.cells.append(cell)
        return nb

    reference = notebook("acc 0.90|, ece 0.010\n", "n = 5\n")
    others = [
        notebook("acc 0.92|, ece 0.010\n", "n = 5\n"),
        notebook("acc 0.89|, ece 0.013\n", "m = 5\n"),
    ]
    rows = spread(reference, others)
    assert [(r["cell"], round(r["max_abs"], 3), r["text"] is None) for r in rows] == [
        (0, 0.02, True),
        (0, 0.01, True),
        (1, 0.0, False),
    ]
    assert [o["text"] for o in reference.cells[0].outputs] == ["acc 0.90", ", ece 0.010\n"]
