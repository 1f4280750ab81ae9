"""lib.notebook: the shared set-up cell and glue, which works with and without myst-nb."""

from __future__ import annotations

import re
import sys
import types

import matplotlib
import numpy as np
import tomllib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402

import lib  # noqa: E402
from lib.notebook import glue, glue_number, setup, versions  # noqa: E402
from tests.test_book import ROOT  # noqa: E402


def test_setup_seeds_styles_and_prints_the_versions(capsys: pytest.CaptureFixture[str]):
    device = setup(5)
    first = torch.rand(2)
    setup(5)
    assert torch.equal(first, torch.rand(2)) and device.type in ("cpu", "cuda")
    assert torch.get_num_threads() == 2
    assert capsys.readouterr().out == f"{versions()}\n{versions()}\n"


def test_versions_line_is_the_same_on_every_machine_with_the_pins():
    line = versions()
    assert re.fullmatch(
        r"Python 3\.\d+ · torch [\d.]+ · torchvision [\d.]+ · torch_geometric [\d.]+"
        r" · numpy [\d.]+ · lib [\d.]+",
        line,
    ), line
    assert f"torch {torch.__version__.split('+')[0]} " in line  # no +cpu / +cu128 build label
    assert line.endswith(f"lib {lib.__version__}")


def test_lib_version_is_the_pyproject_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert lib.__version__ == project["version"]


def test_glue_forwards_to_myst_nb(monkeypatch: pytest.MonkeyPatch):
    calls = []
    fake = types.ModuleType("myst_nb")
    fake.glue = lambda name, variable, display=True: calls.append((name, variable, display))
    monkeypatch.setitem(sys.modules, "myst_nb", fake)
    glue("accuracy", 0.5, display=False)
    assert calls == [("accuracy", 0.5, False)]


def test_glue_without_myst_nb_only_shows_the_value(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # `import myst_nb` now raises ImportError
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    glue("accuracy", 0.5, display=False)
    assert shown == []
    glue("accuracy", 0.25)
    assert shown == [0.25]


def test_glue_number_glues_the_rounded_plain_value_hidden(monkeypatch: pytest.MonkeyPatch):
    calls = []
    fake = types.ModuleType("myst_nb")
    fake.glue = lambda name, variable, display=True: calls.append((name, variable, display))
    monkeypatch.setitem(sys.modules, "myst_nb", fake)
    glue_number("accuracy", 0.123456)
    glue_number("returns", 187.25, digits=1)
    glue_number("epochs", 7)
    glue_number("mean", np.float64(0.333333))
    assert calls == [
        ("accuracy", 0.1235, False),
        ("returns", 187.2, False),
        ("epochs", 7, False),
        ("mean", 0.3333, False),
    ]
    assert [repr(variable) for _, variable, _ in calls] == ["0.1235", "187.2", "7", "0.3333"]


@pytest.mark.parametrize("value", [torch.tensor(0.5), np.float32(0.5), True, "0.5"])
def test_glue_number_rejects_what_is_not_a_python_number(value: object):
    with pytest.raises(TypeError, match=r"takes a Python int or float.*tensor\.item\(\)"):
        glue_number("x", value)


def test_show_source_shows_the_code_a_page_runs_without_its_docstring():
    from lib.notebook import source_markdown
    from lib.training import accuracy

    text = source_markdown(accuracy)
    assert text.startswith("`lib.training.accuracy`, from `lib/training.py`:\n\n```python\n")
    assert "def accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:" in text
    assert "return (logits.argmax(dim=1) == y).float()" in text
    assert "Shapes" not in text and "Shapes" in source_markdown(accuracy, docstring=True)
    assert text.rstrip().endswith("```")


def test_show_source_keeps_a_class_whole_and_refuses_a_value():
    import pytest

    from lib.claims import Claims
    from lib.notebook import source_markdown

    text = source_markdown(Claims)
    assert "class Claims:" in text and "def check(self) -> None:" in text
    assert "Add one row per claim" not in text  # docstrings of the class and its methods go
    with pytest.raises(TypeError, match="pass the function itself"):
        source_markdown(Claims())
