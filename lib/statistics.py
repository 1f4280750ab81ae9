"""Confidence intervals of a mean or a proportion, for the error bars and bands of every part.

A mean over a few seeds or episodes is shown with its 95 % interval: :func:`mean_t_ci` (Student-t,
right for the 3-10 seeds of a training comparison) or :func:`mean_ci` (the normal approximation,
for many independent values such as 2,000 episodes, or the per-image differences of two models
scored on the same images). An accuracy measured on two separate groups of images is a difference
of two independent proportions: :func:`proportion_difference_ci`.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def mean_ci(values: np.ndarray, axis: int = 0, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Mean and the half-width of a normal-approximation 95 % confidence interval.

    The half-width is ``z * std / sqrt(n)`` with the sample standard deviation (``ddof=1``).

    Shapes:
        - values: any, reduced over ``axis``
        - returns: two arrays without ``axis``
    """
    values = np.asarray(values, float)
    n = values.shape[axis]
    if n < 2:
        raise ValueError(
            f"need at least 2 values along axis {axis} for a confidence interval, got {n}."
        )
    return values.mean(axis), z * values.std(axis, ddof=1) / np.sqrt(n)


def mean_t_ci(
    values: np.ndarray, axis: int = 0, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and the half-width of its Student-t confidence interval, for few samples.

    The half-width is ``t * std / sqrt(n)``, with ``t`` the ``(1 + level) / 2`` quantile of
    Student's t with ``n - 1`` degrees of freedom (the normal's 1.96 understates the interval
    of 3-5 seeds: t = 4.30 at n = 3, 2.78 at n = 5).

    Shapes:
        - values: any, reduced over ``axis``
        - returns: two arrays without ``axis``
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), e.g. 0.95, got {level}.")
    n = np.shape(values)[axis]
    t = stats.t.ppf((1 + level) / 2, n - 1) if n >= 2 else np.nan  # mean_ci refuses n < 2
    return mean_ci(values, axis, z=t)


def proportion_difference_ci(
    outcomes_a: np.ndarray, outcomes_b: np.ndarray, z: float = 1.96
) -> tuple[float, float]:
    """Difference of two independent proportions and the half-width of its normal 95 % interval.

    With ``p_a`` and ``p_b`` the shares of ones among ``n_a`` and ``n_b`` outcomes, the standard
    error of ``p_a - p_b`` is ``sqrt(p_a (1 - p_a) / n_a + p_b (1 - p_b) / n_b)`` (Wald interval).
    For two predictors scored on the *same* items, use :func:`mean_ci` of the per-item
    differences instead: pairing removes the items' shared difficulty.

    Shapes:
        - outcomes_a: (n_a,) of 0/1 (or booleans), e.g. whether each image of group a is right
        - outcomes_b: (n_b,) of 0/1
        - returns: (p_a - p_b, half-width), two floats
    """
    shares, variances = [], []
    for name, outcomes in (("outcomes_a", outcomes_a), ("outcomes_b", outcomes_b)):
        outcomes = np.asarray(outcomes, float)
        if outcomes.ndim != 1 or len(outcomes) < 2:
            raise ValueError(
                f"{name} must be a 1-D array of at least 2 outcomes (0 or 1), got shape "
                f"{outcomes.shape}."
            )
        if not np.isin(outcomes, (0.0, 1.0)).all():
            raise ValueError(
                f"{name} must hold 0/1 outcomes (e.g. prediction == label), got values such as "
                f"{outcomes[~np.isin(outcomes, (0.0, 1.0))][:3].tolist()}."
            )
        share = outcomes.mean()
        shares.append(share)
        variances.append(share * (1 - share) / len(outcomes))
    return float(shares[0] - shares[1]), float(z * np.sqrt(sum(variances)))
