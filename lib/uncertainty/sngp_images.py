"""Page 03a's SNGP on Fashion-MNIST images, cached like the chapter's other networks.

:class:`lib.uncertainty.sngp.SNGP` is a residual MLP on vectors; here its input is the
flattened image (784 pixels in [0, 1]). The fixed random projection maps the pixels to
``hidden`` dimensions, two spectrally normalised residual blocks follow, and the random-feature
GP layer gives the output. The RBF length scale is set to the scale of the hidden distances
(their median between two training images is about 12), since the 2-D toy's length scale of 1
would make every image "far" from every other. Trained for the chapter's
:data:`lib.uncertainty.ensembles.MEMBER_EPOCHS` epochs with Adam (about 7 s on two cores),
then the Laplace covariance from all 60,000 training images.

This is SNGP without a convolutional feature extractor (Liu et al. 2020 use a wide ResNet), so
it is less accurate than the chapter's SmallCNN; its distances are distances between images
after a random projection.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lib.checkpoints import train_or_load
from lib.checks import check_image_range, check_int, check_shape
from lib.data import load_fashion_mnist
from lib.reproducibility import seed_everything
from lib.training import fit, images_to_float, make_loader, model_device
from lib.uncertainty.ensembles import MEMBER_EPOCHS
from lib.uncertainty.sngp import SNGP

IMAGE_SNGP = {"hidden": 128, "length_scale": 5.0, "num_features": 512, "spectral_bound": 0.9}
"""Architecture of the image SNGP (the 2-D toy's, wider and with a longer length scale)."""


def image_sngp_config(seed: int = 0, *, num_epochs: int = MEMBER_EPOCHS) -> dict:
    """Everything that determines the trained image SNGP (the cache key)."""
    return {
        **IMAGE_SNGP,
        "seed": seed,
        "num_epochs": num_epochs,
        "batch_size": 128,
        "lr": 1e-3,
    }


def _flat(X: torch.Tensor) -> torch.Tensor:
    """Float images ``(N, 1, 28, 28)`` → vectors ``(N, 784)``."""
    return X.reshape(len(X), -1)


def load_or_train_image_sngp(
    seed: int = 0, *, num_epochs: int = MEMBER_EPOCHS, device: torch.device | str = "cpu"
) -> tuple[SNGP, dict]:
    """The image SNGP from ``data/models/``, trained there first if absent.

    Returns:
        ``(model, metrics)``: ``metrics["test_accuracy"]`` on the 10,000 test images.
    """
    config = image_sngp_config(seed, num_epochs=num_epochs)

    def build() -> SNGP:
        seed_everything(seed)
        arch = {k: config[k] for k in IMAGE_SNGP}
        return SNGP(784, 10, seed=seed, **arch)

    def train(model: SNGP) -> dict:
        X, y = load_fashion_mnist("train")
        X = _flat(images_to_float(X))
        penalty = model.gp.ridge / (2 * len(X))

        def loss_fn(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
            return F.cross_entropy(logits, target) + penalty * model.gp.beta.weight.pow(2).sum()

        fit(
            model,
            make_loader(X, y, batch_size=config["batch_size"], shuffle=True, seed=seed),
            num_epochs=num_epochs,
            optimizer=torch.optim.Adam(model.parameters(), lr=config["lr"]),
            loss_fn=loss_fn,
            desc=None,
        )
        model.fit_covariance(X.to(model_device(model)))
        X_test, y_test = load_fashion_mnist("test")
        probs = image_sngp_probs(model, images_to_float(X_test))
        return {"test_accuracy": (probs.argmax(1) == y_test).double().mean().item()}

    return train_or_load("uncertainty-image-sngp", config, build, train, device=device)


def image_sngp_probs(model: SNGP, X: torch.Tensor, *, batch_size: int = 2000) -> torch.Tensor:
    """SNGP's mean-field predictive probabilities of float images, on the CPU.

    Shapes:
        X: ``(N, 1, 28, 28)`` float in [0, 1] → ``(N, C)`` float64.
    """
    if not isinstance(model, SNGP):
        raise TypeError(
            f"model must be the image SNGP of load_or_train_image_sngp, got "
            f"{type(model).__name__}; for another network use "
            "lib.uncertainty.ensembles.probs_of(model, X)."
        )
    check_shape(X, "X", (None, 1, 28, 28), "float images: X[:, None] for (N, 28, 28)")
    if not X.is_floating_point():
        raise ValueError(
            f"X must be float images in [0, 1], got {X.dtype}; convert uint8 images with "
            "lib.training.images_to_float."
        )
    check_image_range(X)
    check_int(batch_size, "batch_size")
    device = model_device(model)
    parts = [
        model.predict_proba(_flat(X[i : i + batch_size]).to(device)).double().cpu()
        for i in range(0, len(X), batch_size)
    ]
    return torch.cat(parts)
