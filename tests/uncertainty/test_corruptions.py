"""Corruptions keep shape and dtype, are reproducible, and get worse with severity."""

import pytest
import torch

from lib.data import load_fashion_mnist
from lib.uncertainty.corruptions import CORRUPTIONS, SEVERITIES, corrupt, corruption_suite


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
