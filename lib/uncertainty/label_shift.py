"""Label-shift correction (Saerens, Latinne & Decaestecker 2002): re-weight predicted
probabilities by a new class prior, and estimate that prior by EM on unlabelled target data."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from lib.checks import as_tensor, check_probs


def _check_prior(prior: torch.Tensor | np.ndarray, num_classes: int, name: str) -> torch.Tensor:
    prior = as_tensor(prior, name).double()
    if prior.shape != (num_classes,) or (prior < 0).any() or abs(float(prior.sum()) - 1) > 1e-6:
        got = prior.tolist() if prior.numel() <= 20 else f"shape {tuple(prior.shape)}"
        raise ValueError(
            f"{name} must be {num_classes} non-negative class frequencies summing to 1, got "
            f"{got}; divide class counts by their total."
        )
    return prior


def _check_source_prior(prior: torch.Tensor | np.ndarray, num_classes: int) -> torch.Tensor:
    """:func:`_check_prior`, and every class present: the correction divides by ``p(y)``."""
    prior = _check_prior(prior, num_classes, "source_prior")
    if (prior == 0).any():
        missing = (prior == 0).nonzero().flatten().tolist()
        raise ValueError(
            f"source_prior is 0 for classes {missing}: the correction divides by it. Estimate it "
            "from training labels that contain every class, or drop the missing classes from "
            "probs and both priors."
        )
    return prior


def correct_label_shift(
    probs: torch.Tensor | np.ndarray,
    source_prior: torch.Tensor | np.ndarray,
    target_prior: torch.Tensor | np.ndarray,
) -> torch.Tensor:
    r"""Re-weight posteriors for new class priors (Saerens et al. 2002).

    Under label shift :math:`p(x \mid y)` is unchanged, so

    .. math::
        q(y \mid x) \propto p(y \mid x)\, \frac{q(y)}{p(y)}.

    Shapes:
        probs: ``(N, C)``; priors: ``(C,)`` → ``(N, C)``.
    """
    probs = check_probs(probs).double()
    c = probs.shape[1]
    weight = _check_prior(target_prior, c, "target_prior") / _check_source_prior(source_prior, c)
    adjusted = probs * weight
    return adjusted / adjusted.sum(dim=1, keepdim=True)


def estimate_target_prior(
    probs: torch.Tensor | np.ndarray,
    source_prior: torch.Tensor | np.ndarray,
    *,
    num_iterations: int = 10_000,
    tol: float = 1e-10,
) -> torch.Tensor:
    r"""EM estimate of the target class priors from unlabelled predictions (Saerens et al. 2002).

    Alternates :func:`correct_label_shift` (E step) with averaging the corrected posteriors
    (M step). Each step raises the log-likelihood of the unlabelled predictions,
    :math:`\sum_n \log \sum_c p(c \mid x_n)\, q(c) / p(c)`, and the iteration converges to its
    maximum, but only linearly, and slowly when the classes overlap (a few thousand steps on
    overlapping classes, where 200 stopped a few hundredths away from the maximum). It runs
    until the largest change of a class prior in one step is below ``tol`` and warns
    (``RuntimeWarning``) when ``num_iterations`` steps did not get there.

    Args:
        probs: Posteriors ``p(y | x)`` of the unlabelled target inputs under the source prior.
        source_prior: The training set's class frequencies ``p(y)``.
        num_iterations: Largest number of EM steps.
        tol: Stop when no class prior changes by more than this in one step.

    Shapes:
        probs: ``(N, C)``; source_prior: ``(C,)`` → ``(C,)``.
    """
    if num_iterations < 1 or tol <= 0:
        raise ValueError(
            f"need num_iterations >= 1 and tol > 0, got num_iterations={num_iterations}, "
            f"tol={tol}; the defaults are 10_000 and 1e-10."
        )
    probs = check_probs(probs).double()
    source = _check_source_prior(source_prior, probs.shape[1])
    prior = source.clone()
    for _ in range(num_iterations):
        adjusted = probs * (prior / source)  # E step: q(y | x_n) under the current prior ...
        adjusted = adjusted / adjusted.sum(dim=1, keepdim=True)  # ... normalised over y
        new = adjusted.mean(dim=0)  # M step: the prior is the mean corrected posterior
        change = (new - prior).abs().max().item()
        prior = new
        if change < tol:
            return prior
    warnings.warn(
        f"label-shift EM did not converge in num_iterations={num_iterations} steps: the prior "
        f"still changed by {change:.2e} in the last one (tol={tol}); pass a larger "
        "num_iterations.",
        RuntimeWarning,
        stacklevel=2,
    )
    return prior
