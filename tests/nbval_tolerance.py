"""nbval's output comparison, made portable: words exactly, numbers within a declared tolerance.

nbval compares a re-executed cell's outputs with the outputs stored in the notebook, string for
string. Numbers that come out of floating-point training differ between processors (torch picks
its CPU kernels by instruction set, MKL its code path by vendor), so a strict comparison fails on
any machine but the one that recorded the outputs. This plugin replaces nbval's comparison of each
output value (stream text, ``text/plain``, ``text/html``, glued values, ...) with one that reads it
as a reader does:

* the text between the numbers must be identical (runs of spaces and tabs count as one space,
  so a column that widens from ``9.98`` to ``10.02`` is not a difference);
* both outputs must contain the same count of numbers, and each pair must agree within the cell's
  tolerance: ``|test - stored| <= abs + rel * |stored|``.

A cell without a declared tolerance is compared at :data:`DETERMINISTIC` (relative 1e-6): counts,
sizes, data statistics and closed-form results. A cell whose numbers come from training declares
its tolerance in its metadata, next to the code that produces them, with the measured spread that
justifies it::

    "metadata": {"tolerance": {"abs": 0.005, "rel": 0.002,
                               "measured": "max |diff| 0.0021 over 3 CPU code paths"}}

Where one cell mixes tight and loose numbers, ``lines`` rules give the numbers printed on matching
lines their own bound, and ``glue`` rules the values glued under matching names (a glued value
is an output of its own, with no line to match).

Images are not compared (nbval's default); cells marked ``NBVAL_IGNORE_OUTPUT`` (wall-clock
timings only) are not compared either, and are counted in the one-line summary this plugin prints
at the end of the run. Registered by the root ``conftest.py``; load it elsewhere with
``-p tests.nbval_tolerance``.
"""

from __future__ import annotations

import copy
import math
import os
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\b(?:nan|inf)\b")
"""A number as printed by Python, NumPy, pandas or matplotlib (sign, digits, point, exponent)."""
BLANKS = re.compile(r"[ \t]+")
METADATA_KEY = "tolerance"
"""The cell-metadata key that declares a tolerance."""


@dataclass(frozen=True)
class Tolerance:
    """How far a re-computed number may move from the stored one: ``abs + rel * |stored|``.

    ``lines`` holds per-line exceptions, ``(regex, Tolerance)`` pairs: a number printed on a line
    that the regex matches (``re.search``) gets that tolerance instead, so that one cell can print
    a tight and a loose number, each compared as tightly as its own spread allows. ``glue`` does
    the same for glued values: a value glued under a name the regex matches in full
    (``re.fullmatch``) gets that tolerance.
    """

    abs: float = 0.0
    rel: float = 0.0
    lines: tuple[tuple[str, Tolerance], ...] = ()
    glue: tuple[tuple[str, Tolerance], ...] = ()

    def allows(self, stored: float, test: float) -> bool:
        """Whether ``test`` is within tolerance of ``stored`` (NaN equals NaN, inf equals inf)."""
        if math.isnan(stored) or math.isnan(test):
            return math.isnan(stored) and math.isnan(test)
        if math.isinf(stored) or math.isinf(test):
            return stored == test
        return abs(test - stored) <= self.abs + self.rel * abs(stored)

    def for_line(self, line: str) -> Tolerance:
        """The tolerance of a number printed on ``line``: the first matching exception, or this."""
        for pattern, tolerance in self.lines:
            if re.search(pattern, line):
                return tolerance
        return Tolerance(self.abs, self.rel) if self.lines else self

    def for_glue(self, name: str | None) -> Tolerance:
        """The tolerance of a value glued under ``name``: the first rule matching the whole name,
        or this one (``name`` is ``None`` for an output that is not a glued value)."""
        if name is not None:
            for pattern, tolerance in self.glue:
                if re.fullmatch(pattern, name):
                    return tolerance
        return self

    def describe(self) -> str:
        rules = "".join(f"; lines /{p}/: {t.describe()}" for p, t in self.lines)
        rules += "".join(f"; glue /{p}/: {t.describe()}" for p, t in self.glue)
        return f"abs={self.abs:g}, rel={self.rel:g}{rules}"


DETERMINISTIC = Tolerance(abs=0.0, rel=1e-6)
"""The comparison of every cell that declares no tolerance."""


def _bounds(spec: Mapping[str, Any], where: str) -> tuple[float, float]:
    """The validated ``abs`` and ``rel`` of a tolerance declaration (``where`` names it)."""
    if not isinstance(spec.get("measured"), str) or not spec["measured"].strip():
        raise ValueError(
            f"{where} needs a 'measured' note: the spread "
            "measured across CPU code paths that justifies the tolerance."
        )
    bounds = []
    for key in ("abs", "rel"):
        value = spec.get(key, 0.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"{where}: {key!r} must be a non-negative number, got {value!r}.")
        bounds.append(float(value))
    return bounds[0], bounds[1]


def _rules(
    spec: Mapping[str, Any], key: str, match: str, where: str
) -> list[tuple[str, Tolerance]]:
    """The validated rules under ``spec[key]``: each a regex under ``match`` and its bounds."""
    rules = spec.get(key, [])
    if not isinstance(rules, Sequence) or isinstance(rules, str):
        raise ValueError(f"{where}: {key!r} must be a list of {{{match!r}: regex, ...}} mappings.")
    parsed = []
    for rule in rules:
        rule_where = f"{where}, {key} rule {rule!r}"
        if not isinstance(rule, Mapping) or set(rule) - {match, "abs", "rel", "measured"}:
            raise ValueError(f"{rule_where}: use the keys {match!r}, 'abs', 'rel' and 'measured'.")
        try:
            re.compile(rule.get(match, ""))
        except (re.error, TypeError) as error:
            raise ValueError(
                f"{rule_where}: {match!r} must be a regular expression ({error})."
            ) from error
        if not rule.get(match):
            raise ValueError(f"{rule_where}: {match!r} must be a non-empty regular expression.")
        rule_abs, rule_rel = _bounds(rule, rule_where)
        if rule_abs == 0 and rule_rel == 0:
            raise ValueError(f"{rule_where} declares a zero tolerance; remove the rule.")
        parsed.append((rule[match], Tolerance(rule_abs, rule_rel)))
    return parsed


def tolerance_of(metadata: Mapping[str, Any]) -> Tolerance | None:
    """The tolerance a cell declares in its metadata, or ``None`` when it declares none.

    The declaration is ``{"abs": ..., "rel": ..., "measured": "..."}``, optionally with
    ``"lines": [{"match": "regex", "abs": ..., "rel": ..., "measured": "..."}, ...]`` for numbers on
    lines that need their own bound, and ``"glue": [{"name": "regex", ...}, ...]`` for values glued
    under matching names; with rules, the cell-wide ``abs`` and ``rel`` may be left out (the other
    numbers are then compared exactly, see :data:`DETERMINISTIC`).

    Raises:
        ValueError: The declaration is malformed (unknown key, negative or non-numeric bound,
            missing ``measured`` justification, invalid regex, zero tolerance).
    """
    spec = metadata.get(METADATA_KEY)
    if spec is None:
        return None
    where = f"cell metadata {METADATA_KEY!r}"
    if not isinstance(spec, Mapping):
        raise ValueError(
            f"{where} must be a mapping like "
            '{"abs": 0.01, "rel": 0.0, "measured": "..."}, got ' + repr(spec)
        )
    unknown = set(spec) - {"abs", "rel", "measured", "lines", "glue"}
    if unknown:
        raise ValueError(
            f"{where} has unknown keys {sorted(unknown)}; "
            "use 'abs', 'rel', 'measured', 'lines' and 'glue'."
        )
    lines = _rules(spec, "lines", "match", where)
    glue = _rules(spec, "glue", "name", where)
    if (lines or glue) and not any(key in spec for key in ("abs", "rel")):
        default = DETERMINISTIC
        if not isinstance(spec.get("measured"), str) or not spec["measured"].strip():
            raise ValueError(f"{where} needs a 'measured' note (the spread that justifies it).")
    else:
        absolute, relative = _bounds(spec, where)
        if absolute == 0 and relative == 0:
            raise ValueError(
                f"{where} declares a zero tolerance; remove it "
                "(the default comparison is exact to 1e-6 relative)."
            )
        default = Tolerance(absolute, relative)
    return Tolerance(default.abs, default.rel, tuple(lines), tuple(glue))


def split_numbers(text: str) -> tuple[list[str], list[float]]:
    """Split ``text`` into the words around its numbers and the numbers.

    Returns:
        ``(words, numbers)`` with ``len(words) == len(numbers) + 1``; each word has its runs of
        spaces and tabs collapsed to one space.
    """
    words, numbers, start = [], [], 0
    for match in NUMBER.finditer(text):
        words.append(BLANKS.sub(" ", text[start : match.start()]))
        numbers.append(float(match.group()))
        start = match.end()
    words.append(BLANKS.sub(" ", text[start:]))
    return words, numbers


def lines_of_numbers(text: str) -> list[str]:
    """The line of ``text`` on which each of its numbers is printed, in order."""
    lines = []
    for match in NUMBER.finditer(text):
        begin = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        lines.append(text[begin : end if end != -1 else len(text)])
    return lines


def compare_text(stored: str, test: str, tolerance: Tolerance) -> str | None:
    """Compare two outputs as text: ``None`` when they agree, else what differs.

    Args:
        stored: The output stored in the notebook (the reference).
        test: The output of this run.
        tolerance: Allowed difference of each number (its ``lines`` rules matched against the
            stored line on which the number is printed).
    """
    stored_words, stored_numbers = split_numbers(stored)
    test_words, test_numbers = split_numbers(test)
    if len(stored_numbers) != len(test_numbers) or stored_words != test_words:
        for index, (left, right) in enumerate(zip(stored_words, test_words, strict=False)):
            if left != right:
                return f"text differs after number {index}: stored {left!r}, got {right!r}"
        return f"stored output has {len(stored_numbers)} numbers, this run {len(test_numbers)}"
    lines = lines_of_numbers(stored) if tolerance.lines else [""] * len(stored_numbers)
    for index, (left, right) in enumerate(zip(stored_numbers, test_numbers, strict=False)):
        allowed = tolerance.for_line(lines[index])
        if not allowed.allows(left, right):
            context = stored_words[index][-40:]
            return (
                f"number {index} (after {context!r}): stored {left!r}, got {right!r}; "
                f"|difference| {abs(right - left):.3g} exceeds the tolerance "
                f"({allowed.describe()})"
            )
    return None


def compare_values(stored: Any, test: Any, tolerance: Tolerance) -> str | None:
    """:func:`compare_text` for strings; anything else (JSON data) must be equal."""
    if isinstance(stored, str) and isinstance(test, str):
        return compare_text(stored, test, tolerance)
    return None if stored == test else f"stored {stored!r}, got {test!r}"


def glue_name(output: Mapping[str, Any]) -> str | None:
    """The name a glued value was recorded under (``glue("name", ...)``), else ``None``."""
    scrapbook = (output.get("metadata") or {}).get("scrapbook") or {}
    return scrapbook.get("name") if isinstance(scrapbook, Mapping) else None


def flatten_named(
    outputs: Sequence[Mapping[str, Any]], skip: Sequence[str]
) -> dict[str, list[tuple[Any, str | None]]]:
    """:func:`flatten_outputs`, each value paired with its glue name (``None`` if not glued)."""
    flat: dict[str, list[tuple[Any, str | None]]] = defaultdict(list)
    for output in outputs:
        name = glue_name(output)
        for key, value in output.items():
            if key in skip:
                continue
            if key == "data":
                for mime, content in value.items():
                    if mime not in skip:
                        flat[mime].append((content, name))
            else:
                flat[key].append((value, name))
    return flat


def flatten_outputs(
    outputs: Sequence[Mapping[str, Any]], skip: Sequence[str]
) -> dict[str, list[Any]]:
    """nbval's view of a cell's outputs: a list of values per output key or MIME type."""
    return {
        key: [value for value, _ in values] for key, values in flatten_named(outputs, skip).items()
    }


def compare_outputs(
    stored: Sequence[Mapping[str, Any]],
    test: Sequence[Mapping[str, Any]],
    tolerance: Tolerance,
    skip: Sequence[str] = (),
) -> list[str]:
    """Every difference between a cell's stored and re-computed outputs (empty when they agree).

    Outputs are grouped by key as nbval groups them (stream name or MIME type), so the order of
    different kinds of output does not matter, while outputs of one kind are compared in order.
    """
    stored_flat, test_flat = flatten_named(stored, skip), flatten_named(test, skip)
    problems = []
    if missing := sorted(set(stored_flat) - set(test_flat)):
        problems.append(f"missing outputs (stored, not produced by this run): {missing}")
    if extra := sorted(set(test_flat) - set(stored_flat)):
        problems.append(f"unexpected outputs (produced by this run, not stored): {extra}")
    for key in sorted(set(stored_flat) & set(test_flat)):
        left, right = stored_flat[key], test_flat[key]
        if len(left) != len(right):
            problems.append(f"{key!r}: {len(left)} stored outputs, {len(right)} in this run")
            continue
        for (stored_value, name), (test_value, _) in zip(left, right, strict=False):
            allowed = tolerance.for_glue(name)
            if (difference := compare_values(stored_value, test_value, allowed)) is not None:
                glued = f" (glued as {name!r})" if name else ""
                problems.append(
                    f"{key!r}{glued}: {difference}\n--- stored:\n{_short(stored_value)}"
                    f"\n--- this run:\n{_short(test_value)}"
                )
    return problems


def _short(value: Any, limit: int = 2000) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


# ---- the pytest plugin -------------------------------------------------------------------------

_counts: dict[str, int] = defaultdict(int)
_largest: dict[str, tuple[Tolerance, str]] = {}


def _nbval_compare_outputs(self, test, ref, skip_compare=None) -> bool:  # noqa: ANN001
    """Replaces ``nbval.plugin.IPyNbCell.compare_outputs`` (same signature and contract)."""
    from nbval.plugin import transform_streams_for_comparison

    skip = skip_compare or self.parent.skip_compare
    tolerance = tolerance_of(self.cell.metadata) or DETERMINISTIC

    def clean(value: Any) -> Any:  # nbval's --nbval-sanitize-with patterns, on text only
        return self.sanitize(value) if isinstance(value, str) else value

    def sanitized(outputs):  # noqa: ANN001, ANN202
        return [
            {
                k: ({m: clean(c) for m, c in v.items()} if k == "data" else clean(v))
                for k, v in o.items()
            }
            for o in transform_streams_for_comparison(outputs)
        ]

    problems = compare_outputs(sanitized(ref), sanitized(test), tolerance, skip)
    self.comparison_traceback = [f"compared with tolerance {tolerance.describe()}", *problems]
    return not problems


def pytest_configure(config: pytest.Config) -> None:
    from nbval.plugin import IPyNbCell

    config._nbval_original_compare = IPyNbCell.compare_outputs  # type: ignore[attr-defined]
    IPyNbCell.compare_outputs = _nbval_compare_outputs


def pytest_unconfigure(config: pytest.Config) -> None:
    from nbval.plugin import IPyNbCell

    original = getattr(config, "_nbval_original_compare", None)
    if original is not None:
        IPyNbCell.compare_outputs = original


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Count the notebook cells by how their outputs are compared."""
    from nbval.plugin import IPyNbCell

    for item in items:
        if not isinstance(item, IPyNbCell):
            continue
        if not item.options.get("check", True) or item.options.get("skip"):
            _counts["excluded"] += 1
            continue
        tolerance = tolerance_of(item.cell.metadata)
        if tolerance is None:
            _counts["exact"] += 1
            continue
        _counts["tolerance"] += 1
        for bound in (tolerance, *(rule for _, rule in (*tolerance.lines, *tolerance.glue))):
            for kind in ("abs", "rel"):
                value = getattr(bound, kind)
                if kind not in _largest or value > getattr(_largest[kind][0], kind):
                    _largest[kind] = (bound, item.nodeid)


def summary_line() -> str:
    """One line: how many cells were compared exactly, with a tolerance, or not at all."""
    largest = "; ".join(
        f"largest {kind} {getattr(tol, kind):g} in {where}"
        for kind, (tol, where) in sorted(_largest.items())
        if getattr(tol, kind) > 0
    )
    return (
        f"notebook outputs: {_counts['exact']} cells compared exactly (numbers to "
        f"{DETERMINISTIC.rel:g} relative), {_counts['tolerance']} within a declared tolerance"
        f"{' (' + largest + ')' if largest else ''}, {_counts['excluded']} excluded "
        "(wall-clock timings)"
    )


SAVE_EXECUTED_ENV = "BOOK_NBVAL_SAVE_EXECUTED"
"""Set to a folder to keep a copy of every notebook with the outputs of this run (see below)."""


def save_executed(items: Sequence[pytest.Item], folder: Path, root: Path) -> list[Path]:
    """Write each notebook of ``items`` with the outputs this run produced, under ``folder``.

    A run on another CPU code path (``make test-portable``) then leaves its outputs behind, and
    ``python -m tests.nbval_tolerance --check`` can test the other direction: those outputs as the
    reference, the stored ones as the re-run. Cells that were not executed keep their stored
    outputs. Returns the paths written.
    """
    import nbformat
    from nbval.plugin import IPyNbCell

    by_notebook: dict[Path, dict[int, list[Any]]] = defaultdict(dict)
    for item in items:
        if isinstance(item, IPyNbCell) and item.test_outputs is not None:
            by_notebook[Path(str(item.parent.fspath))][item.cell_num] = item.test_outputs
    written = []
    for path, outputs in sorted(by_notebook.items()):
        notebook = nbformat.read(path, as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        for index, cell_outputs in outputs.items():
            code[index].outputs = [nbformat.from_dict(dict(o)) for o in cell_outputs]
        inside = path.resolve().is_relative_to(root.resolve())
        target = folder / (path.resolve().relative_to(root.resolve()) if inside else path.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written.append(target)
    return written


def pytest_sessionfinish(session: pytest.Session) -> None:
    if folder := os.environ.get(SAVE_EXECUTED_ENV):
        save_executed(session.items, Path(folder), Path(str(session.config.rootpath)))


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    if sum(_counts.values()):
        terminalreporter.write_line(summary_line())


# ---- measuring the spread that justifies a tolerance ---------------------------------------------


NBVAL_SKIPPED = (
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
)
"""What nbval leaves out of its comparison (its default ``skip_compare``, images included)."""


def comparable(outputs: Sequence[Mapping[str, Any]]) -> list[Any]:
    """A stored cell's outputs as nbval compares them (streams merged, as a copy)."""
    from nbval.plugin import coalesce_streams, transform_streams_for_comparison

    return transform_streams_for_comparison(coalesce_streams(copy.deepcopy(list(outputs))))


def spread(reference: Any, others: Sequence[Any]) -> list[dict[str, Any]]:
    """Per code cell, how far the numbers of other executions of a notebook are from ``reference``.

    Args:
        reference: The notebook with the stored outputs (an ``nbformat`` node).
        others: The same notebook executed elsewhere (another CPU code path), same cells.

    Returns:
        One row per code cell whose outputs differ: ``{"cell", "max_abs", "max_rel", "text"}``,
        with ``text`` a description of any difference that is not a number (``None`` if none).
    """
    rows = []
    ref_cells = [c for c in reference.cells if c.cell_type == "code"]
    for other in others:
        other_cells = [c for c in other.cells if c.cell_type == "code"]
        for index, (left, right) in enumerate(zip(ref_cells, other_cells, strict=False)):
            stored = flatten_outputs(comparable(left.outputs), NBVAL_SKIPPED)
            test = flatten_outputs(comparable(right.outputs), NBVAL_SKIPPED)
            max_abs = max_rel = 0.0
            text = None
            for key in sorted(set(stored) | set(test)):
                for a, b in zip(stored.get(key, []), test.get(key, []), strict=False):
                    if not (isinstance(a, str) and isinstance(b, str)):
                        text = text or (None if a == b else f"{key}: data differs")
                        continue
                    (wa, na), (wb, nb) = split_numbers(a), split_numbers(b)
                    if wa != wb or len(na) != len(nb):
                        text = text or compare_text(a, b, Tolerance(abs=math.inf))
                        continue
                    for x, y in zip(na, nb, strict=False):
                        if x != y and not (math.isnan(x) and math.isnan(y)):
                            max_abs = max(max_abs, abs(x - y))
                            max_rel = max(max_rel, abs(x - y) / max(abs(x), 1e-12))
                if len(stored.get(key, [])) != len(test.get(key, [])):
                    text = text or f"{key}: output count differs"
            if max_abs or text:
                rows.append({"cell": index, "max_abs": max_abs, "max_rel": max_rel, "text": text})
    return rows


def check(reference: Any, other: Any, tolerances: Any) -> list[str]:
    """nbval's verdict on ``other`` re-run against ``reference``, without executing anything.

    Args:
        reference: The notebook taken as the stored outputs.
        other: The same notebook executed elsewhere.
        tolerances: The notebook whose cell metadata declares the tolerances (the committed one).

    Returns:
        One line per code cell that would fail, naming the cell and the first difference.
    """
    from nbval.plugin import find_comment_markers, find_metadata_tags

    failures = []
    code_cells = [
        [c for c in nb.cells if c.cell_type == "code"] for nb in (reference, other, tolerances)
    ]
    for index, (left, right, declared) in enumerate(zip(*code_cells, strict=True)):
        options = dict(find_metadata_tags(declared.metadata))
        options.update(find_comment_markers(declared.source))
        if options.get("check") is False or options.get("skip"):
            continue
        tolerance = tolerance_of(declared.metadata) or DETERMINISTIC
        problems = compare_outputs(
            comparable(left.outputs), comparable(right.outputs), tolerance, NBVAL_SKIPPED
        )
        if problems:
            failures.append(f"code cell {index} ({tolerance.describe()}): {problems[0]}")
    return failures


def main(argv: Sequence[str] | None = None) -> None:
    """Print the spread between executions of a notebook, or (``--check``) what nbval would fail.

    ``python -m tests.nbval_tolerance REFERENCE.ipynb OTHER.ipynb [...]`` prints, per code cell,
    how far the numbers of each OTHER execution are from REFERENCE. With ``--check`` it prints the
    cells that would fail if REFERENCE were the stored outputs and OTHER this run's, using the
    tolerances of ``--tolerances`` (default: REFERENCE's), and exits 1 when any would.
    """
    import argparse

    import nbformat

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("reference")
    parser.add_argument("others", nargs="+")
    parser.add_argument("--check", action="store_true", help="report failures, not the spread")
    parser.add_argument("--tolerances", help="notebook whose metadata declares the tolerances")
    args = parser.parse_args(argv)
    reference = nbformat.read(args.reference, as_version=4)
    others = [nbformat.read(path, as_version=4) for path in args.others]
    if args.check:
        declared = nbformat.read(args.tolerances, as_version=4) if args.tolerances else reference
        failures = [line for other in others for line in check(reference, other, declared)]
        print("\n".join(failures) or f"{args.reference}: every compared cell agrees")
        raise SystemExit(1 if failures else 0)
    code = [c for c in reference.cells if c.cell_type == "code"]
    for row in spread(reference, others):
        declared = tolerance_of(code[row["cell"]].metadata)
        print(
            f"code cell {row['cell']:3d}: max |diff| {row['max_abs']:.3g}, "
            f"max rel {row['max_rel']:.3g}"
            f"{'; declared ' + declared.describe() if declared else ''}"
            f"{'; TEXT: ' + row['text'] if row['text'] else ''}"
        )


if __name__ == "__main__":
    main()
