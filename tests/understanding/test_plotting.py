"""Figures of the training-and-understanding part: open, labelled."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lib.understanding import plotting  # noqa: E402
from tests.figure_checks import assert_module_figures  # noqa: E402


def teardown_function() -> None:
    plt.close("all")


def test_every_figure_is_open_and_labelled():
    lrs = np.logspace(-3, 0, 5)
    steps = np.logspace(-4, 1, 20)
    figures = {
        "accuracy_vs_lr": plotting.accuracy_vs_lr(
            lrs, {"a": np.linspace(0.5, 0.8, 5)}, spread=([0.01], [0.7], [0.75])
        ),
        "regret_vs_budget": plotting.regret_vs_budget({"grid": [6, 9]}, {"grid": [0.02, 0.01]}),
        "range_test_plot": plotting.range_test_plot(
            steps, np.linspace(2, 1, 20), np.linspace(2, 1, 20), {"steepest": 0.1}
        ),
        "sample_layouts": plotting.sample_layouts(
            {"grid": (np.array([0.2, 0.8]), np.array([0.5, 0.5]))}, "x", "y"
        ),
    }
    assert_module_figures(plotting, figures)
    assert figures["accuracy_vs_lr"].axes[0].get_xscale() == "log"
    assert figures["sample_layouts"].axes[0].get_title() == "grid\n2 distinct values of x"


def test_curve_of_the_wrong_length_is_explained():
    with pytest.raises(ValueError, match="values for 5 lrs"):
        plotting.accuracy_vs_lr(np.logspace(-3, 0, 5), {"a": [0.5]})
