"""Figures of the graphs chapter: returned open, axes labelled, nodes coloured by class."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lib.graphs import plotting  # noqa: E402
from tests.figure_checks import assert_module_figures  # noqa: E402


def teardown_function() -> None:
    plt.close("all")


def _figures() -> dict:
    """Every figure of the module, drawn from small inputs."""
    graph, labels = nx.path_graph(6), [0, 0, 0, 1, 1, 1]
    embeddings = [torch.randn(6, 2, generator=torch.Generator().manual_seed(s)) for s in (0, 1)]
    return {
        "draw_graph": plotting.draw_graph(graph, labels, ["left", "right"], title="a path"),
        "message_passing": plotting.message_passing(graph, 2),
        "embedding_scatter": plotting.embedding_scatter(
            embeddings, labels, ["left", "right"], ["untrained", "trained"], highlight=[0, 5]
        ),
        "loglog_scaling": plotting.loglog_scaling(
            [10, 100, 1000],
            {"GCN": [1e3, 1e4, 1e5]},
            ylabel="multiply-adds (count)",
            slopes={"GCN": 1.0},
        ),
        "depth_curves": plotting.depth_curves(
            [1, 2, 4],
            {"plain": [[0.8, 0.7, 0.5], [0.7, 0.6, 0.2]], "one run": [0.8, 0.8, 0.8]},
            {"plain": [[1.0, 0.1, 0.01], [0.5, 0.1, 0.02]]},
        ),
        "dot_intervals": plotting.dot_intervals(
            ["ours", "PyG"],
            [81.0, 81.5],
            [0.5, 0.4],
            xlabel="test accuracy (%)",
            reference={"paper": 81.5},
        ),
        "training_curves": plotting.training_curves(
            [1.9, 1.5, 1.2], [1.8, 1.6, 1.7], [0.3, 0.6, 0.7], stopped_at=3
        ),
        "tsne_scatter": plotting.tsne_scatter(
            torch.randn(6, 2, generator=torch.Generator().manual_seed(2)).numpy(),
            labels,
            ["left", "right"],
        ),
        "graph_gallery": plotting.graph_gallery([nx.path_graph(4), nx.cycle_graph(5)], ["a", "b"]),
    }


def test_every_figure_is_open_and_labelled():
    assert_module_figures(plotting, _figures())


def test_graph_figures_name_the_classes_and_panels():
    figures = _figures()
    (ax,) = figures["draw_graph"].axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["left", "right"]
    assert ax.get_title() == "a path"
    (ax,) = figures["message_passing"].axes
    assert len(ax.patches) == 2  # one arrow from each neighbour of node 2 on the path
    assert [t.get_text() for t in ax.get_legend().get_texts()][0] == "node 2, updated"
    left, right = figures["embedding_scatter"].axes
    assert (left.get_title(), right.get_title()) == ("untrained", "trained")
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["left", "right"]
    (dots,) = figures["dot_intervals"].axes
    rows = dict(zip(dots.get_yticks(), [t.get_text() for t in dots.get_yticklabels()], strict=True))
    assert rows == {1: "ours", 0: "PyG"}  # the first name on top
    assert [t.get_text() for t in dots.get_legend().get_texts()] == ["paper"]
    (tsne,) = figures["tsne_scatter"].axes
    assert tsne.get_xlabel() == "t-SNE dimension 1 (no units)"
    assert [t.get_text() for t in tsne.get_legend().get_texts()] == ["left", "right"]
    with pytest.raises(ValueError, match="one mean"):
        plotting.dot_intervals(["a"], [1.0, 2.0], [0.1], xlabel="x (%)")
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plotting.tsne_scatter(torch.zeros(6, 3).numpy(), [0, 0, 0, 1, 1, 1], ["l", "r"])


def test_training_curves_mark_the_early_stop_and_show_accuracy_in_percent():
    loss, accuracy = _figures()["training_curves"].axes
    assert loss.get_ylabel() == "cross-entropy (nats)"
    assert accuracy.get_lines()[0].get_ydata() == pytest.approx([30.0, 60.0, 70.0])
    for ax in (loss, accuracy):
        assert ax.get_lines()[-1].get_xdata()[0] == 3  # the dotted stop line
        assert "early stop (epoch 3)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_scaling_figure_draws_guides_of_slope_one_and_two():
    (ax,) = _figures()["loglog_scaling"].axes
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["GCN (slope 1.00)", "slope 1", "slope 2"]
    _, guide1, guide2 = ax.get_lines()
    assert guide1.get_ydata()[-1] == pytest.approx(1e5)  # through the first point, x100 in E
    assert guide2.get_ydata()[-1] == pytest.approx(1e7)
    assert ax.get_ylabel() == "multiply-adds (count)"


def test_depth_curves_show_the_mean_and_the_range_over_runs():
    left, right = _figures()["depth_curves"].axes
    line = left.get_lines()[0]
    assert line.get_ydata() == pytest.approx([75.0, 65.0, 35.0])  # mean of two runs, in %
    bars = left.containers[0][2][0].get_segments()  # error bars from the worst to the best run
    assert [tuple(seg[:, 1]) for seg in bars] == [
        pytest.approx((70.0, 80.0)),
        pytest.approx((60.0, 70.0)),
        pytest.approx((20.0, 50.0)),
    ]
    assert right.get_ylabel() == "Dirichlet energy (dimensionless)"
    assert right.get_yscale() == "log"
