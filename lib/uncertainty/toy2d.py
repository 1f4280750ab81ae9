"""The "ideal behaviour" toy: three Gaussian blobs in the plane and small classifiers on them.

A softmax network is confident far away from its training data; an ensemble or MC dropout
should be less so. :func:`confidence_grid` evaluates any predictor on a grid of the plane.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from lib.checks import check_probs, check_shape
from lib.reproducibility import make_generator, seed_everything
from lib.training import fit

CENTRES = torch.tensor([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]])


def make_blobs(
    num_per_class: int = 100, *, seed: int = 0, std: float = 0.6
) -> tuple[torch.Tensor, torch.Tensor]:
    """Three isotropic Gaussian classes around :data:`CENTRES`.

    Shapes:
        → ``X`` ``(3 * num_per_class, 2)``, ``y`` ``(3 * num_per_class,)`` int64.
    """
    if num_per_class < 1:
        raise ValueError(f"num_per_class must be positive, got {num_per_class}.")
    if not std > 0:
        raise ValueError(
            f"std must be a positive standard deviation, got {std}; pass e.g. std=0.6."
        )
    g = make_generator(seed)
    X = torch.cat([c + std * torch.randn(num_per_class, 2, generator=g) for c in CENTRES])
    y = torch.arange(len(CENTRES)).repeat_interleave(num_per_class)
    return X, y


class ToyMLP(nn.Module):
    """2 → hidden → hidden → 3 ReLU network, with optional dropout after each hidden layer.

    Shapes:
        X: ``(N, 2)`` → logits ``(N, 3)``.
    """

    def __init__(self, hidden: int = 64, dropout: float = 0.0, num_classes: int = 3):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(2, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, num_classes),
        )  # fmt: skip

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.net(X)


def train_toy(
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    seed: int = 0,
    dropout: float = 0.0,
    num_steps: int = 500,
    lr: float = 1e-2,
    device: torch.device | str = "cpu",
) -> ToyMLP:
    """Full-batch Adam on the cross-entropy, seeded (a fraction of a second).

    Args:
        X: Points ``(N, 2)``.
        y: Classes ``(N,)`` int64.
        seed: Seed of the initialisation and the dropout masks.
        dropout: Dropout probability after each hidden layer.
        num_steps: Adam steps on the whole data set.
        lr: Learning rate.
        device: Where the network is trained and returned.
    """
    check_shape(X, "X", (None, 2), "2-D points")
    seed_everything(seed)
    model = ToyMLP(dropout=dropout).to(device)
    fit(
        model,
        [(X, y)],
        num_epochs=num_steps,
        optimizer=torch.optim.Adam(model.parameters(), lr=lr),
        metric=None,
        desc=None,
    )
    return model.eval()


@torch.no_grad()
def confidence_grid(
    predict: Callable[[torch.Tensor], torch.Tensor], *, limit: float = 8.0, resolution: int = 121
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Max probability of ``predict`` over the square ``[-limit, limit]^2``.

    Args:
        predict: Maps points ``(N, 2)`` to probabilities ``(N, C)``.
        limit: Half-width of the square.
        resolution: Grid points per side.

    Shapes:
        → ``xx``, ``yy``, ``confidence``, each ``(resolution, resolution)``.
    """
    if resolution < 2 or not limit > 0:
        raise ValueError(
            f"need resolution >= 2 grid points per side and limit > 0, got resolution="
            f"{resolution}, limit={limit}; pass e.g. resolution=121, limit=8.0."
        )
    axis = torch.linspace(-limit, limit, resolution)
    yy, xx = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([xx.flatten(), yy.flatten()], dim=1)
    probs = check_probs(predict(points), "predict(points)")
    confidence = probs.max(dim=1).values.reshape(resolution, resolution)
    return xx, yy, confidence
