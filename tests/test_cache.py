"""The one cache: keyed by configuration and by the code that computes the result."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

from lib.baselines import load_or_train_baseline
from lib.cache import cache_path, code_fingerprint, fingerprinted_modules, load_or_run


def _run() -> dict:
    return {"x": [1.5, 2.0], "n": 3}


@pytest.fixture
def toy_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package ``toylib`` laid out like ``lib``: ``train.run`` calls ``helper.step`` (imported
    inside the function, as several ``lib`` modules do)."""
    package = tmp_path / "toylib"
    package.mkdir()
    (package / "__init__.py").write_text('"""A toy package."""\n')
    (package / "helper.py").write_text("def step(x):\n    return x + 1\n")
    (package / "unrelated.py").write_text("VALUE = 1\n")
    (package / "train.py").write_text(
        "def run():\n    from toylib.helper import step\n\n    return {'value': step(1)}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield package
    for name in [m for m in sys.modules if m == "toylib" or m.startswith("toylib.")]:
        del sys.modules[name]


def test_runs_once_then_loads(tmp_data):
    calls = []

    def run():
        calls.append(1)
        return _run()

    first = load_or_run("curves", {"seed": 0}, run)
    second = load_or_run("curves", {"seed": 0}, run)
    assert first == second == {"x": [1.5, 2.0], "n": 3} and len(calls) == 1
    load_or_run("curves", {"seed": 1}, run)  # another key computes again
    assert len(calls) == 2


def test_computed_replaces_the_cached_document(tmp_data):
    calls = []

    def run():
        calls.append(1)
        return {"x": [0.0]}

    assert load_or_run("curves", {"seed": 0}, run) == {"x": [0.0]}
    assert load_or_run("curves", {"seed": 0}, run, computed={"x": (1.0,)}) == {"x": [1.0]}
    assert load_or_run("curves", {"seed": 0}, run) == {"x": [1.0]} and len(calls) == 1


def test_rejects_arrays(tmp_data):
    with pytest.raises(ValueError, match="tolist"):
        load_or_run("curves", {"seed": 0}, lambda: {"x": np.zeros(2)})


def test_key_depends_on_config(tmp_data):
    key = cache_path("m", {"a": 1, "b": 2}, [_run], suffix=".pt")
    assert key == cache_path("m", {"b": 2, "a": 1}, [_run], suffix=".pt")
    assert key != cache_path("m", {"a": 1, "b": 3}, [_run], suffix=".pt")
    assert key.parent == tmp_data / "models" and key.suffix == ".pt"
    with pytest.raises(ValueError, match="JSON-serialisable"):
        cache_path("m", {"a": object()}, [_run], suffix=".pt")


def test_editing_imported_code_misses_the_cache(tmp_data, toy_package):
    train = importlib.import_module("toylib.train")
    calls = []

    def counted():
        calls.append(1)
        return train.run()

    counted.__module__ = "toylib.train"  # as if defined there, like lib's training closures
    assert load_or_run("toy", {"seed": 0}, counted) == {"value": 2}
    assert load_or_run("toy", {"seed": 0}, counted) == {"value": 2} and len(calls) == 1
    before = code_fingerprint(train.run)

    # a docstring, a comment or formatting is not a change of code
    (toy_package / "helper.py").write_text(
        'def step(x):\n    """Add one."""\n    return (x + 1)  # +1\n'
    )
    assert code_fingerprint(train.run) == before
    # nor is a module the training code does not import
    (toy_package / "unrelated.py").write_text("VALUE = 2\n")
    assert code_fingerprint(train.run) == before

    # a change in a module that train.py imports (inside a function) is
    (toy_package / "helper.py").write_text("def step(x):\n    return x + 2\n")
    assert code_fingerprint(train.run) != before
    load_or_run("toy", {"seed": 0}, counted)
    assert len(calls) == 2


def test_lib_training_code_is_fingerprinted():
    """The baselines' key covers the training loop, the models and the data they import."""
    modules = fingerprinted_modules(load_or_train_baseline)
    assert {"lib.baselines", "lib.training", "lib.models", "lib.data"} <= set(modules)
    assert not any(m.startswith(("lib.rl", "lib.graphs")) for m in modules)


def test_function_outside_a_module_file_uses_its_source():
    namespace: dict = {}
    exec("def f():\n    return 1\n", namespace)  # no source file to read
    with pytest.raises(ValueError, match="module file"):
        code_fingerprint(namespace["f"])
    with pytest.raises(ValueError, match="pass the functions"):
        code_fingerprint()
