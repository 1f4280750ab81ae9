"""The book's baseline Fashion-MNIST classifiers: trained live in chapter 0, cached for reuse.

Later chapters call :func:`load_or_train_baseline` to get the same network without paying for its
training twice (the uncertainty chapter's single model, the generative chapter's feature extractor
for Fréchet distances).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from lib.checkpoints import train_or_load
from lib.checks import check_config
from lib.data import load_fashion_mnist
from lib.models import MLP, SmallCNN
from lib.reproducibility import seed_everything
from lib.training import History, fit, images_to_float, make_loader


@dataclass(frozen=True)
class BaselineConfig:
    """Everything that determines a baseline's trained weights.

    Attributes:
        kind: ``"cnn"`` (:class:`lib.models.SmallCNN`) or ``"mlp"`` (:class:`lib.models.MLP`).
        num_epochs: Passes over the 60,000 training images.
        lr: Adam learning rate.
        batch_size: Images per step.
        dropout: Dropout probability of the network (0 disables it).
        seed: Seed of initialisation and shuffling.
    """

    kind: str = "cnn"
    num_epochs: int = 4
    lr: float = 1e-3
    batch_size: int = 128
    dropout: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("cnn", "mlp"):
            raise ValueError(f"kind must be 'cnn' or 'mlp', got {self.kind!r}.")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}.")


def build_baseline(config: BaselineConfig) -> nn.Module:
    """An untrained network of ``config.kind`` (seeded by ``config.seed``)."""
    seed_everything(config.seed)
    return SmallCNN(dropout=config.dropout) if config.kind == "cnn" else MLP(dropout=config.dropout)


def _fit_baseline(model: nn.Module, config: BaselineConfig) -> History:
    """Train ``model`` on the 60,000 training images, evaluating on the test set every epoch."""
    X, y = load_fashion_mnist("train")
    X_test, y_test = load_fashion_mnist("test")
    train_loader = make_loader(
        images_to_float(X), y, batch_size=config.batch_size, shuffle=True, seed=config.seed
    )
    test_loader = make_loader(images_to_float(X_test), y_test, batch_size=1000, shuffle=False)
    history = fit(
        model,
        train_loader,
        num_epochs=config.num_epochs,
        optimizer=torch.optim.Adam(model.parameters(), lr=config.lr),
        test_batches=test_loader,
        desc=f"{config.kind} seed {config.seed}",
    )
    model.eval()
    return history


def load_or_train_baseline(
    config: BaselineConfig = BaselineConfig(),
    *,
    retrain: bool = False,
    device: torch.device | str = "cpu",
) -> tuple[nn.Module, dict]:
    """The baseline of ``config`` from ``data/models/``, trained there first if absent.

    Args:
        config: The baseline's configuration.
        retrain: Train even if cached (and overwrite the cache); chapter 0 trains live this way.
        device: Where the network is trained, or loaded to.

    Returns:
        ``(model, metrics)``: ``metrics["test_accuracy"]`` is the final test accuracy and
        ``metrics["history"]`` the per-epoch :class:`lib.training.History` as a dict.
    """
    check_config(config, BaselineConfig)

    def train(model: nn.Module) -> dict:
        history = _fit_baseline(model, config)
        return {"test_accuracy": history.test_metric[-1], "history": history.named("accuracy")}

    return train_or_load(
        f"baseline-{config.kind}",
        asdict(config),
        lambda: build_baseline(config),
        train,
        retrain=retrain,
        device=device,
    )
