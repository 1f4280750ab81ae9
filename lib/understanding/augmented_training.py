"""The augmentation page's runs: the book's SmallCNN trained with and without augmentation.

Every run trains :class:`lib.models.SmallCNN` with :func:`lib.training.fit` on ``num_train``
images drawn from the first 50,000 Fashion-MNIST training images, and is cached by
:func:`lib.checkpoints.train_or_load`. The last 10,000 training images are the validation split
(:func:`validation_split`); the test set is never read here.

References:
    Zhong et al. (2020), random erasing; Zhang, Cisse, Dauphin & Lopez-Paz (2018), *mixup*;
    Yun et al. (2019), *CutMix*.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.transforms import v2

from lib.checkpoints import train_or_load
from lib.checks import check_config, check_int
from lib.data import load_fashion_mnist, load_mnist_test
from lib.models import SmallCNN
from lib.reproducibility import make_generator, seed_everything
from lib.training import evaluate, fit, images_to_float, make_loader
from lib.understanding.augmentation import AugmentedBatches, BatchAugment

NUM_POOL = 50_000
"""Training images runs draw from; the remaining 10,000 of the 60,000 are for validation."""

AUGMENTATIONS = ("none", "flip", "flip-shift", "flip-shift-erase", "mixup", "cutmix")
"""What a run does to each training batch: nothing; :class:`BatchAugment` with a flip
(probability 0.5), a flip and a shift by up to 2 pixels, or those and random erasing
(probability 0.5); torchvision's mixup or CutMix."""

_BATCH_AUGMENTS = {
    "flip": BatchAugment(flip_p=0.5, padding=0, erase_p=0.0),
    "flip-shift": BatchAugment(flip_p=0.5, padding=2, erase_p=0.0),
    "flip-shift-erase": BatchAugment(flip_p=0.5, padding=2, erase_p=0.5),
}


def validation_split() -> tuple[torch.Tensor, torch.Tensor]:
    """The last 10,000 Fashion-MNIST training images, float ``(10000, 1, 28, 28)``, and labels."""
    X, y = load_fashion_mnist("train")
    return images_to_float(X[NUM_POOL:]), y[NUM_POOL:]


@dataclass(frozen=True)
class AugmentedRunConfig:
    """Everything that determines one run's trained weights.

    Attributes:
        num_train: Training images, drawn (by ``seed``) from the first :data:`NUM_POOL`.
        augmentation: One of :data:`AUGMENTATIONS`.
        num_epochs: Passes over the training images.
        batch_size: Images per step.
        lr: Adam learning rate.
        alpha: Beta(alpha, alpha) parameter of mixup and CutMix.
        seed: Seed of the subset, the initialisation, the order and the augmentation.
    """

    num_train: int = 1000
    augmentation: str = "none"
    num_epochs: int = 30
    batch_size: int = 64
    lr: float = 1e-3
    alpha: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.augmentation not in AUGMENTATIONS:
            raise ValueError(
                f"augmentation must be one of {AUGMENTATIONS}, got {self.augmentation!r}."
            )
        check_int(self.num_train, "num_train")
        if not 1 <= self.num_train <= NUM_POOL:
            raise ValueError(f"num_train must lie in 1..{NUM_POOL}, got {self.num_train}.")
        check_int(self.num_epochs, "num_epochs")
        check_int(self.batch_size, "batch_size")
        if not self.lr > 0 or not self.alpha > 0:
            raise ValueError(
                f"need lr > 0 and alpha > 0 (the Beta(alpha, alpha) of mixup and CutMix), got "
                f"lr={self.lr!r}, alpha={self.alpha!r}."
            )


def training_subset(config: AugmentedRunConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """The run's training images, float ``(num_train, 1, 28, 28)``, and their labels."""
    X, y = load_fashion_mnist("train")
    index = torch.randperm(NUM_POOL, generator=make_generator(config.seed))[: config.num_train]
    return images_to_float(X[index]), y[index]


def _augment(config: AugmentedRunConfig):
    """``augment(X, y) -> (X, y)`` of the run; mixup and CutMix return soft labels ``(B, 10)``."""
    if config.augmentation in _BATCH_AUGMENTS:
        generator, augment = make_generator(config.seed), _BATCH_AUGMENTS[config.augmentation]
        return lambda X, y: (augment(X, generator), y)
    if config.augmentation == "mixup":
        return v2.MixUp(alpha=config.alpha, num_classes=10)
    if config.augmentation == "cutmix":
        return v2.CutMix(alpha=config.alpha, num_classes=10)
    return lambda X, y: (X, y)


def _train(model: nn.Module, config: AugmentedRunConfig) -> dict:
    seed_everything(config.seed)
    X, y = training_subset(config)
    loader = make_loader(X, y, batch_size=config.batch_size, shuffle=True, seed=config.seed)
    fit(
        model,
        AugmentedBatches(loader, _augment(config)),
        num_epochs=config.num_epochs,
        optimizer=torch.optim.Adam(model.parameters(), lr=config.lr),
        loss_fn=F.cross_entropy,  # takes class indices and soft labels alike
        metric=None,
        desc=f"{config.augmentation} n={config.num_train} seed {config.seed}",
    )
    clean = make_loader(X, y, batch_size=1000, shuffle=False)
    X_val, y_val = validation_split()
    val = make_loader(X_val, y_val, batch_size=1000, shuffle=False)
    return {"train_accuracy": evaluate(model, clean)[1], "val_accuracy": evaluate(model, val)[1]}


def load_or_train_run(
    config: AugmentedRunConfig, *, device: torch.device | str = "cpu"
) -> tuple[nn.Module, dict]:
    """The SmallCNN of ``config`` from the model cache, trained first if absent.

    Returns:
        ``(model, metrics)``: ``metrics["train_accuracy"]`` on the (unaugmented) training images
        and ``metrics["val_accuracy"]`` on :func:`validation_split`.
    """
    check_config(config, AugmentedRunConfig)

    def build() -> nn.Module:
        seed_everything(config.seed)
        return SmallCNN()

    return train_or_load(
        "augmentation-run",
        asdict(config),
        build,
        lambda model: _train(model, config),
        device=device,
    )


NUM_MNIST_TRAIN = 5000
"""The MNIST test digits the digit classifier trains on; it is tested on the other 5,000."""


def mnist_split() -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """The MNIST test digits as float images: ``(train, held_out)``, 5,000 each, with labels."""
    X, y = load_mnist_test()
    X = images_to_float(X)
    return (X[:NUM_MNIST_TRAIN], y[:NUM_MNIST_TRAIN]), (X[NUM_MNIST_TRAIN:], y[NUM_MNIST_TRAIN:])


def load_or_train_digit_classifier(
    *, num_epochs: int = 3, seed: int = 0, device: torch.device | str = "cpu"
) -> tuple[nn.Module, dict]:
    """A SmallCNN for MNIST digits, trained on the first :data:`NUM_MNIST_TRAIN` test digits
    (the book provisions no MNIST training set), without augmentation.

    Returns:
        ``(model, metrics)`` with ``metrics["train_accuracy"]``.
    """
    check_int(num_epochs, "num_epochs")
    check_int(seed, "seed", minimum=0)
    config = {"num_epochs": num_epochs, "seed": seed, "num_train": NUM_MNIST_TRAIN}

    def build() -> nn.Module:
        seed_everything(seed)
        return SmallCNN()

    def train(model: nn.Module) -> dict:
        seed_everything(seed)
        (X, y), _ = mnist_split()
        history = fit(
            model,
            make_loader(X, y, batch_size=64, shuffle=True, seed=seed),
            num_epochs=num_epochs,
            optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
            desc=f"digits seed {seed}",
        )
        return {"train_accuracy": history.train_metric[-1]}

    return train_or_load("mnist-digit-cnn", config, build, train, device=device)
