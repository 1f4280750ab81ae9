"""Benchmarks of the generative chapter: PixelCNN sampling time, DCGAN training throughput and
flow-matching sampling speed against the number of Euler steps.

Run with ``python -m benchmarks --only generative/pixelcnn-sampling
generative/dcgan-throughput generative/flow-matching-sampling``.
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


@benchmark("generative/flow-matching-sampling")
def flow_matching_sampling() -> list[Result]:
    """Images per second drawn by Euler sampling of the flow-matching U-Net at 1 to 16 steps.

    The reference is the DCGAN generator (the DCGAN page's width), which draws an image in one
    forward pass: the rows show what each extra network evaluation per sample costs.
    """
    from lib.generative.dcgan import Generator
    from lib.generative.flow_training import FlowMatchingConfig, generate
    from lib.generative.unet import UNet

    num = 100
    torch.manual_seed(0)
    unet = UNet(FlowMatchingConfig().channels).eval()
    generator = Generator(latent_dim=64, width=32).eval()
    z = torch.randn(num, 64)
    with torch.no_grad(), timer() as one_pass:
        for _ in range(5):
            generator(z)
    dcgan_per_second = 5 * num / one_pass()
    rows = []
    for num_steps in (1, 4, 16):
        with timer() as elapsed:
            generate(unet, num, num_steps, generator=make_generator(0), batch_size=num)
        rows.append(
            Result(
                f"generative/flow-matching-sampling/{num_steps}-steps",
                num / elapsed(),
                "images/s",
                "DCGAN generator, one forward pass per image (width 32, latent 64)",
                dcgan_per_second,
                {"batch": num, "network_evaluations": num_steps, "channels": unet_channels(unet)},
            )
        )
    return rows


def unet_channels(unet: torch.nn.Module) -> list[int]:
    """Feature maps of a :class:`lib.generative.unet.UNet` at its three resolutions."""
    return [unet.enc1.conv1.out_channels, unet.enc2.conv1.out_channels, unet.mid.conv1.out_channels]
