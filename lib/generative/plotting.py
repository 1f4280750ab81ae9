"""Figures of the generative-models chapter; every function returns a matplotlib Figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from lib.checks import check_image_range, check_int, check_shape
from lib.generative.pixelcnn import reach_mask
from lib.plotting import PALETTE, finish_axes, moving_mean


def plot_explained_variance(ratios: torch.Tensor) -> Figure:
    """Cumulative explained variance of PCA against the number of components.

    Shapes:
        ``ratios``: ``(q,)``, the explained variance ratio of each component.
    """
    check_shape(ratios, "ratios", (None,), "one ratio per component")
    if len(ratios) and (ratios.min() < 0 or ratios.sum() > 1 + 1e-4):
        raise ValueError(
            f"ratios must be fractions of the variance (>= 0, summing to at most 1), got sum "
            f"{float(ratios.sum()):.3g}; pass PCAResult.explained_variance_ratio, not percent."
        )
    cumulative = torch.cumsum(ratios, 0).numpy()
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    ax.plot(np.arange(1, len(cumulative) + 1), cumulative, color=PALETTE[0])
    ax.set_ylim(0, 1)
    return finish_axes(
        ax,
        xlabel="number of principal components",
        ylabel="cumulative explained variance (fraction)",
    )


def plot_density_1d(
    data: torch.Tensor,
    grid: torch.Tensor,
    densities: Mapping[str, torch.Tensor],
    *,
    bins: int = 40,
    xlabel: str,
    ylabel: str = "probability density (area under each curve = 1)",
) -> Figure:
    """A normalised histogram of 1-D data with density estimates drawn over it.

    Args:
        data: The samples, histogrammed with total area 1.
        grid: Where the densities were evaluated.
        densities: Label -> density values on ``grid``.
        bins: Number of histogram bins.
        xlabel: x-axis label with its unit.
        ylabel: y-axis label; a density's unit is one over the unit of x.

    Shapes:
        ``data``: ``(N,)``; ``grid``: ``(M,)``; each density ``(M,)``.
    """
    check_shape(data, "data", (None,), "1-D samples")
    check_shape(grid, "grid", (None,), "where the densities were evaluated")
    for name, density in densities.items():
        check_shape(density, f"densities[{name!r}]", (len(grid),), "one value per grid point")
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.hist(data.numpy(), bins=bins, density=True, color="0.8", label=f"histogram ({bins} bins)")
    for colour, (name, density) in zip(PALETTE, densities.items(), strict=False):
        ax.plot(grid.numpy(), density.numpy(), color=colour, label=name)
    return finish_axes(ax, xlabel=xlabel, ylabel=ylabel, legend={})


def plot_density_2d(
    data: torch.Tensor,
    xx: torch.Tensor,
    yy: torch.Tensor,
    densities: Mapping[str, torch.Tensor],
    *,
    xlabel: str,
    ylabel: str,
) -> Figure:
    """Side-by-side filled contours of the log of 2-D density estimates, data as dots.

    The contour levels are whole nats, from the first integer above the peak down 8 nats, so the
    colour bar's ticks are round numbers.

    Shapes:
        ``data``: ``(N, 2)``; ``xx``, ``yy`` and each density: ``(H, W)`` (a meshgrid).
    """
    check_shape(data, "data", (None, 2), "2-D samples")
    check_shape(xx, "xx", (None, None), "a meshgrid")
    check_shape(yy, "yy", tuple(xx.shape), "the meshgrid of xx")
    if not densities:
        raise ValueError("pass at least one density: {label: density on the (xx, yy) grid}.")
    for name, density in densities.items():
        check_shape(
            density, f"densities[{name!r}]", tuple(xx.shape), "one value per grid point, like xx"
        )
    fig, axes = plt.subplots(1, len(densities), figsize=(3.6 * len(densities), 3.2), squeeze=False)
    for ax, (name, density) in zip(axes[0], densities.items(), strict=True):
        log_density = np.log(density.double().clamp_min(1e-300).numpy())
        top = np.ceil(log_density.max())
        filled = ax.contourf(
            xx.numpy(),
            yy.numpy(),
            log_density,
            levels=np.arange(top - 8, top + 1),
            cmap="Blues",
            extend="min",
        )
        ax.scatter(data[:, 0].numpy(), data[:, 1].numpy(), s=0.5, color=PALETTE[5], alpha=0.25)
        fig.colorbar(filled, ax=ax, label="log density (nats)")
        ax.grid(False)
        finish_axes(ax, xlabel=xlabel, ylabel=ylabel, title=name)
    return fig


_TAXONOMY = {
    "Generative models": ["Explicit density", "Implicit density"],
    "Explicit density": ["Tractable density", "Approximate density"],
    "Tractable density": [
        "Fully visible belief nets:\nPixelRNN/CNN, NADE, MADE",
        "Normalising flows",
    ],
    "Approximate density": ["Variational:\nVAE", "Markov chain:\nBoltzmann machine"],
    "Implicit density": ["Direct:\nGAN", "Markov chain:\nGSN"],
}


def plot_taxonomy() -> Figure:
    """The taxonomy of generative models of the lecture (after Goodfellow's NIPS 2016 tutorial).

    The families this chapter builds are drawn in colour.
    """
    levels: dict[str, int] = {"Generative models": 0}
    order: list[str] = ["Generative models"]
    for parent, children in _TAXONOMY.items():
        for child in children:
            levels[child] = levels[parent] + 1
            order.append(child)
    leaves = [n for n in order if n not in _TAXONOMY]
    x: dict[str, float] = {leaf: float(i) for i, leaf in enumerate(leaves)}

    def position(node: str) -> float:
        if node not in x:
            x[node] = float(np.mean([position(c) for c in _TAXONOMY[node]]))
        return x[node]

    position("Generative models")
    fig, ax = plt.subplots(figsize=(9.5, 3.8))
    built = {"Fully visible belief nets:\nPixelRNN/CNN, NADE, MADE", "Direct:\nGAN"}
    for parent, children in _TAXONOMY.items():
        for child in children:
            ax.plot([x[parent], x[child]], [-levels[parent], -levels[child]], color="0.6", zorder=1)
    for node in order:
        colour = PALETTE[1] if node in built else "white"
        ax.text(
            x[node],
            -levels[node],
            node,
            ha="center",
            va="center",
            fontsize=8,
            zorder=2,
            bbox={"boxstyle": "round", "facecolor": colour, "edgecolor": "0.4"},
        )
    ax.set_xlim(-0.7, len(leaves) - 0.3)
    ax.set_ylim(-3.5, 0.5)
    ax.axis("off")
    fig.tight_layout()
    return fig


def plot_dependency_maps(
    maps: Sequence[torch.Tensor],
    pixels: Sequence[tuple[int, int]],
    titles: Sequence[str],
    *,
    reach: Sequence[int] | None = None,
) -> Figure:
    """Which input pixels each output pixel depends on, with the output pixel marked and a key.

    Colours (the key under the panels says the same): inputs the output depends on blue, the
    output pixel black, the raster-order future white. The past that is *not* seen is orange;
    with ``reach`` (each model's ``context``, see :func:`lib.generative.pixelcnn.reach_box`) it
    is split into the part inside the model's reach, orange (the blind spot), and the part
    beyond it, grey (too far away).

    Shapes:
        each map ``(H, W)`` bool, ``H == W``; ``pixels``, ``titles`` (and ``reach``) one entry
        per map.
    """
    if reach is not None and len(reach) != len(maps):
        raise ValueError(f"got {len(reach)} reaches for {len(maps)} maps; pass one per map.")
    colours = {
        "seen": np.array([0, 114, 178]) / 255,  # blue
        "blind": np.array([230, 159, 0]) / 255,  # orange
        "far": np.array([0.75, 0.75, 0.75]),  # grey
    }
    fig, axes = plt.subplots(1, len(maps), figsize=(3.2 * len(maps), 4.0), squeeze=False)
    reaches = reach if reach is not None else [None] * len(maps)
    for ax, dep, (row, col), title, context in zip(
        axes[0], maps, pixels, titles, reaches, strict=True
    ):
        size = dep.shape[0]
        index = torch.arange(size * size).reshape(size, size)
        past = index < row * size + col
        image = np.ones((size, size, 3))
        image[(past & ~dep).numpy()] = colours["blind"]
        if context is not None:
            in_reach = reach_mask(row, col, context, size)
            image[(past & ~dep & ~in_reach).numpy()] = colours["far"]
        image[dep.numpy()] = colours["seen"]
        ax.imshow(image)
        ax.scatter([col], [row], marker="s", s=30, color="black")
        ax.set_title(title, fontsize=9)
        ax.grid(False)
        finish_axes(ax, xlabel="column (pixels)", ylabel="row (pixels)")
    unseen = "past, in reach, not seen (blind spot)" if reach is not None else "past, not seen"
    key = [
        Patch(facecolor=colours["seen"], label="seen by the output"),
        Patch(facecolor=colours["blind"], label=unseen),
        *([Patch(facecolor=colours["far"], label="past, beyond reach")] if reach else []),
        Patch(facecolor="white", edgecolor="0.4", label="future (must not be seen)"),
        Patch(facecolor="black", label="output pixel"),
    ]
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.legend(handles=key, loc="lower center", ncol=len(key), frameon=False, fontsize=9)
    return fig


def plot_generator_losses(
    d_values: torch.Tensor, curves: Mapping[str, tuple[torch.Tensor, torch.Tensor]]
) -> Figure:
    """Saturating and non-saturating generator losses (left) and their gradients (right) vs D(G(z)).

    Shapes:
        ``d_values``: ``(M,)``; ``curves``: name → (loss ``(M,)``, gradient ``(M,)``), as from
        :func:`lib.generative.gan.generator_loss_curves`.
    """
    check_shape(d_values, "d_values", (None,), "the values of D(G(z))")
    for name, pair in curves.items():
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValueError(
                f"curves[{name!r}] must be a pair (loss, gradient), got {type(pair).__name__}; "
                "pass the dict of generator_loss_curves."
            )
        for part, values in zip(("loss", "gradient"), pair, strict=True):
            check_shape(values, f"the {part} of curves[{name!r}]", (len(d_values),), "per D")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.3))
    labels = {
        "saturating": r"minimax: $\log(1 - D(G(z)))$",
        "nonsaturating": r"non-saturating: $-\log D(G(z))$",
    }
    for colour, (name, (loss, grad)) in zip(PALETTE, curves.items(), strict=False):
        ax1.plot(d_values.numpy(), loss.numpy(), color=colour, label=labels.get(name, name))
        ax2.plot(d_values.numpy(), grad.abs().numpy(), color=colour, label=labels.get(name, name))
    xlabel = "D(G(z)) (probability 'real')"
    finish_axes(ax1, xlabel=xlabel, ylabel="generator loss (nats)", legend={"fontsize": 8})
    return finish_axes(ax2, xlabel=xlabel, ylabel="|d loss / d logit| (nats per logit)")


def plot_gan_losses(
    d_loss: Sequence[float], g_loss: Sequence[float], *, window: int = 25
) -> Figure:
    """Discriminator and generator losses over training, as running means, with their values at
    the equilibrium D = 1/2: 2 ln 2 for the discriminator's two cross-entropy terms, ln 2 for the
    non-saturating generator loss.

    Shapes:
        ``d_loss``, ``g_loss``: ``(steps,)``, one value per generator step.
    """
    if len(d_loss) != len(g_loss):
        raise ValueError(
            f"d_loss and g_loss must have one value per generator step each, got {len(d_loss)} "
            f"and {len(g_loss)}."
        )
    fig, ax = plt.subplots(figsize=(7, 3))
    for colour, (label, values) in zip(
        PALETTE, (("discriminator", d_loss), ("generator (non-saturating)", g_loss)), strict=False
    ):
        smooth = moving_mean(values, window)
        ax.plot(np.arange(window, len(smooth) + window), smooth, color=colour, label=label)
    ax.axhline(2 * np.log(2), color=PALETTE[0], linestyle=":", label="2 ln 2 (D = 1/2)")
    ax.axhline(np.log(2), color=PALETTE[1], linestyle=":", label="ln 2 (D = 1/2)")
    return finish_axes(
        ax,
        xlabel="generator step",
        ylabel=f"loss (nats, {window}-step running mean)",
        legend={"fontsize": 8},
    )


def plot_toy_panels(
    panels: Mapping[str, torch.Tensor], real: torch.Tensor, centres: torch.Tensor, *, ncols: int = 4
) -> Figure:
    """Scatter plots of generated 2-D samples (orange) over real ones (grey), one panel each.

    Shapes:
        each panel ``(N, 2)``; ``real``: ``(M, 2)``; ``centres``: ``(K, 2)``.
    """
    check_int(ncols, "ncols")
    if not panels:
        raise ValueError("pass at least one panel: {title: samples (N, 2)}.")
    for title, samples in panels.items():
        check_shape(samples, f"panels[{title!r}]", (None, 2), "2-D samples")
    check_shape(real, "real", (None, 2), "2-D samples")
    check_shape(centres, "centres", (None, 2), "the ring's centres")
    n = len(panels)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, min(n, ncols), figsize=(2.6 * min(n, ncols), 2.7 * nrows), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, (title, samples) in zip(axes.flat, panels.items(), strict=False):
        ax.axis("on")
        ax.scatter(real[:, 0].numpy(), real[:, 1].numpy(), s=2, color="0.7")
        ax.scatter(samples[:, 0].numpy(), samples[:, 1].numpy(), s=2, color=PALETTE[5], alpha=0.5)
        ax.scatter(centres[:, 0].numpy(), centres[:, 1].numpy(), marker="x", s=20, color="black")
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=9)
        finish_axes(ax, xlabel="$x_1$ (a.u.)", ylabel="$x_2$ (a.u.)")
    return fig


def plot_toy_landscapes(
    panels: Mapping[str, torch.Tensor],
    landscapes: Mapping[str, tuple[torch.Tensor, torch.Tensor]],
    real: torch.Tensor,
    centres: torch.Tensor,
    *,
    colour_labels: Mapping[str, str],
    probabilities: Sequence[str] = (),
    ncols: int = 3,
) -> Figure:
    """Generated 2-D samples (orange) and real ones (grey) over filled contours of the
    discriminator's or critic's output, one panel per run, each with its colour bar.

    Args:
        panels: Title -> generated samples.
        landscapes: Title (the same titles) -> ``(grid, values)`` as from
            :func:`lib.generative.gan.discriminator_landscape`.
        real: Real samples. centres: The mode centres, drawn as crosses.
        colour_labels: Title -> the colour bar's label.
        probabilities: Titles whose values are probabilities, drawn on the fixed scale [0, 1]
            (the others on their own range).
        ncols: Panels per row.

    Shapes:
        each panel ``(N, 2)``; each landscape ``grid (G,)``, ``values (G, G)``;
        ``real``: ``(M, 2)``; ``centres``: ``(K, 2)``.
    """
    if set(panels) != set(landscapes) or set(panels) != set(colour_labels):
        raise ValueError(
            "panels, landscapes and colour_labels need the same titles, got "
            f"{sorted(panels)}, {sorted(landscapes)}, {sorted(colour_labels)}."
        )
    for title, (grid, values) in landscapes.items():
        if values.shape != (len(grid), len(grid)):
            raise ValueError(
                f"landscape {title!r}: values must be (G, G) for a grid of G = {len(grid)}, "
                f"got {tuple(values.shape)}."
            )
    n = len(panels)
    nrows = -(-n // ncols)
    width = min(n, ncols)
    fig, axes = plt.subplots(nrows, width, figsize=(3.7 * width, 3.0 * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (title, samples) in zip(axes.flat, panels.items(), strict=False):
        ax.axis("on")
        grid, values = landscapes[title]
        if title in probabilities:
            levels = np.linspace(0, 1, 11)
        else:
            low, high = values.min().item(), values.max().item()
            levels = MaxNLocator(10).tick_values(low, high) if high > low else [low - 1, low + 1]
        filled = ax.contourf(
            grid.numpy(), grid.numpy(), values.numpy(), levels=levels, cmap="Blues"
        )
        fig.colorbar(filled, ax=ax, label=colour_labels[title])
        ax.scatter(real[:, 0].numpy(), real[:, 1].numpy(), s=2, color="0.55")
        ax.scatter(samples[:, 0].numpy(), samples[:, 1].numpy(), s=2, color=PALETTE[5], alpha=0.5)
        ax.scatter(centres[:, 0].numpy(), centres[:, 1].numpy(), marker="x", s=20, color="black")
        ax.set_xlim(grid[0].item(), grid[-1].item())
        ax.set_ylim(grid[0].item(), grid[-1].item())
        ax.set_aspect("equal")
        ax.grid(False)
        ax.set_title(title, fontsize=9)
        finish_axes(ax, xlabel="$x_1$ (a.u.)", ylabel="$x_2$ (a.u.)")
    return fig


def plot_neighbours(queries: torch.Tensor, neighbours: Mapping[str, torch.Tensor]) -> Figure:
    """Each generated image (top row) above its nearest training images under several metrics.

    Shapes:
        ``queries``: ``(Q, 1, 28, 28)``; each neighbours entry ``(Q, 1, 28, 28)``.
    """
    check_shape(queries, "queries", (None, 1, None, None), "grey-scale images")
    check_image_range(queries, "queries")
    for name, images in neighbours.items():
        check_shape(
            images, f"neighbours[{name!r}]", tuple(queries.shape), "one neighbour per query"
        )
        check_image_range(images, f"neighbours[{name!r}]")
    rows = {"generated": queries, **neighbours}
    q = len(queries)
    fig, axes = plt.subplots(len(rows), q, figsize=(1.1 * q, 1.25 * len(rows)), squeeze=False)
    for r, (name, images) in enumerate(rows.items()):
        for c in range(q):
            ax = axes[r, c]
            ax.imshow(images[c, 0].numpy(), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
        axes[r, 0].set_ylabel(name, fontsize=8, rotation=0, ha="right", va="center")
    fig.tight_layout()
    return fig


def plot_class_histogram(
    counts: Mapping[str, Sequence[int]],
    class_names: Sequence[str],
    *,
    reference: float = 0.1,
    title: str | None = None,
) -> Figure:
    """Share of samples per predicted class, one group of bars per class, one bar per model.

    A generator that covers the data puts about ``reference`` (one tenth for ten balanced
    classes) in every class; a collapsed one leaves classes empty.

    Args:
        counts: Model name -> samples per class (one count per entry of ``class_names``).
        class_names: Class names, the x-axis categories.
        reference: Share drawn as a dashed line (the share of each class in the data).
        title: The figure's title (say how many samples each model's bars count), or ``None``.
    """
    if not counts or any(len(c) != len(class_names) for c in counts.values()):
        raise ValueError(
            f"pass at least one model with one count per class ({len(class_names)} classes), "
            f"got {[len(c) for c in counts.values()]}."
        )
    fig, ax = plt.subplots(figsize=(7, 3.2))
    width = 0.8 / len(counts)
    x = np.arange(len(class_names))
    for k, (colour, (name, c)) in enumerate(zip(PALETTE, counts.items(), strict=False)):
        share = np.asarray(c, dtype=float) / max(sum(c), 1)
        ax.bar(x + (k - (len(counts) - 1) / 2) * width, share, width, color=colour, label=name)
    ax.axhline(reference, color="0.4", linestyle="--", linewidth=1, label="share in the data")
    ax.set_xticks(x, class_names, rotation=45, ha="right")
    return finish_axes(
        ax,
        xlabel="class predicted by the classifier",
        ylabel="share of samples",
        title=title,
        legend={},
    )


def plot_noise_schedules(alpha_bars: torch.Tensor, flow_time: torch.Tensor) -> Figure:
    """DDPM's signal and noise scales per step, and the flow time each step corresponds to.

    Shapes:
        ``alpha_bars``: ``(K,)`` from :func:`lib.generative.flow_matching.ddpm_alpha_bars`;
        ``flow_time``: ``(K,)`` from :func:`lib.generative.flow_matching.ddpm_to_flow_time`.
    """
    if alpha_bars.shape != flow_time.shape or alpha_bars.dim() != 1:
        raise ValueError(
            f"alpha_bars {tuple(alpha_bars.shape)} and flow_time {tuple(flow_time.shape)} must "
            "be two vectors of one length (one entry per DDPM step)."
        )
    k = np.arange(1, len(alpha_bars) + 1)
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(
        k, alpha_bars.sqrt().numpy(), color=PALETTE[0], label=r"DDPM signal $\sqrt{\bar\alpha_k}$"
    )
    ax.plot(
        k,
        (1 - alpha_bars).sqrt().numpy(),
        color=PALETTE[1],
        label=r"DDPM noise $\sqrt{1-\bar\alpha_k}$",
    )
    ax.plot(
        k, flow_time.numpy(), color=PALETTE[2], linestyle="--", label="flow time $t$ of step $k$"
    )
    return finish_axes(
        ax, xlabel="DDPM step $k$", ylabel="scale, or time (no unit)", legend={"fontsize": 8}
    )


def plot_quality_vs_evaluations(
    evaluations: Sequence[int],
    frechet: Sequence[float],
    *,
    floor: float,
    references: Mapping[str, tuple[int, float]] | None = None,
    other_samplers: Mapping[str, tuple[Sequence[int], Sequence[float]]] | None = None,
) -> Figure:
    """Fréchet distance of samples against network evaluations per sample (log scale).

    Args:
        evaluations: Network evaluations per sample (sampling steps) of each point.
        frechet: The samples' Fréchet distance at each point.
        floor: Real-vs-real Fréchet distance at the same sample size (dashed line).
        references: Other models, name → (evaluations per sample, Fréchet distance), as markers.
        other_samplers: More curves of the same model, name → (evaluations, Fréchet distances),
            drawn dashed with their own markers (e.g. Heun's method beside Euler's).
    """
    curves = {"flow matching, Euler": (evaluations, frechet), **(other_samplers or {})}
    for name, (xs, ys) in curves.items():
        if len(xs) != len(ys) or not len(xs):
            raise ValueError(
                f"{name}: pass one Fréchet distance per number of evaluations, got {len(xs)} "
                f"evaluations and {len(ys)} distances."
            )
    fig, ax = plt.subplots(figsize=(6, 3.4))
    markers, styles = "o^vD", ("-", "--", ":", "-.")
    for k, (name, (xs, ys)) in enumerate(curves.items()):
        ax.plot(
            list(xs),
            list(ys),
            marker=markers[k % 4],
            linestyle=styles[k % 4],
            color=PALETTE[k],
            label=name,
        )
    palette_rest = PALETTE[len(curves) :]
    for colour, (name, (n, fd)) in zip(palette_rest, (references or {}).items(), strict=False):
        ax.plot([n], [fd], marker="s", markersize=8, linestyle="none", color=colour, label=name)
    ax.axhline(floor, color="0.4", linestyle="--", linewidth=1, label="real vs real (floor)")
    ax.set_xscale("log", base=2)
    ticks = sorted({n for xs, _ in curves.values() for n in xs})
    ax.set_xticks(ticks, [str(n) for n in ticks])
    return finish_axes(
        ax,
        xlabel="network evaluations per sample (log scale)",
        ylabel="Fréchet distance (a.u.)",
        legend={"fontsize": 8},
    )
