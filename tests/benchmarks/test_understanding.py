"""The benchmarks' helpers: the refined grid order covers the table once; repeated runs add up."""

import math

import numpy as np

from benchmarks.understanding import _grid_order, _until_target
from lib.understanding import search


def test_grid_order_starts_coarse_and_covers_every_cell_once():
    order = _grid_order((12, 3))
    assert sorted(order) == list(range(36))
    assert order[:9] == search.grid_cells((12, 3), (3, 3), (0, 0))


def test_until_target_adds_the_epochs_of_failed_runs():
    curves = np.zeros((4, 1, 3))
    curves[3, 0, -1] = 1.0  # only the last configuration reaches the target
    rng = np.random.default_rng(0)
    cost = _until_target(lambda r: search.random_search(curves, 1, r), 1.0, 3, rng)
    assert cost % 3 == 0 and cost >= 3
    never = _until_target(lambda r: search.random_search(curves, 1, r), 2.0, 3, rng, max_rounds=3)
    assert never == math.inf
