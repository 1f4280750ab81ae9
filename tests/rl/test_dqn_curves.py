"""dqn_curves: curves passed as computed replace the cache; without them, the cache is used."""

from __future__ import annotations

import pytest

from lib.rl import cache
from lib.rl.dqn import CARTPOLE_DQN


def test_computed_curves_are_stored_and_returned(tmp_data, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("dqn_curves trained although curves were given or cached")

    monkeypatch.setattr(cache, "train_dqn", no_training)
    first = {"eval_steps": [10, 20], "eval_returns": [[1.0, 2.0]], "wall_time": 1.0}
    second = {"eval_steps": [10, 20], "eval_returns": [[3.0, 4.0]], "wall_time": 2.0}
    assert cache.dqn_curves([0], CARTPOLE_DQN, computed=first) == first
    assert cache.dqn_curves([0], CARTPOLE_DQN) == first  # loaded, not trained
    # once a cache exists, newly computed curves still win (they used to be ignored)
    assert cache.dqn_curves([0], CARTPOLE_DQN, computed=second) == second
    assert cache.dqn_curves([0], CARTPOLE_DQN) == second
    with pytest.raises(ValueError, match="exactly the keys"):
        cache.dqn_curves([0], CARTPOLE_DQN, computed={"eval_steps": [10]})
