"""Every page of the built book in a real browser (headless Chromium), as a reader sees it.

For each page of ``_toc.yml`` this asserts: no JavaScript errors, no request to anything outside
the site (the book must work offline), no failed request, every image decoded with a non-zero size,
all math typeset by the site's own MathJax with no raw TeX left, no error, traceback or stderr
output in any cell, and the previous/next links following the table of contents. The site's
search is tried offline. A screenshot of every page, in the theme's light and dark modes, lands in
``_build/screenshots/``.

Chromium comes from Debian (``make browser``, which ``make test`` runs, installs it when missing and
allowed to). Without it the test is skipped with a message, unless ``BOOK_REQUIRE_BROWSER=1`` (CI
sets it) makes that a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_book import ROOT, TOC_FILES

pytestmark = pytest.mark.after_notebooks

SCREENSHOTS = ROOT / "_build" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
#: Chromium flags for a container run as root with no display and no network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHECKED: list[str] = []


def _chromium() -> str:
    path = (
        os.environ.get("BOOK_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if path:
        return path
    message = (
        "Chromium is not installed, so the rendered book was NOT checked in a browser: "
        "install Debian's `chromium` (`make browser` does, as root) or set BOOK_CHROMIUM."
    )
    if os.environ.get("BOOK_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def site(built_book: Path) -> Iterator[str]:
    """The built book served over HTTP on a free loopback port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _visit(
    browser: object, url: str, site: str, color_scheme: str = "light"
) -> tuple[object, dict]:
    """Open ``url``; returns the page and what went wrong while loading it."""
    context = browser.new_context(viewport=VIEWPORT, color_scheme=color_scheme)
    page = context.new_page()
    problems: dict[str, list[str]] = {
        "console errors": [],
        "outside requests": [],
        "failed requests": [],
    }
    page.on("console", lambda m: m.type == "error" and problems["console errors"].append(m.text))
    page.on("pageerror", lambda e: problems["console errors"].append(str(e)))
    page.on(
        "request",
        lambda r: (
            not r.url.startswith((site, "data:", "blob:"))
            and problems["outside requests"].append(r.url)
        ),
    )
    page.on("requestfailed", lambda r: problems["failed requests"].append(f"{r.url} ({r.failure})"))
    page.on(
        "response",
        lambda r: r.status >= 400 and problems["failed requests"].append(f"{r.url} ({r.status})"),
    )
    page.goto(url, wait_until="load")
    if page.locator(".math").count():  # MathJax loads asynchronously and typesets after "load"
        page.wait_for_function("() => window.MathJax?.startup?.promise", timeout=30_000)
        page.evaluate("() => MathJax.startup.promise")
    page.wait_for_load_state("networkidle")
    return page, problems


def _screenshot_name(entry: str) -> str:
    return entry.replace("/", "__")


@pytest.mark.parametrize("index", range(len(TOC_FILES)), ids=TOC_FILES)
def test_page_renders_offline_in_a_browser(browser, site, index):
    entry = TOC_FILES[index]
    page, problems = _visit(browser, f"{site}{entry}.html", site)
    assert not any(problems.values()), problems

    broken = page.evaluate("""() => Array.from(document.images)
        .filter(i => !(i.complete && i.naturalWidth > 0 && i.naturalHeight > 0))
        .map(i => i.src)""")
    assert broken == [], f"images not shown: {broken}"

    math = page.evaluate("""() => ({
        nodes: document.querySelectorAll('.math').length,
        raw: Array.from(document.querySelectorAll('.math'))
            .filter(m => !m.querySelector('mjx-container')).length,
        text: document.querySelector('main').innerText})""")
    assert math["raw"] == 0, f"{math['raw']} of {math['nodes']} math elements left untypeset"
    for raw in ("$$", "\\begin{", "\\frac"):
        assert raw not in math["text"], f"raw TeX {raw!r} visible on the page"
    if (ROOT / f"{entry}.ipynb").exists():
        assert page.locator(".cell_output :is(.stderr, .traceback, .error)").count() == 0, (
            "error output"
        )
        assert "Traceback (most recent call last)" not in math["text"]
        assert page.locator(".run-time").count() == 1, "no run-time note"

    previous = page.evaluate("() => document.querySelector('a.left-prev')?.href ?? null")
    following = page.evaluate("() => document.querySelector('a.right-next')?.href ?? null")
    expected_previous = f"{site}{TOC_FILES[index - 1]}.html" if index > 0 else None
    expected_next = f"{site}{TOC_FILES[index + 1]}.html" if index + 1 < len(TOC_FILES) else None
    if index > 0:
        assert previous == expected_previous
    assert following == expected_next

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{_screenshot_name(entry)}.png")
    page.context.close()
    dark, problems = _visit(browser, f"{site}{entry}.html", site, color_scheme="dark")
    assert not any(problems.values()), problems
    assert dark.evaluate("() => document.documentElement.dataset.theme") == "dark"
    dark.screenshot(path=SCREENSHOTS / f"{_screenshot_name(entry)}.dark.png")
    dark.context.close()
    CHECKED.append(entry)


def test_search_works_offline(browser, site):
    page, problems = _visit(browser, f"{site}search.html?q=calibration", site)
    page.wait_for_selector("#search-results ul.search li", timeout=30_000)
    hits = page.evaluate(
        "() => Array.from(document.querySelectorAll('#search-results ul.search li a'))"
        ".map(a => a.href)"
    )
    assert any("02-calibration" in hit for hit in hits), hits
    assert not any(problems.values()), problems
    page.context.close()


def test_every_page_was_checked(request, capsys):
    """Runs last in this module: prints the count, fails if a selected page was not checked."""
    message = (
        f"browser test: {len(CHECKED)} of {len(TOC_FILES)} pages checked, "
        f"screenshots in {SCREENSHOTS}"
    )
    with capsys.disabled():
        print(f"\n{message}")
    selected = [
        item.callspec.id
        for item in request.session.items  # nbval's cells have no originalname
        if getattr(item, "originalname", None) == "test_page_renders_offline_in_a_browser"
    ]
    assert sorted(CHECKED) == sorted(selected), (
        f"{message}; failed: {sorted(set(selected) - set(CHECKED))}"
    )
