"""Optuna on the table: TPE is reproducible by its seed, pruning is counted in epochs."""

import numpy as np
import optuna
import pytest

from lib.understanding import search
from lib.understanding.tuning import as_study, table_objective, tpe_table_study

LRS = [10 ** (-3 + 0.25 * k) for k in range(12)]
WDS = [1e-6, 1e-4, 1e-2]


@pytest.fixture(autouse=True)
def quiet_optuna():
    optuna.logging.set_verbosity(optuna.logging.WARNING)


def _curves():
    peak = np.exp(-0.5 * ((np.arange(12) - 7) / 2.0) ** 2)
    final = 0.5 + 0.4 * peak[:, None] + 0.001 * np.arange(3)[None, :]
    return final[..., None] * (1 - np.exp(-np.arange(1, 10) / 2.0))


def test_same_seed_same_trials_and_the_best_is_the_best_read():
    curves = _curves()
    a = tpe_table_study(curves, LRS, WDS, 15, seed=3)
    b = tpe_table_study(curves, LRS, WDS, 15, seed=3)
    assert a.configs == b.configs and a.scores == b.scores
    flat = curves.reshape(-1, 9)
    assert flat[a.best, -1] == max(flat[c, -1] for c in a.configs)
    assert a.total_epochs == 15 * 9


def test_objective_reads_the_nearest_cell_and_prunes_in_epochs():
    curves = _curves()
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2),
    )
    study.optimize(table_objective(curves, LRS, WDS), n_trials=20)
    for t in study.trials:
        i = search.nearest_index(t.params["lr"], LRS)
        j = search.nearest_index(t.params["weight_decay"], WDS)
        assert t.user_attrs["config"] == i * 3 + j
        if t.state == optuna.trial.TrialState.COMPLETE:
            assert t.value == curves[i, j, -1]
    ours = as_study(study, 9)
    pruned = [t for t in study.trials if t.state == optuna.trial.TrialState.PRUNED]
    assert pruned, "the median pruner should prune something on a peaked table"
    assert ours.total_epochs == sum(t.user_attrs["epochs"] for t in study.trials) < 20 * 9


def test_mismatched_table_is_explained():
    with pytest.raises(ValueError, match="learning rates"):
        table_objective(np.zeros((3, 3, 9)), LRS, WDS)
