"""Figures of the attention page: labelled, open, nothing hidden."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from lib.understanding import plotting  # noqa: E402
from lib.understanding.attention import sinusoidal_positional_encoding  # noqa: E402
from tests.figure_checks import assert_module_figures  # noqa: E402


def teardown_function() -> None:
    plt.close("all")


def test_every_figure_is_open_and_labelled():
    x = torch.linspace(0, 5, 20)
    weights = torch.softmax(torch.randn(20, 20), 1)
    figures = {
        "kernel_regression_plot": plotting.kernel_regression_plot(
            x, x.sin(), x, {"fit": x.sin()}, weights, truth=x.sin()
        ),
        "softmax_saturation_plot": plotting.softmax_saturation_plot(
            [4, 16], {"a": [0.5, 0.9]}, {"a": [0.3, 0.1]}
        ),
        "attention_maps": plotting.attention_maps(
            {"head 1": weights[:4, :4], "head 2": weights[4:8, :4]}, xticklabels=list("abcd")
        ),
        "positional_encoding_plot": plotting.positional_encoding_plot(
            sinusoidal_positional_encoding(10, 8)
        ),
        "accuracy_bars": plotting.accuracy_bars(
            {"cnn": {"clean": 0.9, "shuffled": 0.3}, "vit": {"clean": 0.8, "shuffled": 0.8}}
        ),
    }
    assert_module_figures(plotting, figures)
