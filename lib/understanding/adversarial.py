"""Adversarial examples from scratch: FGSM and PGD in the L-infinity ball, untargeted or targeted.

Images are pixel intensities in [0, 1] ``(B, C, H, W)``; every attack returns images that stay in
[0, 1] and within ``epsilon`` of the original in every pixel.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from lib.understanding.attribution import check_batch, check_target_classes


def _check_epsilon(epsilon: float) -> None:
    if not 0.0 <= epsilon <= 1.0:
        raise ValueError(
            f"epsilon is a pixel distance in [0, 1] (images are in [0, 1]), got {epsilon}; "
            "for a radius on the 0..255 scale divide it by 255 (8 / 255, not 8)."
        )


def _signed_loss_gradient(
    model: nn.Module, X: torch.Tensor, labels: torch.Tensor, *, targeted: bool
) -> torch.Tensor:
    """Sign of the step that increases the loss of ``labels`` (untargeted) or decreases it
    (targeted: ``labels`` are the classes to reach)."""
    with torch.enable_grad():
        X = X.detach().requires_grad_(True)
        logits = model(X)
        check_target_classes(logits, labels, "y")
        (grad,) = torch.autograd.grad(F.cross_entropy(logits, labels, reduction="sum"), X)
    return -grad.sign() if targeted else grad.sign()


def fgsm(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    epsilon: float,
    *,
    targeted: bool = False,
) -> torch.Tensor:
    """The fast gradient sign method (Goodfellow, Shlens & Szegedy 2015):
    ``x_adv = clip_[0,1](x + epsilon * sign(grad_x L(f(x), y)))``.

    Args:
        model: Classifier returning logits.
        X: Images in [0, 1] ``(B, C, H, W)``.
        y: True labels ``(B,)`` (or, with ``targeted``, the classes to reach).
        epsilon: L-infinity radius in pixel units.
        targeted: Step *down* the loss of ``y`` instead of up.

    Shapes:
        ``X`` ``(B, C, H, W)`` -> ``(B, C, H, W)``.
    """
    y = check_batch(X, y, "y")
    _check_epsilon(epsilon)
    step = _signed_loss_gradient(model, X, y, targeted=targeted)
    return (X + epsilon * step).clamp(0.0, 1.0).detach()


def pgd(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    epsilon: float,
    *,
    step_size: float | None = None,
    num_steps: int = 10,
    random_start: bool = True,
    targeted: bool = False,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Projected gradient descent (Madry et al. 2018): repeat a signed gradient step of size
    ``step_size`` and project back onto the ball and the pixel range,

    ``x^{t+1} = Proj_{||x' - x||_inf <= epsilon, x' in [0,1]}(x^t + step_size * sign(grad L))``,

    from a uniform random start in the ball (or from ``x``).

    Args:
        model: Classifier returning logits.
        X: Images in [0, 1] ``(B, C, H, W)``.
        y: True labels ``(B,)`` (or, with ``targeted``, the classes to reach).
        epsilon: L-infinity radius in pixel units.
        step_size: Step per iteration; default ``2.5 * epsilon / num_steps`` (Madry et al.).
        num_steps: Iterations.
        random_start: Start from a uniform point of the ball.
        targeted: Descend the loss of ``y`` instead of ascending it.
        generator: Randomness of the start.

    Shapes:
        ``X`` ``(B, C, H, W)`` -> ``(B, C, H, W)``.
    """
    y = check_batch(X, y, "y")
    _check_epsilon(epsilon)
    if num_steps < 1:
        raise ValueError(f"num_steps must be at least 1, got {num_steps}.")
    step_size = 2.5 * epsilon / num_steps if step_size is None else step_size
    X = X.detach()
    X_adv = X.clone()
    if random_start:
        noise = torch.rand(X.shape, generator=generator, dtype=X.dtype, device=X.device)
        X_adv = (X_adv + epsilon * (2 * noise - 1)).clamp(0.0, 1.0)
    for _ in range(num_steps):
        X_adv = X_adv + step_size * _signed_loss_gradient(model, X_adv, y, targeted=targeted)
        X_adv = torch.min(torch.max(X_adv, X - epsilon), X + epsilon).clamp(0.0, 1.0)
    return X_adv.detach()
