"""A DCGAN for 28×28 grey images, its training loop and a train-or-load cache.

Radford, Metz & Chintala (2016), Unsupervised Representation Learning with Deep Convolutional
GANs, give the architecture guidelines followed here: strided convolutions instead of pooling
(transposed in the generator), batch normalisation in both networks except the generator's
output and the discriminator's input layer, no hidden fully connected layers beyond the
projection of ``z``, ReLU in the generator with a tanh output, LeakyReLU(0.2) in the
discriminator, weights drawn from N(0, 0.02), Adam with lr 2e-4 and beta1 0.5. The networks are
much narrower than the paper's (32/64 feature maps instead of 128 to 1024) to train on a CPU.

Images enter and leave in the book's convention, floats in [0, 1]; the tanh range [-1, 1] is
used inside the networks.
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import torch
from torch import nn

from lib.checks import check_config, check_int, check_tensor
from lib.generative.gan import discriminator_loss, generator_loss

DCGAN_LOSSES = ("saturating", "nonsaturating", "lsgan")
"""The loss families :func:`train_dcgan` trains correctly (no Lipschitz constraint needed)."""


def _init_weights(module: nn.Module) -> None:
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d | nn.BatchNorm1d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class Generator(nn.Module):
    """z → 7×7 → 14×14 → 28×28 with transposed convolutions.

    Args:
        latent_dim: Size of ``z``.
        width: Feature maps of the 14×14 layer (the 7×7 layer has twice as many).

    Shapes:
        ``(B, latent_dim)`` → images ``(B, 1, 28, 28)`` in [0, 1].
    """

    def __init__(self, latent_dim: int = 64, width: int = 32):
        super().__init__()
        check_int(latent_dim, "latent_dim")
        check_int(width, "width")
        self.latent_dim = latent_dim
        self.project = nn.Sequential(
            nn.Linear(latent_dim, 2 * width * 7 * 7, bias=False),
            nn.BatchNorm1d(2 * width * 7 * 7),
            nn.ReLU(),
            nn.Unflatten(1, (2 * width, 7, 7)),
        )
        self.up = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 4, stride=2, padding=1),
            nn.Tanh(),
        )
        self.apply(_init_weights)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_tensor(z, "z")
        if z.dim() != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(
                f"expected latents of shape (B, {self.latent_dim}), got {tuple(z.shape)}."
            )
        if not z.is_floating_point():
            raise ValueError(f"z must be floating point (e.g. sample_latents), got {z.dtype}.")
        return (self.up(self.project(z)) + 1.0) / 2.0


class Discriminator(nn.Module):
    """28×28 → 14×14 → 7×7 with strided convolutions, then one logit.

    Args:
        width: Feature maps of the 14×14 layer (the 7×7 layer has twice as many).

    Shapes:
        images ``(B, 1, 28, 28)`` in [0, 1] → logits ``(B, 1)``.
    """

    def __init__(self, width: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(2 * width),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(2 * width * 7 * 7, 1),
        )
        self.apply(_init_weights)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if X.dim() != 4 or X.shape[1:] != (1, 28, 28):
            raise ValueError(f"expected images (B, 1, 28, 28) in [0, 1], got {tuple(X.shape)}.")
        return self.net(2.0 * X - 1.0)


class DCGAN(nn.Module):
    """Generator and discriminator in one module, so one state dict holds both."""

    def __init__(self, latent_dim: int = 64, width: int = 32):
        super().__init__()
        self.generator = Generator(latent_dim, width)
        self.discriminator = Discriminator(width)


@dataclass(frozen=True)
class DCGANConfig:
    """Everything that determines a trained :class:`DCGAN`.

    Attributes:
        latent_dim: Size of ``z``.
        width: Base number of feature maps.
        num_train: Training images (the first ``num_train`` of Fashion-MNIST's training set).
        num_epochs: Passes over them.
        batch_size: Real images per step (and as many generated ones).
        lr: Adam learning rate of both networks.
        loss: Generator/discriminator loss family: one of :data:`DCGAN_LOSSES`. The WGAN losses
            are refused: they need a Lipschitz critic (weight clipping or a gradient penalty),
            which this training loop does not apply; train them on the 2-D toy of
            :func:`lib.generative.gan.train_toy_gan`.
        num_evals: Fréchet distances recorded during training (evenly spaced in steps).
        seed: Seed of initialisation, shuffling and latents.
    """

    latent_dim: int = 64
    width: int = 32
    num_train: int = 60000
    num_epochs: int = 1
    batch_size: int = 64
    lr: float = 2e-4
    loss: str = "nonsaturating"
    num_evals: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        if self.loss not in DCGAN_LOSSES:
            raise ValueError(
                f"DCGANConfig(loss={self.loss!r}) is not supported; pass one of {DCGAN_LOSSES} "
                "(the WGAN losses need weight clipping or a gradient penalty, which train_dcgan "
                "does not apply)."
            )


PAGE_CONFIG = DCGANConfig(
    latent_dim=64, width=32, num_train=48000, num_epochs=2, batch_size=32, lr=2e-4, num_evals=6
)
"""The DCGAN of the book's DCGAN page, which the flow-matching page compares with (one model,
trained once and cached for both)."""


def sample_latents(
    num: int, latent_dim: int, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``z ~ N(0, I)``, shape ``(num, latent_dim)``."""
    for name, value in (("num", num), ("latent_dim", latent_dim)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise TypeError(
                f"{name} must be a positive int, got {value!r} ({type(value).__name__}); "
                f"pass e.g. sample_latents(64, 64)."
            )
    return torch.randn(num, latent_dim, generator=generator)


@torch.no_grad()
def generate(model: DCGAN, z: torch.Tensor, *, batch_size: int = 1000) -> torch.Tensor:
    """Images of the generator (evaluation mode) for latents ``z`` ``(N, latent_dim)``.

    Shapes:
        returns ``(N, 1, 28, 28)`` in [0, 1].
    """
    if not isinstance(model, DCGAN):
        raise TypeError(
            f"model must be a DCGAN, got {type(model).__name__}; pass the DCGAN that "
            "load_or_train_dcgan returns (or call model.generator(z) directly)."
        )
    check_tensor(z, "z")
    if len(z) == 0:
        raise ValueError("z must hold at least one latent, got shape (0, ...).")
    check_int(batch_size, "batch_size")
    model.eval()
    return torch.cat([model.generator(z[i : i + batch_size]) for i in range(0, len(z), batch_size)])


def most_confident_samples(
    probs: torch.Tensor, classes: Sequence[int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """For each class of ``classes``, the sample a classifier finds most typical of it.

    Used to pick the end points of latent interpolations (and other examples) among samples
    that a classifier of the real data recognises, rather than among arbitrary latents.

    Args:
        probs: Class probabilities ``(N, C)`` of ``N`` samples, e.g. from
            :func:`lib.generative.metrics.class_probabilities`.
        classes: Class indices in ``[0, C)``.

    Shapes:
        returns indices ``(len(classes),)`` into the ``N`` samples and their probabilities
        ``(len(classes),)`` of the requested class.
    """
    if probs.dim() != 2 or len(probs) == 0:
        raise ValueError(
            f"probs must be class probabilities (N, C) with N >= 1, got {tuple(probs.shape)}."
        )
    bad = [c for c in classes if not 0 <= c < probs.shape[1]]
    if not len(classes) or bad:
        raise ValueError(
            f"classes must be a non-empty list of indices in [0, {probs.shape[1]}), "
            f"got {list(classes)}."
        )
    columns = probs[:, list(classes)]
    best, indices = columns.max(dim=0)
    return indices, best


def discriminator_step(
    D: nn.Module,
    opt_d: torch.optim.Optimizer,
    real: torch.Tensor,
    fake: torch.Tensor,
    loss: str = "nonsaturating",
) -> torch.Tensor:
    """One update of the discriminator on a real and a generated batch.

    ``fake`` is detached, so the loss moves only ``D``; the same batch ``fake`` (with its graph
    back into the generator) is then used by :func:`generator_step`.

    Args:
        D: The discriminator.
        opt_d: Its optimiser.
        real: Real images ``(B, 1, 28, 28)`` in [0, 1].
        fake: Generated images ``G(z)`` ``(B, 1, 28, 28)``, still attached to the generator.
        loss: One of :data:`DCGAN_LOSSES`.

    Returns:
        The discriminator's loss on this batch, a scalar (detached).
    """
    d_loss = discriminator_loss(loss, D(real), D(fake.detach()))
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    return d_loss.detach()


def generator_step(
    D: nn.Module,
    opt_g: torch.optim.Optimizer,
    fake: torch.Tensor,
    loss: str = "nonsaturating",
) -> torch.Tensor:
    """One update of the generator through the just-updated discriminator.

    The gradient of the generator's loss flows through ``D`` into the generator that made
    ``fake``; only ``opt_g`` steps (``D``'s gradients are cleared before its next update).

    Args:
        D: The discriminator.
        opt_g: The generator's optimiser.
        fake: The batch ``G(z)`` of :func:`discriminator_step`, attached to the generator.
        loss: One of :data:`DCGAN_LOSSES`.

    Returns:
        The generator's loss on this batch, a scalar (detached).
    """
    g_loss = generator_loss(loss, D(fake))
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    return g_loss.detach()


def train_dcgan(
    model: DCGAN,
    X: torch.Tensor,
    config: DCGANConfig,
    *,
    feature_model: nn.Module | None = None,
    real_features: torch.Tensor | None = None,
    num_eval_samples: int = 2000,
) -> dict:
    """Train ``model`` in place with alternating steps (one discriminator, one generator).

    Per minibatch of real images: draw ``z``, generate ``fake = G(z)`` once, then
    :func:`discriminator_step` and :func:`generator_step` on that batch.

    Args:
        model: The DCGAN.
        X: Float training images ``(N, 1, 28, 28)`` in [0, 1].
        config: Hyper-parameters.
        feature_model: Classifier with ``.features``; with ``real_features`` it gives the
            Fréchet distance of ``num_eval_samples`` generated images ``config.num_evals`` times.
        real_features: Features ``(M, d)`` of real held-out images.

    Returns:
        Metrics: ``d_loss`` and ``g_loss`` averaged over each 50 steps, ``eval_steps`` and
        ``frechet`` over training, ``seconds`` and ``images_per_second`` (real training images
        processed per second, evaluation excluded).
    """
    from lib.generative.metrics import classifier_features, frechet_distance_from_features
    from lib.reproducibility import make_generator, seed_everything

    if X.dim() != 4 or X.shape[1:] != (1, 28, 28) or not X.is_floating_point():
        raise ValueError(
            f"expected float images (N, 1, 28, 28) in [0, 1], got {X.dtype} {tuple(X.shape)}; "
            "convert with lib.training.images_to_float."
        )
    seed_everything(config.seed)
    X = X[: config.num_train]
    G, D = model.generator, model.discriminator
    opt_g = torch.optim.Adam(G.parameters(), lr=config.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=config.lr, betas=(0.5, 0.999))
    rng = make_generator(config.seed)
    eval_z = sample_latents(
        num_eval_samples, config.latent_dim, generator=make_generator(config.seed + 1)
    )
    steps_per_epoch = -(-len(X) // config.batch_size)
    total_steps = steps_per_epoch * config.num_epochs
    eval_at = {round(total_steps * (k + 1) / config.num_evals) for k in range(config.num_evals)}
    metrics: dict = {"d_loss": [], "g_loss": [], "eval_steps": [], "frechet": []}
    d_sum = g_sum = 0.0
    step, train_seconds = 0, 0.0
    for _ in range(config.num_epochs):
        order = torch.randperm(len(X), generator=rng)
        for i in range(0, len(X), config.batch_size):
            start = time.perf_counter()
            G.train()
            D.train()
            real = X[order[i : i + config.batch_size]]
            z = sample_latents(len(real), config.latent_dim, generator=rng)
            fake = G(z)
            d_loss = discriminator_step(D, opt_d, real, fake, config.loss)
            g_loss = generator_step(D, opt_g, fake, config.loss)
            train_seconds += time.perf_counter() - start
            step += 1
            d_sum += d_loss.item()
            g_sum += g_loss.item()
            if step % 50 == 0:
                metrics["d_loss"].append(d_sum / 50)
                metrics["g_loss"].append(g_sum / 50)
                d_sum = g_sum = 0.0
            if step in eval_at and feature_model is not None and real_features is not None:
                fake_features = classifier_features(feature_model, generate(model, eval_z))
                metrics["eval_steps"].append(step)
                metrics["frechet"].append(
                    frechet_distance_from_features(real_features, fake_features)
                )
    model.eval()
    metrics["seconds"] = train_seconds
    metrics["images_per_second"] = step * config.batch_size / train_seconds
    return metrics


def load_or_train_dcgan(
    config: DCGANConfig,
    *,
    feature_model: nn.Module,
    real_features: torch.Tensor,
) -> tuple[DCGAN, dict]:
    """The DCGAN of ``config`` from ``data/models/``, trained on Fashion-MNIST first if absent.

    The cache key includes the number of real feature rows and their mean (a fingerprint of the
    classifier and the evaluation set), so a different classifier or evaluation set does not load
    stale Fréchet curves. Timing metrics (``seconds``, ``images_per_second``) are those
    of the run that trained the cached model.
    """
    check_config(config, DCGANConfig)
    from lib.checkpoints import train_or_load
    from lib.data import load_fashion_mnist
    from lib.training import images_to_float

    def build() -> DCGAN:
        torch.manual_seed(config.seed)
        return DCGAN(config.latent_dim, config.width)

    def train(model: DCGAN) -> dict:
        X, _ = load_fashion_mnist("train")
        return train_dcgan(
            model,
            images_to_float(X),
            config,
            feature_model=feature_model,
            real_features=real_features,
        )

    # the Fréchet curve depends on the feature extractor and the real set: fingerprint both
    fingerprint = round(float(real_features.double().mean()), 8)
    key = {
        **asdict(config),
        "num_real_features": len(real_features),
        "real_features_mean": fingerprint,
    }
    return train_or_load("dcgan", key, build, train)
