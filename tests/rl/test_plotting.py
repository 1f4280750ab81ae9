"""Figures of the RL chapter: masked non-states, bounded bands, readable labels."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from lib.rl import plotting  # noqa: E402
from lib.rl.plotting import (  # noqa: E402
    CLIFF_WALKING_ARROWS,
    plot_convergence,
    plot_episode_returns,
    plot_horizon_errors,
    plot_learning_curves,
    plot_phase_plane_maps,
    plot_state_predictions,
    plot_value_estimates,
    plot_value_grid,
    plot_value_grids,
)
from tests.figure_checks import assert_module_figures  # noqa: E402


def teardown_function() -> None:
    plt.close("all")


def test_value_grid_greys_out_states_without_an_arrow():
    values = np.linspace(-13, -1, 48)
    values[37:47] = -100.0  # the cliff: not a state the agent acts in
    cliff = np.arange(48) >= 37
    fig = plot_value_grid(
        values,
        (4, 12),
        policy=np.zeros(48, int),
        arrows=CLIFF_WALKING_ARROWS,
        no_arrow=cliff,
        value_label="optimal value (reward)",
    )
    image = fig.axes[0].images[0]
    assert np.ma.getmaskarray(image.get_array()).ravel().tolist() == cliff.tolist()
    assert image.get_clim()[0] > -100  # the colour scale covers the other states only
    assert fig.axes[1].get_ylabel() == "optimal value (reward)"
    assert (fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()) == ("column", "row")


def test_learning_curve_band_stays_within_the_possible_returns():
    steps = np.arange(1, 6) * 1000
    returns = np.array(
        [[10, 200, 500, 500, 500], [10, 100, 300, 500, 500], [9, 150, 500, 420, 500]], float
    )
    fig = plot_learning_curves({"DQN": (steps, returns)}, threshold=475)
    band = fig.axes[0].collections[0].get_paths()[0].vertices[:, 1]
    assert band.max() <= 500 and band.min() >= 9
    fig = plot_learning_curves({"DQN": (steps, returns)}, bounds=(0, 400))
    assert fig.axes[0].collections[0].get_paths()[0].vertices[:, 1].max() <= 400
    assert fig.axes[0].get_ylabel() == "greedy evaluation return"


def test_learning_curves_draw_overlapping_lines_in_their_own_style():
    steps, returns = np.arange(1, 4) * 100, np.full((2, 3), 9.0)
    fig = plot_learning_curves(
        {"no target network": (steps, returns), "naive": (steps, returns)},
        linestyles={"naive": ":"},
    )
    solid, dotted = fig.axes[0].get_lines()
    assert solid.get_linestyle() == "-" and dotted.get_linestyle() == ":"
    with pytest.raises(ValueError, match="not curves"):
        plot_learning_curves({"DQN": (steps, returns)}, linestyles={"dqn": "--"})


def test_value_grids_can_share_one_colour_scale_over_the_drawn_states():
    low, high = np.linspace(0, 0.4, 16), np.linspace(0.3, 0.9, 16)
    high[15] = 5.0  # terminal: grey, outside the scale
    terminal = np.arange(16) == 15
    panels = [{"values": low}, {"values": high, "no_arrow": terminal}]
    own = plot_value_grids(panels, (4, 4))
    shared = plot_value_grids(panels, (4, 4), share_scale=True)
    limits = [ax.images[0].get_clim() for ax in own.axes if ax.images]
    assert limits == [(0.0, 0.4), (0.3, pytest.approx(0.86))]
    limits = [ax.images[0].get_clim() for ax in shared.axes if ax.images]
    assert limits == [(0.0, pytest.approx(0.86))] * 2


def test_convergence_plot_is_logarithmic_with_the_contraction_bound():
    fig = plot_convergence([1.0, 0.5, 0.2, 0.01], gamma=0.9, tol=1e-3)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    delta, bound, tol = ax.get_lines()
    np.testing.assert_allclose(bound.get_ydata(), [1.0, 0.9, 0.81, 0.729])
    assert tol.get_ydata()[0] == 1e-3
    with pytest.raises(ValueError, match="positive"):
        plot_convergence([1.0, 0.0])


def test_state_prediction_panels_have_full_size_labels():
    true = np.zeros((10, 4))
    fig = plot_state_predictions(true, true + 0.1)
    assert len(fig.axes) == 4
    labels = [ax.yaxis.label for ax in fig.axes]
    assert all(label.get_fontsize() >= 10 for label in labels), [
        label.get_fontsize() for label in labels
    ]
    assert [label.get_text() for label in labels][2] == "pole angle (rad)"
    assert all(ax.get_xlabel() == "time (s)" for ax in fig.axes[2:])


def test_phase_plane_maps_put_velocity_on_rows_and_label_their_colour_bars():
    angle, velocity = np.linspace(-np.pi, np.pi, 5), np.linspace(-8, 8, 3)
    torque = np.tile(velocity[:, None], (1, 5))  # grows with the velocity, i.e. up the y axis
    fig = plot_phase_plane_maps(
        angle,
        velocity,
        [
            {"values": torque, "label": "torque (N m)", "cmap": "RdBu_r", "value_range": (-8, 8)},
            {"values": -np.abs(torque), "label": "Q (return)"},
        ],
    )
    first, second = (ax for ax in fig.axes if ax.images)
    image = first.images[0]
    assert image.origin == "lower" and image.get_extent() == [-np.pi, np.pi, -8, 8]
    assert image.get_clim() == (-8, 8) and second.images[0].get_clim() == (-8, 0)
    bars = [ax.get_ylabel() for ax in fig.axes if not ax.images]
    assert bars == ["torque (N m)", "Q (return)"]
    assert "rad/s" in first.get_ylabel() and "rad" in first.get_xlabel()
    with pytest.raises(ValueError, match="shape"):
        plot_phase_plane_maps(angle, velocity, [{"values": torque.T, "label": "u"}])
    with pytest.raises(ValueError, match="increasing"):
        plot_phase_plane_maps(angle[::-1], velocity, [{"values": torque, "label": "u"}])
    with pytest.raises(ValueError, match="at least one"):
        plot_phase_plane_maps(angle, velocity, [])


def _figures() -> dict:
    """Every figure of the module, drawn from small inputs."""
    steps, returns = np.arange(1, 4) * 100, np.array([[10.0, 50.0, 90.0], [20.0, 40.0, 100.0]])
    true = np.zeros((10, 4))
    return {
        "plot_value_grid": plot_value_grid(np.linspace(0, 1, 16), (4, 4), title="V"),
        "plot_learning_curves": plot_learning_curves({"DQN": (steps, returns)}, threshold=95),
        "plot_state_predictions": plot_state_predictions(true, true + 0.1),
        "plot_value_grids": plot_value_grids(
            [{"values": np.zeros(16), "title": "a"}, {"values": np.ones(16), "title": "b"}], (4, 4)
        ),
        "plot_episode_returns": plot_episode_returns(np.arange(30.0), window=5, optimum=29.0),
        "plot_convergence": plot_convergence([1.0, 0.5, 0.2, 1e-11], gamma=0.9, tol=1e-10),
        "plot_value_estimates": plot_value_estimates(
            steps, {"DQN": returns + 5}, {"DQN": returns}, bound=100.0
        ),
        "plot_horizon_errors": plot_horizon_errors(
            [{"errors": {"model": np.ones((3, 5))}, "ylabel": "error (m)"}], mark=2
        ),
        "plot_phase_plane_maps": plot_phase_plane_maps(
            np.linspace(-3, 3, 4),
            np.linspace(-8, 8, 3),
            [{"values": np.zeros((3, 4)), "label": "torque (N m)", "title": "actor"}],
        ),
    }


def test_every_figure_is_open_and_labelled():
    assert_module_figures(plotting, _figures())


def test_value_grids_and_episode_returns_show_their_panels_and_reference():
    figures = _figures()
    panels = [ax for ax in figures["plot_value_grids"].axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["a", "b"]
    (ax,) = figures["plot_episode_returns"].axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "training episodes (5-episode mean)",
        "optimum (29)",
    ]
    assert list(ax.lines[0].get_xdata()) == list(range(5, 31))


def test_value_estimate_bands_clip_returns_but_not_estimates():
    steps = np.arange(1, 4) * 100
    returns = np.array([[90.0, 99.0, 99.3], [60.0, 99.3, 99.3], [95.0, 80.0, 99.3]])
    estimates = returns + np.array([[0.0], [10.0], [20.0]])
    fig = plot_value_estimates(
        steps, {"DQN": estimates}, {"DQN": returns}, bound=100.0, max_return=99.3
    )
    ax = fig.axes[0]
    estimate_band, return_band = (c.get_paths()[0].vertices[:, 1] for c in ax.collections)
    assert return_band.max() <= 99.3 and estimate_band.max() > 100.0
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--", ":"]
    assert ax.lines[0].get_color() == ax.lines[1].get_color()
    with pytest.raises(ValueError, match="same labels"):
        plot_value_estimates(steps, {"DQN": estimates}, {"Double": returns}, bound=100.0)


def test_learning_curve_threshold_label_and_unit():
    steps = np.arange(1, 4)
    fig = plot_learning_curves(
        {"Q-learning": (steps, np.array([[0.5, 1.0, 0.0], [0.5, 0.0, 0.0]]))},
        threshold=0.05,
        threshold_label="optimal (5 %)",
        unit="runs",
    )
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["Q-learning (2 runs)", "optimal (5 %)"]
    plt.close(fig)


def test_learning_curve_band_is_the_student_t_interval_and_the_legend_says_so():
    steps = np.arange(1, 4)
    returns = np.array([[10.0, 20.0, 30.0], [14.0, 26.0, 30.0], [12.0, 23.0, 36.0]])
    fig = plot_learning_curves({"A2C": (steps, returns)}, bounds=(-1e9, 1e9))
    band = fig.axes[0].collections[0].get_paths()[0].vertices[:, 1]
    mean, std = returns.mean(0), returns.std(0, ddof=1)
    t = stats.t.ppf(0.975, df=2)  # 4.30 for three seeds, where the normal's 1.96 is far too small
    assert np.isclose(band.max(), (mean + t * std / np.sqrt(3)).max())
    assert np.isclose(band.min(), (mean - t * std / np.sqrt(3)).min())
    assert "95 % t-interval" in fig.axes[0].get_legend().get_title().get_text()
    plt.close(fig)


def test_horizon_errors_draw_the_mean_over_starts_on_log_axes():
    errors = np.array([[1.0, 2.0, 4.0], [3.0, 6.0, 12.0]])
    fig = plot_horizon_errors(
        [
            {"errors": {"model": errors, "no change": 2 * errors}, "ylabel": "error (m)"},
            {"errors": {"model": errors}, "ylabel": "angle (deg)", "reference": (12, "12 deg")},
        ],
        mark=2,
    )
    first, second = (ax for ax in fig.axes if ax.get_ylabel())
    assert first.get_yscale() == "log" and first.get_xlabel() == "horizon k (steps ahead)"
    assert list(first.lines[0].get_ydata()) == [2.0, 4.0, 8.0]
    assert list(first.lines[0].get_xdata()) == [1, 2, 3]
    legend = [t.get_text() for t in second.get_legend().get_texts()]
    assert legend == ["model (2 starts)", "12 deg", "planning horizon"]
