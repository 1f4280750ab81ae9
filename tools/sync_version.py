"""Write the book's version and repository into the files that must repeat them.

The version has one home, ``[project] version`` in ``pyproject.toml``, and the repository one,
``repository.url`` in ``_config.yml``. Two kinds of file cannot read them at run time and are
rewritten by this script (``make version`` runs it; ``tests/test_book.py`` and
``tests/test_repository_files.py`` fail while they disagree):

- the first code cell of every notebook and of ``templates/chapter-template.ipynb``, whose Colab
  install line pins ``lib`` to the release tag ``v<version>``, so that a page and its ``lib`` stay
  together. Only that cell's ``source`` changes; stored outputs are kept;
- ``CITATION.cff`` (its ``version:`` line).

Usage: ``python tools/sync_version.py`` from the repository's root.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "chapter-template.ipynb"
INSTALL_LINE = re.compile(r'%pip install --quiet "advanced-dl-book @ git\+[^"]*"')


def book_version() -> str:
    """``[project] version`` of ``pyproject.toml``."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def install_line(version: str) -> str:
    """The Colab install line: ``lib`` from the repository at the release tag ``v<version>``."""
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    return f'%pip install --quiet "advanced-dl-book @ git+{url}@v{version}"'


def setup_cell_source(version: str) -> str:
    """The template's first code cell with its install line pinned to ``version``."""
    source = next(
        c for c in nbformat.read(TEMPLATE, as_version=4).cells if c.cell_type == "code"
    ).source
    if not INSTALL_LINE.search(source):
        raise ValueError(
            f"the first code cell of {TEMPLATE} has no line like "
            f"'{install_line(version)}': restore it, then run this script again"
        )
    return INSTALL_LINE.sub(lambda _: install_line(version), source)


def write_setup_cell(path: Path, source: str) -> bool:
    """Give the first code cell of the notebook at ``path`` this ``source``; True if it changed."""
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code")
    if cell.source == source:
        return False
    cell.source = source
    nbformat.write(notebook, path)
    return True


def write_citation_version(version: str) -> bool:
    """Set the ``version:`` line of ``CITATION.cff``; ``True`` if it changed."""
    path = ROOT / "CITATION.cff"
    text = path.read_text()
    new = re.sub(r"(?m)^version: .*$", f'version: "{version}"', text)
    path.write_text(new)
    return new != text


def main() -> None:
    version = book_version()
    source = setup_cell_source(version)
    notebooks = [TEMPLATE, *sorted((ROOT / "chapters").rglob("*.ipynb"))]
    changed = [
        p for p in notebooks if ".ipynb_checkpoints" not in p.parts and write_setup_cell(p, source)
    ]
    if write_citation_version(version):
        changed.append(ROOT / "CITATION.cff")
    for path in changed:
        print(f"updated {path.relative_to(ROOT)}")
    print(f"version {version}: {len(changed)} file(s) updated")


if __name__ == "__main__":
    main()
