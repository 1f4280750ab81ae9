"""What the built site loads: everything from the site itself, so the book works offline, and once.

- MathJax comes from the npm registry, not a CDN: ``package.json`` pins it and ``make setup``
  installs it with ``npm ci`` into ``node_modules/``. This extension points Sphinx at a copy under
  ``_static/`` and copies MathJax's browser bundle (``es5/``: the script, its fonts and the
  extensions it loads on demand) into every HTML build.
- sphinx-thebe adds its inline configuration script twice in Jupyter Book builds, which the
  browser reports as an error ("Identifier 'THEBE_JS_URL' has already been declared"); each page
  keeps only the first copy of a script.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

#: MathJax's browser bundle inside the npm package.
SOURCE = Path("node_modules") / "mathjax" / "es5"
#: Where the bundle lands inside the built site's ``_static/``.
TARGET = "mathjax"
#: The same combined component (TeX and MathML input, CommonHTML output) the Sphinx default loads.
ENTRY = "tex-mml-chtml.js"


def _source(app: Sphinx) -> Path:
    return Path(app.srcdir) / SOURCE


def use_local_mathjax(app: Sphinx, config: Config) -> None:
    """Point ``mathjax_path`` (relative to ``_static/``) at the local copy."""
    config.mathjax_path = f"{TARGET}/{ENTRY}"


def check_mathjax_is_installed(app: Sphinx) -> None:
    """Stop the build with what to do when MathJax has not been installed."""
    if app.builder.format == "html" and not (_source(app) / ENTRY).is_file():
        raise ExtensionError(
            f"MathJax is not installed: {_source(app) / ENTRY} is missing. Run `npm ci` in the "
            "book's folder (`make setup` does it); the book serves MathJax itself so that math "
            "renders without a network."
        )


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """Copy the bundle into ``_static/mathjax`` of a successful HTML build."""
    if exception is None and app.builder.format == "html":
        shutil.copytree(_source(app), Path(app.outdir) / "_static" / TARGET, dirs_exist_ok=True)


def drop_repeated_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Keep the first of identical ``<script>`` entries (same file, same attributes and body).

    An inline script's file name is ``None`` or ``""`` depending on who added it; both mean none.
    """
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {})
        key = (str(getattr(script, "filename", script) or ""), repr(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique  # the same list other handlers append to


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("config-inited", use_local_mathjax, priority=900)
    app.connect("builder-inited", check_mathjax_is_installed)
    app.connect("build-finished", copy_mathjax)
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
