"""Figures of the understanding part: labelled, readable, bad inputs rejected."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lib.understanding import plotting  # noqa: E402
from tests.figure_checks import assert_module_figures  # noqa: E402


def teardown_function() -> None:
    plt.close("all")


def _figures() -> dict:
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


def test_every_figure_is_open_and_labelled():
    assert_module_figures(plotting, _figures())


def test_attribution_maps_name_columns_and_rows():
    fig = _figures()["attribution_maps"]
    assert [ax.get_title() for ax in fig.axes[:3]] == ["input", "saliency", "Grad-CAM"]
    assert [fig.axes[3 * i].get_ylabel() for i in range(3)] == ["a", "b", "c"]
    assert len(fig.axes) == 9


def test_embedding_scatter_has_one_legend_entry_per_class():
    (ax,) = _figures()["embedding_scatter"].axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "y", "z"]


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="N = 2"):
        plotting.attribution_maps(torch.rand(2, 1, 4, 4), {"m": torch.rand(3, 1, 4, 4)})
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plotting.embedding_scatter(torch.rand(5, 3), torch.zeros(5), ["a"], xlabel="x", ylabel="y")
