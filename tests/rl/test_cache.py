"""The JSON cache of learning curves: run once, then load the same document."""

import numpy as np
import pytest

from lib.rl.cache import load_or_run


def test_runs_once_then_loads(tmp_data):
    calls = []

    def run():
        calls.append(1)
        return {"x": [1.5, 2.0], "n": 3}

    first = load_or_run("curves", {"seed": 0}, run)
    second = load_or_run("curves", {"seed": 0}, run)
    assert first == second == {"x": [1.5, 2.0], "n": 3} and len(calls) == 1
    load_or_run("curves", {"seed": 1}, run)  # another key computes again
    assert len(calls) == 2


def test_rejects_arrays(tmp_data):
    with pytest.raises(ValueError, match="tolist"):
        load_or_run("curves", {"seed": 0}, lambda: {"x": np.zeros(2)})
