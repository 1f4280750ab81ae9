"""1-D regression toys: a network that predicts a mean and a variance (Gaussian NLL).

Used twice in the chapter: for "what uncertainty means" (heteroscedastic noise, one network)
and for the epistemic/aleatoric split (a data gap, an ensemble of such networks,
Lakshminarayanan et al. 2017, Sec. 2.2).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from lib.checks import check_int, check_tensor
from lib.reproducibility import make_generator, seed_everything
from lib.training import fit, model_device

X_RANGE = (-4.0, 4.0)


def true_mean(x: torch.Tensor) -> torch.Tensor:
    """The regression function of the toy: ``sin(1.5 x) + 0.2 x``."""
    check_tensor(x, "x")
    return torch.sin(1.5 * x) + 0.2 * x


def true_std(x: torch.Tensor) -> torch.Tensor:
    """Noise standard deviation, growing from 0.05 at x = -4 to 0.45 at x = 4."""
    check_tensor(x, "x")
    return 0.05 + 0.4 * (x - X_RANGE[0]) / (X_RANGE[1] - X_RANGE[0])


def make_heteroscedastic(
    num: int, *, seed: int = 0, gap: tuple[float, float] | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Samples ``y = true_mean(x) + true_std(x) * eps`` with ``x`` uniform on [-4, 4].

    Args:
        num: Number of points.
        seed: Seed of the sampling generator.
        gap: Optional interval ``(a, b)``, ``a < b``, left without data (its points are
            redrawn); it must leave part of :data:`X_RANGE` uncovered.

    Raises:
        ValueError: If ``num < 1``, or ``gap`` is not an interval ``a < b`` or covers all of
            :data:`X_RANGE`.

    Shapes:
        → ``X`` ``(num, 1)``, ``y`` ``(num, 1)``, float32.
    """
    if num < 1:
        raise ValueError(f"num must be positive, got {num}.")
    lo, hi = X_RANGE
    if gap is not None:
        if len(gap) != 2 or not gap[0] < gap[1]:
            raise ValueError(
                f"gap must be an interval (a, b) with a < b, got {gap!r}; pass e.g. "
                "gap=(-1.0, 1.0)."
            )
        if gap[0] <= lo and gap[1] >= hi:
            raise ValueError(
                f"gap={gap!r} covers the whole input range {X_RANGE}, so no point could be "
                "drawn; pass an interval that leaves part of it, e.g. gap=(-1.0, 1.0)."
            )
    g = make_generator(seed)
    xs = []
    count = 0
    while count < num:
        x = lo + (hi - lo) * torch.rand(2 * num, generator=g)
        if gap is not None:
            x = x[(x < gap[0]) | (x > gap[1])]
        xs.append(x)
        count += len(x)
    x = torch.cat(xs)[:num]
    y = true_mean(x) + true_std(x) * torch.randn(num, generator=g)
    return x[:, None], y[:, None]


def gaussian_nll(mean: torch.Tensor, var: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Mean Gaussian negative log-likelihood, constant included:

    .. math::
        \frac1N\sum_i \tfrac12\Bigl(\log 2\pi\sigma_i^2 + \frac{(y_i-\mu_i)^2}{\sigma_i^2}\Bigr).

    Shapes:
        mean, var, y: ``(N, 1)`` (or any one shape) → scalar.
    """
    if not (mean.shape == var.shape == y.shape):
        raise ValueError(
            "mean, var and y must share one shape, "
            f"got {tuple(mean.shape)}, {tuple(var.shape)}, {tuple(y.shape)}."
        )
    if (var <= 0).any():
        raise ValueError(
            "var must be positive; pass a variance (e.g. softplus output), not a log-variance."
        )
    return 0.5 * (torch.log(2 * math.pi * var) + (y - mean) ** 2 / var).mean()


class GaussianMLP(nn.Module):
    """An MLP with two outputs: the mean and (through a softplus) the variance of ``y | x``.

    Shapes:
        X: ``(N, 1)`` → ``(mean, var)``, each ``(N, 1)``.
    """

    def __init__(self, hidden: int = 64, min_var: float = 1e-4):
        check_int(hidden, "hidden")
        if not min_var > 0:
            raise ValueError(
                f"min_var must be a positive variance floor, got {min_var}; it keeps the "
                "Gaussian NLL finite (the default is 1e-4)."
            )
        super().__init__()
        self.min_var = min_var
        self.net = nn.Sequential(
            nn.Linear(1, hidden),
            nn.Tanh(),
            nn.Linear(hidden, hidden),
            nn.Tanh(),
            nn.Linear(hidden, 2),
        )

    def _check_input(self, X: torch.Tensor) -> None:
        check_tensor(X, "X")
        if X.dim() != 2 or X.shape[1] != 1:
            raise ValueError(f"X must have shape (N, 1), got {tuple(X.shape)}.")
        if X.dtype != self.net[0].weight.dtype:
            raise ValueError(
                f"X must be {self.net[0].weight.dtype}, got {X.dtype}; pass X.float()."
            )

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self._check_input(X)
        out = self.net(X)
        return out[:, :1], F.softplus(out[:, 1:]) + self.min_var


def train_gaussian_mlp(
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    seed: int = 0,
    num_steps: int = 1500,
    lr: float = 1e-2,
    hidden: int = 64,
    device: torch.device | str = "cpu",
) -> GaussianMLP:
    """Fit a :class:`GaussianMLP` by full-batch Adam on the Gaussian NLL (about a second).

    Args:
        X: Inputs ``(N, 1)``.
        y: Targets ``(N, 1)``.
        seed: Seed of the initialisation.
        num_steps: Adam steps on the whole data set.
        lr: Learning rate.
        hidden: Hidden units per layer.
        device: Where the network is trained and returned.
    """
    seed_everything(seed)
    model = GaussianMLP(hidden).to(device)
    fit(
        model,
        [(X, y)],
        num_epochs=num_steps,
        optimizer=torch.optim.Adam(model.parameters(), lr=lr),
        loss_fn=lambda out, y: gaussian_nll(*out, y),
        metric=None,
        desc=None,
    )
    return model.eval()


@torch.no_grad()
def predict_ensemble(
    models: list[GaussianMLP], X: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every member's mean and variance, on the CPU (``X`` goes to each member's device).

    Shapes:
        X: ``(N, 1)`` → ``(means, vars)``, each ``(M, N)``.
    """
    if len(models) == 0:
        raise ValueError("models is empty; pass a list of at least one trained GaussianMLP.")
    outs = [m(X.to(model_device(m))) for m in models]
    return (
        torch.stack([o[0][:, 0].cpu() for o in outs]),
        torch.stack([o[1][:, 0].cpu() for o in outs]),
    )


def variance_split(
    means: torch.Tensor, variances: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""Law of total variance for a uniform mixture of Gaussians:

    .. math::
        \underbrace{\mathrm{Var}[y]}_{\text{total}}
        = \underbrace{\tfrac1M\sum_m \sigma_m^2}_{\text{aleatoric}}
        + \underbrace{\tfrac1M\sum_m \mu_m^2 - \bar\mu^2}_{\text{epistemic}}.

    Shapes:
        means, variances: ``(M, N)`` → ``(total, aleatoric, epistemic)``, each ``(N,)``.
    """
    if means.shape != variances.shape or means.dim() != 2:
        raise ValueError(
            "means and variances must both be (M, N), "
            f"got {tuple(means.shape)} and {tuple(variances.shape)}."
        )
    aleatoric = variances.mean(0)
    epistemic = means.var(0, unbiased=False)
    return aleatoric + epistemic, aleatoric, epistemic


def interval_coverage(
    mean: torch.Tensor, std: torch.Tensor, y: torch.Tensor, levels: list[float]
) -> dict[float, float]:
    r"""Share of targets inside the central Gaussian interval of each nominal level.

    For regression, calibration means coverage: the interval
    :math:`\mu \pm z_{(1+q)/2}\,\sigma` should hold a share :math:`q` of the targets
    (Kuleshov et al. 2018, "Accurate uncertainties for deep learning using calibrated
    regression").

    Args:
        mean: Predicted means.
        std: Predicted standard deviations (positive), the shape of ``mean``.
        y: Targets, the shape of ``mean``.
        levels: Nominal levels in (0, 1), e.g. ``[0.5, 0.9, 0.95]``.

    Shapes:
        mean, std, y: ``(N,)`` (or any one shape) → ``{level: coverage}``.
    """
    if not (mean.shape == std.shape == y.shape):
        raise ValueError(
            "mean, std and y must share one shape, "
            f"got {tuple(mean.shape)}, {tuple(std.shape)}, {tuple(y.shape)}."
        )
    if (std <= 0).any():
        raise ValueError("std must be positive; pass a standard deviation, not a variance of 0.")
    if any(not 0 < q < 1 for q in levels):
        raise ValueError(f"levels must lie in (0, 1), got {levels}.")
    normal = torch.distributions.Normal(0.0, 1.0)
    z_scores = (y - mean).abs().double() / std.double()
    return {
        q: float((z_scores <= float(normal.icdf(torch.tensor((1 + q) / 2)))).double().mean())
        for q in levels
    }
