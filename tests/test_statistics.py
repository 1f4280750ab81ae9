import numpy as np
import pytest

from lib.statistics import mean_ci, mean_t_ci


def test_mean_ci_and_bad_input():
    mean, half = mean_ci(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert np.allclose(mean, [2.0, 3.0]) and np.allclose(half, 1.96 * np.sqrt(2) / np.sqrt(2))
    with pytest.raises(ValueError, match="at least 2"):
        mean_ci(np.ones((1, 3)))


def test_mean_t_ci_matches_scipy_interval():
    from scipy import stats

    values = np.array([[1.0, 5.0], [2.0, 7.0], [4.0, 6.0]])
    mean, half = mean_t_ci(values, level=0.9)
    for j in range(2):
        column = values[:, j]
        low, high = stats.t.interval(0.9, len(column) - 1, column.mean(), stats.sem(column))
        assert mean[j] == pytest.approx((low + high) / 2, abs=1e-12)
        assert half[j] == pytest.approx((high - low) / 2, rel=1e-12)
    assert half[0] > mean_ci(values)[1][0]  # wider than the normal interval at n = 3
    with pytest.raises(ValueError, match="at least 2 values"):
        mean_t_ci(np.ones((1, 3)))
    with pytest.raises(ValueError, match="level must be in"):
        mean_t_ci(values, level=95)


def test_proportion_difference_ci_is_the_wald_interval_of_two_groups():
    from lib.statistics import proportion_difference_ci

    a = np.array([1] * 30 + [0] * 10)  # 0.75 of 40
    b = np.array([1] * 12 + [0] * 8)  # 0.60 of 20
    difference, half = proportion_difference_ci(a, b)
    assert difference == pytest.approx(0.15)
    assert half == pytest.approx(1.96 * np.sqrt(0.75 * 0.25 / 40 + 0.6 * 0.4 / 20))
    booleans, _ = proportion_difference_ci(a.astype(bool), b.astype(bool))
    assert booleans == pytest.approx(0.15)


def test_proportion_difference_ci_bad_input():
    from lib.statistics import proportion_difference_ci

    with pytest.raises(ValueError, match="outcomes_b must hold 0/1"):
        proportion_difference_ci(np.array([0, 1, 1]), np.array([0.2, 0.9]))
    with pytest.raises(ValueError, match="outcomes_a must be a 1-D array"):
        proportion_difference_ci(np.ones((2, 2)), np.array([0, 1]))
