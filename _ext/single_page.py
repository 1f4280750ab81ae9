"""Lets Sphinx's single-page HTML builder render the book, for the PDF (``tools/build_pdf.py``).

Sphinx looks up how to render a node by the builder's name, and MyST-NB registers its nodes (the
hidden code cells) for ``html`` only, so ``singlehtml`` stops at the first of them. This copies
every ``html`` rendering that ``singlehtml`` lacks.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def share_html_renderings(app: Sphinx) -> None:
    """Give ``singlehtml`` the node visitors registered for ``html`` only."""
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, visitors in handlers.get("html", {}).items():
        single.setdefault(node, visitors)


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("builder-inited", share_html_renderings)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
