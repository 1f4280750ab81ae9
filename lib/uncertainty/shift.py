"""The four kinds of dataset shift made concrete on Fashion-MNIST.

* covariate shift: :mod:`lib.corruptions`;
* open-set recognition: :func:`load_open_set_model`, a classifier that never saw some classes;
* subpopulation shift: :func:`resample_groups`, subgroup frequencies changed within classes;
* label shift: :func:`resample_to_prior`, class frequencies changed, ``p(x | y)`` kept.
"""

from __future__ import annotations

import torch
from torch import nn

from lib.checkpoints import train_or_load
from lib.data import load_fashion_mnist
from lib.models import MLP
from lib.reproducibility import make_generator, seed_everything
from lib.training import fit, images_to_float, make_loader


def load_open_set_model(
    held_out: tuple[int, ...] = (8, 9),
    *,
    num_epochs: int = 2,
    seed: int = 0,
    device: torch.device | str = "cpu",
) -> tuple[nn.Module, dict]:
    """An :class:`lib.models.MLP` trained on the Fashion-MNIST classes not in ``held_out``.

    Classes are renumbered ``0..K-1`` in their original order (``metrics["classes"]`` lists the
    original ids); about 3 s of training on two cores, then cached. Trained on, or loaded to,
    ``device``.

    Returns:
        ``(model, metrics)`` with ``metrics["test_accuracy"]`` on the known classes' test images.
    """
    if not held_out or any(not 0 <= c < 10 for c in held_out) or len(set(held_out)) >= 9:
        raise ValueError(f"held_out must list 1 to 8 distinct classes in 0..9, got {held_out}.")
    known = [c for c in range(10) if c not in held_out]
    config = {
        "held_out": list(held_out),
        "num_epochs": num_epochs,
        "seed": seed,
        "lr": 1e-3,
        "batch_size": 128,
    }

    def build() -> nn.Module:
        seed_everything(seed)
        return MLP(num_classes=len(known))

    def train(model: nn.Module) -> dict:
        remap = torch.full((10,), -1, dtype=torch.long)
        remap[known] = torch.arange(len(known))
        X, y = load_fashion_mnist("train")
        keep = remap[y] >= 0
        X_test, y_test = load_fashion_mnist("test")
        keep_test = remap[y_test] >= 0
        loader = make_loader(
            images_to_float(X[keep]), remap[y[keep]], batch_size=128, shuffle=True, seed=seed
        )
        test_loader = make_loader(
            images_to_float(X_test[keep_test]),
            remap[y_test[keep_test]],
            batch_size=1000,
            shuffle=False,
        )
        history = fit(
            model,
            loader,
            num_epochs=num_epochs,
            optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
            test_batches=test_loader,
            desc="open-set MLP",
        )
        return {"test_accuracy": history.test_metric[-1], "classes": known}

    return train_or_load("uncertainty-open-set-mlp", config, build, train, device=device)


def resample_to_prior(y: torch.Tensor, prior: torch.Tensor, *, seed: int = 0) -> torch.Tensor:
    """Indices of the largest subset of ``y`` whose class frequencies follow ``prior``.

    Sampled without replacement within each class, so ``p(x | y)`` is unchanged: label shift.

    Shapes:
        y: ``(N,)`` class indices; prior: ``(C,)`` summing to 1 → indices ``(M,)``.
    """
    prior = prior.double()
    num_classes = len(prior)
    if (
        y.dim() != 1
        or (prior < 0).any()
        or abs(float(prior.sum()) - 1) > 1e-6
        or int(y.max()) >= num_classes
    ):
        raise ValueError(
            "pass labels y (N,) and a prior (C,) of non-negative frequencies summing to 1."
        )
    available = torch.bincount(y, minlength=num_classes).double()
    positive = prior > 0
    total = float((available[positive] / prior[positive]).min())
    counts = (prior * total).floor().long()
    g = make_generator(seed)
    picks = []
    for c in range(num_classes):
        idx = (y == c).nonzero().squeeze(1)
        picks.append(idx[torch.randperm(len(idx), generator=g)[: counts[c]]])
    return torch.cat(picks).sort().values


def resample_groups(
    groups: torch.Tensor, fractions: torch.Tensor, strata: torch.Tensor, *, seed: int = 0
) -> torch.Tensor:
    """Indices of a subset in which, within every stratum (class), group ``g`` makes up
    ``fractions[g]`` of the examples: subpopulation shift.

    Shapes:
        groups: ``(N,)`` group ids ``0..G-1``; fractions: ``(G,)`` summing to 1;
        strata: ``(N,)`` class ids → indices ``(M,)``.
    """
    if groups.shape != strata.shape or groups.dim() != 1:
        raise ValueError("groups and strata must be 1-D of the same length.")
    fractions = fractions.double()
    if abs(float(fractions.sum()) - 1) > 1e-6 or (fractions < 0).any():
        raise ValueError("fractions must be non-negative and sum to 1.")
    g = make_generator(seed)
    picks = []
    for s in strata.unique():
        in_stratum = strata == s
        idx_by_group = [
            ((groups == k) & in_stratum).nonzero().squeeze(1) for k in range(len(fractions))
        ]
        sizes = torch.tensor([len(i) for i in idx_by_group], dtype=torch.float64)
        positive = fractions > 0
        total = float((sizes[positive] / fractions[positive]).min())
        for k, idx in enumerate(idx_by_group):
            n = int(fractions[k] * total)
            picks.append(idx[torch.randperm(len(idx), generator=g)[:n]])
    return torch.cat(picks).sort().values
