"""The chapter's figure helpers return figures and reject bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lib.generative import gan, plotting  # noqa: E402
from tests.figure_checks import assert_module_figures  # noqa: E402


def test_every_figure_is_open_and_labelled():
    """The taxonomy is a diagram without axes, the neighbours are images."""
    d = torch.linspace(0.01, 0.99, 5)
    grid = torch.linspace(-1, 1, 5)
    figures = {
        "plot_taxonomy": plotting.plot_taxonomy(),
        "plot_explained_variance": plotting.plot_explained_variance(torch.tensor([0.5, 0.3, 0.2])),
        "plot_generator_losses": plotting.plot_generator_losses(d, gan.generator_loss_curves(d)),
        "plot_gan_losses": plotting.plot_gan_losses([1.4] * 30, [0.7] * 30, window=5),
        "plot_toy_panels": plotting.plot_toy_panels(
            {"a": torch.zeros(3, 2)}, torch.ones(4, 2), gan.ring_centres()
        ),
        "plot_toy_landscapes": plotting.plot_toy_landscapes(
            {"a": torch.zeros(3, 2)},
            {"a": (grid, torch.rand(5, 5))},
            torch.ones(4, 2),
            gan.ring_centres(),
            colour_labels={"a": "D(x)"},
            probabilities=["a"],
        ),
        "plot_dependency_maps": plotting.plot_dependency_maps(
            [torch.zeros(5, 5, dtype=torch.bool)], [(2, 2)], ["t"]
        ),
        "plot_neighbours": plotting.plot_neighbours(
            torch.rand(2, 1, 28, 28), {"n": torch.rand(2, 1, 28, 28)}
        ),
        "plot_class_histogram": plotting.plot_class_histogram(
            {"a": [1, 2, 3], "b": [3, 0, 3]}, ["x", "y", "z"]
        ),
        "plot_density_1d": plotting.plot_density_1d(
            torch.rand(50), torch.linspace(0, 1, 10), {"k": torch.ones(10)}, xlabel="x"
        ),
        "plot_density_2d": plotting.plot_density_2d(
            torch.randn(20, 2),
            *torch.meshgrid(grid, grid, indexing="xy"),
            {"a": torch.ones(5, 5)},
            xlabel="u (a.u.)",
            ylabel="v (a.u.)",
        ),
        "plot_noise_schedules": plotting.plot_noise_schedules(
            torch.linspace(0.99, 0.01, 5), torch.linspace(0.1, 0.9, 5)
        ),
        "plot_quality_vs_evaluations": plotting.plot_quality_vs_evaluations(
            [1, 2, 4], [90.0, 40.0, 20.0], floor=1.0, references={"DCGAN": (1, 30.0)}
        ),
    }
    assert_module_figures(plotting, figures)
    plt.close("all")


def test_explained_variance_plots_the_cumulative_ratio():
    fig = plotting.plot_explained_variance(torch.tensor([0.5, 0.3, 0.2]))
    x, y = fig.axes[0].lines[0].get_data()
    assert list(x) == [1, 2, 3] and y == pytest.approx([0.5, 0.8, 1.0])
    plt.close("all")


def test_dependency_maps_split_blind_spot_from_too_far_and_say_so_in_a_key():
    dep = torch.zeros(9, 9, dtype=torch.bool)
    dep[3, 4] = True  # the output (4, 4) sees the pixel above it only
    fig = plotting.plot_dependency_maps([dep], [(4, 4)], ["t"], reach=[1])
    image = fig.axes[0].images[0].get_array()
    blue, orange, grey = image[3, 4], image[3, 5], image[0, 0]  # seen; in reach; beyond
    assert blue[2] > blue[0] and orange[0] > orange[2] and grey[0] == grey[1] == grey[2] < 1
    assert image[4, 3].tolist() == orange.tolist()  # left neighbour: past, in reach, unseen
    assert image[5, 0].tolist() == [1, 1, 1]  # the future stays white
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("blind spot" in t for t in labels) and any("beyond reach" in t for t in labels)
    assert len(plotting.plot_dependency_maps([dep], [(4, 4)], ["t"]).legends[0].texts) == 4
    with pytest.raises(ValueError, match="2 reaches for 1 maps"):
        plotting.plot_dependency_maps([dep], [(4, 4)], ["t"], reach=[1, 2])
    plt.close("all")


def test_mismatched_panels_raise():
    with pytest.raises(ValueError):
        plotting.plot_dependency_maps(
            [torch.zeros(5, 5, dtype=torch.bool)], [(2, 2), (1, 1)], ["t"]
        )
    plt.close("all")


def test_density_plots_have_real_labels_and_round_colour_bar_ticks():
    grid = torch.linspace(0, 1, 10)
    fig = plotting.plot_density_1d(torch.rand(50), grid, {"k": torch.ones(10)}, xlabel="x (m)")
    assert "unit of x" not in fig.axes[0].get_ylabel() and "density" in fig.axes[0].get_ylabel()
    xs = torch.linspace(-3, 3, 30)
    xx, yy = torch.meshgrid(xs, xs, indexing="xy")
    density = (
        torch.exp(-(xx**2 + yy**2) / 2) / 6.2832 * 0.37
    )  # a peak that is not a whole number of nats
    fig = plotting.plot_density_2d(
        torch.randn(20, 2), xx, yy, {"a": density}, xlabel="u (a.u.)", ylabel="v (a.u.)"
    )
    colour_bar = fig.axes[1]
    fig.canvas.draw()
    ticks = colour_bar.get_yticks()
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks), ticks
    assert colour_bar.get_ylabel() == "log density (nats)"
    assert (fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()) == ("u (a.u.)", "v (a.u.)")


def test_class_histogram_shows_shares_and_rejects_wrong_lengths():
    fig = plotting.plot_class_histogram({"a": [1, 3, 0, 4]}, ["w", "x", "y", "z"])
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == pytest.approx([0.125, 0.375, 0.0, 0.5])
    titled = plotting.plot_class_histogram({"a": [1, 3]}, ["x", "y"], title="n = 4")
    assert titled.axes[0].get_title() == "n = 4"
    with pytest.raises(ValueError):
        plotting.plot_class_histogram({"a": [1, 2]}, ["x", "y", "z"])
    plt.close("all")


def test_flow_matching_figures_reject_mismatched_input():
    with pytest.raises(ValueError, match="one entry per DDPM step"):
        plotting.plot_noise_schedules(torch.ones(5), torch.ones(4))
    with pytest.raises(ValueError, match=r"got 3 evaluations and 2 distances"):
        plotting.plot_quality_vs_evaluations([1, 2, 4], [1.0, 2.0], floor=0.5)
    plt.close("all")


def test_quality_vs_evaluations_draws_other_samplers_dashed_on_shared_ticks():
    fig = plotting.plot_quality_vs_evaluations(
        [1, 2, 4],
        [90.0, 40.0, 20.0],
        floor=1.0,
        other_samplers={"Heun": ([2, 4, 8], [50.0, 25.0, 15.0])},
    )
    ax = fig.axes[0]
    euler, heun = ax.lines[0], ax.lines[1]
    assert list(heun.get_xdata()) == [2, 4, 8] and heun.get_linestyle() == "--"
    assert euler.get_linestyle() == "-" and heun.get_color() != euler.get_color()
    assert [int(t) for t in ax.get_xticks()] == [1, 2, 4, 8]
    with pytest.raises(ValueError, match="Heun: pass one Fréchet distance"):
        plotting.plot_quality_vs_evaluations(
            [1], [1.0], floor=0.5, other_samplers={"Heun": ([2, 4], [1.0])}
        )
    plt.close("all")


def test_gan_losses_draw_running_means_at_their_last_step():
    d_loss = [float(i) for i in range(10)]
    fig = plotting.plot_gan_losses(d_loss, [0.0] * 10, window=4)
    d_line = fig.axes[0].lines[0]
    assert list(d_line.get_xdata()) == [4, 5, 6, 7, 8, 9, 10]  # mean of steps 1-4 drawn at 4
    assert list(d_line.get_ydata()) == pytest.approx([1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5])
    plt.close("all")


def test_toy_landscapes_draw_one_colour_bar_per_panel_on_the_right_scale():
    grid = torch.linspace(-3, 3, 7)
    x1, x2 = torch.meshgrid(grid, grid, indexing="xy")
    landscapes = {"GAN": (grid, torch.sigmoid(x1)), "critic": (grid, 10 * x2)}
    fig = plotting.plot_toy_landscapes(
        {"GAN": torch.zeros(3, 2), "critic": torch.ones(3, 2)},
        landscapes,
        torch.ones(4, 2),
        gan.ring_centres(),
        colour_labels={"GAN": "D(x) (probability 'real')", "critic": "critic f(x) (a.u.)"},
        probabilities=["GAN"],
        ncols=3,
    )
    panels = [ax for ax in fig.axes if ax.get_title()]
    bars = [ax for ax in fig.axes if not ax.get_title() and ax.axison and ax.get_ylabel()]
    assert [ax.get_title() for ax in panels] == ["GAN", "critic"]
    assert [ax.get_ylabel() for ax in bars] == ["D(x) (probability 'real')", "critic f(x) (a.u.)"]
    assert bars[0].get_ylim() == pytest.approx((0, 1))  # probabilities on [0, 1]
    assert bars[1].get_ylim() == pytest.approx((-30, 30))  # a critic on its own range
    assert panels[0].get_xlim() == pytest.approx((-3, 3))
    plt.close("all")
    with pytest.raises(ValueError, match="same titles"):
        plotting.plot_toy_landscapes(
            {"a": torch.zeros(3, 2)}, {}, torch.ones(4, 2), gan.ring_centres(), colour_labels={}
        )
    with pytest.raises(ValueError, match=r"\(G, G\)"):
        plotting.plot_toy_landscapes(
            {"a": torch.zeros(3, 2)},
            {"a": (grid, torch.zeros(7, 6))},
            torch.ones(4, 2),
            gan.ring_centres(),
            colour_labels={"a": "D(x)"},
        )
