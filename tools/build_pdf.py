"""Build the whole book as one PDF: ``_build/pdf/book.pdf`` (``make pdf`` runs this).

1. Jupyter Book's single-page HTML builder renders every page of ``_toc.yml`` from the outputs
   stored in the notebooks (nothing is executed), with the book's own MathJax (see
   ``_ext/site_assets.py``), failing on any Sphinx warning like the HTML build.
2. Headless Chromium (Debian's, as for ``tests/test_browser.py``; or the one ``BOOK_CHROMIUM``
   names) opens that page, waits until MathJax has typeset every formula, puts the table of
   contents on the first pages, and prints it to A4 with page numbers and PDF bookmarks.

The run-time notes of the HTML pages are left out: they need the times of an execution.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import tomllib
import yaml

from tools.book_build import build_from_stored_outputs

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "_build" / "pdf"
PDF = OUTPUT / "book.pdf"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Opens the page with the version and a table of contents (parts as in ``_toc.yml``, each page
#: by its title, linked), puts each part's title before its first page, and starts every page on a
#: new sheet. Takes ``{version, parts}``, the parts as :func:`toc_parts` returns them.
FRONT_MATTER = """({version, parts}) => {
  const page = (doc) => {
    const anchor = document.getElementById('document-' + doc);
    const section = anchor && anchor.nextElementSibling;
    const heading = section && section.querySelector('h1, h2, h3');
    if (!heading) throw new Error(`the single-page build has no page ${doc}`);
    return {anchor, section, title: heading.textContent.replace(/#$/, '').trim()};
  };
  const article = document.querySelector('article.bd-article');
  const front = document.createElement('section');
  front.id = 'front-matter';
  // the theme prints the book's title above the article
  front.innerHTML = `<p>Version ${version}</p><h2>Contents</h2>`;
  for (const part of parts) {
    const caption = document.createElement('h3');
    caption.textContent = part.caption;
    front.appendChild(caption);
    part.docs.forEach((doc, i) => {
      const {anchor, section, title} = page(doc);
      const line = document.createElement('p');
      line.innerHTML = `<a href="#document-${doc}"></a>`;
      line.firstChild.textContent = title;
      line.style.margin = '0 0 0.3em 1.5em';
      front.appendChild(line);
      section.style.breakBefore = 'page';
      if (i === 0) {
        const banner = document.createElement('h1');
        banner.className = 'part-title';
        banner.textContent = part.caption;
        banner.style.breakBefore = 'page';
        anchor.before(banner);
        section.style.breakBefore = 'auto';
      }
    });
  }
  article.prepend(front);
  article.querySelector('section#front-matter + section').style.breakBefore = 'page';
}"""
CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer, .bd-footer-article,
.header-article-main, .prev-next-area, .headerlink,
.toggle-hidden button { display: none !important; }
.bd-page-width, .bd-main, .bd-main .bd-content, .bd-article-container, .bd-container__inner {
  max-width: none !important; padding: 0 !important; margin: 0 !important; }
/* the theme's print style hides an article's first h1 (its page title); part titles are ours */
.bd-main .bd-content .bd-article h1.part-title { display: block !important; font-size: 2.6em; }
pre { white-space: pre-wrap !important; }
figure, img, .cell_output, table { break-inside: avoid; }
"""


def book_version() -> str:
    """``[project] version`` of ``pyproject.toml``."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def toc_parts() -> list[dict]:
    """The parts of ``_toc.yml``: ``[{"caption": ..., "docs": [docname, ...]}]``, in order."""

    def files(entries: list[dict]) -> list[str]:
        return [
            name
            for entry in entries
            for name in ([entry["file"]] if "file" in entry else [])
            + files(entry.get("chapters", []) + entry.get("sections", []))
        ]

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [{"caption": part["caption"], "docs": files(part["chapters"])} for part in toc["parts"]]


def chromium() -> str:
    """The Chromium to print with; a clear error when there is none."""
    path = (
        os.environ.get("BOOK_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        raise SystemExit(
            "Chromium is not installed: install Debian's `chromium` (`make browser` does, "
            "as root) or set BOOK_CHROMIUM to a Chromium or Chrome executable."
        )
    return path


def build_single_html(output: Path) -> Path:
    """Render the book from the stored outputs into one HTML page; returns its folder."""
    with tempfile.TemporaryDirectory() as folder:
        result = build_from_stored_outputs(
            output,
            Path(folder),
            builder="singlehtml",
            add_extensions={"single_page": "_ext/"},
            drop_extensions=("run_times",),
        )
    if result.returncode != 0:
        raise SystemExit(
            f"the single-page HTML build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
        )
    return output / "_build" / "singlehtml"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def print_pdf(site: Path, pdf: Path) -> None:
    """Serve ``site`` on a loopback port and print its single page to ``pdf`` with Chromium."""
    # The builder writes the page under the root's name (chapters/intro.html) with links relative
    # to the site's top folder, so it is opened from there.
    root = yaml.safe_load((ROOT / "_toc.yml").read_text())["root"]
    shutil.copy(site / f"{root}.html", site / "book.html")
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
            page = browser.new_page(color_scheme="light")
            page.goto(
                f"http://127.0.0.1:{server.server_address[1]}/book.html",
                wait_until="load",
                timeout=300_000,
            )
            page.evaluate("() => document.documentElement.dataset.theme = 'light'")
            page.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=60_000
            )
            page.evaluate("() => MathJax.startup.promise")
            page.evaluate(FRONT_MATTER, {"version": book_version(), "parts": toc_parts()})
            page.add_style_tag(content=CSS)
            page.pdf(
                path=str(pdf),
                print_background=True,
                prefer_css_page_size=True,
                outline=True,
                tagged=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                '<span class="pageNumber"></span></div>',
            )
            browser.close()
    finally:
        server.shutdown()


def main() -> None:
    start = time.perf_counter()
    if OUTPUT.exists():
        shutil.rmtree(OUTPUT)
    site = build_single_html(OUTPUT)
    built = time.perf_counter()
    print_pdf(site, PDF)
    print(
        f"{PDF.relative_to(ROOT)}: {PDF.stat().st_size / 1e6:.1f} MB (HTML {built - start:.0f} s, "
        f"PDF {time.perf_counter() - built:.0f} s)"
    )


if __name__ == "__main__":
    main()
