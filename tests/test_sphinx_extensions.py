"""The book's own Sphinx extensions (_ext/), unit by unit; tests/test_build.py checks a build."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.builders.html._assets import _JavaScript
from sphinx.errors import ExtensionError

from _ext import book_version, site_assets
from _ext.run_times import format_seconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "1 s"), (7.4, "7 s"), (59.6, "1 min 0 s"), (106.2, "1 min 46 s"), (180.0, "3 min 0 s")],
)
def test_run_times_read_like_a_person_writes_them(seconds, text):
    assert format_seconds(seconds) == text


def test_repeated_scripts_are_dropped_and_the_list_is_kept():
    scripts = [
        _JavaScript("a.js"),
        _JavaScript(None, body="const X = 1"),
        _JavaScript("b.js"),
        _JavaScript("", body="const X = 1"),
        _JavaScript("a.js"),
        _JavaScript("", body="const Y = 2"),
    ]
    context = {"script_files": scripts}
    site_assets.drop_repeated_scripts(None, "page", "page.html", context, None)
    assert context["script_files"] is scripts, "other handlers append to the same list object"
    assert [(s.filename, s.attributes) for s in scripts] == [
        ("a.js", {}),
        (None, {"body": "const X = 1"}),
        ("b.js", {}),
        ("", {"body": "const Y = 2"}),
    ]


def test_a_missing_mathjax_says_how_to_install_it(tmp_path: Path):
    app = SimpleNamespace(srcdir=tmp_path, builder=SimpleNamespace(format="html"))
    with pytest.raises(ExtensionError, match="npm ci"):
        site_assets.check_mathjax_is_installed(app)
    (tmp_path / site_assets.SOURCE).mkdir(parents=True)
    (tmp_path / site_assets.SOURCE / site_assets.ENTRY).write_text("// MathJax")
    site_assets.check_mathjax_is_installed(app)


def test_book_version_is_the_pyproject_version(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1.2.3"\n')
    config = SimpleNamespace(myst_substitutions={"other": "kept"})
    book_version.add_version_substitution(SimpleNamespace(srcdir=str(tmp_path)), config)
    assert config.myst_substitutions == {"other": "kept", "version": "1.2.3"}
