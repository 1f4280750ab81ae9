"""Figures of the uncertainty chapter: labelled, readable, nothing hidden."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from lib.calibration import reliability_bins  # noqa: E402
from lib.plotting import PALETTE  # noqa: E402
from lib.uncertainty import plotting  # noqa: E402
from lib.uncertainty.plotting import quality_vs_cost  # noqa: E402
from tests.figure_checks import assert_labelled_figure, assert_module_figures  # noqa: E402


def teardown_function() -> None:
    plt.close("all")


def _figures() -> dict:
    """Every figure of the module, drawn from small inputs."""
    g = torch.Generator().manual_seed(0)
    X, grid = torch.rand(20, 1, generator=g), torch.linspace(0, 1, 11)
    probs = torch.softmax(torch.randn(50, 3, generator=g), 1)
    y = torch.randint(0, 3, (50,), generator=g)
    xx, yy = torch.meshgrid(grid, grid, indexing="xy")
    maps = {name: (xx, yy, torch.full_like(xx, 0.5)) for name in ("single", "ensemble")}
    coverage = torch.linspace(0.1, 1, 10)
    return {
        "regression_bands": plotting.regression_bands(
            X, X**2, grid, grid**2, {"total": torch.full((11,), 0.1)}, truth=grid**2, gap=(0.4, 0.6)
        ),
        "std_split": plotting.std_split(
            grid, {"epistemic": grid + 0.01, "aleatoric": 0.1 + 0 * grid}, gap=(0.4, 0.6)
        ),
        "reliability_diagram": plotting.reliability_diagram(
            {"a": reliability_bins(probs, y), "b": reliability_bins(probs, y)}, title="t"
        ),
        "metric_vs_severity": plotting.metric_vs_severity(
            {"single": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]}, ylabel="accuracy (fraction)"
        ),
        "severity_grid": plotting.severity_grid(
            {(name, s): torch.rand(28, 28) for name in ("blur", "noise") for s in (1, 2)},
            torch.rand(28, 28),
        ),
        "confidence_histograms": plotting.confidence_histograms(
            {"single": {"in": probs.max(1).values, "out": probs.min(1).values}}
        ),
        "confidence_maps": plotting.confidence_maps(maps, torch.rand(10, 2), torch.arange(10) % 3),
        "risk_coverage_plot": plotting.risk_coverage_plot({"single": (coverage, 1 - coverage / 2)}),
        "decision_regions_plot": plotting.decision_regions_plot(
            torch.tensor([[0.0, 1.0], [1.0, 0.0]]), ["treat", "wait"], ["healthy", "diseased"]
        ),
        "roc_curves": plotting.roc_curves(
            {"max-prob": {"single": (torch.tensor([0.0, 0.5, 1.0]), torch.tensor([0.0, 0.8, 1.0]))}}
        ),
        "quality_vs_cost": quality_vs_cost(
            {"a": (1.0, 0.3), "b": (5.0, 0.2)}, xlabel="time (s)", ylabel="NLL (nats)"
        ),
    }


def test_every_figure_is_open_and_labelled():
    assert_module_figures(plotting, _figures())


def test_grid_figures_name_their_rows_and_columns():
    figures = _figures()
    grid = figures["severity_grid"].axes
    assert [ax.get_title() for ax in grid[:3]] == ["clean", "severity 1", "severity 2"]
    assert [grid[0].get_ylabel(), grid[3].get_ylabel()] == ["blur", "noise"]
    maps = figures["confidence_maps"].axes
    assert [ax.get_title() for ax in maps[:2]] == ["single", "ensemble"]
    assert maps[2].get_ylabel() == "max probability"  # the colour bar


def test_quality_vs_cost_keeps_coinciding_points_visible_and_ticks_readable():
    points = {f"method {i}": (0.1 * (1 + i % 3), 1.0) for i in range(6)}  # several on the same spot
    points["same as method 0"] = points["method 0"]
    fig = quality_vs_cost(points, xlabel="time (s, log scale)", ylabel="NLL (nats per image)")
    (ax,) = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("time (s, log scale)", "NLL (nats per image)")
    collections = ax.collections
    assert len(collections) == len(points)
    assert len({c.get_paths()[0].vertices.tobytes() for c in collections}) == len(
        points
    )  # one shape each
    positions = {tuple(c.get_offsets()[0]) for c in collections}
    assert len(positions) == len(points)  # coinciding points set side by side
    assert all(
        len(c.get_facecolor()) == 0 or c.get_facecolor()[0][3] == 0 for c in collections
    )  # hollow
    assert PALETTE[6] not in {
        to_hex(c.get_edgecolor()[0]) for c in collections
    }  # no low-contrast yellow
    fig.canvas.draw()
    assert not [t.get_text() for t in ax.xaxis.get_minorticklabels() if t.get_text()]


def test_cost_plot_ticks_every_cost_and_sets_shared_costs_side_by_side():
    fig = quality_vs_cost(
        {"a": (1.0, 0.3), "b": (1.0, 0.3), "c": (10.0, 0.2)},
        xlabel="forward passes per image",
        ylabel="NLL (nats)",
        curve=("sizes", [1, 2, 3], [0.3, 0.25, 0.22]),
    )
    assert_labelled_figure(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "10"]
    xs = [c.get_offsets()[0][0] for c in ax.collections]
    assert xs[0] > 1 and xs[1] > xs[0] and xs[2] == 10
    assert len(ax.get_lines()) == 1 and list(ax.get_lines()[0].get_xdata()) == [1, 2, 3]


def test_regression_bands_draws_hidden_bands_as_lines_on_top():
    grid = torch.linspace(0, 1, 11)
    bands = {f"sd {sd}": torch.full((11,), sd) for sd in (0.3, 0.2, 0.1)}
    legend = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.2), "ncol": 3}
    fig = plotting.regression_bands(
        torch.rand(5, 1),
        torch.rand(5, 1),
        grid,
        grid,
        bands,
        lines=["sd 0.1", "sd 0.2"],
        legend=legend,
    )
    assert_labelled_figure(fig)
    ax = fig.axes[0]
    fills = [c for c in ax.collections if c.get_label().startswith("±2 sd")]
    assert [c.get_label() for c in fills] == ["±2 sd, sd 0.3"]  # the narrow bands are not filled
    for colour, sd in ((PALETTE[2], 0.2), (PALETTE[3], 0.1)):  # colours by width, as the fills
        pair = [line for line in ax.get_lines() if line.get_color() == colour]
        assert [list(line.get_ydata()) for line in pair] == [
            pytest.approx((grid + 2 * sd).tolist()),
            pytest.approx((grid - 2 * sd).tolist()),
        ]  # mean ± 2 sd
        assert min(line.get_zorder() for line in pair) > max(c.get_zorder() for c in fills)
    styles = {line.get_color(): line.get_linestyle() for line in ax.get_lines()}
    assert styles[PALETTE[2]] != styles[PALETTE[3]]  # told apart without colour too
    labels = ax.get_legend_handles_labels()[1]
    assert labels.count("±2 sd, sd 0.1") == 1 and labels.count("±2 sd, sd 0.2") == 1
    assert ax.get_legend().get_window_extent().y1 < ax.get_window_extent().y0  # below the axes


def test_roc_curves_draw_each_score_in_a_panel_with_the_chance_diagonal():
    from sklearn.metrics import roc_curve

    g = torch.Generator().manual_seed(2)
    targets = torch.arange(40) % 2
    scores = {"a": targets + torch.randn(40, generator=g), "b": torch.randn(40, generator=g)}
    rates = {label: roc_curve(targets.numpy(), v.numpy())[:2] for label, v in scores.items()}
    fig = plotting.roc_curves({"max-prob": rates, "entropy": rates})
    assert_labelled_figure(fig)
    left, right = fig.axes
    assert [left.get_title(), right.get_title()] == ["max-prob", "entropy"]
    assert left.get_ylabel().startswith("true-positive rate") and not right.get_ylabel()
    assert right.get_legend() is not None and left.get_legend() is None  # one legend
    chance, a, b = right.get_lines()
    assert list(chance.get_xdata()) == list(chance.get_ydata()) == [0, 1]
    assert list(a.get_xdata()) == list(rates["a"][0]) and list(a.get_ydata()) == list(rates["a"][1])
    assert a.get_linestyle() != b.get_linestyle() and a.get_color() != b.get_color()


def test_confidence_histograms_are_outlines_one_panel_per_predictor_on_shared_bins():
    g = torch.Generator().manual_seed(3)
    sets = {"in": torch.rand(50, generator=g), "out": torch.rand(60, generator=g)}
    fig = plotting.confidence_histograms({"single": sets, "ensemble": {"in": sets["in"] / 2}})
    left, right = fig.axes
    assert (left.get_title(), right.get_title()) == ("single", "ensemble")
    assert left.get_ylabel() == "density" and not right.get_ylabel()
    assert left.get_legend() is not None and right.get_legend() is None  # one legend
    assert all(not patch.get_fill() for patch in left.patches)  # outlines only: nothing overlaps
    assert len({patch.get_linestyle() for patch in left.patches}) == 2
    # the same bins in every panel, spanning every panel's scores
    (in_left, _), (in_right,) = left.patches, right.patches
    edges_left, edges_right = (np.unique(p.get_path().vertices[:, 0]) for p in (in_left, in_right))
    np.testing.assert_array_equal(edges_left, edges_right)
    assert edges_left[0] <= float(sets["in"].min() / 2) and edges_left[-1] >= float(
        sets["out"].max()
    )


def test_distinct_lines_differ_in_marker_and_style():
    fig = plotting.metric_vs_severity(
        {"single": [0.9] * 6, "scaled": [0.9] * 6}, ylabel="accuracy (fraction)", distinct=True
    )
    a, b = fig.axes[0].get_lines()
    assert a.get_marker() != b.get_marker() and a.get_linestyle() != b.get_linestyle()
    assert a.get_linewidth() > b.get_linewidth()


def test_reliability_diagram_with_histogram_draws_the_counts_and_the_two_means():
    g = torch.Generator().manual_seed(1)
    probs = torch.softmax(2 * torch.randn(200, 4, generator=g), 1)
    y = torch.randint(0, 4, (200,), generator=g)
    bins = reliability_bins(probs, y, n_bins=10)
    fig = plotting.reliability_diagram({"a": bins, "b": bins}, histogram=True)
    assert_labelled_figure(fig)
    top, _, bottom, _ = fig.axes  # row by row: histograms above, diagrams below
    assert top.get_ylabel() == "predictions (count)"
    assert bottom.get_xlabel() == "confidence (max probability)"
    heights = [p.get_height() for p in top.patches]
    assert heights == bins.counts.tolist()  # the histogram is the ECE's own bin counts
    lines = {line.get_label(): line.get_xdata()[0] for line in top.get_lines()}
    confidence, correct = probs.max(1).values, probs.argmax(1) == y
    assert lines["mean confidence"] == pytest.approx(confidence.double().mean().item())
    assert lines["accuracy"] == pytest.approx(correct.double().mean().item())
