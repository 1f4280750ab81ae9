"""Benchmarks of the core: data loading and baseline training throughput (``make bench``)."""

from __future__ import annotations

import gzip
import shutil
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F

from benchmarks.registry import Result, benchmark
from lib.data import load_fashion_mnist, provision
from lib.models import SmallCNN
from lib.reproducibility import seed_everything
from lib.timing import timer
from lib.training import fit, images_to_float, make_loader


@benchmark("core/fashion-mnist-loading")
def fashion_mnist_loading() -> list[Result]:
    """Seconds to read the 60,000 training images: ``lib.data`` vs torchvision's FashionMNIST."""
    from torchvision.datasets import FashionMNIST

    raw = provision("fashion-mnist")
    with timer() as ours:
        X, _ = load_fashion_mnist("train")
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "FashionMNIST" / "raw"
        folder.mkdir(parents=True)
        for gz in raw.glob("*.gz"):  # torchvision reads the decompressed files
            with gzip.open(gz) as src, open(folder / gz.name.removesuffix(".gz"), "wb") as dst:
                shutil.copyfileobj(src, dst)
        with timer() as reference:
            reference_X = FashionMNIST(root, train=True, download=False).data
    if not torch.equal(X, reference_X):
        raise AssertionError("lib.data and torchvision read different Fashion-MNIST images")
    return [
        Result(
            "core/fashion-mnist-loading",
            ours(),
            "s",
            "torchvision.datasets.FashionMNIST",
            reference(),
            {"images": len(X)},
        )
    ]


@benchmark("core/baseline-cnn-training")
def baseline_training_throughput(num_images: int = 12_800) -> list[Result]:
    """Training images/s of ``lib.training.fit`` on the SmallCNN vs a bare PyTorch loop."""
    X, y = load_fashion_mnist("train")
    X, y = images_to_float(X[:num_images]), y[:num_images]

    seed_everything(0)
    model = SmallCNN()
    with timer() as ours:
        fit(
            model,
            make_loader(X, y, batch_size=128, shuffle=True),
            num_epochs=1,
            optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
        )

    seed_everything(0)
    model = SmallCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    with timer() as reference:
        for X_batch, y_batch in make_loader(X, y, batch_size=128, shuffle=True):
            optimizer.zero_grad()
            F.cross_entropy(model(X_batch), y_batch).backward()
            optimizer.step()
    return [
        Result(
            "core/baseline-cnn-training",
            num_images / ours(),
            "images/s",
            "bare PyTorch loop (no metrics)",
            num_images / reference(),
            {"images": num_images, "batch_size": 128},
        )
    ]
