"""Grid, random, successive halving and Hyperband over a table of learning curves."""

import math

import numpy as np
import optuna
import pytest

from lib.understanding import search


def _curves(shape=(12, 3), epochs=9, seed=0):
    """Learning curves that rise towards a final accuracy peaked in the first axis."""
    rng = np.random.default_rng(seed)
    peak = np.exp(-0.5 * ((np.arange(shape[0]) - 7) / 2.0) ** 2)
    final = 0.5 + 0.4 * peak[:, None] + 0.01 * rng.random(shape)
    rise = 1 - np.exp(-np.arange(1, epochs + 1) / 2.0)
    return final[..., None] * rise


def test_grid_cells_are_the_evenly_spaced_sub_grid():
    cells = search.grid_cells((12, 3), (3, 3), (1, 0))
    rows, cols = np.unravel_index(cells, (12, 3))
    assert sorted(set(rows)) == [1, 5, 9] and sorted(set(cols)) == [0, 1, 2]
    assert len(cells) == 9


def test_grid_search_tries_the_same_cells_as_optunas_grid_sampler():
    curves = _curves()
    lrs = [10 ** (-3 + 0.25 * k) for k in range(12)]
    wds = [1e-6, 1e-4, 1e-2]
    ours = search.grid_search(curves, (3, 3), (2, 0))
    grid = {"lr": lrs[2::4], "weight_decay": wds}
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.GridSampler(grid, seed=0)
    )
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        i = search.nearest_index(trial.suggest_float("lr", min(lrs), max(lrs), log=True), lrs)
        j = search.nearest_index(
            trial.suggest_float("weight_decay", min(wds), max(wds), log=True), wds
        )
        return float(curves[i, j, -1])

    study.optimize(objective, n_trials=9)
    best = study.best_params
    assert sorted(
        search.nearest_index(t.params["lr"], lrs) * 3
        + search.nearest_index(t.params["weight_decay"], wds)
        for t in study.trials
    ) == sorted(ours.configs)
    assert ours.best == search.nearest_index(best["lr"], lrs) * 3 + search.nearest_index(
        best["weight_decay"], wds
    )


def test_random_search_draws_distinct_configs_and_pays_full_epochs():
    curves = _curves()
    study = search.random_search(curves, 9, np.random.default_rng(0))
    assert study.num_trials == 9 and study.total_epochs == 9 * 9
    flat = curves.reshape(-1, 9)
    assert flat[study.best, -1] == max(flat[c, -1] for c in study.configs)
    assert search.regret(curves, study) >= 0


def test_successive_halving_budget_and_survivors():
    curves = _curves()
    study = search.successive_halving(curves, 27, np.random.default_rng(1), eta=3)
    # 27 configs for 1 epoch, 9 resumed to 3 epochs, 3 resumed to 9
    assert study.epochs.count(1) == 27 and study.epochs.count(3) == 9 and study.epochs.count(9) == 3
    assert study.total_epochs == 27 * 1 + 9 * 2 + 3 * 6
    flat = curves.reshape(-1, 9)
    ones = [c for c, e in zip(study.configs, study.epochs, strict=True) if e == 1]
    threes = {c for c, e in zip(study.configs, study.epochs, strict=True) if e == 3}
    assert threes == set(sorted(ones, key=lambda c: -flat[c, 0])[:9])  # the best third went on


def test_halving_bracket_keeps_the_best_third_and_pays_only_for_resumed_epochs():
    flat = np.zeros((6, 9))
    flat[:, 0] = [0.5, 0.9, 0.1, 0.7, 0.7, 0.3]  # after 1 epoch; 3 and 4 tie
    flat[:, 2] = [0.6, 0.8, 0.2, 0.95, 0.9, 0.4]  # after 3 epochs
    flat[:, 8] = [0.6, 0.81, 0.2, 0.96, 0.9, 0.4]  # after 9 epochs
    study = search.halving_bracket(flat, [0, 1, 2, 3, 4, 5], [1, 3, 9], eta=3)
    # rung 1: all six; rung 3: the best two (1, and 3 before 4 on the tie); rung 9: the best one
    assert study.configs == [0, 1, 2, 3, 4, 5, 1, 3, 3]
    assert study.epochs == [1] * 6 + [3, 3, 9]
    assert study.total_epochs == 6 * 1 + 2 * 2 + 1 * 6
    assert study.scores[-1] == 0.96
    shared = search.halving_bracket(flat, [2, 5], [9], eta=3, study=study)
    assert shared is study and study.configs[-2:] == [2, 5] and study.total_epochs == 16 + 18


def test_successive_halving_is_one_bracket_over_random_configurations():
    curves = _curves()
    ours = search.successive_halving(curves, 9, np.random.default_rng(5), eta=3)
    configs = np.random.default_rng(5).choice(36, size=9, replace=False)
    bracket = search.halving_bracket(curves, configs, [1, 3, 9], eta=3)
    assert ours.configs == bracket.configs and ours.cost == bracket.cost
    assert ours.best == bracket.configs[-1]


def test_hyperband_brackets_match_the_paper_table():
    # Li et al. 2018, Table 1: R = 81, eta = 3
    expected = [
        (81, [1, 3, 9, 27, 81]),
        (34, [3, 9, 27, 81]),
        (15, [9, 27, 81]),
        (8, [27, 81]),
        (5, [81]),
    ]
    assert search.hyperband_brackets(81, 3) == expected
    assert search.hyperband_brackets(9, 3) == [(9, [1, 3, 9]), (5, [3, 9]), (3, [9])]


def test_hyperband_runs_every_bracket():
    curves = _curves()
    study = search.hyperband(curves, np.random.default_rng(0))
    assert study.epochs.count(9) == 1 + 1 + 3  # the survivors of the three brackets
    assert study.epochs[study.configs.index(study.best)] in (1, 3, 9)
    assert 0 <= search.regret(curves, study) < 0.5


def test_epochs_to_target_and_replay():
    curves = _curves()
    studies = search.replay(lambda rng: search.random_search(curves, 5, rng), 4, seed=3)
    assert len(studies) == 4 and len({tuple(s.configs) for s in studies}) > 1
    best = curves[..., -1].max()
    assert search.epochs_to_target(studies[0], 2.0, 9) == math.inf
    full = search.grid_search(curves, (12, 3), (0, 0))
    assert search.epochs_to_target(full, best, 9) <= full.total_epochs
    assert search.regret(curves, full) == 0


def test_bad_input_is_explained():
    curves = _curves()
    with pytest.raises(ValueError, match="offset"):
        search.grid_cells((12, 3), (3, 3), (4, 0))
    with pytest.raises(ValueError, match="num_trials"):
        search.random_search(curves, 100, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rungs"):
        search.successive_halving(curves[..., :8], 9, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"\(\*grid, num_epochs\)"):
        search.random_search(np.ones(5), 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="increasing rungs"):
        search.halving_bracket(curves, [0, 1, 2], [3, 1], eta=3)
    with pytest.raises(ValueError, match="increasing rungs"):
        search.halving_bracket(curves, [0, 1, 2], [1, 3, 27], eta=3)
    with pytest.raises(ValueError, match="log scale"):
        search.nearest_index(0.0, [1.0, 2.0])
