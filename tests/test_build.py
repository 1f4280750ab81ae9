"""The book build, from the outputs stored in the notebooks (which nbval verifies).

``make book`` executes every notebook; this test renders the stored outputs instead, so the
test command does not execute every notebook twice. It fails on any Sphinx warning (``-W -n``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.test_book import CONFIG, NOTEBOOKS, ROOT, TOC_FILES

OUTPUT = ROOT / "_build" / "test"
HTML = OUTPUT / "_build" / "html"


@pytest.fixture(scope="module")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = {**CONFIG, "execute": {**CONFIG["execute"], "execute_notebooks": "off"}}
    config_file = tmp_path_factory.mktemp("config") / "_config.yml"
    config_file.write_text(yaml.safe_dump(config))
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--config", str(config_file), "--path-output",
         str(OUTPUT), "--all", "-W", "-n", "--keep-going"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, f"book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    return HTML


def test_every_page_is_built(built_book):
    for entry in TOC_FILES:
        assert (built_book / f"{entry}.html").is_file(), entry


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_figures_and_math_reach_the_page(built_book, path):
    page = (built_book / path.relative_to(ROOT).with_suffix(".html")).read_text()
    notebook = json.loads(path.read_text())
    figures = sum(1 for c in notebook["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    assert len(re.findall(r"<img [^>]*src=\"[^\"]*\.png\"", page)) >= figures
    if any("$$" in "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"):
        assert 'class="math notranslate' in page
    assert "Traceback (most recent call last)" not in page


def test_bibliography_is_rendered(built_book):
    assert "Guo" in (built_book / "chapters" / "references.html").read_text()
