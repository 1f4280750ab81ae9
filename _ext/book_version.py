"""The book's version in its text: ``{{ version }}`` on a page is ``[project] version`` of
``pyproject.toml`` (the one place the version is written; the Colab install line pins that
release). A MyST substitution, set when the configuration is read.
"""

from __future__ import annotations

from pathlib import Path

import tomllib
from sphinx.application import Sphinx
from sphinx.config import Config


def read_version(pyproject: Path) -> str:
    """``[project] version`` of the ``pyproject.toml`` at ``pyproject``."""
    return tomllib.loads(pyproject.read_text())["project"]["version"]


def add_version_substitution(app: Sphinx, config: Config) -> None:
    """Add ``version`` to the MyST substitutions."""
    version = read_version(Path(app.srcdir) / "pyproject.toml")
    config.myst_substitutions = {**config.myst_substitutions, "version": version}


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("config-inited", add_version_substitution)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
