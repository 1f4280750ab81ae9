"""Figures of the training-and-understanding part: open, labelled, nothing hidden. Each page's
figures are drawn by one function below; the test checks that together they draw every plotting
function of the module."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lib.corruptions import CLEAN  # noqa: E402
from lib.understanding import plotting  # noqa: E402
from lib.understanding.attention import sinusoidal_positional_encoding  # noqa: E402
from tests.figure_checks import assert_module_figures  # noqa: E402


def teardown_function() -> None:
    plt.close("all")


def _augmentation_figures() -> dict[str, Figure]:
    return {
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
        "accuracy_under_corruption_grid": plotting.accuracy_under_corruption_grid(
            {"none": _corruption_table(0.0), "flip": _corruption_table(0.05)}
        ),
    }


def _corruption_table(offset: float) -> dict[tuple[str, int], float]:
    table = {CLEAN: 0.9}
    for name in ("gaussian_noise", "contrast", "rotate", "translate"):
        for s in (1, 2, 3):
            table[(name, s)] = 0.8 - 0.1 * s + offset
    return table


def _tuning_figures() -> dict[str, Figure]:
    lrs = np.logspace(-3, 0, 5)
    steps = np.logspace(-4, 1, 20)
    return {
        "accuracy_vs_lr": plotting.accuracy_vs_lr(
            lrs, {"a": np.linspace(0.5, 0.8, 5)}, spread=([0.01], [0.7], [0.75])
        ),
        "regret_vs_budget": plotting.regret_vs_budget({"grid": [6, 9]}, {"grid": [0.02, 0.01]}),
        "range_test_plot": plotting.range_test_plot(
            steps, np.linspace(2, 1, 20), np.linspace(2, 1, 20), {"steepest": 0.1}
        ),
        "update_ratio_plot": plotting.update_ratio_plot(
            {"lr 0.01": np.full((5, 2), 1e-3), "lr 1": np.logspace(-2, 2, 10).reshape(5, 2)},
            ["W1", "W2"],
        ),
        "sample_layouts": plotting.sample_layouts(
            {"grid": (np.array([0.2, 0.8]), np.array([0.5, 0.5]))}, "x", "y"
        ),
    }


def _cnn_figures() -> dict[str, Figure]:
    g = torch.Generator().manual_seed(0)
    images = torch.rand(3, 1, 28, 28, generator=g)
    maps = {"saliency": torch.randn(3, 1, 28, 28, generator=g), "Grad-CAM": torch.rand(3, 1, 7, 7)}
    return {
        "attribution_maps": plotting.attribution_maps(images, maps, row_labels=["a", "b", "c"]),
        "embedding_scatter": plotting.embedding_scatter(
            torch.randn(30, 2, generator=g),
            torch.arange(30) % 3,
            ["x", "y", "z"],
            xlabel="PC 1 (feature units)",
            ylabel="PC 2 (feature units)",
        ),
    }


def _attention_figures() -> dict[str, Figure]:
    x = torch.linspace(0, 5, 20)
    weights = torch.softmax(torch.randn(20, 20), 1)
    return {
        "kernel_regression_plot": plotting.kernel_regression_plot(
            x, x.sin(), x, {"fit": x.sin()}, weights, truth=x.sin()
        ),
        "softmax_saturation_plot": plotting.softmax_saturation_plot(
            [4, 16], {"a": [0.5, 0.9]}, {"a": [0.3, 0.1]}
        ),
        "attention_maps": plotting.attention_maps(
            {"head 1": weights[:4, :4], "head 2": weights[4:8, :4]}, xticklabels=list("abcd")
        ),
        "retrieval_attention_maps": plotting.retrieval_attention_maps(
            torch.softmax(torch.randn(2, 3, 5), -1),
            torch.randint(0, 10, (2, 5, 2)),
            torch.randint(0, 10, (2, 3)),
            torch.randint(0, 10, (2, 3)),
        ),
        "positional_encoding_plot": plotting.positional_encoding_plot(
            sinusoidal_positional_encoding(10, 8)
        ),
        "accuracy_bars": plotting.accuracy_bars(
            {"cnn": {"clean": 0.9, "shuffled": 0.3}, "vit": {"clean": 0.8, "shuffled": 0.8}}
        ),
        "spatial_attention_maps": plotting.spatial_attention_maps(
            torch.rand(2, 1, 56, 56),
            torch.softmax(torch.randn(2, 196), -1).view(2, 14, 14),
            torch.tensor([[0, 0], [28, 10]]),
            titles=["a", "b"],
        ),
    }


def test_every_figure_is_open_and_labelled():
    figures = {
        **_augmentation_figures(),
        **_tuning_figures(),
        **_cnn_figures(),
        **_attention_figures(),
    }
    assert_module_figures(plotting, figures)
    assert figures["accuracy_vs_lr"].axes[0].get_xscale() == "log"
    assert figures["sample_layouts"].axes[0].get_title() == "grid\n2 distinct values of x"
    grid = figures["accuracy_under_corruption_grid"]
    visible = [ax for ax in grid.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == [
        "mean over the corruptions",
        "gaussian noise",
        "contrast",
        "rotate",
        "translate",
    ]
    mean_none = visible[0].lines[0].get_ydata()
    assert np.allclose(mean_none, [0.9, 0.7, 0.6, 0.5])
    assert [t.get_text() for t in visible[0].get_legend().get_texts()] == ["none", "flip"]
    gain = figures["augmentation_gain"]
    assert gain.axes[0].get_xscale() == "log"
    assert len(gain.axes[0].get_legend().get_texts()) == 2


def test_curve_of_the_wrong_length_is_explained():
    with pytest.raises(ValueError, match="values for 5 lrs"):
        plotting.accuracy_vs_lr(np.logspace(-3, 0, 5), {"a": [0.5]})


def test_mismatched_lengths_raise_value_error():
    with pytest.raises(ValueError, match="differ in length"):
        plotting.flip_accuracy_by_class({"a": (["x"], [0.9, 0.8], [0.5])})
    with pytest.raises(ValueError, match="sizes"):
        plotting.augmentation_gain([1, 2], {"a": [[0.5]]}, {"a": [[0.1]]})
    with pytest.raises(ValueError, match="methods"):
        plotting.method_scores(["a", "b"], {"acc": [[0.5]]})
    table = _corruption_table(0.0)
    with pytest.raises(ValueError, match="other"):
        plotting.accuracy_under_corruption_grid({"a": table, "b": {CLEAN: 0.9}})
    with pytest.raises(ValueError, match="clean"):
        plotting.accuracy_under_corruption_grid(
            {"a": {k: v for k, v in table.items() if k != CLEAN}}
        )


def test_attribution_maps_name_columns_and_rows():
    fig = _cnn_figures()["attribution_maps"]
    assert [ax.get_title() for ax in fig.axes[:3]] == ["input", "saliency", "Grad-CAM"]
    assert [fig.axes[3 * i].get_ylabel() for i in range(3)] == ["a", "b", "c"]
    assert len(fig.axes) == 9


def test_embedding_scatter_has_one_legend_entry_per_class():
    (ax,) = _cnn_figures()["embedding_scatter"].axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "y", "z"]


def test_spatial_attention_maps_draw_each_box_and_name_the_panels():
    fig = plotting.spatial_attention_maps(
        torch.rand(3, 1, 56, 56), torch.full((3, 14, 14), 1 / 196), torch.zeros(3, 2).long(),
        titles=["x", "y", "z"],
    )  # fmt: skip
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 6 and all(len(ax.patches) == 1 for ax in panels)
    assert [ax.get_title() for ax in panels[:3]] == ["x", "y", "z"]
    with pytest.raises(ValueError, match="got 2 titles for 3 canvases"):
        plotting.spatial_attention_maps(
            torch.rand(3, 1, 56, 56), torch.rand(3, 14, 14), torch.zeros(3, 2).long(),
            titles=["x", "y"],
        )  # fmt: skip
    with pytest.raises(ValueError, match=r"weights must have shape \(3, N, N\)"):
        plotting.spatial_attention_maps(
            torch.rand(3, 1, 56, 56), torch.rand(2, 14, 14), torch.zeros(3, 2).long()
        )


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="N = 2"):
        plotting.attribution_maps(torch.rand(2, 1, 4, 4), {"m": torch.rand(3, 1, 4, 4)})
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plotting.embedding_scatter(torch.rand(5, 3), torch.zeros(5), ["a"], xlabel="x", ylabel="y")
