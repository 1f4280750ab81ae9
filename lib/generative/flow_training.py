"""Training a flow-matching U-Net on Fashion-MNIST, sampling from it, and a train-or-load cache.

The loss and the sampler are :mod:`lib.generative.flow_matching`; the network is
:class:`lib.generative.unet.UNet`. This module holds the scaffolding: the loop (Adam, an
exponential moving average of the weights as in Ho et al. 2020, Fréchet distances along the
way) and :func:`load_or_train_flow_matching`.
"""

from __future__ import annotations

import copy
import time
from dataclasses import asdict, dataclass

import torch
from torch import nn

from lib.checks import check_config, check_int
from lib.generative.flow_matching import (
    euler_sample,
    flow_matching_loss,
    heun_sample,
    to_image_range,
    to_model_range,
)
from lib.generative.unet import UNet


@dataclass(frozen=True)
class FlowMatchingConfig:
    """Everything that determines a trained flow-matching :class:`UNet`.

    Attributes:
        channels: Feature maps of the U-Net at 28×28, 14×14 and 7×7.
        num_steps: Training steps (minibatches).
        batch_size: Images per step.
        lr: Peak Adam learning rate (linear warm-up over the first 5 % of steps, then a linear
            decay to 0).
        ema_decay: Decay of the moving average of the weights that is kept as the model.
        num_evals: Fréchet distances recorded during training (evenly spaced in steps).
        eval_sampling_steps: Euler steps of the samples scored during training.
        seed: Seed of initialisation, shuffling, times and noise.
    """

    channels: tuple[int, int, int] = (16, 32, 64)
    num_steps: int = 1000
    batch_size: int = 128
    lr: float = 2e-3
    ema_decay: float = 0.995
    num_evals: int = 5
    eval_sampling_steps: int = 8
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("num_steps", "batch_size", "num_evals", "eval_sampling_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"FlowMatchingConfig({name}={value!r}): pass a positive int.")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(
                f"FlowMatchingConfig(ema_decay={self.ema_decay}): pass a decay in [0, 1) "
                "(0 keeps the last weights)."
            )


def generate(
    model: nn.Module,
    num: int,
    num_steps: int,
    *,
    generator: torch.Generator | None = None,
    batch_size: int = 500,
    sampler: str = "euler",
) -> torch.Tensor:
    """``num`` images from ``model`` with ``num_steps`` steps of :func:`euler_sample` or
    :func:`heun_sample` (``sampler="heun"``: two network evaluations per step).

    Shapes:
        returns ``(num, 1, 28, 28)`` in [0, 1].
    """
    samplers = {"euler": euler_sample, "heun": heun_sample}
    if sampler not in samplers:
        raise ValueError(f"sampler must be one of {sorted(samplers)}, got {sampler!r}.")
    check_int(num, "num")
    check_int(batch_size, "batch_size")
    model.eval()
    noise = torch.randn(num, 1, 28, 28, generator=generator)
    return torch.cat(
        [
            to_image_range(samplers[sampler](model, noise[i : i + batch_size], num_steps))
            for i in range(0, num, batch_size)
        ]
    )


def _learning_rate(step: int, config: FlowMatchingConfig) -> float:
    warmup = max(1, config.num_steps // 20)
    if step < warmup:
        return config.lr * (step + 1) / warmup
    return config.lr * (config.num_steps - step) / (config.num_steps - warmup)


def train_flow_matching(
    model: UNet,
    X: torch.Tensor,
    config: FlowMatchingConfig,
    *,
    feature_model: nn.Module | None = None,
    real_features: torch.Tensor | None = None,
    num_eval_samples: int = 500,
) -> dict:
    """Train ``model`` in place on the flow-matching loss; leave the weights' moving average in it.

    Args:
        model: The U-Net.
        X: Float training images ``(N, 1, 28, 28)`` in [0, 1] (scaled to [-1, 1] here).
        config: Hyper-parameters.
        feature_model: Classifier with ``.features``; with ``real_features`` it gives the
            Fréchet distance of ``num_eval_samples`` samples ``config.num_evals`` times.
        real_features: Features ``(M, d)`` of real held-out images.

    Returns:
        Metrics: ``losses`` (mean over each 50 steps), ``eval_steps`` and ``frechet`` over
        training, ``seconds`` and ``images_per_second`` (evaluation excluded).
    """
    from lib.generative.metrics import classifier_features, frechet_distance_from_features
    from lib.reproducibility import make_generator, seed_everything

    if X.dim() != 4 or X.shape[1:] != (1, 28, 28) or not X.is_floating_point():
        raise ValueError(
            f"X must be float images (N, 1, 28, 28) in [0, 1], got {X.dtype} {tuple(X.shape)}; "
            "convert with lib.training.images_to_float."
        )
    seed_everything(config.seed)
    X = to_model_range(X)
    ema = copy.deepcopy(model).eval()
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    rng = make_generator(config.seed)
    eval_at = {
        round(config.num_steps * (k + 1) / config.num_evals) for k in range(config.num_evals)
    }
    metrics: dict = {"losses": [], "eval_steps": [], "frechet": []}
    loss_sum, train_seconds = 0.0, 0.0
    order, position = torch.randperm(len(X), generator=rng), 0
    for step in range(config.num_steps):
        start = time.perf_counter()
        if position + config.batch_size > len(X):
            order, position = torch.randperm(len(X), generator=rng), 0
        batch = X[order[position : position + config.batch_size]]
        position += config.batch_size
        model.train()
        for group in opt.param_groups:
            group["lr"] = _learning_rate(step, config)
        loss = flow_matching_loss(model, batch, generator=rng)
        opt.zero_grad()
        loss.backward()
        opt.step()
        decay = min(config.ema_decay, (1 + step) / (10 + step))
        with torch.no_grad():
            for p_ema, p in zip(ema.parameters(), model.parameters(), strict=True):
                p_ema.lerp_(p, 1 - decay)
        train_seconds += time.perf_counter() - start
        loss_sum += loss.item()
        if (step + 1) % 50 == 0:
            metrics["losses"].append(loss_sum / 50)
            loss_sum = 0.0
        if step + 1 in eval_at and feature_model is not None and real_features is not None:
            samples = generate(
                ema,
                num_eval_samples,
                config.eval_sampling_steps,
                generator=make_generator(config.seed + 1),
            )
            metrics["eval_steps"].append(step + 1)
            metrics["frechet"].append(
                frechet_distance_from_features(
                    real_features, classifier_features(feature_model, samples)
                )
            )
    model.load_state_dict(ema.state_dict())
    model.eval()
    metrics["seconds"] = train_seconds
    metrics["images_per_second"] = config.num_steps * config.batch_size / train_seconds
    return metrics


def load_or_train_flow_matching(
    config: FlowMatchingConfig,
    *,
    feature_model: nn.Module,
    real_features: torch.Tensor,
) -> tuple[UNet, dict]:
    """The flow-matching U-Net of ``config`` from ``data/models/``, trained first if absent.

    Trained on all 60,000 Fashion-MNIST training images. As for
    :func:`lib.generative.dcgan.load_or_train_dcgan`, the key includes a fingerprint of the real
    features, so a different classifier or evaluation set does not load stale Fréchet curves.
    """
    check_config(config, FlowMatchingConfig)
    from lib.checkpoints import train_or_load
    from lib.data import load_fashion_mnist
    from lib.training import images_to_float

    def build() -> UNet:
        torch.manual_seed(config.seed)
        return UNet(config.channels)

    def train(model: UNet) -> dict:
        X, _ = load_fashion_mnist("train")
        return train_flow_matching(
            model,
            images_to_float(X),
            config,
            feature_model=feature_model,
            real_features=real_features,
        )

    key = {
        **asdict(config),
        "num_real_features": len(real_features),
        "real_features_mean": round(float(real_features.double().mean()), 8),
    }
    return train_or_load("flow-matching", key, build, train)
