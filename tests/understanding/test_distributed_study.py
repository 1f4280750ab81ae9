"""Two worker processes share one Optuna study through a journal file."""

import json

import numpy as np
import optuna
import pytest

from lib.understanding.distributed_study import make_storage, run_workers


def _table(tmp_path):
    lrs = [10 ** (-3 + 0.25 * k) for k in range(12)]
    wds = [1e-6, 1e-4, 1e-2]
    final = np.random.default_rng(0).random((12, 3)).tolist()
    path = tmp_path / "table.json"
    path.write_text(json.dumps({"lrs": lrs, "weight_decays": wds, "final_val": final}))
    return path


def test_two_workers_record_every_trial_exactly_once(tmp_path):
    shared = run_workers(
        str(tmp_path / "study.log"), "s", _table(tmp_path), num_workers=2, max_trials=30,
        cost_seconds=0.02,
    )  # fmt: skip
    numbers = [t.number for t in shared.trials]
    assert len(numbers) == len(set(numbers)) == sorted(numbers)[-1] + 1
    ran = [n for trials in shared.worker_trials for n in trials]
    assert sorted(ran) == sorted(numbers)  # each trial run by exactly one worker
    complete = [t for t in shared.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(complete) == 30
    assert all(t.number < 30 for t in complete)
    assert all(len(trials) > 0 for trials in shared.worker_trials)


def test_storage_spec():
    assert make_storage("postgresql://u:p@host/db") == "postgresql://u:p@host/db"


def test_a_failing_worker_is_reported(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"lrs": [1.0], "weight_decays": [1.0], "final_val": [[1, 2]]}))
    with pytest.raises(RuntimeError, match="does not match"):
        run_workers(str(tmp_path / "s.log"), "s", bad, num_workers=1, max_trials=2)
