"""Early training, frozen: the saturating generator loss against a confident discriminator.

Goodfellow et al. (2014) replaced the generator's minimax loss :math:`\\log(1 - D(G(z)))` by
:math:`-\\log D(G(z))` because the former's gradient vanishes where the discriminator rejects the
generator's samples, as it does early in training. This module builds that moment on the ring
toy of :mod:`lib.generative.gan` and measures how far each loss gets with each optimiser.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch

from lib.checks import check_int
from lib.generative.gan import (
    ToyConfig,
    discriminator_step,
    generator_loss,
    generator_step,
    mlp,
    sample_ring,
)
from lib.reproducibility import make_generator, seed_everything


@dataclass
class SaturationResult:
    """The result of :func:`fool_a_frozen_discriminator`.

    Attributes:
        start: Mean :math:`D(G(z))` of the untrained generator, after the discriminator's training.
        gradient_norm: Loss -> norm of the generator's gradient at the start.
        fooled: ``(optimiser, loss)`` -> mean :math:`D(G(z))` after the generator's training.
    """

    start: float
    gradient_norm: dict[str, float]
    fooled: dict[tuple[str, str], float]


def fool_a_frozen_discriminator(
    seed: int,
    *,
    pretrain_steps: int = 300,
    steps: int = 200,
    batch_size: int = 128,
    sgd_lr: float = 0.05,
    adam_lr: float = 1e-3,
) -> SaturationResult:
    """Early training, frozen: how far each generator loss gets against a confident discriminator.

    The discriminator is trained for ``pretrain_steps`` against the untrained generator (it then
    rejects its samples with :math:`D(G(z)) \\approx 0`, as early in GAN training) and frozen. From
    the same untrained generator, each generator loss (saturating, non-saturating) then takes
    ``steps`` generator steps with each optimiser (plain SGD; Adam, which divides every update by
    a running scale of its gradients). Both the start and the results are measured on the same
    2,000 latents.
    """
    check_int(pretrain_steps, "pretrain_steps", minimum=0)
    check_int(steps, "steps")
    check_int(batch_size, "batch_size")
    seed_everything(seed)
    rng = make_generator(seed)
    G, D = mlp(2, 2), mlp(2, 1)
    opt_d = torch.optim.Adam(D.parameters(), lr=adam_lr, betas=(0.5, 0.9))
    config = ToyConfig(batch_size=batch_size, seed=seed)
    for _ in range(pretrain_steps):
        real = sample_ring(batch_size, generator=rng)
        discriminator_step(config, G, D, opt_d, real, torch.randn(batch_size, 2, generator=rng))
    D.requires_grad_(False)
    eval_z = torch.randn(2000, 2, generator=make_generator(seed + 2))
    with torch.no_grad():
        start = torch.sigmoid(D(G(eval_z))).mean().item()
    gradient_norm = {}
    for loss in ("saturating", "nonsaturating"):
        grads = torch.autograd.grad(generator_loss(loss, D(G(eval_z))), list(G.parameters()))
        gradient_norm[loss] = torch.sqrt(sum((g**2).sum() for g in grads)).item()
    fooled = {}
    for optimiser in ("sgd", "adam"):
        for loss in ("saturating", "nonsaturating"):
            g = copy.deepcopy(G)
            if optimiser == "sgd":
                opt_g = torch.optim.SGD(g.parameters(), lr=sgd_lr)
            else:
                opt_g = torch.optim.Adam(g.parameters(), lr=adam_lr, betas=(0.5, 0.9))
            z_rng = make_generator(seed + 3)  # the same latents for every pair
            for _ in range(steps):
                z = torch.randn(batch_size, 2, generator=z_rng)
                generator_step(ToyConfig(loss=loss), g, D, opt_g, z)
            with torch.no_grad():
                fooled[(optimiser, loss)] = torch.sigmoid(D(g(eval_z))).mean().item()
    return SaturationResult(start, gradient_norm, fooled)
