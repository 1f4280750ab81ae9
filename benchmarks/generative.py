"""Benchmarks of the generative chapter: PixelCNN sampling time and DCGAN training throughput.

Run with ``python -m benchmarks --only generative/pixelcnn-sampling
generative/dcgan-throughput``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from benchmarks.registry import Result, benchmark
from lib.generative.dcgan import DCGAN, DCGANConfig, train_dcgan
from lib.generative.pixelcnn import PixelCNN, sample
from lib.reproducibility import make_generator
from lib.timing import timer


@benchmark("generative/pixelcnn-sampling")
def pixelcnn_sampling() -> list[Result]:
    """Seconds per 28×28 image drawn pixel by pixel (784 passes), next to one parallel pass.

    The reference is the cost per image of one training-style forward pass, which scores all
    784 conditionals at once: the ratio is the price of sequential generation.
    """
    torch.manual_seed(0)
    model = PixelCNN(channels=32, num_layers=4).eval()
    num = 16
    with timer() as elapsed:
        sample(model, num, generator=make_generator(0), windowed=False)
    per_image = elapsed() / num
    X = torch.zeros(num, 1, 28, 28)
    with torch.no_grad(), timer() as parallel:
        for _ in range(20):
            model(X)
    parallel_per_image = parallel() / 20 / num
    return [
        Result(
            "generative/pixelcnn-sampling",
            per_image,
            "s/image",
            "one parallel forward pass (same PixelCNN, same batch)",
            parallel_per_image,
            {
                "batch": num,
                "passes_per_image": 784,
                "channels": 32,
                "num_layers": 4,
                "slowdown": per_image / parallel_per_image,
            },
        )
    ]


@benchmark("generative/dcgan-throughput")
def dcgan_throughput() -> list[Result]:
    """Real images per second of DCGAN training (one D and one G step per batch of 64).

    The reference is a supervised training step of the book's SmallCNN classifier on the same
    batch size, the cost of one ordinary network update on this machine.
    """
    from lib.models import SmallCNN

    X = torch.rand(64 * 40, 1, 28, 28)
    torch.manual_seed(0)
    model = DCGAN()
    metrics = train_dcgan(model, X, DCGANConfig(num_train=len(X), num_evals=1))
    torch.manual_seed(0)
    clf = SmallCNN()
    opt = torch.optim.Adam(clf.parameters(), lr=1e-3)
    y = torch.randint(10, (len(X),))
    with timer() as elapsed:
        for i in range(0, len(X), 64):
            loss = F.cross_entropy(clf(X[i : i + 64]), y[i : i + 64])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return [
        Result(
            "generative/dcgan-throughput",
            metrics["images_per_second"],
            "images/s",
            "SmallCNN supervised training step, batch 64",
            len(X) / elapsed(),
            {"batch": 64, "width": 32, "latent_dim": 64, "steps": 40},
        )
    ]
