"""Corruptions keep shape and dtype, are reproducible, and get worse with severity; accuracy
under corruption and its summary by severity."""

import pytest
import torch

from lib.corruptions import (
    CLEAN,
    CORRUPTIONS,
    SEVERITIES,
    accuracy_under_corruption,
    by_severity,
    corrupt,
    corruption_suite,
)
from lib.data import load_fashion_mnist


@pytest.fixture(scope="module")
def images():
    X, _ = load_fashion_mnist("test")
    return X[:64]


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_shape_dtype_range_kept(images, name):
    out = corrupt(images, name, 3)
    assert out.shape == images.shape and out.dtype == torch.uint8
    floats = images.unsqueeze(1).float() / 255
    out = corrupt(floats, name, 3)
    assert out.shape == floats.shape and out.dtype == floats.dtype
    assert out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_distance_grows_with_severity(images, name):
    clean = images.float() / 255
    distances = [(corrupt(clean, name, s) - clean).pow(2).mean().sqrt().item() for s in SEVERITIES]
    assert distances[0] > 0
    assert all(a < b for a, b in zip(distances, distances[1:], strict=False)), distances


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_reproducible(images, name):
    assert torch.equal(corrupt(images, name, 4, seed=3), corrupt(images, name, 4, seed=3))


@pytest.fixture(scope="module")
def wide(images):
    """Non-square images: 20 x 32 crops of the 28 x 28 images, padded with black at the sides."""
    return torch.nn.functional.pad(images[:8, 4:24].float() / 255, (2, 2))


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_non_square_images_keep_their_shape(wide, name):
    assert corrupt(wide, name, 3).shape == wide.shape == (8, 20, 32)


@pytest.mark.parametrize("severity", SEVERITIES)
def test_pixelate_treats_height_and_width_alike(wide, severity):
    out = corrupt(wide, "pixelate", severity)
    transposed = corrupt(wide.mT.contiguous(), "pixelate", severity)
    assert (transposed - out.mT).abs().max() < 1e-6  # the same blocks, summed in another order


@pytest.mark.parametrize("severity", SEVERITIES)
def test_rotate_non_square_images_as_if_padded_to_a_square(wide, severity):
    # Rotating the 20 x 32 image equals rotating it zero-padded to 32 x 32 and cropping back:
    # a rotation in pixel units, not a shear in each axis's normalised units.
    square = torch.nn.functional.pad(wide, (0, 0, 6, 6))
    expected = corrupt(square, "rotate", severity, seed=5)[:, 6:26]
    out = corrupt(wide, "rotate", severity, seed=5)
    assert (out - expected).abs().max() < 1e-5


def test_suite_keys(images):
    suite = corruption_suite(images[:4], names=("contrast", "rotate"), severities=(1, 5))
    assert set(suite) == {("contrast", 1), ("contrast", 5), ("rotate", 1), ("rotate", 5)}


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda x: corrupt(x, "fog", 1), "unknown corruption"),
        (lambda x: corrupt(x, "contrast", 6), "severity"),
        (lambda x: corrupt(x.float(), "contrast", 1), r"\[0, 1\]"),
        (lambda x: corrupt(x.unsqueeze(1).repeat(1, 3, 1, 1), "contrast", 1), "grey-scale"),
        (lambda x: corrupt(x.long(), "contrast", 1), "uint8 or floating"),
    ],
)
def test_bad_input(images, call, match):
    with pytest.raises(ValueError, match=match):
        call(images)


def test_accuracy_under_corruption_counts_correct_predictions():
    g = torch.Generator().manual_seed(0)
    X = torch.rand(20, 1, 28, 28, generator=g)
    y = torch.arange(20) % 2

    def oracle(images):  # right on the clean images only: a lookup by exact pixels
        hit = (images.flatten(1)[:, None] == X.flatten(1)[None]).all(2).float()
        scores = torch.zeros(len(images), 2)
        scores[:, 1] = 0.5  # unknown images: class 1
        return scores + (hit @ torch.nn.functional.one_hot(y, 2).float())

    tables = accuracy_under_corruption(
        {"oracle": oracle, "zeros": lambda images: torch.zeros(len(images), 2)},
        X,
        y,
        names=("contrast", "rotate"),
        severities=(1, 5),
    )
    table = tables["oracle"]
    assert list(table) == [CLEAN, ("contrast", 1), ("contrast", 5), ("rotate", 1), ("rotate", 5)]
    assert table[CLEAN] == 1.0
    assert all(table[k] == 0.5 for k in table if k != CLEAN)  # every image read as class 1
    assert set(tables["zeros"].values()) == {0.5}  # arg-max of a tie is class 0


def test_accuracy_under_corruption_agrees_with_the_suite():
    X = load_fashion_mnist("test")[0][:32].unsqueeze(1).float() / 255
    y = torch.arange(32) % 10
    weights = torch.linspace(-1, 1, 784 * 10).view(784, 10)

    def predict(images):  # a fixed linear read-out of the pixels
        return images.flatten(1) @ weights

    (table,) = accuracy_under_corruption(
        {"linear": predict}, X, y, names=("gaussian_noise",), seed=2
    ).values()
    suite = corruption_suite(X, ("gaussian_noise",), seed=2)
    for key, images in suite.items():
        assert table[key] == pytest.approx((predict(images).argmax(1) == y).float().mean().item())


def test_by_severity_mean_min_max():
    table = {CLEAN: 0.9, ("a", 1): 0.8, ("b", 1): 0.6, ("a", 2): 0.5, ("b", 2): 0.1}
    means, lows, highs = by_severity(table, severities=(1, 2))
    assert means == pytest.approx([0.9, 0.7, 0.3])
    assert lows == [0.9, 0.6, 0.1] and highs == [0.9, 0.8, 0.5]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda X, y: accuracy_under_corruption({"a": _flat}, X[0], y), r"\(N, 1, H, W\)"),
        (lambda X, y: accuracy_under_corruption({"a": _flat}, X.long(), y), "float"),
        (lambda X, y: accuracy_under_corruption({"a": _flat}, X, y[:3]), "one per image"),
        (lambda X, y: accuracy_under_corruption({"a": _flat}, X, y.float()), "integer"),
        (lambda X, y: accuracy_under_corruption(_flat, X, y), "dict"),
        (lambda X, y: accuracy_under_corruption({"a": lambda x: x.sum()}, X, y), r"\(M, C\)"),
        (lambda X, y: by_severity({("a", 1): 0.5}), "CLEAN"),
        (lambda X, y: by_severity({CLEAN: 1.0, ("a", 1): 0.5}), "severity 2"),
    ],
)
def test_accuracy_bad_input(call, match):
    X, y = torch.rand(4, 1, 28, 28), torch.arange(4)
    with pytest.raises(ValueError, match=match):
        call(X, y)


def _flat(images):
    return images.flatten(1)
