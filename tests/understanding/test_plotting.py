"""Figures of the training-and-understanding part: labelled, readable, nothing hidden."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from lib.understanding import plotting  # noqa: E402
from tests.figure_checks import assert_module_figures  # noqa: E402


def teardown_function() -> None:
    plt.close("all")


def test_every_figure_is_labelled():
    figures = {
        "flip_accuracy_by_class": plotting.flip_accuracy_by_class(
            {"a": (["x", "y"], [0.9, 0.8], [0.5, 0.7]), "b": (["1", "2"], [1.0, 0.9], [0.2, 0.1])}
        ),
        "augmentation_gain": plotting.augmentation_gain(
            [1000, 50000],
            {"none": [[0.8, 0.81], [0.88]], "aug": [[0.82, 0.83], [0.87]]},
            {"none": [[0.2, 0.18], [0.0]], "aug": [[0.05, 0.04], [0.0]]},
        ),
        "method_scores": plotting.method_scores(
            ["none", "mixup"],
            {"accuracy (fraction)": [[0.8, 0.81], [0.82]], "ECE": [[0.1], [0.05]]},
        ),
    }
    assert_module_figures(plotting, figures)
    gain = figures["augmentation_gain"]
    assert gain.axes[0].get_xscale() == "log"
    assert len(gain.axes[0].get_legend().get_texts()) == 2


def test_mismatched_lengths_raise_value_error():
    with pytest.raises(ValueError, match="differ in length"):
        plotting.flip_accuracy_by_class({"a": (["x"], [0.9, 0.8], [0.5])})
    with pytest.raises(ValueError, match="sizes"):
        plotting.augmentation_gain([1, 2], {"a": [[0.5]]}, {"a": [[0.1]]})
    with pytest.raises(ValueError, match="methods"):
        plotting.method_scores(["a", "b"], {"acc": [[0.5]]})
