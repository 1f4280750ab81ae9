"""Build the book from the outputs stored in the notebooks, without executing them.

Used by the test suite's rendered-book checks (``tests/conftest.py``, HTML) and by ``make pdf``
(``tools/build_pdf.py``, single-page HTML). The book's ``_config.yml`` is copied with notebook
execution turned off and its local extension paths made absolute (a config file's paths are
relative to its own folder, and the copy lives elsewhere).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def build_from_stored_outputs(
    output: Path,
    config_dir: Path,
    *,
    builder: str = "html",
    add_extensions: Mapping[str, str] | None = None,
    drop_extensions: Iterable[str] = (),
    sphinx_config: Mapping[str, object] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``jupyter-book build`` on the repository with execution off, warnings as errors.

    Args:
        output: Passed as ``--path-output``; the site lands in ``output/_build/<builder>``.
        config_dir: An existing folder for the temporary ``_config.yml``.
        builder: Jupyter Book's builder (``"html"``, ``"singlehtml"``).
        add_extensions: More local Sphinx extensions, name -> folder relative to the repository.
        drop_extensions: Local extensions of ``_config.yml`` to leave out.
        sphinx_config: Values added to ``sphinx.config``.

    Returns:
        The finished process (check ``returncode``; stdout and stderr are captured).
    """
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    sphinx = config["sphinx"]
    config["execute"] = {**config["execute"], "execute_notebooks": "off"}
    extensions = {**sphinx["local_extensions"], **(add_extensions or {})}
    sphinx["local_extensions"] = {
        name: str(ROOT / path)
        for name, path in extensions.items()
        if name not in set(drop_extensions)
    }
    sphinx["config"] = {**sphinx["config"], **(sphinx_config or {})}
    config_file = config_dir / "_config.yml"
    config_file.write_text(yaml.safe_dump(config))
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [
        str(jupyter_book),
        "build",
        str(ROOT),
        "--builder",
        builder,
        "--config",
        str(config_file),
        "--path-output",
        str(output),
        "--all",
        "-W",
        "-n",
        "--keep-going",
    ]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
