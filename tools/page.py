"""``make page NB=...``: execute one page on three CPU code paths and size its tolerances.

The loop for a contributor who changes one page:

1. the page is executed in place with this machine's defaults (its stored outputs, the reference);
2. it is executed again on two emulated code paths, each with a model cache of its own (so every
   cached model is retrained there), into ``_build/page/<path>/``:

   * ``generic``: ATen's generic kernels and MKL's compatible code path
     (``ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE``);
   * ``onednn``: oneDNN's convolutions one instruction set down (``ONEDNN_MAX_CPU_ISA=AVX2`` on a
     machine with AVX-512, ``SSE41`` otherwise);

3. for every number of every output that moved, it prints the stored value, the spread over the
   runs, the tolerance the cell declares for it, and a proposed tolerance of about twice the
   spread; then the cells whose declared tolerance is too tight, and any output whose words differ.

Usage: ``python -m tools.page chapters/<part>/<page>.ipynb [--keep-stored] [--sequential]``.
``--keep-stored`` compares with the stored outputs without executing the page on the defaults.
``--compare RUN.ipynb [RUN.ipynb ...]`` executes nothing: it compares the stored outputs with
runs executed elsewhere, e.g. ``_build/portable-outputs/<page>`` left by ``make test-portable``.
The exit status is 1 when a number moved beyond its declared tolerance or a word changed.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tests.nbval_tolerance import (
    DETERMINISTIC,
    NBVAL_SKIPPED,
    Tolerance,
    comparable,
    flatten_named,
    lines_of_numbers,
    split_numbers,
    tolerance_of,
)

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build" / "page"
CELL_TIMEOUT = 1800


def _has_avx512() -> bool:
    try:
        return "avx512f" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def code_paths() -> dict[str, dict[str, str]]:
    """The emulated code paths: name -> environment variables (this machine's defaults aside)."""
    return {
        "generic": {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"},
        "onednn": {"ONEDNN_MAX_CPU_ISA": "AVX2" if _has_avx512() else "SSE41"},
    }


def _execute(notebook: Path, output: Path | None, env: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute"]
    command += [f"--ExecutePreprocessor.timeout={CELL_TIMEOUT}"]
    if output is None:
        command += ["--inplace"]
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        command += ["--output-dir", str(output.parent), "--output", output.name]
    return subprocess.Popen([*command, str(notebook)], env={**os.environ, **env}, cwd=ROOT)


def _provision(data_dir: Path, env: dict[str, str]) -> None:
    """The data sets in a code path's own data folder (copied from the mirror; models retrain)."""
    subprocess.run(
        [sys.executable, "-m", "lib.data"],
        env={**os.environ, **env, "BOOK_DATA_DIR": str(data_dir)},
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _distance(a: float, b: float) -> float:
    """``|a - b|``, with two NaNs (e.g. an empty bin printed on every run) the same number."""
    if math.isnan(a) and math.isnan(b):
        return 0.0
    if math.isnan(a) or math.isnan(b):
        return math.inf
    return abs(a - b)


@dataclass
class MovedNumber:
    """One printed number that differs between the runs of a page."""

    cell: int
    line: str
    stored: float
    others: dict[str, float]
    declared: Tolerance

    @property
    def spread(self) -> float:
        """Largest distance to the stored value; a NaN on one side only is infinitely far."""
        return max(_distance(value, self.stored) for value in self.others.values())

    @property
    def within(self) -> bool:
        return all(self.declared.allows(self.stored, value) for value in self.others.values())


def propose(spread: float) -> float:
    """About twice ``spread``, rounded up to one significant digit (0.0042 -> 0.009)."""
    if spread == 0:
        return 0.0
    if not math.isfinite(spread):
        return math.inf
    target = 2 * spread
    scale = 10 ** math.floor(math.log10(target))
    return math.ceil(target / scale) * scale


def compare_runs(
    reference: nbformat.NotebookNode, others: dict[str, nbformat.NotebookNode]
) -> tuple[list[MovedNumber], list[str]]:
    """Every number that moved between ``reference`` and the ``others`` runs, and every text
    difference (an output whose words or count of numbers differ)."""
    moved, words = [], []
    reference_cells = [c for c in reference.cells if c.cell_type == "code"]
    other_cells = {
        name: [c for c in nb.cells if c.cell_type == "code"] for name, nb in others.items()
    }
    for index, cell in enumerate(reference_cells):
        tolerance = tolerance_of(cell.metadata) or DETERMINISTIC
        if "nbval-ignore-output" in cell.metadata.get("tags", []):
            continue
        stored = flatten_named(comparable(cell.outputs), NBVAL_SKIPPED)
        runs = {
            name: flatten_named(comparable(cells[index].outputs), NBVAL_SKIPPED)
            for name, cells in other_cells.items()
        }
        for key, values in stored.items():
            for position, (value, glued) in enumerate(values):
                if not isinstance(value, str):
                    continue
                stored_words, stored_numbers = split_numbers(value)
                # a glued value has no line of its own: its rules go by its name
                lines = (
                    [f"glue {glued}"] * len(stored_numbers) if glued else lines_of_numbers(value)
                )
                allowed = tolerance.for_glue(glued)
                parsed = {}
                for name, run in runs.items():
                    texts = [text for text, _ in run.get(key, [])]
                    if position >= len(texts) or not isinstance(texts[position], str):
                        words.append(f"code cell {index} {key}: missing on the {name} path")
                        continue
                    run_words, run_numbers = split_numbers(texts[position])
                    if run_words != stored_words or len(run_numbers) != len(stored_numbers):
                        words.append(
                            f"code cell {index} {key}: the words differ on the {name} path"
                        )
                        continue
                    parsed[name] = run_numbers
                for k, number in enumerate(stored_numbers):
                    values_k = {name: numbers[k] for name, numbers in parsed.items()}
                    if any(_distance(v, number) != 0 for v in values_k.values()):
                        line = lines[k].strip()
                        moved.append(
                            MovedNumber(
                                index,
                                line,
                                number,
                                values_k,
                                allowed if glued else tolerance.for_line(line),
                            )
                        )
    return moved, words


def report(moved: list[MovedNumber], words: list[str]) -> bool:
    """Print the table of moved numbers and the verdict; return whether every run agrees."""
    if moved:
        print(
            f"{'cell':>4}  {'stored':>12}  {'spread':>9}  {'declared':>20}  {'proposed':>9}  line"
        )
    for number in moved:
        flag = "" if number.within else "  EXCEEDS"
        print(
            f"{number.cell:4d}  {number.stored:12.6g}  {number.spread:9.3g}  "
            f"{number.declared.describe():>20}  {propose(number.spread):9.3g}  "
            f"{number.line[:70]}{flag}"
        )
    by_cell: dict[int, list[MovedNumber]] = {}
    for number in moved:
        by_cell.setdefault(number.cell, []).append(number)
    for cell, numbers in sorted(by_cell.items()):
        spread = max(n.spread for n in numbers)
        rel = max(n.spread / max(abs(n.stored), 1e-12) for n in numbers)
        print(
            f"code cell {cell}: {len(numbers)} numbers moved, max |diff| {spread:.3g}, "
            f"max rel {rel:.3g}; proposed abs {propose(spread):g} (or rel {propose(rel):g})"
        )
    for line in words:
        print(f"WORDS: {line}")
    too_tight = sorted({n.cell for n in moved if not n.within})
    if too_tight:
        print(f"cells whose declared tolerance is exceeded: {too_tight}")
    if not moved and not words:
        print("every output agrees on every code path")
    return not too_tight and not words


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--keep-stored", action="store_true", help="do not re-execute on defaults")
    parser.add_argument("--sequential", action="store_true", help="one code path at a time")
    parser.add_argument(
        "--compare",
        nargs="+",
        type=Path,
        metavar="RUN",
        help="executed copies of the page to compare with, instead of executing it",
    )
    args = parser.parse_args(argv)
    notebook = args.notebook.resolve()
    if not notebook.is_file() or notebook.suffix != ".ipynb":
        parser.error(f"{args.notebook} is not a notebook: pass chapters/<part>/<page>.ipynb")
    if args.compare:
        missing = [str(run) for run in args.compare if not run.is_file()]
        if missing:
            parser.error(f"no executed notebook at {', '.join(missing)}")
        reference = nbformat.read(notebook, as_version=4)
        others = {str(run): nbformat.read(run, as_version=4) for run in args.compare}
        return 0 if report(*compare_runs(reference, others)) else 1
    relative = notebook.relative_to(ROOT)
    base_env = {"BOOK_PROGRESS": "0"}
    if not args.keep_stored:
        print(f"executing {relative} with this machine's defaults (stored as the reference)")
        if _execute(notebook, None, base_env).wait() != 0:
            return 1
    outputs, processes = {}, []
    for name, variables in code_paths().items():
        env = {**base_env, **variables, "BOOK_DATA_DIR": str(BUILD / name / "data")}
        _provision(BUILD / name / "data", env)
        outputs[name] = BUILD / name / relative
        print(f"executing {relative} on the {name} path ({variables}) into {outputs[name]}")
        process = _execute(notebook, outputs[name], env)
        if args.sequential:
            process.wait()
        processes.append(process)
    if any(process.wait() != 0 for process in processes):
        print("an execution failed: see its output above")
        return 1
    reference = nbformat.read(notebook, as_version=4)
    others = {name: nbformat.read(path, as_version=4) for name, path in outputs.items()}
    return 0 if report(*compare_runs(reference, others)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
