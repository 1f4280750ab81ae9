"""The book as a whole: table of contents, notebook conventions, configuration, hygiene."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
TEMPLATE = ROOT / "templates" / "chapter-template.ipynb"


def _toc_files(entries: list[dict]) -> list[str]:
    files = []
    for entry in entries:
        if "file" in entry:
            files.append(entry["file"])
        for key in ("chapters", "sections"):
            files += _toc_files(entry.get(key, []))
    return files


TOC_FILES = [TOC["root"], *_toc_files(TOC.get("parts", []))]
NOTEBOOKS = sorted((ROOT / "chapters").rglob("*.ipynb"))
NOTEBOOK_IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]


def _code_cells(path: Path) -> list[dict]:
    cells = json.loads(path.read_text())["cells"]
    return [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def test_every_toc_entry_exists_once():
    assert len(TOC_FILES) == len(set(TOC_FILES)), "a page is listed twice in _toc.yml"
    for entry in TOC_FILES:
        matches = [p for p in (ROOT / f"{entry}.md", ROOT / f"{entry}.ipynb") if p.exists()]
        assert len(matches) == 1, (
            f"_toc.yml lists {entry}, which is not exactly one .md/.ipynb file"
        )


def test_every_page_is_in_the_toc():
    pages = {
        str(p.relative_to(ROOT).with_suffix(""))
        for p in (ROOT / "chapters").rglob("*")
        if p.suffix in (".md", ".ipynb") and ".ipynb_checkpoints" not in p.parts
    }
    assert pages - set(TOC_FILES) == set(), "pages missing from _toc.yml"


def test_toc_follows_the_slide_order():
    order = [
        "chapters/00",
        "chapters/0-",
        "chapters/1-",
        "chapters/2-",
        "chapters/3-",
        "chapters/4-",
        "chapters/references",
    ]
    positions = [next(i for i, o in enumerate(order) if f.startswith(o)) for f in TOC_FILES[1:]]
    assert positions == sorted(positions), TOC_FILES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_notebook_starts_with_the_shared_setup_cell(path):
    setup = _source(_code_cells(TEMPLATE)[0])
    assert _source(_code_cells(path)[0]) == setup, (
        "copy the set-up cell of templates/chapter-template.ipynb"
    )


def test_colab_install_line_pins_the_release_of_this_version():
    setup = _source(_code_cells(TEMPLATE)[0])
    tag = f"v{tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']['version']}"
    line = f'%pip install --quiet "advanced-dl-book @ git+{CONFIG["repository"]["url"]}@{tag}"'
    assert line in setup, f"the Colab install line must be {line} (make version writes it)"


def test_notebooks_import_glue_from_lib_not_myst_nb():
    sources = [_source(c) for path in [*NOTEBOOKS, TEMPLATE] for c in _code_cells(path)]
    assert not [s for s in sources if "myst_nb" in s], (
        "import glue from lib.notebook (works without myst-nb)"
    )


@pytest.mark.parametrize("path", [*NOTEBOOKS, TEMPLATE], ids=[*NOTEBOOK_IDS, "template"])
def test_notebook_is_executed_and_asserts_its_headline(path):
    cells = _code_cells(path)
    unrun = [i for i, c in enumerate(cells) if c.get("execution_count") is None]
    assert not unrun, (
        f"code cells {unrun} have no stored output: execute the notebook (make execute NB=...)"
    )
    assert "assert " in _source(cells[-1]), (
        "the last code cell must assert the page's headline numbers"
    )
    errors = [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, "a stored output is an error"
    assert json.loads(path.read_text())["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_nbval_exclusions_are_rare(path):
    cells = _code_cells(path)
    excluded = [c for c in cells if re.search(r"NBVAL_(IGNORE_OUTPUT|SKIP)", _source(c))]
    assert len(excluded) <= max(2, len(cells) // 4), (
        "make outputs deterministic and assert them instead"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_only_wall_clock_timings_are_excluded_from_the_comparison(path):
    for cell in _code_cells(path):
        source = _source(cell)
        assert "NBVAL_SKIP" not in source and "nbval-skip" not in cell.get("metadata", {}).get(
            "tags", []
        ), "every cell runs: a cell that must not run does not belong in the book"
        if "NBVAL_IGNORE_OUTPUT" in source or "nbval-ignore-output" in cell.get("metadata", {}).get(
            "tags", []
        ):
            assert re.search(r"perf_counter|best_time|seconds|wall_time|per_second", source), (
                "only wall-clock timings may be excluded from the output comparison; declare a "
                f"tolerance for numbers from training instead (CONTRIBUTING.md):\n{source[:300]}"
            )


def test_citations_exist_in_the_bibliography():
    keys = set(re.findall(r"@\w+\{([^,]+),", (ROOT / "references.bib").read_text()))
    pages = [*(ROOT / "chapters").rglob("*.md"), *NOTEBOOKS]
    cited = {
        key.strip()
        for page in pages
        for group in re.findall(r"\{cite[:a-z]*\}`([^`]+)`", page.read_text())
        for key in group.split(",")
    }
    assert cited - keys == set(), "cited keys missing from references.bib"


def test_no_dataset_or_build_files_are_committed():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert [f for f in tracked if f.startswith("data/")] == ["data/README.md"]
    assert not [f for f in tracked if f.startswith(("_build/", ".venv/"))]
    assert not [
        f for f in tracked if (ROOT / f).is_file() and (ROOT / f).stat().st_size > 5_000_000
    ]


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme and "make test" in readme


def test_build_fails_on_errors_and_warnings():
    assert CONFIG["execute"]["allow_errors"] is False
    assert CONFIG["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    makefile = (ROOT / "Makefile").read_text()
    assert "-W" in makefile and "--keep-going" in makefile


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_glued_numbers_are_plain_python_values(path):
    glued = [
        o["data"]["application/papermill.record/text/plain"]
        for c in _code_cells(path)
        for o in c.get("outputs", [])
        if "application/papermill.record/text/plain" in o.get("data", {})
    ]
    bad = [g for g in glued if re.match(r"(np\.|tensor\(|array\()", g)]
    assert not bad, f"glue Python floats/ints (e.g. round(float(x), 4)), not {bad[:3]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_figures_are_shown_one_way_once(path):
    """A figure cell draws with a ``lib`` plotting function and ends with ``plt.show()``.

    The functions return open figures; ``plt.show()`` shows each once (a figure left as the
    cell's value would be shown a second time by the inline backend).
    """
    wrong = []
    for i, cell in enumerate(_code_cells(path)):
        images = sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        source = _source(cell)
        if (images or "plt.show()" in source) and not (
            images == 1
            and source.count("plt.show()") == 1
            and source.rstrip().endswith("plt.show()")
        ):
            wrong.append(
                f"code cell {i}: {images} figure(s), {source.count('plt.show()')} plt.show()"
            )
    assert not wrong, f"end each figure cell with one plt.show(): {wrong}"


def solution_code_cells(path: Path) -> list[dict]:
    """The code cells between a ``solution-start`` and its ``solution-end``, in page order."""
    cells, inside = [], False
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for directive in re.findall(r"\{(solution-start|solution-end)\}", _source(cell)):
                inside = directive == "solution-start"
        elif inside:
            cells.append(cell)
    return cells


def _unhidden_solution_cells(path: Path) -> list[str]:
    """Code cells after the first exercise outside a ``solution-start``/``solution-end`` pair.

    The only code cell allowed there is the page's closing assertion cell, which has no output.
    """
    cells = json.loads(path.read_text())["cells"]
    last_code = max(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    problems, seen_exercise, in_solution = [], False, False
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            for directive in re.findall(
                r"\{(exercise|solution-start|solution-end)\}", _source(cell)
            ):
                if directive == "exercise":
                    seen_exercise = True
                elif in_solution == (directive == "solution-start"):
                    problems.append(
                        f"cell {i}: {directive} {'inside' if in_solution else 'outside'} a solution"
                    )
                else:
                    in_solution = directive == "solution-start"
        elif seen_exercise and not in_solution and not (i == last_code and not cell.get("outputs")):
            problems.append(
                f"cell {i}: a code cell after the exercises outside solution-start/solution-end"
            )
    if in_solution:
        problems.append("a solution-start without its solution-end")
    return problems


@pytest.mark.parametrize("path", [*NOTEBOOKS, TEMPLATE], ids=[*NOTEBOOK_IDS, "template"])
def test_solution_code_is_inside_a_hidden_solution(path):
    problems = _unhidden_solution_cells(path)
    assert not problems, (
        "wrap solution code cells in ````{solution-start} label / :class: dropdown ```` "
        "and ````{solution-end}````, as the template does: " + "; ".join(problems)
    )


def test_solution_check_flags_a_visible_solution_cell(tmp_path):
    notebook = json.loads(TEMPLATE.read_text())
    end = next(i for i, c in enumerate(notebook["cells"]) if "{solution-end}" in _source(c))
    notebook["cells"].insert(
        end + 1, notebook["cells"][end - 1]
    )  # the solution's code cell, again, outside
    path = tmp_path / "visible.ipynb"
    path.write_text(json.dumps(notebook))
    assert _unhidden_solution_cells(path) == [
        f"cell {end + 1}: a code cell after the exercises outside solution-start/solution-end"
    ]


def test_only_the_references_page_holds_a_bibliography():
    # a second {bibliography} directive duplicates every entry it lists, which fails the build
    pages = [*(ROOT / "chapters").rglob("*.md"), *NOTEBOOKS]
    holders = {
        str(page.relative_to(ROOT)) for page in pages if "{bibliography}" in page.read_text()
    }
    assert holders == {"chapters/references.md"}, holders
