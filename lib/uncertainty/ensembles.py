"""Predictions of deep ensembles and MC dropout, and the chapter's cached Fashion-MNIST models.

The chapter compares four predictors built from :class:`lib.models.SmallCNN`:

* the single network (SGD point estimate) = ensemble member 0;
* the same network with temperature scaling (Guo et al. 2017);
* MC dropout (Gal & Ghahramani 2016): dropout kept on at test time, ``T`` stochastic passes;
* the deep ensemble (Lakshminarayanan et al. 2017): ``M`` networks from independent random
  initialisations (seeds), their probabilities averaged (a uniform mixture).

All are trained by :func:`lib.baselines.load_or_train_baseline` and cached under
``data/models``. To fit the chapter's CPU budget the members are trained for
:data:`MEMBER_EPOCHS` epochs (about 10 s per epoch on two cores), not the 4 of the book's
baseline: the first run of the chapter pays about two minutes of training, later runs load.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from lib.baselines import BaselineConfig, load_or_train_baseline
from lib.checks import as_tensor, check_int, check_tensor
from lib.training import model_device, predict_logits

MEMBER_EPOCHS = 2
"""Epochs of every cached chapter-1 network (ensemble members and the MC-dropout network)."""

MC_DROPOUT_RATE = 0.25
"""Dropout probability of the MC-dropout network."""


def member_config(
    seed: int, *, num_epochs: int = MEMBER_EPOCHS, dropout: float = 0.0
) -> BaselineConfig:
    """The :class:`BaselineConfig` of ensemble member ``seed`` (a SmallCNN)."""
    check_int(seed, "seed", minimum=0)
    check_int(num_epochs, "num_epochs")
    return BaselineConfig(kind="cnn", num_epochs=num_epochs, seed=seed, dropout=dropout)


def load_members(
    num_members: int = 5, *, num_epochs: int = MEMBER_EPOCHS, device: torch.device | str = "cpu"
) -> tuple[list[nn.Module], list[dict]]:
    """Deep-ensemble members with seeds ``0..num_members-1`` (trained and cached if absent).

    Args:
        num_members: Ensemble size ``M``.
        num_epochs: Epochs of every member.
        device: Where the members are trained or loaded to.

    Returns:
        ``(models, metrics)``; ``metrics[m]["test_accuracy"]`` is member ``m``'s test accuracy.
    """
    check_int(num_members, "num_members")
    pairs = [
        load_or_train_baseline(member_config(s, num_epochs=num_epochs), device=device)
        for s in range(num_members)
    ]
    return [m for m, _ in pairs], [d for _, d in pairs]


def load_mc_dropout_model(
    rate: float = MC_DROPOUT_RATE, *, device: torch.device | str = "cpu"
) -> tuple[nn.Module, dict]:
    """The SmallCNN trained with dropout ``rate`` (seed 0), for MC dropout, on ``device``.

    Raises:
        ValueError: ``rate`` is not a dropout probability in (0, 1) (MC dropout needs dropout).
    """
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 < rate < 1:
        raise ValueError(
            f"rate must be a dropout probability in (0, 1), got {rate!r}; MC dropout needs "
            f"dropout at test time (the chapter's network uses {MC_DROPOUT_RATE})."
        )
    return load_or_train_baseline(member_config(0, dropout=rate), device=device)


def probs_of(model: nn.Module, X: torch.Tensor, *, batch_size: int = 1000) -> torch.Tensor:
    """Softmax probabilities of ``model`` in evaluation mode, on the CPU (``X`` is moved to the
    model's device batch by batch).

    Shapes:
        X: ``(N, 1, 28, 28)`` float in [0, 1] → ``(N, C)``.
    """
    return torch.softmax(predict_logits(model, X, batch_size=batch_size).double(), dim=1)


def ensemble_probs(
    models: Sequence[nn.Module], X: torch.Tensor, *, batch_size: int = 1000
) -> torch.Tensor:
    """Every member's probabilities; average over dim 0 for the ensemble's prediction.

    .. math::
        p(y \\mid x) = \\frac1M \\sum_{m=1}^{M} p(y \\mid x, \\theta_m).

    Shapes:
        X: ``(N, ...)`` → ``(M, N, C)``.
    """
    if isinstance(models, nn.Module):
        raise TypeError("models must be a list of networks, got one network; pass [model].")
    if len(models) == 0:
        raise ValueError("models is empty; pass at least one trained network.")
    return torch.stack([probs_of(m, X, batch_size=batch_size) for m in models])


def _dropout_modules(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, nn.modules.dropout._DropoutNd) and m.p > 0]


@torch.no_grad()
def mc_dropout_probs(
    model: nn.Module,
    X: torch.Tensor,
    *,
    num_samples: int = 10,
    seed: int = 0,
    batch_size: int = 1000,
) -> torch.Tensor:
    """MC dropout (Gal & Ghahramani 2016): ``num_samples`` passes with dropout switched on.

    Only the dropout layers are put in training mode (batch-norm layers, if any, stay in
    evaluation mode). The dropout masks come from a forked, seeded RNG (of the model's device),
    so the global random state is untouched and the result is reproducible. ``X`` is moved to
    the model's device batch by batch; the probabilities are returned on the CPU.

    Shapes:
        X: ``(N, ...)`` → ``(num_samples, N, C)``.
    """
    dropouts = _dropout_modules(model)
    if not dropouts:
        raise ValueError(
            "model has no dropout layer with p > 0; train it with dropout (e.g. dropout=0.25)."
        )
    if num_samples < 1:
        raise ValueError(f"num_samples must be at least 1, got {num_samples}.")
    device = model_device(model)
    model.eval()
    for m in dropouts:
        m.train()
    try:
        with torch.random.fork_rng(devices=[] if device.type == "cpu" else [device]):
            torch.manual_seed(seed)
            return dropout_passes(model, X, num_samples=num_samples, batch_size=batch_size)
    finally:
        model.eval()


@torch.no_grad()
def dropout_passes(
    model: nn.Module, X: torch.Tensor, *, num_samples: int, batch_size: int = 1000
) -> torch.Tensor:
    """The core of MC dropout: ``num_samples`` forward passes, each with fresh dropout masks.

    The caller switches the dropout layers to training mode (so every pass draws new masks)
    and seeds the random state; :func:`mc_dropout_probs` does both.

    Shapes:
        X: ``(N, ...)`` → ``(num_samples, N, C)``, the softmax of every pass, on the CPU.
    """
    check_tensor(X, "X")
    check_int(num_samples, "num_samples")
    check_int(batch_size, "batch_size")
    device = model_device(model)
    samples = []
    for _ in range(num_samples):
        logits = torch.cat(
            [model(X[i : i + batch_size].to(device)).cpu() for i in range(0, len(X), batch_size)]
        )
        samples.append(torch.softmax(logits.double(), dim=1))
    return torch.stack(samples)


def disagreement(probs_a: torch.Tensor | np.ndarray, probs_b: torch.Tensor | np.ndarray) -> float:
    """Fraction of inputs on which two predictors' top-1 classes differ (Fort et al. 2019).

    Shapes:
        probs_a, probs_b: ``(N, C)``.
    """
    probs_a, probs_b = as_tensor(probs_a, "probs_a"), as_tensor(probs_b, "probs_b")
    if probs_a.shape != probs_b.shape or probs_a.dim() != 2:
        raise ValueError(
            "probs_a and probs_b must be two predictors' probabilities (N, C) of one shape, "
            f"got {tuple(probs_a.shape)} and {tuple(probs_b.shape)}; for the members' "
            "(M, N, C) pass one member's probs[m], or the ensemble's probs.mean(0)."
        )
    return float((probs_a.argmax(1) != probs_b.argmax(1)).double().mean())
