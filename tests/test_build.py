"""The built book, read as files: pages, internal links and anchors, figures, run times, buttons.

The ``built_book`` fixture (tests/conftest.py) builds the HTML once per session from the outputs
stored in the notebooks, failing on any Sphinx warning (``-W -n``: nitpicky cross-references).
What only a browser can tell (scripts, math typesetting, images decoded, search) is in
tests/test_browser.py.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import tomllib
from PIL import Image

from tests.test_book import CONFIG, NOTEBOOK_IDS, NOTEBOOKS, ROOT, TOC_FILES, solution_code_cells

pytestmark = pytest.mark.after_notebooks


class _Page(HTMLParser):
    """The link targets and element ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.assets: list[
            str
        ] = []  # what the browser loads by itself: scripts, styles, icons, images
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.ids.update(v for k, v in attrs if k in ("id", "name") and v)
        attribute = {"a": "href", "link": "href", "img": "src", "script": "src"}.get(tag)
        if attribute and attributes.get(attribute):
            self.links.append(attributes[attribute])
            loaded = tag != "link" or set((attributes.get("rel") or "").split()) & {
                "stylesheet",
                "icon",
                "preload",
                "modulepreload",
            }
            if tag != "a" and loaded:
                self.assets.append(attributes[attribute])


class _CellOutputs(HTMLParser):
    """Where each code cell's output sits: after the first exercise or not, in a solution or not."""

    def __init__(self) -> None:
        super().__init__()
        self.open_divs: list[set[str]] = []
        self.seen_exercise = False
        self.outputs: list[
            tuple[bool, bool]
        ] = []  # (after the first exercise, inside a dropdown solution)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "div":
            return
        classes = set((dict(attrs).get("class") or "").split())
        self.seen_exercise |= "exercise" in classes
        if "cell_output" in classes:
            hidden = any({"solution", "dropdown"} <= open_div for open_div in self.open_divs)
            self.outputs.append((self.seen_exercise, hidden))
        self.open_divs.append(classes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self.open_divs.pop()


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_every_page_is_built(built_book):
    for entry in TOC_FILES:
        assert (built_book / f"{entry}.html").is_file(), entry


def test_first_page_shows_the_pyproject_version(built_book):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    intro = (built_book / f"{TOC_FILES[0]}.html").read_text(encoding="utf-8")
    assert f"version <strong>{version}</strong>" in intro


def test_internal_links_and_anchors_resolve(built_book):
    pages = {
        path: _parse(path) for path in built_book.rglob("*.html") if "_static" not in path.parts
    }
    broken = []
    for path, page in pages.items():
        for link in page.links:
            url = urlsplit(link)
            if url.scheme or url.netloc or link.startswith(("mailto:", "javascript:")):
                continue
            target = (path.parent / unquote(url.path)).resolve() if url.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{path.relative_to(built_book)}: {link} (no such file)")
            elif url.fragment and target.suffix == ".html":
                ids = (pages.get(target) or _parse(target)).ids
                if unquote(url.fragment) not in ids:
                    broken.append(f"{path.relative_to(built_book)}: {link} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken)
    assert len(pages) >= len(TOC_FILES)


def test_no_script_style_icon_or_image_is_fetched_from_outside(built_book):
    for path in built_book.rglob("*.html"):
        outside = [url for url in _parse(path).assets if urlsplit(url).netloc]
        assert not outside, f"{path.relative_to(built_book)} loads {outside}"
    assert (built_book / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    css = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in (built_book / "_static").rglob("*.css")
    )
    assert not re.findall(r"@import\s+url\(\s*['\"]?https?:", css), (
        "a stylesheet imports from outside the site"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_every_figure_has_alt_text_and_a_caption(built_book, path):
    page = (built_book / path.relative_to(ROOT).with_suffix(".html")).read_text(encoding="utf-8")
    notebook = json.loads(path.read_text())
    figures = sum(
        1
        for c in notebook["cells"]
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    )
    blocks = re.findall(r"<figure\b.*?</figure>", page, flags=re.S)
    images = [b for b in blocks if "_images/" in b]
    assert len(images) == figures, "every figure of the notebook is a captioned <figure>"
    for block in images:
        alt = re.search(r'<img [^>]*alt="([^"]*)"', block)
        assert alt and len(alt.group(1).split()) >= 4, (
            f"figure without descriptive alt text: {block[:200]}"
        )
        caption = re.search(r"<figcaption>(.*?)</figcaption>", block, flags=re.S)
        assert caption and len(re.sub(r"<[^>]+>", " ", caption.group(1)).split()) >= 6, block[:300]
    assert "Traceback (most recent call last)" not in page


def test_figures_carry_their_own_opaque_background(built_book):
    """Readable in the dark mode too: no transparent figure lets the dark page show through."""
    pngs = list((built_book / "_images").glob("*.png"))
    assert pngs
    for png in pngs:
        image = Image.open(png)
        if image.mode in ("RGBA", "LA") or "transparency" in image.info:
            assert image.convert("RGBA").getchannel("A").getextrema()[0] == 255, png.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_every_notebook_page_shows_its_measured_run_time(built_book, path, notebook_times_file):
    from _ext.run_times import format_seconds

    page = (built_book / path.relative_to(ROOT).with_suffix(".html")).read_text(encoding="utf-8")
    seconds = json.loads(notebook_times_file.read_text())[str(path.relative_to(ROOT))]
    note = re.search(r'class="[^"]*\brun-time\b[^"]*">(.*?)</div>', page, flags=re.S)
    assert note, "no run-time note under the title"
    assert f"This page ran in {format_seconds(seconds)} on a" in note.group(1)


def test_part_pages_and_the_first_page_show_the_run_time_of_their_notebooks(
    built_book, notebook_times_file
):
    from _ext.run_times import format_seconds

    times = json.loads(notebook_times_file.read_text())
    for index in sorted((ROOT / "chapters").glob("*/index.md")):
        page = (built_book / index.relative_to(ROOT).with_suffix(".html")).read_text(
            encoding="utf-8"
        )
        notebooks = [str(p.relative_to(ROOT)) for p in index.parent.glob("*.ipynb")]
        total = format_seconds(sum(times[n] for n in notebooks))
        assert f"The {len(notebooks)} pages with code of this part ran in {total} in all" in page
    first = (built_book / f"{TOC_FILES[0]}.html").read_text(encoding="utf-8")
    total = format_seconds(sum(times[n] for n in NOTEBOOK_IDS))
    assert f"The {len(NOTEBOOKS)} pages with code of this book ran in {total} in all" in first


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_launch_and_download_buttons_point_at_this_notebook(built_book, path):
    relative = str(path.relative_to(ROOT))
    page = (built_book / path.relative_to(ROOT).with_suffix(".html")).read_text(encoding="utf-8")
    repository = urlsplit(CONFIG["repository"]["url"]).path.strip("/")
    branch = CONFIG["repository"]["branch"]
    hrefs = set(re.findall(r'href="([^"]+)"', page))
    assert (
        f"https://colab.research.google.com/github/{repository}/blob/{branch}/{relative}" in hrefs
    )
    binder = f"https://mybinder.org/v2/gh/{repository}/{branch}?urlpath=lab/tree/{relative}"
    assert binder in {h.replace("&amp;", "&") for h in hrefs}, sorted(
        h for h in hrefs if "binder" in h
    )
    download = f"_sources/{relative}"
    source = [h for h in hrefs if h.endswith(download)]
    assert source, "no .ipynb download button"
    served = (built_book / path.relative_to(ROOT).parent / source[0]).resolve()
    assert json.loads(served.read_text()) == json.loads(path.read_text())


def test_markdown_pages_offer_their_source(built_book):
    for entry in TOC_FILES:
        if (ROOT / f"{entry}.md").is_file():
            page = (built_book / f"{entry}.html").read_text(encoding="utf-8")
            source = re.search(r'href="([^"]*_sources/[^"]+\.md)"', page)
            assert source, f"{entry}: no .md download button"
            served = (built_book / entry).parent / source.group(1)
            assert served.resolve().read_text() == (ROOT / f"{entry}.md").read_text()


def test_bibliography_is_rendered(built_book):
    assert "Guo" in (built_book / "chapters" / "references.html").read_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_solution_outputs_stay_hidden_until_the_solution_is_opened(built_book, path):
    """No answer shows under an exercise: every output after the first exercise is in a solution."""
    outputs = _CellOutputs()
    outputs.feed(
        (built_book / path.relative_to(ROOT).with_suffix(".html")).read_text(encoding="utf-8")
    )
    visible = [
        n
        for n, (after_exercise, hidden) in enumerate(outputs.outputs)
        if after_exercise and not hidden
    ]
    assert not visible, (
        f"cell outputs {visible} of the page show below an exercise, outside its solution"
    )
    expected = sum(1 for cell in solution_code_cells(path) if cell.get("outputs"))
    assert sum(hidden for _, hidden in outputs.outputs) == expected, (
        "a solution's output is missing or shown twice"
    )
