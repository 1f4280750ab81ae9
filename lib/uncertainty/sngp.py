"""A distance-aware classifier: SNGP (Liu et al. 2020), small enough for the 2-D toy.

Two changes to an ordinary network make its uncertainty grow with the distance from the data:

* **spectral normalisation** of the hidden residual blocks ``h + c * relu(W h)`` with
  ``||W||_2 = 1`` and ``c < 1``, so that the hidden map is bi-Lipschitz and points far apart in
  the input stay far apart in the hidden space;
* a **Gaussian-process output layer**, approximated by random Fourier features of an RBF
  kernel, with a Laplace approximation of the posterior over its output weights.

Liu, Lin, Padhy, Tran, Bedrax-Weiss, Lakshminarayanan, "Simple and principled uncertainty
estimation with deterministic deep learning via distance awareness", NeurIPS 2020.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from lib.reproducibility import make_generator, seed_everything
from lib.training import fit


def power_iteration(
    W: torch.Tensor, *, num_iterations: int = 20, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""The largest singular value :math:`\lVert W\rVert_2` of a matrix, by power iteration.

    Spectral normalisation (Miyato et al. 2018) divides a weight matrix by this number. The
    iteration alternates :math:`v \leftarrow W^\top u / \lVert W^\top u\rVert` and
    :math:`u \leftarrow W v / \lVert W v\rVert`; ``u`` and ``v`` converge to the top left and
    right singular vectors (at a rate set by the ratio of the two largest singular values), and
    :math:`\sigma = u^\top W v`. PyTorch's ``spectral_norm`` runs the same update, one step per
    training step, keeping ``u`` and ``v`` from step to step.

    Args:
        W: The matrix ``(out, in)``.
        num_iterations: Number of updates of ``u`` and ``v``.
        seed: Seed of the random start ``u`` (a generator of its own).

    Returns:
        ``(sigma, u, v)``: the estimate (a 0-dim tensor) and the unit vectors ``(out,)``,
        ``(in,)``.
    """
    if W.dim() != 2:
        raise ValueError(f"W must be a matrix (out, in), got shape {tuple(W.shape)}.")
    if num_iterations < 1:
        raise ValueError(f"num_iterations must be at least 1, got {num_iterations}.")
    g = make_generator(seed)
    u = F.normalize(torch.randn(W.shape[0], generator=g, dtype=W.dtype), dim=0)
    for _ in range(num_iterations):
        v = F.normalize(W.T @ u, dim=0)
        u = F.normalize(W @ v, dim=0)
    return u @ W @ v, u, v


class RandomFeatureGP(nn.Module):
    r"""Gaussian-process output layer with random Fourier features (Rahimi & Recht 2007).

    .. math::
        \phi(h) = \sqrt{2/D}\,\cos(W h + b),\quad W_{ij} \sim \mathcal N(0, \ell^{-2}),\ b_j
        \sim \mathcal U[0, 2\pi),\qquad \mathrm{logits}(h) = \phi(h)^\top \beta,

    so that :math:`\phi(h)^\top\phi(h') \approx \exp(-\lVert h-h'\rVert^2 / 2\ell^2)`.
    After training, :meth:`fit_covariance` forms the Laplace posterior of :math:`\beta` (prior
    :math:`\mathcal N(0, I/\lambda)`, the max-probability form of Liu et al. 2020, Eq. 9):

    .. math::
        \Sigma^{-1} = \lambda I + \sum_i \hat p_i (1-\hat p_i)\, \phi_i \phi_i^\top,
        \qquad \mathrm{var}(h) = \phi(h)^\top \Sigma\, \phi(h).

    Shapes:
        h: ``(N, in_features)`` → logits ``(N, num_classes)``; :meth:`variance` → ``(N,)``.
    """

    def __init__(
        self,
        in_features: int,
        num_classes: int,
        *,
        num_features: int = 512,
        length_scale: float = 1.0,
        ridge: float = 1.0,
        seed: int = 0,
    ):
        super().__init__()
        if num_features < 1 or length_scale <= 0 or ridge <= 0:
            raise ValueError(
                "num_features must be positive and length_scale, ridge > 0, got "
                f"{num_features}, {length_scale}, {ridge}."
            )
        g = make_generator(seed)
        self.ridge = ridge
        self.register_buffer(
            "W", torch.randn(num_features, in_features, generator=g) / length_scale
        )
        self.register_buffer("b", 2 * math.pi * torch.rand(num_features, generator=g))
        self.register_buffer("covariance", torch.eye(num_features) / ridge)
        self.beta = nn.Linear(num_features, num_classes, bias=False)

    def features(self, h: torch.Tensor) -> torch.Tensor:
        """Random Fourier features ``(N, D)`` of hidden vectors ``(N, in_features)``."""
        return math.sqrt(2.0 / len(self.b)) * torch.cos(h @ self.W.T + self.b)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.beta(self.features(h))

    @torch.no_grad()
    def fit_covariance(self, h: torch.Tensor) -> None:
        """Laplace posterior covariance of the output weights from the training hidden vectors."""
        phi = self.features(h).double()
        p_max = torch.softmax(self.beta(phi.float()).double(), dim=1).max(dim=1).values
        precision = self.ridge * torch.eye(phi.shape[1], dtype=torch.float64)
        precision += (phi * (p_max * (1 - p_max))[:, None]).T @ phi
        self.covariance = torch.linalg.inv(precision).float()

    @torch.no_grad()
    def variance(self, h: torch.Tensor) -> torch.Tensor:
        """Posterior variance of the logits at ``h``, ``(N,)``."""
        phi = self.features(h)
        return ((phi @ self.covariance) * phi).sum(1)


class SNGP(nn.Module):
    """Spectral-normalised residual MLP with a :class:`RandomFeatureGP` output layer.

    The input projection is a fixed random Gaussian matrix (scaled by ``1/sqrt(hidden)``, so
    it roughly preserves distances), as in the SNGP tutorial of the paper's authors; the
    residual blocks are trained, each with Lipschitz constant at most ``spectral_bound``.

    Args:
        in_features: Input dimension.
        num_classes: Number of classes.
        hidden: Width of the hidden layers.
        num_blocks: Residual blocks.
        spectral_bound: ``c`` in ``h + c * relu(W h / ||W||_2)``; ``None`` turns spectral
            normalisation off (the ablation ``h + relu(W h)``).
        num_features, length_scale, ridge: Of the :class:`RandomFeatureGP` layer.
        seed: Seed of the fixed random parts (input projection, random features).

    Shapes:
        X: ``(N, in_features)`` → logits ``(N, num_classes)``.
    """

    def __init__(
        self,
        in_features: int = 2,
        num_classes: int = 3,
        *,
        hidden: int = 64,
        num_blocks: int = 2,
        spectral_bound: float | None = 0.9,
        num_features: int = 512,
        length_scale: float = 1.0,
        ridge: float = 1.0,
        seed: int = 0,
    ):
        super().__init__()
        if spectral_bound is not None and not 0 < spectral_bound < 1:
            raise ValueError(
                f"spectral_bound must lie in (0, 1), or be None for no normalisation, "
                f"got {spectral_bound}."
            )
        g = make_generator(seed)
        self.register_buffer(
            "projection", torch.randn(hidden, in_features, generator=g) / math.sqrt(hidden)
        )
        self.spectral_bound = spectral_bound
        layers = [nn.Linear(hidden, hidden) for _ in range(num_blocks)]
        if spectral_bound is not None:
            layers = [spectral_norm(layer) for layer in layers]
        self.blocks = nn.ModuleList(layers)
        self.gp = RandomFeatureGP(
            hidden,
            num_classes,
            num_features=num_features,
            length_scale=length_scale,
            ridge=ridge,
            seed=seed + 1,
        )

    def hidden(self, X: torch.Tensor) -> torch.Tensor:
        """The hidden representation ``(N, hidden)`` fed to the GP layer."""
        if X.dim() != 2 or X.shape[1] != self.projection.shape[1]:
            raise ValueError(
                f"X must have shape (N, {self.projection.shape[1]}), got {tuple(X.shape)}."
            )
        h = X @ self.projection.T
        c = 1.0 if self.spectral_bound is None else self.spectral_bound
        for layer in self.blocks:
            h = h + c * F.relu(layer(h))
        return h

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.gp(self.hidden(X))

    @torch.no_grad()
    def fit_covariance(self, X: torch.Tensor) -> None:
        """Laplace posterior of the GP layer from the training inputs ``(N, in_features)``."""
        self.eval()
        self.gp.fit_covariance(self.hidden(X))

    @torch.no_grad()
    def predict_proba(self, X: torch.Tensor, *, mean_field: float = math.pi / 8) -> torch.Tensor:
        r"""Mean-field approximation of the predictive distribution (Liu et al. 2020, Sec. 3.2):

        .. math::
            p(y \mid x) \approx \mathrm{softmax}\Bigl(
            \frac{\mathrm{logits}(x)}{\sqrt{1 + \lambda\,\mathrm{var}(x)}}\Bigr),
            \qquad \lambda = \pi / 8.

        Shapes:
            X: ``(N, in_features)`` → ``(N, num_classes)``.
        """
        self.eval()
        h = self.hidden(X)
        scale = torch.sqrt(1 + mean_field * self.gp.variance(h))
        return torch.softmax(self.gp(h) / scale[:, None], dim=1)


def train_sngp(
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    seed: int = 0,
    num_steps: int = 500,
    lr: float = 1e-2,
    **model_kwargs,
) -> SNGP:
    """Full-batch Adam on the cross-entropy, then the Laplace covariance (a second or two).

    The ridge penalty of the GP prior, ``ridge / (2N) * ||beta||^2``, is added to the loss so
    that training finds the posterior mode the Laplace approximation is taken at.

    Args:
        X: Inputs ``(N, in_features)``.
        y: Classes ``(N,)`` int64.
        seed: Seed of the fixed random parts and the initialisation.
        num_steps: Adam steps on the whole data set.
        lr: Learning rate.
        **model_kwargs: Passed to :class:`SNGP`.
    """
    seed_everything(seed)
    model = SNGP(X.shape[1], int(y.max()) + 1, seed=seed, **model_kwargs)
    penalty = model.gp.ridge / (2 * len(X))

    def loss_fn(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits, y) + penalty * model.gp.beta.weight.pow(2).sum()

    fit(
        model,
        [(X, y)],
        num_epochs=num_steps,
        optimizer=torch.optim.Adam(model.parameters(), lr=lr),
        loss_fn=loss_fn,
        metric=None,
        desc=None,
    )
    model.fit_covariance(X)
    return model
