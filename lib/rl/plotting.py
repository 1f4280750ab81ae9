"""Figures of the reinforcement-learning chapter; every function returns its Figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from lib.checks import check_int
from lib.plotting import PALETTE, finish_axes, moving_mean
from lib.statistics import mean_ci, mean_t_ci

FROZEN_LAKE_ARROWS = {0: (-1, 0), 1: (0, 1), 2: (1, 0), 3: (0, -1)}
"""FrozenLake's actions as (dx, dy) on the grid drawn top-down: left, down, right, up."""
CLIFF_WALKING_ARROWS = {0: (0, -1), 1: (1, 0), 2: (0, 1), 3: (-1, 0)}
"""CliffWalking's actions: up, right, down, left."""
BAND_LEGEND = {"fontsize": 8, "title": "line: mean; band: 95 % t-interval", "title_fontsize": 8}
"""The legend of every figure with seed bands, saying what the band is."""


def plot_value_grid(
    values: np.ndarray,
    shape: tuple[int, int],
    *,
    policy: np.ndarray | None = None,
    arrows: Mapping[int, tuple[int, int]] = FROZEN_LAKE_ARROWS,
    labels: Sequence[str] | None = None,
    no_arrow: np.ndarray | None = None,
    title: str | None = None,
    value_label: str = "value V(s)",
    value_range: tuple[float, float] | None = None,
    ax: plt.Axes | None = None,
) -> Figure:
    """A grid world's state values as a heat map, with the greedy action of each state as an arrow.

    Args:
        values: One value per state, row-major over the grid, shape ``(S,)``.
        shape: ``(rows, cols)`` with ``rows * cols = S``.
        policy: Action per state ``(S,)`` drawn as arrows, or ``None``.
        arrows: Action -> ``(dx, dy)`` with ``y`` pointing down the rows.
        labels: Optional text per state (e.g. ``"S"``, ``"H"``, ``"G"``), shape ``(S,)``.
        no_arrow: Bool mask ``(S,)`` of states without an arrow (terminal states, or states the
            agent never acts in such as CliffWalking's cliff). They are drawn grey, outside the
            colour scale, so that the colours show the values of the states the agent acts in.
        title: Optional title.
        value_label: Colour-bar label.
        value_range: ``(vmin, vmax)`` of the colour scale; by default the drawn values' range.
        ax: Draw into this axes instead of a new figure.
    """
    values = np.asarray(values, float)
    if not isinstance(shape, tuple | list) or len(shape) != 2:
        raise ValueError(f"shape must be (rows, cols), got {shape!r}; pass e.g. (4, 4).")
    rows, cols = shape
    if values.shape != (rows * cols,):
        raise ValueError(
            f"values must have shape ({rows * cols},) for a {rows}x{cols} grid, got {values.shape}."
        )
    if value_range is not None and not value_range[0] < value_range[1]:
        raise ValueError(f"value_range must be (vmin, vmax) with vmin < vmax, got {value_range}.")
    masked = np.zeros(rows * cols, bool) if no_arrow is None else np.asarray(no_arrow, bool)
    if masked.shape != values.shape:
        raise ValueError(f"no_arrow must have shape {values.shape}, got {masked.shape}.")
    if labels is not None and len(labels) != len(values):
        raise ValueError(f"labels must hold one text per state ({len(values)}), got {len(labels)}.")
    if policy is not None:
        policy = np.asarray(policy)
        if policy.shape != values.shape or not np.issubdtype(policy.dtype, np.integer):
            raise ValueError(
                f"policy must be one action index per state, shape {values.shape}, got "
                f"{policy.dtype} {policy.shape}; pass Q.argmax(1) or the result's .policy."
            )
        unknown = sorted(set(policy[~masked].tolist()) - set(arrows))
        if unknown:
            raise ValueError(
                f"policy holds action {unknown[0]} that arrows does not draw (actions "
                f"{sorted(arrows)}); pass the arrows of the environment."
            )
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.0 + 0.75 * cols, 0.5 + 0.75 * rows))
    else:
        fig = ax.figure
    cmap = plt.get_cmap("viridis").with_extremes(bad="0.8")
    vmin, vmax = (None, None) if value_range is None else value_range
    image = ax.imshow(
        np.ma.masked_array(values, masked).reshape(rows, cols), cmap=cmap, vmin=vmin, vmax=vmax
    )
    fig.colorbar(image, ax=ax, label=value_label, fraction=0.046, pad=0.04)
    ax.set_xticks(range(cols))
    ax.set_yticks(range(rows))
    ax.grid(False)
    for s in range(rows * cols):
        r, c = divmod(s, cols)
        if labels is not None and labels[s]:
            ax.text(
                c - 0.35,
                r - 0.25,
                labels[s],
                color="black" if masked[s] else "white",
                fontsize=9,
                fontweight="bold",
                va="center",
            )
        if policy is not None and not masked[s]:
            dx, dy = arrows[int(policy[s])]
            ax.annotate(
                "",
                xy=(c + 0.3 * dx, r + 0.3 * dy),
                xytext=(c - 0.3 * dx, r - 0.3 * dy),
                arrowprops={"arrowstyle": "->", "color": "white", "lw": 1.5},
            )
    return finish_axes(ax, xlabel="column", ylabel="row", title=title)


def plot_learning_curves(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    threshold: float | None = None,
    threshold_label: str | None = None,
    bounds: tuple[float, float] | None = None,
    xlabel: str = "environment steps",
    ylabel: str = "greedy evaluation return",
    title: str | None = None,
    ax: plt.Axes | None = None,
    unit: str = "seeds",
    linestyles: Mapping[str, str] | None = None,
) -> Figure:
    """Mean return over seeds with a 95 % confidence band, one line per method.

    The band is the Student-t interval of the mean over the seeds (:func:`mean_t_ci`: with 3-5
    seeds a normal approximation would draw it 1.4-2.2x too narrow); the legend says so. It is
    clipped to ``bounds``: a mean return cannot leave the range
    of possible returns, e.g. ``(0, 500)`` on CartPole-v1.

    Args:
        curves: Label -> ``(steps (K,), returns (num_seeds, K))``.
        threshold: Draw a dashed black reference line at this return (e.g. 475, CartPole solved,
            or the return of a random policy).
        threshold_label: The line's legend entry; by default "solved (threshold)".
        bounds: Smallest and largest possible return; by default the smallest and largest return
            observed in ``curves``.
        xlabel, ylabel: Axis labels with units.
        title: Optional title.
        ax: Draw into this axes instead of a new figure.
        unit: What a row of ``returns`` is, for the legend (e.g. "runs").
        linestyles: Label -> matplotlib line style (e.g. ``"--"``) for lines that would otherwise
            hide one another; solid for labels not in it.
    """
    linestyles = dict(linestyles or {})
    if unknown := set(linestyles) - set(curves):
        raise ValueError(
            f"linestyles names labels that are not curves: {sorted(unknown)}; "
            f"the curves are {list(curves)}."
        )
    if ax is None:
        _, ax = plt.subplots()
    arrays = {
        label: (steps, np.asarray(returns, float)) for label, (steps, returns) in curves.items()
    }
    for label, (steps, returns) in arrays.items():
        if returns.ndim != 2 or returns.shape[1] != len(steps):
            raise ValueError(
                f"{label}: returns must have shape (num_seeds, {len(steps)}), got {returns.shape}."
            )
    if bounds is None:
        bounds = (
            min(r.min() for _, r in arrays.values()),
            max(r.max() for _, r in arrays.values()),
        )
    for colour, (label, (steps, returns)) in zip(PALETTE, arrays.items(), strict=False):
        mean, half = mean_t_ci(returns, axis=0)
        ax.plot(
            steps,
            mean,
            color=colour,
            linestyle=linestyles.get(label, "-"),
            label=f"{label} ({returns.shape[0]} {unit})",
        )
        ax.fill_between(
            steps,
            np.clip(mean - half, *bounds),
            np.clip(mean + half, *bounds),
            color=colour,
            alpha=0.2,
            linewidth=0,
        )
    if threshold is not None:
        if threshold_label is None:
            threshold_label = f"solved ({threshold:g})"
        ax.axhline(threshold, color="black", linestyle="--", linewidth=1, label=threshold_label)
    return finish_axes(ax, xlabel=xlabel, ylabel=ylabel, title=title, legend=BAND_LEGEND)


def plot_state_predictions(true: np.ndarray, predicted: np.ndarray, *, dt: float = 0.02) -> Figure:
    """True vs model-predicted CartPole state trajectories, one panel per state component.

    Shapes:
        - true, predicted: ``(T, 4)``
    """
    names = (
        "cart position (m)",
        "cart velocity (m/s)",
        "pole angle (rad)",
        "pole angular velocity (rad/s)",
    )
    true, predicted = np.asarray(true), np.asarray(predicted)
    if true.shape != predicted.shape or true.ndim != 2 or true.shape[-1] != 4:
        raise ValueError(
            f"expected two (T, 4) trajectories, got {true.shape} and {predicted.shape}."
        )
    if not dt > 0:
        raise ValueError(
            f"dt must be the positive time step in seconds (0.02 for CartPole), got {dt}."
        )
    t = np.arange(len(true)) * dt
    fig, axes = plt.subplots(2, 2, figsize=(9, 5.6), sharex=True)
    for k, ax in enumerate(axes.flat):
        ax.plot(t, true[:, k], color=PALETTE[0], label="environment")
        ax.plot(t, predicted[:, k], color=PALETTE[1], linestyle="--", label="learnt model")
        finish_axes(
            ax,
            xlabel="time (s)" if k >= 2 else "",  # the panels share the time axis
            ylabel=names[k],
            legend={} if k == 0 else None,
        )
    return fig


def plot_horizon_errors(
    panels: Sequence[Mapping],
    *,
    mark: int | None = None,
    mark_label: str = "planning horizon",
    dt: float = 0.02,
    panel_width: float = 4.6,
) -> Figure:
    """Errors of open-loop predictions against the horizon, side by side, on log y axes.

    Each line is the mean error over the start states (rows) at horizons ``1..H``, with the normal
    95 % interval of that mean as a band (:func:`mean_ci`: many independent start states).

    Args:
        panels: One mapping per panel with ``errors`` (label -> non-negative errors ``(B, H)``,
            row ``i`` the errors from start state ``i``, column ``k - 1`` those ``k`` steps ahead)
            and ``ylabel`` (with its unit), and optionally ``reference`` ``(value, label)``, a
            dashed horizontal line, and ``title``.
        mark: Draw a dotted vertical line at this horizon, e.g. the planner's.
        mark_label: Its legend entry.
        dt: Seconds per step, for the time axis on top (0.02 for CartPole).
        panel_width: Inches per panel.

    Shapes:
        - every panel's errors: ``(B, H)`` with ``B >= 2``
    """
    if not panels:
        raise ValueError("pass at least one panel (a mapping with 'errors' and 'ylabel').")
    if not dt > 0:
        raise ValueError(f"dt must be the positive time step in seconds, got {dt}.")
    fig, axes = plt.subplots(
        1, len(panels), figsize=(panel_width * len(panels), 0.75 * panel_width), squeeze=False
    )
    for ax, panel in zip(axes[0], panels, strict=True):
        for colour, (label, errors) in zip(PALETTE, panel["errors"].items(), strict=False):
            errors = np.asarray(errors, float)
            if errors.ndim != 2 or len(errors) < 2 or (errors < 0).any():
                raise ValueError(
                    f"{label}: errors must be non-negative with shape (num_starts >= 2, H), got "
                    f"shape {errors.shape}; pass e.g. np.abs of open_loop_errors' output."
                )
            horizons = np.arange(1, errors.shape[1] + 1)
            mean, half = mean_ci(errors, axis=0)
            ax.semilogy(horizons, mean, color=colour, label=f"{label} ({len(errors)} starts)")
            low = np.maximum(mean - half, mean / 10)  # stays on the log axis
            ax.fill_between(horizons, low, mean + half, color=colour, alpha=0.2, linewidth=0)
        if "reference" in panel:
            value, label = panel["reference"]
            ax.axhline(value, color="black", linestyle="--", linewidth=1, label=label)
        if mark is not None:
            ax.axvline(mark, color="black", linestyle=":", linewidth=1, label=mark_label)
        top = ax.secondary_xaxis("top", functions=(lambda k: k * dt, lambda t: t / dt))
        top.set_xlabel("time ahead (s)")
        finish_axes(
            ax,
            xlabel="horizon k (steps ahead)",
            ylabel=panel["ylabel"],
            title=panel.get("title"),
            legend={"fontsize": 8, "title": "line: mean; band: 95 % interval", "title_fontsize": 8},
        )
    return fig


def plot_value_grids(
    panels: Sequence[Mapping],
    shape: tuple[int, int],
    *,
    panel_width: float = 4.5,
    share_scale: bool = False,
) -> Figure:
    """Several :func:`plot_value_grid` panels side by side.

    Args:
        panels: Keyword arguments of :func:`plot_value_grid` for each panel (``values`` at least).
        shape: Grid shape shared by the panels.
        panel_width: Inches per panel.
        share_scale: One colour scale for every panel, from the smallest to the largest value
            drawn (states in a panel's ``no_arrow`` are grey and do not count), so that equal
            colours mean equal values across panels; otherwise each panel spans its own values.
    """
    if not panels:
        raise ValueError("pass at least one panel (a dict with 'values').")
    if isinstance(panels, Mapping) or any(
        not isinstance(p, Mapping) or "values" not in p for p in panels
    ):
        raise ValueError(
            "panels must be a list of dicts of plot_value_grid's arguments, each with 'values'; "
            "pass e.g. [{'values': V}] for one panel."
        )
    if share_scale:
        drawn = [
            np.asarray(p["values"], float)[~np.asarray(p.get("no_arrow", False), bool)]
            for p in panels
        ]
        value_range = (min(v.min() for v in drawn), max(v.max() for v in drawn))
        panels = [{"value_range": value_range, **p} for p in panels]
    rows, cols = shape
    fig, axes = plt.subplots(
        1,
        len(panels),
        figsize=(panel_width * len(panels), 0.5 + panel_width * rows / cols * 0.8),
        squeeze=False,
    )
    for ax, panel in zip(axes[0], panels, strict=False):
        plot_value_grid(shape=shape, ax=ax, **panel)
    return fig


def plot_episode_returns(
    returns: np.ndarray,
    *,
    window: int = 10,
    optimum: float | None = None,
    label: str = "training episodes",
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """Returns of successive training episodes, smoothed by a moving mean over ``window`` episodes.

    Args:
        returns: Return of each episode, shape ``(num_episodes,)``.
        window: Moving-mean width in episodes.
        optimum: Draw the optimal return as a dashed line.
        label: Legend label of the curve.
        ylim: Optional y-axis limits.
    """
    check_int(window, "window")
    returns = np.asarray(returns, float)
    if returns.ndim != 1 or len(returns) < window:
        raise ValueError(
            f"returns must be 1-D with at least window={window} episodes, "
            f"got shape {returns.shape}."
        )
    smooth = moving_mean(returns, window)
    fig, ax = plt.subplots()
    ax.plot(
        np.arange(window, len(returns) + 1),
        smooth,
        color=PALETTE[0],
        label=f"{label} ({window}-episode mean)",
    )
    if optimum is not None:
        ax.axhline(
            optimum, color="black", linestyle="--", linewidth=1, label=f"optimum ({optimum:g})"
        )
    if ylim is not None:
        ax.set_ylim(*ylim)
    return finish_axes(
        ax, xlabel="episode", ylabel="return of the episode (reward)", legend={"fontsize": 8}
    )


def plot_value_estimates(
    steps: np.ndarray,
    estimates: Mapping[str, np.ndarray],
    returns: Mapping[str, np.ndarray],
    *,
    bound: float,
    max_return: float | None = None,
    xlabel: str = "environment steps",
    ylabel: str = "discounted return from the start state",
    title: str | None = None,
    ax: plt.Axes | None = None,
) -> Figure:
    """Value estimates against the discounted returns they predict, mean over seeds with 95 % bands.

    The bands are Student-t intervals of the mean over the seeds (:func:`mean_t_ci`).

    For each method, a solid line is the mean estimate :math:`\\max_a Q(s_0, a)` of the start
    states and a dashed line of the same colour the mean discounted return its greedy policy
    collected from them; where the solid line lies above the dashed one, the method overestimates
    (van Hasselt et al. 2016, Figure 3). The bands of the returns are clipped to
    ``[0, max_return]``, those of the estimates are not (an estimate can leave that range), and a
    dotted line marks ``bound``, the largest value any state can have.

    Args:
        steps: Environment steps of the evaluations, ``(K,)``.
        estimates: Label -> estimates ``(num_seeds, K)``.
        returns: Label -> discounted returns ``(num_seeds, K)``, the same labels.
        bound: Upper bound of every value, e.g. ``1 / (1 - gamma)`` for rewards of at most 1.
        max_return: Largest discounted return an episode can collect (default ``bound``).
        xlabel, ylabel: Axis labels with units.
        title: Optional title.
        ax: Draw into this axes instead of a new figure.

    Shapes:
        - steps: ``(K,)``; every array of ``estimates`` and ``returns``: ``(num_seeds, K)``
    """
    if set(estimates) != set(returns):
        raise ValueError(
            f"estimates and returns need the same labels, got {sorted(estimates)} and "
            f"{sorted(returns)}."
        )
    max_return = bound if max_return is None else max_return
    if ax is None:
        _, ax = plt.subplots()
    for colour, label in zip(PALETTE, estimates, strict=False):
        for values, style, what, clip in (
            (estimates[label], "-", "estimate", None),
            (returns[label], "--", "return", (0.0, max_return)),
        ):
            values = np.asarray(values, float)
            if values.ndim != 2 or values.shape[1] != len(steps):
                raise ValueError(
                    f"{label} {what}s must have shape (num_seeds, {len(steps)}), "
                    f"got {values.shape}."
                )
            mean, half = mean_t_ci(values, axis=0)
            low, high = mean - half, mean + half
            if clip is not None:
                low, high = np.clip(low, *clip), np.clip(high, *clip)
            ax.plot(steps, mean, style, color=colour, label=f"{label}: {what}")
            ax.fill_between(steps, low, high, color=colour, alpha=0.15, linewidth=0)
    ax.axhline(bound, color="black", linestyle=":", linewidth=1, label=f"bound ({bound:g})")
    return finish_axes(ax, xlabel=xlabel, ylabel=ylabel, title=title, legend=BAND_LEGEND)


def plot_convergence(
    deltas: Sequence[float],
    *,
    gamma: float | None = None,
    tol: float | None = None,
    title: str | None = None,
    ax: plt.Axes | None = None,
) -> Figure:
    """The largest value change of each sweep of value iteration, on a log axis.

    With ``gamma`` a dotted line draws the contraction bound ``gamma**k * deltas[0]``: the
    change of sweep ``k`` can never lie above it. With ``tol`` a dashed line marks the stopping
    threshold.

    Args:
        deltas: ``max_s |V_{k+1}(s) - V_k(s)|`` of each sweep, e.g.
            :attr:`~lib.rl.mdp.ValueIterationResult.deltas`.
        gamma: Discount factor, for the bound.
        tol: Stopping threshold.
        title: Optional title.
        ax: Draw into this axes instead of a new figure.

    Shapes:
        - deltas: ``(num_sweeps,)``
    """
    deltas = np.asarray(deltas, float)
    if deltas.ndim != 1 or len(deltas) == 0 or (deltas <= 0).any():
        raise ValueError(
            f"deltas must be a non-empty 1-D sequence of positive changes, got shape "
            f"{deltas.shape} with minimum {deltas.min() if deltas.size else None}."
        )
    if ax is None:
        _, ax = plt.subplots()
    sweeps = np.arange(1, len(deltas) + 1)
    ax.semilogy(sweeps, deltas, color=PALETTE[0], label="largest change of the sweep")
    if gamma is not None:
        ax.semilogy(
            sweeps,
            deltas[0] * gamma ** (sweeps - 1),
            color="black",
            linestyle=":",
            label=f"contraction bound gamma^k (gamma = {gamma:g})",
        )
    if tol is not None:
        ax.axhline(tol, color="black", linestyle="--", linewidth=1, label=f"stop below {tol:g}")
    return finish_axes(
        ax,
        xlabel="sweep k",
        ylabel=r"$\max_s |V_{k+1}(s) - V_k(s)|$ (value)",
        title=title,
        legend={"fontsize": 8},
    )


def plot_phase_plane_maps(
    angle: np.ndarray,
    velocity: np.ndarray,
    panels: Sequence[Mapping],
    *,
    panel_width: float = 4.6,
) -> Figure:
    """Heat maps of functions of a pendulum's state over its phase plane, side by side.

    Each panel draws one array of values over the grid of angles (x axis, 0 is upright) and
    angular velocities (y axis), e.g. a trained actor's torque ``mu(theta, theta_dot)`` and its
    critic's value ``Q(s, mu(s))``; a white cross marks the upright state at rest.

    Args:
        angle: Grid of angles in rad, increasing, ``(A,)``.
        velocity: Grid of angular velocities in rad/s, increasing, ``(V,)``.
        panels: One mapping per panel with ``values`` ``(V, A)`` (row ``i``: ``velocity[i]``),
            ``label`` (the colour bar's label, with its unit), and optionally ``title``,
            ``cmap`` (default ``"viridis"``) and ``value_range`` ``(vmin, vmax)`` (default: the
            values' range).
        panel_width: Inches per panel.

    Shapes:
        - angle: ``(A,)``; velocity: ``(V,)``; every panel's values: ``(V, A)``
    """
    angle, velocity = np.asarray(angle, float), np.asarray(velocity, float)
    if not panels:
        raise ValueError("pass at least one panel (a mapping with 'values' and 'label').")
    for name, grid in (("angle", angle), ("velocity", velocity)):
        if grid.ndim != 1 or len(grid) < 2 or (np.diff(grid) <= 0).any():
            raise ValueError(f"{name} must be an increasing 1-D grid, got shape {grid.shape}.")
    fig, axes = plt.subplots(
        1, len(panels), figsize=(panel_width * len(panels), 0.8 * panel_width), squeeze=False
    )
    extent = (angle[0], angle[-1], velocity[0], velocity[-1])
    for ax, panel in zip(axes[0], panels, strict=True):
        values = np.asarray(panel["values"], float)
        if values.shape != (len(velocity), len(angle)):
            raise ValueError(
                f"values must have shape (len(velocity), len(angle)) = "
                f"({len(velocity)}, {len(angle)}), got {values.shape}."
            )
        vmin, vmax = panel.get("value_range", (None, None))
        image = ax.imshow(
            values,
            origin="lower",
            extent=extent,
            aspect="auto",
            cmap=panel.get("cmap", "viridis"),
            vmin=vmin,
            vmax=vmax,
            interpolation="nearest",
        )
        fig.colorbar(image, ax=ax, label=panel["label"], fraction=0.046, pad=0.04)
        ax.plot([0.0], [0.0], "x", color="white", markersize=9, markeredgewidth=2)
        ax.grid(False)
        finish_axes(
            ax,
            xlabel=r"angle $\theta$ from upright (rad)",
            ylabel=r"angular velocity $\dot\theta$ (rad/s)",
            title=panel.get("title"),
        )
    return fig
