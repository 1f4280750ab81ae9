"""The book as a whole: table of contents, notebook conventions, configuration, hygiene."""

from __future__ import annotations

import ast
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


def _is_claims_cell(cell: dict) -> bool:
    source = _source(cell)
    return "Claims()" in source and ".check()" in source and "remove-cell" in _tags(cell)


@pytest.mark.parametrize("path", [*NOTEBOOKS, TEMPLATE], ids=[*NOTEBOOK_IDS, "template"])
def test_notebook_is_executed_and_checks_its_claims(path):
    cells = _code_cells(path)
    unrun = [i for i, c in enumerate(cells) if c.get("execution_count") is None]
    assert not unrun, (
        f"code cells {unrun} have no stored output: execute the notebook (make execute NB=...)"
    )
    assert _is_claims_cell(cells[-1]), (
        "the last code cell must be the claims table: claims = Claims(), one "
        "claims.that(...) per claim of the text, claims.check(), tagged remove-cell"
    )
    errors = [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, "a stored output is an error"
    assert json.loads(path.read_text())["metadata"]["kernelspec"]["name"] == "python3"


def _tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", [*NOTEBOOKS, TEMPLATE], ids=[*NOTEBOOK_IDS, "template"])
def test_nbval_markers_are_tags_not_comments_in_the_code_a_reader_sees(path):
    marked = [i for i, c in enumerate(_code_cells(path)) if "NBVAL_" in _source(c)]
    assert not marked, (
        f"code cells {marked}: mark a cell with the tag nbval-ignore-output in its metadata "
        "instead of a # NBVAL_... comment, which the reader would see"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_nbval_exclusions_are_rare(path):
    cells = _code_cells(path)
    excluded = [c for c in cells if {"nbval-ignore-output", "nbval-skip"} & set(_tags(c))]
    assert len(excluded) <= max(2, len(cells) // 4), (
        "make outputs deterministic and assert them instead"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_only_wall_clock_timings_are_excluded_from_the_comparison(path):
    for cell in _code_cells(path):
        source = _source(cell)
        assert "nbval-skip" not in _tags(cell), (
            "every cell runs: a cell that must not run does not belong in the book"
        )
        if "nbval-ignore-output" in _tags(cell):
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_every_figure_cell_declares_its_caption_and_alt_text_where_myst_nb_reads_them(path):
    """MyST-NB reads a figure's caption from ``metadata.mystnb.figure`` and its alt text from
    ``metadata.mystnb.image.alt``; an ``image`` key beside ``mystnb`` is silently ignored (the
    HTML then shows the file name as alt text)."""
    wrong = []
    for i, cell in enumerate(_code_cells(path)):
        metadata = cell.get("metadata", {})
        if "image" in metadata or "figure" in metadata:
            wrong.append(f"code cell {i}: 'image'/'figure' outside metadata.mystnb")
        if any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            mystnb = metadata.get("mystnb", {})
            alt = mystnb.get("image", {}).get("alt", "")
            if len(alt.split()) < 4 or not mystnb.get("figure", {}).get("caption"):
                wrong.append(f"code cell {i}: no caption or no alt text of four words or more")
    assert not wrong, f"put caption and alt text under metadata.mystnb: {wrong}"


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

    The only code cell allowed there is the page's closing cell of checks: without output, or the
    claims table, which the book's HTML leaves out (tag ``remove-cell``).
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
        elif (
            seen_exercise
            and not in_solution
            and not (i == last_code and (not cell.get("outputs") or "remove-cell" in _tags(cell)))
        ):
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


# ---- no claim reads a wall-clock time -----------------------------------------------------------

TIME_CALLS = re.compile(r"^(perf_counter|process_time|monotonic|time|best_time|timeit)$")
"""Functions that read a clock."""
TIME_NAMES = re.compile(
    r"(^|_)(seconds?|secs|wall_time|per_second|elapsed|duration|timings?)($|_)|_time$"
)
"""Variable, attribute and key names that hold a measured time (``train_seconds``,
``result.wall_time``, ``metrics["seconds"]``, ``images_per_second``)."""


def _python_of(source: str) -> ast.Module:
    """A cell's code without its IPython magics and shell escapes."""
    lines = [
        line[: len(line) - len(line.lstrip())] + "pass"
        if line.lstrip().startswith(("%", "!"))
        else line
        for line in source.splitlines()
    ]
    return ast.parse("\n".join(lines))


def _reads_a_time(node: ast.AST, tainted: set[str]) -> bool:
    """Whether an expression reads a clock, a name holding a time, or a time-named field."""
    local = {
        name
        for sub in ast.walk(node)
        if isinstance(sub, ast.comprehension)
        for name in _targets(sub.target)
    }  # a comprehension's own variables shadow the notebook's
    called = {id(sub.func) for sub in ast.walk(node) if isinstance(sub, ast.Call)}
    for sub in ast.walk(node):
        if id(sub) in called:
            continue  # a function's name says what it computes, not that it holds a time
        if isinstance(sub, ast.Name) and (
            (sub.id in tainted and sub.id not in local) or TIME_NAMES.search(sub.id)
        ):
            return True
        if isinstance(sub, ast.Attribute) and TIME_NAMES.search(sub.attr):
            return True
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if TIME_CALLS.match(name):
                return True
        if (
            isinstance(sub, ast.Subscript)
            and isinstance(sub.slice, ast.Constant)
            and isinstance(sub.slice.value, str)
            and TIME_NAMES.search(sub.slice.value)
        ):
            return True
    return False


def _targets(node: ast.AST) -> set[str]:
    """The names an assignment to ``node`` rebinds or changes (``d`` for ``d[key] = ...``)."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, (ast.Tuple, ast.List)):
        return set().union(*(_targets(element) for element in node.elts))
    if isinstance(node, (ast.Starred, ast.Subscript, ast.Attribute)):
        return _targets(node.value)
    return set()


def time_tainted_names(sources: list[str]) -> set[str]:
    """Every variable of a notebook whose value is computed from a measured time.

    A name is tainted when it is assigned (or bound by ``with ... as``) from an expression that
    reads a clock or a tainted name; repeated until nothing changes, so a time that flows through
    several variables is still found. Loop variables are not followed (notebooks reuse ``name``
    and ``label`` in every loop); a loop variable that holds a time is caught by its name
    (``for label, seconds in ...``).
    """
    trees = [_python_of(source) for source in sources]
    tainted: set[str] = set()
    while True:
        before = len(tainted)
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value:
                    if _reads_a_time(node.value, tainted):
                        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                        for target in targets:
                            tainted |= _targets(target)
                elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                    if _reads_a_time(node.context_expr, tainted):
                        tainted |= _targets(node.optional_vars)
        if len(tainted) == before:
            return tainted


def checks_that_read_a_time(sources: list[str]) -> list[str]:
    """The assertions and claims (``assert``, ``claims.that(...)``) that read a measured time."""
    tainted = time_tainted_names(sources)
    found = []
    for index, source in enumerate(sources):
        for node in ast.walk(_python_of(source)):
            is_claim = (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "that"
            )
            if (isinstance(node, ast.Assert) or is_claim) and _reads_a_time(node, tainted):
                found.append(f"code cell {index}: {ast.unparse(node)[:160]}")
    return found


@pytest.mark.parametrize("path", [*NOTEBOOKS, TEMPLATE], ids=[*NOTEBOOK_IDS, "template"])
def test_no_claim_reads_a_wall_clock_time(path):
    found = checks_that_read_a_time([_source(c) for c in _code_cells(path)])
    assert not found, (
        "a wall-clock time depends on the machine and its load, never on the page: state a "
        "cost with counted work (multiply-adds, forward passes, steps) and check that instead: "
        + "; ".join(found)
    )


def test_the_time_check_follows_a_time_through_variables_and_fields():
    sources = [
        "import time\nstart = time.perf_counter()\nrun()\ntook = time.perf_counter() - start",
        "ratio = took / 2\nspeed = {k: r.wall_time for k, r in runs.items()}\nper[key] = took",
        "for label, seconds in speed.items():\n    print(label, seconds)",
        "claims.that('fast', ratio, below=1)\nassert speed['a'] < 3\nassert m['seconds'] > 0",
        "assert steps['a'] == 500\nclaims.that('macs', macs_vit / macs_cnn, below=2)",
        "flow_t, scale = ddpm_to_flow_time(alpha_bars)\nassert scale.max() <= 1",
    ]
    assert time_tainted_names(sources) == {"start", "took", "ratio", "speed", "per"}
    found = checks_that_read_a_time(
        [*sources, "assert label == key", "assert all(took > 1 for took in [2, 3])"]
    )
    assert [line.split(":")[0] for line in found] == ["code cell 3"] * 3, found


def test_the_bibliography_parses():
    from pybtex.database import parse_file

    entries = parse_file(ROOT / "references.bib").entries
    assert entries, "references.bib holds no entries"


def _shown_sources(path: Path) -> list[tuple[int, str, str, str | None]]:
    """Every ``show_source(...)`` call of a notebook: (code cell, call, what it shows now, the
    stored output for it or ``None``), with the names the notebook imports in scope."""
    from lib.notebook import source_markdown

    scope: dict = {}
    shown = []
    for index, cell in enumerate(_code_cells(path)):
        source = "".join(cell["source"])
        lines = (line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                exec(ast.unparse(node), scope)  # noqa: S102 (the notebook's own imports)
        stored = {
            "".join(text).split("\n", 1)[0]: "".join(text)
            for output in cell.get("outputs", [])
            if (text := output.get("data", {}).get("text/markdown"))
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "show_source":
                shown_object = eval(ast.unparse(node.args[0]), scope)  # noqa: S307
                options = {k.arg: eval(ast.unparse(k.value), scope) for k in node.keywords}  # noqa: S307
                now = source_markdown(shown_object, **options)
                shown.append((index, ast.unparse(node), now, stored.get(now.split("\n", 1)[0])))
    return shown


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_shown_source_is_the_code_that_runs(path: Path):
    """A page shows the very code it runs: each stored ``show_source`` output is what
    ``lib.notebook.source_markdown`` gives for the function today (a change to a shown function
    must re-execute its cell)."""
    stale = [
        f"code cell {index}: {call}"
        for index, call, now, stored in _shown_sources(path)
        if stored != now
    ]
    assert not stale, f"{path.name}: re-execute the cells that show changed code: {stale}"


def test_figure_labels_are_unique_across_the_book():
    """Sphinx fails the build on a label used twice; this finds it in a second, by name."""
    pages: dict[str, list[str]] = {}
    for path in NOTEBOOKS:
        for cell in _code_cells(path):
            name = cell["metadata"].get("mystnb", {}).get("figure", {}).get("name")
            if name:
                pages.setdefault(name, []).append(path.stem)
    repeated = {name: where for name, where in pages.items() if len(where) > 1}
    assert not repeated, f"figure labels used more than once: {repeated}"
