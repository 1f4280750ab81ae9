"""Shared fixtures: a temporary data folder and mirror, so tests never touch the real ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib import data


@pytest.fixture
def tmp_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ``data/`` folder in ``tmp_path``, with no mirror configured."""
    folder = tmp_path / "data"
    monkeypatch.setenv(data.DATA_DIR_ENV, str(folder))
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path / "no-mirror"))
    return folder
