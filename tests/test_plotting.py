from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lib.plotting import (  # noqa: E402
    PALETTE,
    finish_axes,
    image_grid,
    moving_mean,
    plot_bars,
    plot_confusion_matrix,
    plot_curves,
    set_style,
)
from tests.figure_checks import assert_labelled_figure, figure_functions  # noqa: E402


def teardown_function() -> None:
    plt.close("all")


def test_style_uses_the_colour_blind_safe_palette():
    set_style()
    assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"] == list(PALETTE)
    assert matplotlib.rcParams["figure.facecolor"] == "white"


def test_image_grid_layout_and_titles():
    fig = image_grid(torch.rand(10, 1, 28, 28), [str(i) for i in range(10)], ncols=4)
    assert len(fig.axes) == 12
    assert [ax.get_title() for ax in fig.axes[:10]] == [str(i) for i in range(10)]
    assert sum(bool(ax.images) for ax in fig.axes) == 10


def test_image_grid_labels_each_row_left_of_its_first_image():
    fig = image_grid(torch.rand(10, 8, 8), ncols=4, row_labels=["model", "other", "real"])
    first_column = fig.axes[::4]
    assert [ax.get_ylabel() for ax in first_column] == ["model", "other", "real"]
    assert all(not ax.get_ylabel() for k, ax in enumerate(fig.axes) if k % 4)
    assert all(not ax.get_xticks().size and not ax.get_yticks().size for ax in first_column)
    fig.canvas.draw()
    label_box = first_column[0].yaxis.label.get_window_extent()
    assert label_box.x1 <= first_column[0].get_window_extent().x0 + 1  # left of the image
    assert label_box.x0 >= 0  # and inside the figure
    plt.close("all")


def test_image_grid_rejects_bad_input():
    with pytest.raises(ValueError, match=r"expected images \(N, H, W\)"):
        image_grid(torch.rand(2, 3, 8, 8))
    with pytest.raises(ValueError, match="2 titles for 3 images"):
        image_grid(torch.rand(3, 8, 8), ["a", "b"])
    with pytest.raises(ValueError, match="2 row labels for 3 rows"):
        image_grid(torch.rand(5, 8, 8), ncols=2, row_labels=["a", "b"])


def test_curves_and_bars_are_labelled():
    fig = plot_curves({"a": [1, 2, 3], "b": [3, 2, 1]}, xlabel="epoch", ylabel="loss (nats)")
    (ax,) = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "loss (nats)")
    assert [line.get_label() for line in ax.lines] == ["a", "b"]
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3]
    fig = plot_bars(["x", "y"], [1.0, 2.0], xlabel="class", ylabel="count")
    assert [p.get_height() for p in fig.axes[0].patches] == [1.0, 2.0]
    with pytest.raises(ValueError, match="2 labels for 3 values"):
        plot_bars(["x", "y"], [1, 2, 3], xlabel="", ylabel="")


def test_plot_curves_log_scale_needs_positive_values():
    fig = plot_curves({"a": [500.0, 50.0, 5.0]}, xlabel="step", ylabel="distance", logy=True)
    assert fig.axes[0].get_yscale() == "log"
    assert plot_curves({"a": [1, 2]}, xlabel="step", ylabel="y").axes[0].get_yscale() == "linear"
    with pytest.raises(ValueError, match="positive values"):
        plot_curves({"a": [1.0, 0.0]}, xlabel="step", ylabel="distance", logy=True)


def test_finish_axes_labels_titles_and_legends_only_when_asked():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="a line")
    assert finish_axes(ax, xlabel="time (s)", ylabel="loss (nats)") is fig
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("time (s)", "loss (nats)", "")
    assert ax.get_legend() is None
    finish_axes(
        ax,
        xlabel="x (m)",
        ylabel="y (m)",
        title="a title",
        legend={"fontsize": 8, "loc": "upper left"},
    )
    assert ax.get_title() == "a title"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a line"]
    assert ax.get_legend().get_texts()[0].get_fontsize() == 8


def test_epoch_curves_have_integer_ticks_only():
    fig = plot_curves({"a": [0.8, 0.85, 0.87, 0.88]}, xlabel="epoch", ylabel="accuracy (fraction)")
    fig.canvas.draw()
    ticks = [t for t in fig.axes[0].get_xticks() if 1 <= t <= 4]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks


def test_core_figures_are_open_and_labelled():
    from lib import plotting

    figures = {
        "image_grid": image_grid(torch.rand(3, 8, 8), ["a", "b", "c"], ncols=3),
        "plot_curves": plot_curves({"a": [1, 2]}, xlabel="epoch", ylabel="loss (nats)"),
        "plot_bars": plot_bars(["x", "y"], [1.0, 2.0], xlabel="class", ylabel="count"),
        "finish_axes": finish_axes(plt.subplots()[1], xlabel="x (m)", ylabel="y (m)"),
        "plot_confusion_matrix": plot_confusion_matrix([[3, 1], [0, 4]], ["a", "b"]),
    }
    # the style draws no figure; the running mean is a helper of the figures
    assert figure_functions(plotting) == {*figures, "set_style", "moving_mean"}
    for fig in figures.values():
        assert_labelled_figure(fig)


def test_the_figure_check_catches_unlabelled_and_closed_figures():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    with pytest.raises(AssertionError, match="x axis"):
        assert_labelled_figure(fig)
    ax.set_xlabel("time (s)")
    with pytest.raises(AssertionError, match="y axis"):
        assert_labelled_figure(fig)
    ax.set_ylabel("loss (nats)")
    assert_labelled_figure(fig)
    plt.close(fig)
    with pytest.raises(AssertionError, match="open"):
        assert_labelled_figure(fig)


def test_moving_mean_averages_each_window_and_rejects_short_input():
    assert moving_mean([1, 2, 3, 4, 5], 2).tolist() == [1.5, 2.5, 3.5, 4.5]
    assert moving_mean([1, 2, 3], 3).tolist() == [2.0]
    with pytest.raises(ValueError, match="at least window=4"):
        moving_mean([1, 2, 3], 4)
    with pytest.raises(ValueError, match="positive number"):
        moving_mean([1, 2, 3], 0)


def test_confusion_matrix_shows_row_fractions_and_rejects_a_wrong_shape():
    fig = plot_confusion_matrix([[6, 2], [0, 0]], ["cat", "dog"])
    shown = fig.axes[0].images[0].get_array()
    assert shown.tolist() == [[0.75, 0.25], [0.0, 0.0]]  # an empty row stays 0, not NaN
    assert [t.get_text() for t in fig.axes[0].texts] == ["0.25"]  # off-diagonal, >= 0.05
    with pytest.raises(ValueError, match="one row per class name"):
        plot_confusion_matrix([[1, 2, 3]], ["a"])
    plt.close("all")
