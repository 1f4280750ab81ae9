"""Flow matching (rectified flow) and the DDPM view of the same noising process.

Lipman et al. (2023), Flow Matching for Generative Modeling, and Liu, Gong & Liu (2023), Flow
Straight and Fast (rectified flow), connect data ``x_0`` and Gaussian noise ``ε`` by straight
lines,

.. math::
    x_t = (1 - t)\\, x_0 + t\\, \\varepsilon, \\qquad t \\in [0, 1],

and regress a network on the velocity of that line, ``v = ε - x_0``. The minimiser of the loss
is the conditional expectation ``E[ε - x_0 | x_t]``, a velocity field whose ODE
``dx/dt = v(x, t)`` carries the noise distribution at ``t = 1`` to the data distribution at
``t = 0``; sampling integrates it with Euler steps.

Ho, Jain & Abbeel (2020), Denoising Diffusion Probabilistic Models, noise with a variance-
preserving schedule, ``x_t = sqrt(ᾱ_t) x_0 + sqrt(1 - ᾱ_t) ε``. That is the same family of
marginals up to a rescaling of ``x`` and a change of clock (:func:`ddpm_to_flow_time`), and
predicting the velocity is predicting the noise and the clean image
(:func:`denoised_from_velocity`).

Images are scaled to [-1, 1] inside: see :func:`to_model_range` and :func:`to_image_range`.
"""

from __future__ import annotations

import torch
from torch import nn

from lib.checks import check_image_range, check_tensor


def _check_times(t: torch.Tensor, batch: int, name: str = "t") -> None:
    if t.shape != (batch,):
        raise ValueError(
            f"{name} must hold one time per example, shape ({batch},), got {tuple(t.shape)}."
        )
    if len(t) and (t.min() < 0 or t.max() > 1):
        raise ValueError(
            f"{name} must lie in [0, 1] (0 is data, 1 is noise), got values in "
            f"[{t.min().item():.3g}, {t.max().item():.3g}]."
        )


def _check_alpha_bar(alpha_bar: torch.Tensor) -> None:
    check_tensor(alpha_bar, "alpha_bar")
    if not alpha_bar.is_floating_point():
        raise ValueError(f"alpha_bar must be floating point, got {alpha_bar.dtype}.")
    if alpha_bar.numel() and (alpha_bar.min() < 0 or alpha_bar.max() > 1):
        raise ValueError(
            f"alpha_bar must lie in [0, 1] (the products of 1 - beta: 1 is data, 0 is noise), got "
            f"values in [{alpha_bar.min().item():.3g}, {alpha_bar.max().item():.3g}]; pass "
            "ddpm_alpha_bars(...)."
        )


def to_model_range(X: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1] → [-1, 1], the range the noise is added in."""
    if not torch.is_tensor(X) or not X.is_floating_point():
        raise TypeError(
            f"X must be a float tensor of images in [0, 1], got "
            f"{X.dtype if torch.is_tensor(X) else type(X).__name__}; "
            "convert uint8 images with lib.training.images_to_float."
        )
    check_image_range(X, "X")
    return 2.0 * X - 1.0


def to_image_range(X: torch.Tensor) -> torch.Tensor:
    """Model outputs in [-1, 1] → images in [0, 1], clipped."""
    check_tensor(X, "X")
    return ((X + 1.0) / 2.0).clamp(0.0, 1.0)


def noisy_images(x0: torch.Tensor, eps: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """The point ``x_t = (1 - t) x_0 + t ε`` on the straight line from data to noise.

    Shapes:
        ``x0``, ``eps``: ``(B, ...)``; ``t``: ``(B,)`` in [0, 1] → ``(B, ...)``.
    """
    if x0.shape != eps.shape:
        raise ValueError(
            f"x0 {tuple(x0.shape)} and eps {tuple(eps.shape)} must have the same shape; "
            "draw eps with torch.randn_like(x0)."
        )
    _check_times(t, len(x0))
    t = t.reshape(-1, *([1] * (x0.dim() - 1)))
    return (1 - t) * x0 + t * eps


def velocity_target(x0: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """``v = dx_t/dt = ε - x_0``, the velocity the network regresses on."""
    return eps - x0


def flow_matching_loss(
    model: nn.Module, x0: torch.Tensor, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``E_{t, ε} ||v_θ(x_t, t) - (ε - x_0)||²`` on a batch, with ``t ~ U[0, 1]``, ``ε ~ N(0, I)``.

    Args:
        model: The velocity network, called as ``model(x_t, t)``.
        x0: Data in the model's range, ``(B, ...)``.
        generator: Source of ``t`` and ``ε``.

    Shapes:
        returns a scalar (mean over the batch and the pixels).
    """
    t = torch.rand(len(x0), generator=generator)
    eps = torch.randn(x0.shape, generator=generator)
    x_t = noisy_images(x0, eps, t)
    return (model(x_t, t) - velocity_target(x0, eps)).pow(2).mean()


@torch.no_grad()
def euler_sample(model: nn.Module, noise: torch.Tensor, num_steps: int) -> torch.Tensor:
    """Integrate ``dx/dt = v_θ(x, t)`` from ``t = 1`` (noise) to ``t = 0`` in equal Euler steps.

    ``x_{t - Δt} = x_t - Δt · v_θ(x_t, t)``, with ``Δt = 1 / num_steps``: ``num_steps``
    network evaluations per sample.

    Shapes:
        ``noise``: ``(B, ...)`` drawn from N(0, I) → samples ``(B, ...)`` in the model's range.
    """
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(
            f"num_steps must be a positive int (network evaluations), got {num_steps!r}."
        )
    x = noise
    times = torch.linspace(1.0, 0.0, num_steps + 1)
    for t, t_next in zip(times[:-1], times[1:], strict=True):
        x = x + (t_next - t) * model(x, t.expand(len(x)))
    return x


@torch.no_grad()
def heun_sample(model: nn.Module, noise: torch.Tensor, num_steps: int) -> torch.Tensor:
    """Integrate ``dx/dt = v_θ(x, t)`` from ``t = 1`` to ``t = 0`` by Heun's method.

    Each step takes an Euler step, evaluates the field again where it landed, and moves with the
    average of the two slopes: ``x̃ = x_t - Δt · v_θ(x_t, t)``, then
    ``x_{t - Δt} = x_t - Δt · (v_θ(x_t, t) + v_θ(x̃, t - Δt)) / 2``. Its error shrinks like
    ``Δt²`` (Euler's like ``Δt``), at two network evaluations per step (Karras et al. 2022).

    Shapes:
        ``noise``: ``(B, ...)`` drawn from N(0, I) → samples ``(B, ...)`` in the model's range.
    """
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(
            f"num_steps must be a positive int (each step costs 2 network evaluations), "
            f"got {num_steps!r}."
        )
    x = noise
    times = torch.linspace(1.0, 0.0, num_steps + 1)
    for t, t_next in zip(times[:-1], times[1:], strict=True):
        slope = model(x, t.expand(len(x)))
        x_euler = x + (t_next - t) * slope
        x = x + (t_next - t) * (slope + model(x_euler, t_next.expand(len(x)))) / 2
    return x


def ddpm_alpha_bars(
    num_steps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02
) -> torch.Tensor:
    """``ᾱ_k = ∏_{j ≤ k} (1 - β_j)`` of Ho et al.'s linear schedule of noise variances ``β``.

    Shapes:
        returns ``(num_steps,)``, decreasing from ``1 - beta_start`` towards 0.
    """
    if not 0 < beta_start < beta_end < 1:
        raise ValueError(
            f"need 0 < beta_start < beta_end < 1, got beta_start={beta_start}, beta_end={beta_end}."
        )
    betas = torch.linspace(beta_start, beta_end, num_steps, dtype=torch.float64)
    return torch.cumprod(1 - betas, dim=0)


def ddpm_noisy_images(x0: torch.Tensor, eps: torch.Tensor, alpha_bar: torch.Tensor) -> torch.Tensor:
    """DDPM's variance-preserving noising ``x = sqrt(ᾱ) x_0 + sqrt(1 - ᾱ) ε``.

    Shapes:
        ``x0``, ``eps``: ``(B, ...)``; ``alpha_bar``: ``(B,)`` in [0, 1] → ``(B, ...)``.
    """
    if x0.shape != eps.shape:
        raise ValueError(f"x0 {tuple(x0.shape)} and eps {tuple(eps.shape)} must have one shape.")
    _check_times(alpha_bar, len(x0), "alpha_bar")
    a = alpha_bar.reshape(-1, *([1] * (x0.dim() - 1))).to(x0.dtype)
    return a.sqrt() * x0 + (1 - a).sqrt() * eps


def ddpm_to_flow_time(alpha_bar: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The flow time ``t`` and the scale ``c`` with ``x^DDPM = c · x^flow_t`` (same x_0, ε).

    ``sqrt(ᾱ) x_0 + sqrt(1 - ᾱ) ε = c ((1 - t) x_0 + t ε)`` for
    ``c = sqrt(ᾱ) + sqrt(1 - ᾱ)`` and ``t = sqrt(1 - ᾱ) / c``: a DDPM step is a point on the
    straight line, seen at a different scale.

    Shapes:
        ``alpha_bar``: ``(K,)`` → ``t`` ``(K,)`` and ``c`` ``(K,)``.
    """
    _check_alpha_bar(alpha_bar)
    a, s = alpha_bar.sqrt(), (1 - alpha_bar).sqrt()
    return s / (a + s), a + s


def denoised_from_velocity(
    x_t: torch.Tensor, v: torch.Tensor, t: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The clean image and noise a velocity implies: ``x̂_0 = x_t - t v``, ``ε̂ = x_t + (1 - t) v``.

    Exact for the true ``v = ε - x_0``; for the network's ``v_θ`` they are its denoiser and its
    noise prediction (DDPM's ``ε_θ``), so the three parametrisations carry the same information.

    Shapes:
        ``x_t``, ``v``: ``(B, ...)``; ``t``: ``(B,)`` → two ``(B, ...)``.
    """
    _check_times(t, len(x_t))
    t = t.reshape(-1, *([1] * (x_t.dim() - 1)))
    return x_t - t * v, x_t + (1 - t) * v
