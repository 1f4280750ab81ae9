"""lib installs from pyproject.toml alone (as Colab and ``pip install .`` do) and runs every part.

A clean venv gets the project from a copy of ``pyproject.toml``, ``README.md`` and ``lib/`` (no
requirements.txt), then ``tests/install_check.py`` imports every module and runs a small
computation per part with that venv's Python. It takes about 6 minutes (PyTorch is large), so it is
not part of ``make test``: ``make test-install`` runs it (``BOOK_TEST_INSTALL=1``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_book import ROOT

pytestmark = pytest.mark.skipif(
    os.environ.get("BOOK_TEST_INSTALL") != "1",
    reason="slow (about 6 min): `make test-install` runs it",
)


def _run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, (
        f"{' '.join(command)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return result.stdout


def test_lib_installs_from_pyproject_alone_and_runs(tmp_path: Path):
    source = tmp_path / "source"
    shutil.copytree(ROOT / "lib", source / "lib", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    python = tmp_path / "venv" / "bin" / "python"
    start = time.perf_counter()
    _run([sys.executable, "-m", "venv", str(tmp_path / "venv")], tmp_path)
    _run([str(python), "-m", "pip", "install", "--quiet", str(source)], tmp_path)
    print(f"clean venv and pip install: {time.perf_counter() - start:.0f} s")
    _run([str(python), "-m", "pip", "check"], tmp_path)
    output = _run([str(python), str(ROOT / "tests" / "install_check.py")], tmp_path)
    assert "every part ran" in output, output
    print(output.strip())
