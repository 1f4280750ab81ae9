"""The table of training runs: laid out by configuration, independent of how it was shared out."""

import numpy as np
import pytest

from lib.understanding.table import ResultsTable, TableConfig, train_table

TINY = TableConfig(
    lrs=(0.01, 0.1),
    weight_decays=(1e-4,),
    num_train=64,
    num_val=32,
    num_epochs=2,
    batch_size=32,
    extra_seeds=(1,),
    seeded_cells=((1, 0),),
)


def test_one_or_two_workers_train_the_same_table():
    one = train_table(TINY, workers=1)
    two = train_table(TINY, workers=2)
    assert one == two
    assert [(r["lr"], r["seed"]) for r in one] == [(0.01, 0), (0.1, 0), (0.1, 1)]
    table = ResultsTable.from_runs(one, TINY)
    assert table.val_curves.shape == (2, 1, 2) and table.test_accuracy.shape == (2, 1)
    np.testing.assert_array_equal(table.seed_runs[(1, 0)][0], table.val_curves[1, 0])
    np.testing.assert_array_equal(table.seed_runs[(1, 0)][1], one[2]["val_accuracy"])
    assert table.best() in [(0, 0), (1, 0)] and table.num_epochs == 2


def test_runs_list_the_grid_then_the_extra_seeds():
    runs = TableConfig().runs()
    assert len(runs) == 12 * 3 + 3 * 3
    assert runs[0] == (1e-3, 1e-6, 0) and all(seed == 0 for *_, seed in runs[:36])


def test_bad_config_is_explained():
    with pytest.raises(ValueError, match="outside the grid"):
        TableConfig(seeded_cells=((12, 0),))
    with pytest.raises(ValueError, match="num_train"):
        TableConfig(num_train=60_000)
    with pytest.raises(ValueError, match="expected 3 runs"):
        ResultsTable.from_runs([], TINY)
