"""Shared fixtures: a temporary data folder and mirror (tests never touch the real ones), the
built book."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from lib import data
from lib.known_warnings import KNOWN_WARNINGS


def pytest_configure(config: pytest.Config) -> None:
    """Silence the warnings every notebook silences (:func:`lib.notebook.setup`)."""
    for message in KNOWN_WARNINGS:
        config.addinivalue_line("filterwarnings", f"ignore:{message}")


@pytest.fixture(
    params=[
        "cpu",
        pytest.param(
            "cuda",
            marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device"),
        ),
    ]
)
def device(request: pytest.FixtureRequest) -> torch.device:
    """Every device a test of a ``device=`` argument runs on: the CPU, and CUDA where present."""
    return torch.device(request.param)


@pytest.fixture
def tmp_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ``data/`` folder in ``tmp_path``, with no mirror configured."""
    folder = tmp_path / "data"
    monkeypatch.setenv(data.DATA_DIR_ENV, str(folder))
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path / "no-mirror"))
    return folder


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory, notebook_times_file: Path) -> Path:
    """The HTML book, built once per session from the outputs stored in the notebooks.

    ``make book`` executes every notebook; the test command renders the stored outputs that nbval
    has just verified instead, so it does not execute every notebook twice. The pages' run-time
    notes come from the times the root ``conftest.py`` recorded while nbval ran the notebooks (the
    tests that use this fixture are marked ``after_notebooks``). Fails on any Sphinx warning.
    """
    from tests.test_book import ROOT
    from tools.book_build import build_from_stored_outputs

    if not notebook_times_file.is_file():
        pytest.skip(f"{notebook_times_file} is missing: run the notebooks first (make test does)")
    output = ROOT / "_build" / "test"
    result = build_from_stored_outputs(
        output,
        tmp_path_factory.mktemp("config"),
        sphinx_config={"book_run_times_file": str(notebook_times_file)},
    )
    assert result.returncode == 0, (
        f"book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    )
    return output / "_build" / "html"
