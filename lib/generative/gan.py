"""GAN losses and the 2-D ring-of-Gaussians toy on which they are compared.

All losses take the raw outputs of the discriminator (logits for the GAN losses, unbounded
scores for WGAN and LSGAN), averaged over the batch, and are written to be *minimised*.

Papers: Goodfellow et al. (2014), Generative Adversarial Nets (minimax, saturating and
non-saturating); Arjovsky, Chintala & Bottou (2017), Wasserstein GAN; Gulrajani et al. (2017),
Improved Training of Wasserstein GANs (gradient penalty); Mao et al. (2017), Least Squares GANs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from lib.checks import check_int, check_tensor

LOSSES = ("saturating", "nonsaturating", "wgan", "wgan-gp", "lsgan")
"""The loss families understood by :func:`discriminator_loss` and :func:`generator_loss`."""


def _check_scores(*scores: torch.Tensor) -> None:
    for s in scores:
        if (
            not isinstance(s, torch.Tensor)
            or s.dim() not in (1, 2)
            or (s.dim() == 2 and s.shape[1] != 1)
        ):
            shape = tuple(s.shape) if isinstance(s, torch.Tensor) else type(s).__name__
            raise ValueError(
                f"expected discriminator outputs of shape (B,) or (B, 1), got {shape}."
            )


# --- the original GAN ---------------------------------------------------------------------------


def gan_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """The discriminator's side of the minimax game, as a loss to minimise.

    .. math::
        L_D = -\\mathbb{E}_x[\\log D(x)] - \\mathbb{E}_z[\\log(1 - D(G(z)))],
        \\quad D = \\sigma(\\text{logit}).

    Shapes:
        ``real_logits``: ``(B,)`` or ``(B, 1)``; ``fake_logits``: ``(B',)`` or ``(B', 1)``;
        returns a scalar.
    """
    _check_scores(real_logits, fake_logits)
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss_saturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """The minimax generator loss :math:`\\mathbb{E}_z[\\log(1 - D(G(z)))]`.

    Its gradient vanishes when the discriminator confidently rejects the samples
    (:math:`D(G(z)) \\to 0`), which is where a young generator starts.
    """
    _check_scores(fake_logits)
    return -F.softplus(fake_logits).mean()  # log(1 - sigmoid(l)) = -softplus(l)


def generator_loss_nonsaturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """The non-saturating generator loss :math:`-\\mathbb{E}_z[\\log D(G(z))]`.

    Same fixed point as the minimax loss, strong gradients where the generator is bad.
    """
    _check_scores(fake_logits)
    return F.softplus(-fake_logits).mean()


# --- Wasserstein GAN ----------------------------------------------------------------------------


def wgan_critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """Negative Kantorovich–Rubinstein estimate :math:`\\mathbb{E}[f(G(z))] - \\mathbb{E}[f(x)]`."""
    _check_scores(real_scores, fake_scores)
    return fake_scores.mean() - real_scores.mean()


def wgan_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """:math:`-\\mathbb{E}[f(G(z))]`."""
    _check_scores(fake_scores)
    return -fake_scores.mean()


def gradient_penalty(
    critic: nn.Module,
    real: torch.Tensor,
    fake: torch.Tensor,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """WGAN-GP's gradient penalty (Gulrajani et al. 2017).

    .. math::
        \\mathbb{E}_{\\hat x}[(\\lVert \\nabla_{\\hat x} f(\\hat x) \\rVert_2 - 1)^2]

    where :math:`\\hat x = \\epsilon x + (1 - \\epsilon) \\tilde x` with
    :math:`\\epsilon \\sim U[0, 1]` drawn per example. Differentiable with respect to the critic's
    parameters (double backward).

    Shapes:
        ``real`` and ``fake``: ``(B, ...)`` of the same shape; returns a scalar.
    """
    if real.shape != fake.shape:
        raise ValueError(
            f"real {tuple(real.shape)} and fake {tuple(fake.shape)} must have the same shape."
        )
    eps = torch.rand(
        real.shape[0], *([1] * (real.dim() - 1)), generator=generator, dtype=real.dtype
    )
    mixed = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    scores = critic(mixed)
    (grad,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
    norms = grad.flatten(1).norm(dim=1)
    return ((norms - 1.0) ** 2).mean()


# --- Least-squares GAN --------------------------------------------------------------------------


def lsgan_discriminator_loss(
    real_scores: torch.Tensor, fake_scores: torch.Tensor, *, a: float = 0.0, b: float = 1.0
) -> torch.Tensor:
    """:math:`\\tfrac12 \\mathbb{E}[(D(x) - b)^2] + \\tfrac12 \\mathbb{E}[(D(G(z)) - a)^2]`."""
    _check_scores(real_scores, fake_scores)
    return 0.5 * ((real_scores - b) ** 2).mean() + 0.5 * ((fake_scores - a) ** 2).mean()


def lsgan_generator_loss(fake_scores: torch.Tensor, *, c: float = 1.0) -> torch.Tensor:
    """:math:`\\tfrac12 \\mathbb{E}[(D(G(z)) - c)^2]`."""
    _check_scores(fake_scores)
    return 0.5 * ((fake_scores - c) ** 2).mean()


# --- one interface ------------------------------------------------------------------------------


def _check_loss(loss: str) -> None:
    if loss not in LOSSES:
        raise ValueError(f"unknown GAN loss {loss!r}; choose one of {', '.join(LOSSES)}.")


def discriminator_loss(loss: str, real_out: torch.Tensor, fake_out: torch.Tensor) -> torch.Tensor:
    """The discriminator (critic) loss of family ``loss`` (one of :data:`LOSSES`).

    The gradient penalty of ``"wgan-gp"`` is added by the caller (it needs the critic).
    """
    _check_loss(loss)
    if loss in ("saturating", "nonsaturating"):
        return gan_discriminator_loss(real_out, fake_out)
    if loss in ("wgan", "wgan-gp"):
        return wgan_critic_loss(real_out, fake_out)
    return lsgan_discriminator_loss(real_out, fake_out)


def generator_loss(loss: str, fake_out: torch.Tensor) -> torch.Tensor:
    """The generator loss of family ``loss`` (one of :data:`LOSSES`)."""
    _check_loss(loss)
    if loss == "saturating":
        return generator_loss_saturating(fake_out)
    if loss == "nonsaturating":
        return generator_loss_nonsaturating(fake_out)
    if loss in ("wgan", "wgan-gp"):
        return wgan_generator_loss(fake_out)
    return lsgan_generator_loss(fake_out)


def generator_loss_curves(d_values: torch.Tensor) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Both generator losses and their derivatives w.r.t. the logit, as functions of D(G(z)).

    The derivative is taken with respect to the discriminator's logit (what back-propagates into
    the generator): :math:`\\partial \\log(1-D)/\\partial l = -D` and
    :math:`\\partial(-\\log D)/\\partial l = -(1-D)`.

    Shapes:
        ``d_values``: ``(M,)`` in (0, 1); returns name → ``(loss (M,), gradient (M,))``.
    """
    if d_values.dim() != 1 or not bool(((d_values > 0) & (d_values < 1)).all()):
        raise ValueError("d_values must be a 1-D tensor of probabilities strictly between 0 and 1.")
    logits = torch.logit(d_values.double()).requires_grad_(True)
    curves = {}
    for name, fn in (
        ("saturating", lambda logits: -F.softplus(logits)),
        ("nonsaturating", lambda logits: F.softplus(-logits)),
    ):
        values = fn(logits)
        (grad,) = torch.autograd.grad(values.sum(), logits)
        curves[name] = (values.detach().float(), grad.float())
    return curves


# --- the 2-D toy --------------------------------------------------------------------------------


def ring_centres(num_modes: int = 8, radius: float = 2.0) -> torch.Tensor:
    """Centres of ``num_modes`` Gaussians evenly spaced on a circle.

    Shapes:
        returns ``(num_modes, 2)``.
    """
    if num_modes < 1 or radius <= 0:
        raise ValueError(f"need num_modes >= 1 and radius > 0, got {num_modes}, {radius}.")
    angles = 2 * math.pi * torch.arange(num_modes) / num_modes
    return radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)


def sample_ring(
    num_samples: int,
    *,
    num_modes: int = 8,
    radius: float = 2.0,
    std: float = 0.05,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Samples of an equal mixture of isotropic Gaussians on a ring.

    Shapes:
        returns ``(num_samples, 2)``.
    """
    check_int(num_samples, "num_samples")
    check_int(num_modes, "num_modes")
    if num_samples < 1 or std <= 0:
        raise ValueError(f"need num_samples >= 1 and std > 0, got {num_samples}, {std}.")
    centres = ring_centres(num_modes, radius)
    which = torch.randint(num_modes, (num_samples,), generator=generator)
    return centres[which] + std * torch.randn(num_samples, 2, generator=generator)


@dataclass
class ModeCoverage:
    """How well 2-D samples cover a mixture's modes.

    Attributes:
        modes_covered: Modes that received at least ``min_fraction`` of their fair share of
            high-quality samples.
        high_quality: Fraction of samples within ``3 std`` of some centre.
        counts: High-quality samples per mode.
    """

    modes_covered: int
    high_quality: float
    counts: list[int] = field(default_factory=list)


def mode_coverage(
    samples: torch.Tensor, centres: torch.Tensor, std: float, *, min_fraction: float = 0.25
) -> ModeCoverage:
    """Count covered modes and the fraction of high-quality samples (as in Srivastava et al. 2017).

    A sample is high quality if it lies within ``3 * std`` of its nearest centre. A mode is
    covered if it holds at least ``min_fraction * N / K`` high-quality samples (``N`` samples,
    ``K`` modes), i.e. a quarter of what a perfect generator would put there by default.

    Shapes:
        ``samples``: ``(N, 2)``; ``centres``: ``(K, 2)``.
    """
    check_tensor(samples, "samples")
    check_tensor(centres, "centres")
    if len(samples) == 0 or len(centres) == 0:
        raise ValueError(
            f"need at least one sample and one centre, got {len(samples)} samples and "
            f"{len(centres)} centres."
        )
    if samples.dim() != 2 or centres.dim() != 2 or samples.shape[1] != centres.shape[1]:
        raise ValueError(
            f"samples (N, d) and centres (K, d) must share d; got {tuple(samples.shape)}, "
            f"{tuple(centres.shape)}."
        )
    if std <= 0 or not 0 < min_fraction <= 1:
        raise ValueError(f"need std > 0 and 0 < min_fraction <= 1, got {std}, {min_fraction}.")
    dist = torch.cdist(samples.float(), centres.float())
    nearest_dist, nearest = dist.min(dim=1)
    good = nearest_dist <= 3 * std
    counts = torch.bincount(nearest[good], minlength=len(centres))
    threshold = min_fraction * len(samples) / len(centres)
    return ModeCoverage(
        int((counts >= threshold).sum()), good.float().mean().item(), counts.tolist()
    )


def mlp(in_dim: int, out_dim: int, hidden: int = 128, depth: int = 3) -> nn.Sequential:
    """A ReLU multilayer perceptron with ``depth`` hidden layers of width ``hidden``.

    Shapes:
        ``(B, in_dim)`` → ``(B, out_dim)``.
    """
    layers: list[nn.Module] = []
    width = in_dim
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), nn.ReLU()]
        width = hidden
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


@dataclass(frozen=True)
class ToyConfig:
    """A GAN run on the ring of Gaussians.

    Attributes:
        loss: One of :data:`LOSSES`.
        num_steps: Generator updates.
        d_steps: Discriminator updates per generator update (the slide's ``k``).
        batch_size: Real and fake samples per update.
        latent_dim: Size of ``z ~ N(0, I)``.
        hidden: Width of both MLPs.
        lr: Learning rate of both players.
        gp_weight: :math:`\\lambda` of the gradient penalty (``"wgan-gp"`` only).
        clip: Weight clipping of the critic (``"wgan"`` only).
        std: Standard deviation of each mode.
        seed: Seed of initialisation and sampling.
    """

    loss: str = "nonsaturating"
    num_steps: int = 1500
    d_steps: int = 1
    batch_size: int = 256
    latent_dim: int = 2
    hidden: int = 128
    lr: float = 1e-3
    gp_weight: float = 0.1
    clip: float = 0.01
    std: float = 0.05
    seed: int = 0

    def __post_init__(self) -> None:
        _check_loss(self.loss)
        if self.num_steps < 1 or self.d_steps < 1:
            raise ValueError(
                f"num_steps and d_steps must be positive, got {self.num_steps}, {self.d_steps}."
            )


@dataclass
class ToyRun:
    """The result of :func:`train_toy_gan`.

    Attributes:
        generator: The trained generator (``(B, latent_dim)`` → ``(B, 2)``).
        discriminator: The trained discriminator or critic (``(B, 2)`` → ``(B, 1)``).
        snapshots: Step → ``(512, 2)`` samples from a fixed batch of latents.
        coverage: Step → :class:`ModeCoverage` of 2,000 fresh samples.
        d_loss: Discriminator loss per generator step.
        g_loss: Generator loss per generator step.
    """

    generator: nn.Module
    discriminator: nn.Module
    snapshots: dict[int, torch.Tensor]
    coverage: dict[int, ModeCoverage]
    d_loss: list[float]
    g_loss: list[float]


def discriminator_step(
    config: ToyConfig,
    G: nn.Module,
    D: nn.Module,
    opt_d: torch.optim.Optimizer,
    real: torch.Tensor,
    z: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """One update of the discriminator (the critic, for the Wasserstein losses).

    The generator's samples are detached: this step moves only the discriminator. WGAN-GP adds
    the gradient penalty on points between real and fake samples (drawn with ``generator``);
    WGAN clips the critic's weights to ``[-clip, clip]`` after the step.

    Shapes:
        ``real (B, 2)``, ``z (B, latent_dim)`` -> the loss, a scalar (detached).
    """
    fake = G(z).detach()
    d_loss = discriminator_loss(config.loss, D(real), D(fake))
    if config.loss == "wgan-gp":
        d_loss = d_loss + config.gp_weight * gradient_penalty(D, real, fake, generator=generator)
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    if config.loss == "wgan":
        with torch.no_grad():
            for p in D.parameters():
                p.clamp_(-config.clip, config.clip)
    return d_loss.detach()


def generator_step(
    config: ToyConfig,
    G: nn.Module,
    D: nn.Module,
    opt_g: torch.optim.Optimizer,
    z: torch.Tensor,
) -> torch.Tensor:
    """One update of the generator: the gradient flows through the discriminator into ``G``,
    but only ``G``'s optimiser steps (the discriminator's gradients are cleared before its next
    update).

    Shapes:
        ``z (B, latent_dim)`` -> the loss, a scalar (detached).
    """
    g_loss = generator_loss(config.loss, D(G(z)))
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    return g_loss.detach()


def discriminator_landscape(
    D: nn.Module, loss: str, *, limit: float = 3.0, num: int = 121
) -> tuple[torch.Tensor, torch.Tensor]:
    """The discriminator's (or critic's) output over the square ``[-limit, limit]^2``.

    For the GAN losses (``"saturating"``, ``"nonsaturating"``) the output is the probability
    ``D(x) = sigmoid(logit)`` that ``x`` is real; for LSGAN the raw score (trained towards 1 on
    real and 0 on generated points); for WGAN and WGAN-GP the critic's value ``f(x)`` minus its
    mean over the grid, since a critic's level is arbitrary (only its differences, its slopes,
    enter the loss).

    Shapes:
        returns ``grid (num,)`` and ``values (num, num)``: ``values[i, j]`` is the output at
        ``x_1 = grid[j]``, ``x_2 = grid[i]`` (the layout of ``meshgrid(..., indexing="xy")``).
    """
    _check_loss(loss)
    if limit <= 0 or num < 2:
        raise ValueError(f"need limit > 0 and num >= 2, got {limit}, {num}.")
    grid = torch.linspace(-limit, limit, num)
    x1, x2 = torch.meshgrid(grid, grid, indexing="xy")
    with torch.no_grad():
        values = D(torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)).reshape(num, num)
    if loss in ("saturating", "nonsaturating"):
        values = torch.sigmoid(values)
    elif loss in ("wgan", "wgan-gp"):
        values = values - values.mean()
    return grid, values


def train_toy_gan(config: ToyConfig, *, snapshot_steps: tuple[int, ...] = ()) -> ToyRun:
    """Train a GAN on the ring of 8 Gaussians with the slide's alternating algorithm.

    For each generator step: ``config.d_steps`` discriminator steps
    (:func:`discriminator_step`) on fresh real and fake batches, then one generator step
    (:func:`generator_step`). Adam (:math:`\\beta = (0.5, 0.9)`) for both players, as in
    WGAN-GP; WGAN clips the critic's weights to ``[-clip, clip]`` after each step and uses
    RMSprop as in its paper.

    Args:
        config: The run.
        snapshot_steps: Generator steps after which samples and coverage are recorded
            (the final step is always recorded).
    """
    from lib.reproducibility import make_generator, seed_everything

    seed_everything(config.seed)
    rng = make_generator(config.seed)
    G = mlp(config.latent_dim, 2, config.hidden)
    D = mlp(2, 1, config.hidden)
    if config.loss == "wgan":
        opt_g = torch.optim.RMSprop(G.parameters(), lr=config.lr)
        opt_d = torch.optim.RMSprop(D.parameters(), lr=config.lr)
    else:
        opt_g = torch.optim.Adam(G.parameters(), lr=config.lr, betas=(0.5, 0.9))
        opt_d = torch.optim.Adam(D.parameters(), lr=config.lr, betas=(0.5, 0.9))
    fixed_z = torch.randn(512, config.latent_dim, generator=make_generator(config.seed + 1))
    eval_z = torch.randn(2000, config.latent_dim, generator=make_generator(config.seed + 2))
    centres = ring_centres()
    record = set(snapshot_steps) | {config.num_steps}
    run = ToyRun(G, D, {}, {}, [], [])

    def real_batch() -> torch.Tensor:
        return sample_ring(config.batch_size, std=config.std, generator=rng)

    def latent() -> torch.Tensor:
        return torch.randn(config.batch_size, config.latent_dim, generator=rng)

    for step in range(1, config.num_steps + 1):
        for _ in range(config.d_steps):
            d_loss = discriminator_step(config, G, D, opt_d, real_batch(), latent(), rng)
        g_loss = generator_step(config, G, D, opt_g, latent())
        run.d_loss.append(d_loss.item())
        run.g_loss.append(g_loss.item())
        if step in record:
            with torch.no_grad():
                run.snapshots[step] = G(fixed_z)
                run.coverage[step] = mode_coverage(G(eval_z), centres, config.std)
    return run
