"""The book as one PDF (``make pdf`` builds ``_build/pdf/book.pdf``, then runs these checks).

Read with poppler's ``pdfinfo``, ``pdftotext`` and ``pdfimages``: a sane page count, every part of
``_toc.yml`` present, all math typeset (no TeX source left), and the figures embedded. Building the
PDF takes minutes, so ``make test`` does not: without a built PDF (or without poppler) these tests
are skipped with a note.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.test_book import CONFIG, NOTEBOOKS, ROOT, TOC
from tests.test_repository_files import VERSION

PDF = ROOT / "_build" / "pdf" / "book.pdf"


def _poppler(tool: str, *args: str, to_stdout: bool = False) -> str:
    """What poppler's ``tool`` prints for the PDF (``to_stdout``: tools that take ``-`` as file)."""
    if not PDF.is_file():
        pytest.skip(f"{PDF.relative_to(ROOT)} is not built: `make pdf` builds and checks it")
    if not shutil.which(tool):
        pytest.skip(f"{tool} is missing: install poppler-utils (`make pdf` does, as root)")
    command = [tool, *args, str(PDF), *(["-"] if to_stdout else [])]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def text() -> str:
    return " ".join(_poppler("pdftotext", "-enc", "UTF-8", to_stdout=True).split())


def test_page_count_is_sane():
    pages = int(re.search(r"^Pages:\s+(\d+)", _poppler("pdfinfo"), re.M)[1])
    assert 60 <= pages <= 600, f"{pages} pages"


def test_every_part_and_the_contents_are_in_the_pdf(text: str):
    captions = [part["caption"] for part in TOC["parts"]]
    missing = [caption for caption in captions if caption not in text]
    assert not missing, f"part titles missing from the PDF: {missing}"
    assert text.startswith(f"{CONFIG['title']} Version {VERSION} Contents"), (
        "title page and contents open the PDF"
    )


def test_math_is_typeset(text: str):
    raw = [tex for tex in ("$$", "\\frac", "\\begin{", "\\mathbb", "\\sum") if tex in text]
    assert not raw, f"TeX source left in the PDF (MathJax did not typeset it): {raw}"


def test_figures_are_embedded():
    rows = _poppler("pdfimages", "-list").splitlines()[2:]  # two header lines
    figures = sum(
        "image/png" in output.get("data", {})
        for path in NOTEBOOKS
        for cell in json.loads(path.read_text())["cells"]
        for output in cell.get("outputs", [])
    )
    assert figures > 0 and len(rows) >= figures, (
        f"{len(rows)} images in the PDF, {figures} figures in the notebooks"
    )
