"""The chapter's predictors, compared on several pages: a single network, the same network
temperature-scaled, MC dropout and a deep ensemble (Ovadia et al. 2019 compare the same four).

The members and the dropout network come from :mod:`lib.uncertainty.ensembles`; the temperature
is fitted on the chapter's validation half of the Fashion-MNIST test set (images 5000 to 9999),
so that the first 5000 test images stay for evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from lib.data import load_fashion_mnist
from lib.training import images_to_float, predict_logits
from lib.uncertainty.ensembles import ensemble_probs, mc_dropout_probs
from lib.uncertainty.temperature import fit_temperature

VALIDATION_START = 5000
"""Fashion-MNIST test images from this index on are the chapter's validation half."""


def validation_temperature(model: nn.Module) -> float:
    """Temperature of ``model`` fitted by NLL on the validation half of the Fashion-MNIST test set.

    Args:
        model: A classifier of float images ``(N, 1, 28, 28)`` to logits ``(N, 10)``.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"model must be one network (a torch.nn.Module), got {type(model).__name__}; for the "
            "ensemble's single network pass members[0]."
        )
    X, y = load_fashion_mnist("test")
    X = images_to_float(X)
    return fit_temperature(predict_logits(model, X[VALIDATION_START:]), y[VALIDATION_START:])


def predictor_probs(
    X: torch.Tensor,
    members: Sequence[nn.Module],
    dropout_net: nn.Module,
    *,
    temperature: float | None = None,
    num_samples: int = 10,
    seed: int = 0,
) -> dict[str, torch.Tensor]:
    """Class probabilities of each predictor of the chapter on ``X``.

    The single network is ``members[0]``; the temperature-scaled one divides its logits by
    ``temperature`` (left out when ``temperature`` is ``None``); MC dropout averages
    ``num_samples`` passes of ``dropout_net`` with masks drawn from ``seed`` (the global random
    state is untouched); the ensemble averages the members' probabilities.

    Args:
        X: Float images ``(N, 1, 28, 28)``.
        members: The ensemble members, ``members[0]`` the single network.
        dropout_net: A network trained with dropout.
        temperature: From :func:`validation_temperature`, or ``None``.
        num_samples: MC-dropout passes.
        seed: Seed of the dropout masks.

    Returns:
        ``"single"``, ``"temperature-scaled"`` (with a temperature), ``"MC dropout (S)"`` and
        ``"ensemble (M)"``, in this order, each ``(N, C)`` float64.
    """
    if temperature is not None and not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}; pass None for none.")
    member = ensemble_probs(members, X)
    probs = {"single": member[0]}
    if temperature is not None:
        logits = predict_logits(members[0], X).double()
        probs["temperature-scaled"] = torch.softmax(logits / temperature, 1)
    probs[f"MC dropout ({num_samples})"] = mc_dropout_probs(
        dropout_net, X, num_samples=num_samples, seed=seed
    ).mean(0)
    probs[f"ensemble ({len(members)})"] = member.mean(0)
    return probs
