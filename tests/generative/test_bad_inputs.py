"""Bad inputs to the public functions of part 3 (PixelCNN, sample quality): each raises an error
that names the argument, what it received and what to pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

from lib.generative import dcgan, flow_training, gan, pixelcnn
from lib.generative import flow_matching as fm
from lib.generative import plotting as gplot
from lib.generative.metrics import class_probabilities, classifier_features, sample_quality
from lib.generative.saturation import fool_a_frozen_discriminator
from lib.generative.unet import UNet
from lib.models import SmallCNN
from lib.training import images_to_float
from tests.clear_errors import clear_error_test

torch.manual_seed(0)
CNN = SmallCNN()
REAL = torch.rand(40, 1, 28, 28)
U8 = torch.randint(0, 256, (6, 28, 28), dtype=torch.uint8)
GREY = images_to_float(U8)  # what a student passes instead of binarize(U8)
BINARY = pixelcnn.binarize(U8)
PLAIN = pixelcnn.PixelCNN(channels=8, num_layers=1)
GATED = pixelcnn.GatedPixelCNN(channels=8, num_layers=1)

CASES = [
    pytest.param(
        lambda: sample_quality(CNN, REAL[:10] * 2 - 1, REAL),
        ValueError,
        r"samples must hold pixel intensities in \[0, 1\], found values in \[-1, .*"
        r"pass \(samples \+ 1\) / 2",
        id="sample_quality-tanh-samples",
    ),
    pytest.param(
        lambda: sample_quality(CNN, REAL[:10] * 255, REAL),
        ValueError,
        "samples must hold pixel intensities.*0..255 intensities: divide by 255",
        id="sample_quality-0..255-samples",
    ),
    pytest.param(
        lambda: sample_quality(CNN, REAL[:10], REAL * 255),
        ValueError,
        "real must hold pixel intensities",
        id="sample_quality-0..255-real",
    ),
    pytest.param(
        lambda: class_probabilities(CNN, REAL * 2 - 1),
        ValueError,
        r"X must hold pixel intensities in \[0, 1\]",
        id="class_probabilities-[-1,1]",
    ),
    pytest.param(
        lambda: classifier_features(CNN, REAL * 2 - 1),
        ValueError,
        r"X must hold pixel intensities in \[0, 1\]",
        id="classifier_features-[-1,1]",
    ),
    pytest.param(
        lambda: PLAIN(BINARY * 255),
        ValueError,
        r"X must hold binary pixels in \{0, 1\}, found values in \[0, 255\] \(0..255 "
        r"intensities\); binarise .* with lib.generative.pixelcnn.binarize",
        id="pixelcnn-0..255",
    ),
    pytest.param(
        lambda: PLAIN(GREY),
        ValueError,
        r"X must hold binary pixels.*\(grey levels, as images_to_float returns\)",
        id="pixelcnn-grey",
    ),
    pytest.param(
        lambda: GATED(GREY), ValueError, "X must hold binary pixels", id="gated-pixelcnn-grey"
    ),
    pytest.param(
        lambda: pixelcnn.evaluate_bits_per_dim(PLAIN, GREY),
        ValueError,
        "X must hold binary pixels.*grey levels",
        id="evaluate_bits_per_dim-grey",
    ),
    pytest.param(
        lambda: pixelcnn.bits_per_dim(torch.zeros_like(GREY), GREY),
        ValueError,
        "X must hold binary pixels",
        id="bits_per_dim-grey",
    ),
    pytest.param(
        lambda: pixelcnn.bits_per_dim(torch.zeros_like(BINARY), BINARY * 255),
        ValueError,
        r"X must hold binary pixels.*\(0..255 intensities\)",
        id="bits_per_dim-0..255",
    ),
    pytest.param(
        lambda: pixelcnn.IndependentPixels(GREY),
        ValueError,
        "X must hold binary pixels",
        id="independent-grey",
    ),
    pytest.param(
        lambda: pixelcnn.binarize(U8, threshold=0.5),
        ValueError,
        r"threshold is an intensity on the uint8 scale, an int in 1..255, got 0.5; .*pass 128",
        id="binarize-threshold-0.5",
    ),
    pytest.param(
        lambda: pixelcnn.sample(PLAIN, 2.0, image_size=4),
        ValueError,
        "num_samples and image_size must be ints, got 2.0, 4",
        id="sample-float-count",
    ),
]


def test_binary_images_still_pass() -> None:
    assert PLAIN(BINARY).shape == BINARY.shape
    assert pixelcnn.evaluate_bits_per_dim(PLAIN, BINARY) > 0


def test_to_model_range_rejects_0_255_and_uint8_images() -> None:
    from lib.generative.flow_matching import to_model_range

    with pytest.raises(ValueError, match=r"X must hold pixel intensities in \[0, 1\].*0\.\.255"):
        to_model_range(U8[:, None].float())
    message = r"X must be a float tensor .*got torch.uint8.*images_to_float"
    with pytest.raises(TypeError, match=message):
        to_model_range(U8)
    assert torch.equal(to_model_range(GREY), 2.0 * GREY - 1.0)


@pytest.mark.parametrize("num, latent_dim", [(4.0, 8), (4, 0), (True, 8)])
def test_sample_latents_needs_positive_int_sizes(num: object, latent_dim: object) -> None:
    from lib.generative.dcgan import sample_latents

    with pytest.raises(TypeError, match=r"(num|latent_dim) must be a positive int, got"):
        sample_latents(num, latent_dim)  # type: ignore[arg-type]


def test_sample_latents_takes_numpy_ints() -> None:
    import numpy as np

    from lib.generative.dcgan import sample_latents

    assert sample_latents(np.int64(3), 8).shape == (3, 8)


@pytest.mark.parametrize(
    "call, message",
    [
        pytest.param(
            lambda: pixelcnn.raster_after(30, 0, 28),
            r"pixel \(30, 0\) lies outside a 28×28 image; pass row and col in 0..27",
            id="raster_after-row-outside",
        ),
        pytest.param(
            lambda: pixelcnn.raster_after(0, -1, 8),
            r"pixel \(0, -1\) lies outside a 8×8 image",
            id="raster_after-negative-col",
        ),
        pytest.param(
            lambda: pixelcnn.largest_window(0),
            "context and image_size must be positive ints, got 0 and 28",
            id="largest_window-zero-context",
        ),
    ],
)
def test_pixel_helpers_reject_out_of_range(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


DCGAN_MODEL = dcgan.DCGAN(latent_dim=8, width=4)
RING = gan.ring_centres()
CASES += [
    pytest.param(
        lambda: dcgan.Generator(latent_dim=0),
        ValueError,
        "latent_dim must be an int of at least 1, got 0",
        id="generator-latent-0",
    ),
    pytest.param(
        lambda: dcgan.Generator(width=2.5),
        ValueError,
        "width must be an int of at least 1, got 2.5",
        id="generator-float-width",
    ),
    pytest.param(
        lambda: DCGAN_MODEL.generator(torch.ones(2, 8, dtype=torch.long)),
        ValueError,
        r"z must be floating point \(e.g. sample_latents\), got torch.int64",
        id="generator-int-latents",
    ),
    pytest.param(
        lambda: dcgan.generate(DCGAN_MODEL, 5),
        TypeError,
        "z must be a torch.Tensor, got int",
        id="generate-int-z",
    ),
    pytest.param(
        lambda: dcgan.generate(DCGAN_MODEL.generator, torch.randn(3, 8)),
        TypeError,
        "model must be a DCGAN, got Generator.*model.generator",
        id="generate-generator-not-dcgan",
    ),
    pytest.param(
        lambda: dcgan.generate(DCGAN_MODEL, torch.randn(0, 8)),
        ValueError,
        "z must hold at least one latent",
        id="generate-empty-z",
    ),
    pytest.param(
        lambda: dcgan.generate(DCGAN_MODEL, torch.randn(3, 8), batch_size=0),
        ValueError,
        "batch_size must be an int of at least 1, got 0",
        id="generate-batch-0",
    ),
    pytest.param(
        lambda: dcgan.load_or_train_dcgan(
            {"latent_dim": 8}, feature_model=CNN, real_features=torch.zeros(4, 8)
        ),
        TypeError,
        r"config must be a DCGANConfig, got dict; pass DCGANConfig\(\.\.\.\)",
        id="load-dcgan-dict",
    ),
    pytest.param(
        lambda: flow_training.generate(UNet(), 0, 2),
        ValueError,
        "num must be an int of at least 1, got 0",
        id="flow-generate-num-0",
    ),
    pytest.param(
        lambda: flow_training.generate(UNet(), 2.0, 2),
        ValueError,
        "num must be an int of at least 1, got 2.0",
        id="flow-generate-float-num",
    ),
    pytest.param(
        lambda: flow_training.generate(UNet(), 2, 2, batch_size=0),
        ValueError,
        "batch_size must be an int of at least 1, got 0",
        id="flow-generate-batch-0",
    ),
    pytest.param(
        lambda: flow_training.load_or_train_flow_matching(
            "default", feature_model=CNN, real_features=torch.zeros(4, 8)
        ),
        TypeError,
        "config must be a FlowMatchingConfig, got str",
        id="load-flow-str",
    ),
    pytest.param(
        lambda: pixelcnn.load_or_train_pixelcnn({"kind": "plain"}),
        TypeError,
        "config must be a PixelCNNConfig, got dict",
        id="load-pixelcnn-dict",
    ),
    pytest.param(
        lambda: pixelcnn.dependency_map(PLAIN, 2.5, 0, image_size=8),
        ValueError,
        "row must be an int of at least 0, got 2.5",
        id="dependency-map-float-row",
    ),
    pytest.param(
        lambda: pixelcnn.causality_violations(PLAIN, image_size=0),
        ValueError,
        "image_size must be an int of at least 1, got 0",
        id="causality-image-size-0",
    ),
    pytest.param(
        lambda: gan.sample_ring(2.0),
        ValueError,
        "num_samples must be an int of at least 1, got 2.0",
        id="sample-ring-float",
    ),
    pytest.param(
        lambda: gan.mode_coverage(torch.zeros(0, 2), RING, 0.05),
        ValueError,
        "need at least one sample and one centre, got 0 samples",
        id="mode-coverage-no-samples",
    ),
    pytest.param(
        lambda: gan.mode_coverage(torch.zeros(4, 2).numpy(), RING, 0.05),
        TypeError,
        r"samples must be a torch.Tensor, got ndarray; convert .* torch.from_numpy",
        id="mode-coverage-numpy",
    ),
    pytest.param(
        lambda: fool_a_frozen_discriminator(0, steps=0),
        ValueError,
        "steps must be an int of at least 1, got 0",
        id="fool-steps-0",
    ),
    pytest.param(
        lambda: fool_a_frozen_discriminator(0, pretrain_steps=-1),
        ValueError,
        "pretrain_steps must be an int of at least 0, got -1",
        id="fool-pretrain-negative",
    ),
]

MESH = torch.meshgrid(torch.linspace(-1, 1, 5), torch.linspace(-1, 1, 4), indexing="xy")
QUERIES = torch.rand(3, 1, 28, 28)
CASES += [
    pytest.param(
        lambda: gplot.plot_density_1d(
            torch.randn(20), torch.linspace(-1, 1, 9), {"kde": torch.rand(8)}, xlabel="x"
        ),
        ValueError,
        r"densities\['kde'\] must have shape \(9,\) \(one value per grid point\), got \(8,\)",
        id="density-1d-length",
    ),
    pytest.param(
        lambda: gplot.plot_density_1d(
            torch.randn(20).numpy(), torch.linspace(-1, 1, 9), {}, xlabel="x"
        ),
        TypeError,
        "data must be a torch.Tensor, got ndarray",
        id="density-1d-numpy",
    ),
    pytest.param(
        lambda: gplot.plot_density_2d(
            torch.randn(20), *MESH, {"kde": torch.rand(4, 5)}, xlabel="x", ylabel="y"
        ),
        ValueError,
        r"data must have shape \(N, 2\) \(2-D samples\), got \(20,\)",
        id="density-2d-1d-data",
    ),
    pytest.param(
        lambda: gplot.plot_density_2d(
            torch.randn(20, 2), *MESH, {"kde": torch.rand(20)}, xlabel="x", ylabel="y"
        ),
        ValueError,
        r"densities\['kde'\] must have shape \(4, 5\) .*got \(20,\)",
        id="density-2d-flat-density",
    ),
    pytest.param(
        lambda: gplot.plot_explained_variance(torch.tensor([50.0, 30.0, 20.0])),
        ValueError,
        "ratios must be fractions of the variance .*not percent",
        id="explained-variance-percent",
    ),
    pytest.param(
        lambda: gplot.plot_gan_losses([1.0] * 100, [1.0] * 90),
        ValueError,
        "d_loss and g_loss must have one value per generator step each, got 100 and 90",
        id="gan-losses-lengths",
    ),
    pytest.param(
        lambda: gplot.plot_generator_losses(
            torch.linspace(0.1, 0.9, 5), {"saturating": torch.rand(5)}
        ),
        ValueError,
        r"curves\['saturating'\] must be a pair \(loss, gradient\), got Tensor",
        id="generator-losses-not-pair",
    ),
    pytest.param(
        lambda: gplot.plot_neighbours(QUERIES, {"pixels": torch.rand(12, 1, 28, 28)}),
        ValueError,
        r"neighbours\['pixels'\] must have shape \(3, 1, 28, 28\) \(one neighbour per query\)",
        id="neighbours-count",
    ),
    pytest.param(
        lambda: gplot.plot_neighbours(QUERIES * 255, {}),
        ValueError,
        "queries must hold pixel intensities in \\[0, 1\\].*0..255",
        id="neighbours-0-255",
    ),
    pytest.param(
        lambda: gplot.plot_toy_panels({"a": torch.randn(5, 2)}, torch.randn(5, 2), RING, ncols=0),
        ValueError,
        "ncols must be an int of at least 1, got 0",
        id="toy-panels-ncols-0",
    ),
    pytest.param(
        lambda: gplot.plot_toy_panels({"a": torch.randn(5, 3)}, torch.randn(5, 2), RING),
        ValueError,
        r"panels\['a'\] must have shape \(N, 2\)",
        id="toy-panels-3d-samples",
    ),
]


# DDPM's schedule seen as flow times, and the taxonomy figure (it takes no argument).
CASES += [
    pytest.param(
        lambda: fm.ddpm_to_flow_time(fm.ddpm_alpha_bars().numpy()),
        TypeError,
        r"alpha_bar must be a torch.Tensor, got ndarray; convert a numpy array with "
        r"torch.from_numpy\(alpha_bar\)",
        id="ddpm_to_flow_time-numpy",
    ),
    pytest.param(
        lambda: fm.ddpm_to_flow_time(torch.linspace(1.0, 2.0, 5)),
        ValueError,
        r"alpha_bar must lie in \[0, 1\] \(the products of 1 - beta: 1 is data, 0 is noise\), "
        r"got values in \[1, 2\]; pass ddpm_alpha_bars\(...\)",
        id="ddpm_to_flow_time-above-1",
    ),
    pytest.param(
        lambda: fm.ddpm_to_flow_time(torch.arange(3)),
        ValueError,
        "alpha_bar must be floating point, got torch.int64",
        id="ddpm_to_flow_time-step-indices",
    ),
    pytest.param(
        lambda: gplot.plot_taxonomy("flows"),
        TypeError,
        r"plot_taxonomy\(\) takes 0 positional arguments but 1 was given",
        id="plot_taxonomy-argument",
    ),
]


# an array where the flow page's functions take tensors
CASES += [
    pytest.param(
        lambda: fm.to_image_range(np.zeros((2, 1, 28, 28))),
        TypeError,
        r"X must be a torch.Tensor, got ndarray; convert a numpy array with torch.from_numpy",
        id="to_image_range-numpy",
    ),
]


test_bad_input_raises_a_clear_error = clear_error_test(CASES)
