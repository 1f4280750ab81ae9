"""The batched augmentations draw per image what torchvision's transforms draw per call.

Each statistic is compared with torchvision.transforms.v2 applied image by image, within
binomial bounds (flip probability), exactly in support and within a chi-square / two-sample
Kolmogorov-Smirnov test (shifts, erased areas).
"""

import math

import pytest
import torch
from scipy.stats import chi2_contingency, ks_2samp
from torchvision.transforms import v2

from lib.understanding.augmentation import (
    AugmentedBatches,
    BatchAugment,
    random_erasing,
    random_flip,
    random_translate,
    translate,
)

N = 4000


def _asymmetric_images(n: int) -> torch.Tensor:
    """Images whose mirror image differs from them: one bright pixel at (5, 3)."""
    X = torch.zeros(n, 1, 12, 12)
    X[:, 0, 5, 3] = 1.0
    return X


def _per_image(transform, X: torch.Tensor) -> torch.Tensor:
    return torch.stack([transform(x) for x in X])


def test_flip_probability_matches_torchvision_within_binomial_bounds():
    torch.manual_seed(0)
    X = _asymmetric_images(N)
    ours = random_flip(X, p=0.3, generator=torch.Generator().manual_seed(1))
    ref = _per_image(v2.RandomHorizontalFlip(p=0.3), X)
    bound = 4 * math.sqrt(0.3 * 0.7 / N)  # four standard deviations
    for out in (ours, ref):
        flipped = torch.equal
        share = sum(not flipped(a, b) for a, b in zip(out, X, strict=True)) / N
        assert abs(share - 0.3) < bound, share
    # a flip is the mirror image, nothing else
    changed = ~(ours == X).flatten(1).all(1)
    assert torch.equal(ours[changed], X[changed].flip(-1))


def _shift_of(out: torch.Tensor) -> torch.Tensor:
    """Where the bright pixel went: (row, column) of each image ``(N, 2)``."""
    flat = out.flatten(1).argmax(1)
    return torch.stack([flat // out.shape[-1], flat % out.shape[-1]], 1)


def test_translation_distribution_matches_torchvision_random_crop():
    torch.manual_seed(0)
    X = _asymmetric_images(N)
    ours = _shift_of(random_translate(X, padding=2, generator=torch.Generator().manual_seed(2)))
    ref = _shift_of(_per_image(v2.RandomCrop(12, padding=2), X))
    for axis, origin in ((0, 5), (1, 3)):
        values = range(origin - 2, origin + 3)
        table = [[int((s[:, axis] == v).sum()) for v in values] for s in (ours, ref)]
        assert sum(table[0]) == sum(table[1]) == N  # support exactly -2..2 pixels
        assert chi2_contingency(table).pvalue > 1e-3, table


def test_translate_is_a_shift_with_zero_fill():
    X = torch.arange(16.0).reshape(1, 1, 4, 4) + 1
    out = translate(X, torch.tensor([2]), torch.tensor([1]), padding=1)  # up 1, right 0
    assert torch.equal(out[0, 0, :3], X[0, 0, 1:])
    assert (out[0, 0, 3] == 0).all()


def test_erased_area_distribution_matches_torchvision_random_erasing():
    torch.manual_seed(0)
    X = torch.ones(N, 1, 28, 28)
    ours = random_erasing(X, p=0.5, generator=torch.Generator().manual_seed(3))
    ref = _per_image(v2.RandomErasing(p=0.5, value=0), X)
    areas = [(out == 0).flatten(1).sum(1).double() / (28 * 28) for out in (ours, ref)]
    bound = 4 * math.sqrt(0.25 / N)
    for area in areas:
        assert abs((area > 0).double().mean() - 0.5) < bound  # erased with probability p
        assert area.max() <= 0.33 * 1.2  # rounding h and w can add a little
    erased = [area[area > 0] for area in areas]
    assert ks_2samp(erased[0].numpy(), erased[1].numpy()).pvalue > 1e-3
    # the erased pixels form one rectangle
    for mask in ours[areas[0] > 0][:50, 0] == 0:
        rows, cols = mask.any(1).nonzero(), mask.any(0).nonzero()
        assert mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].all()


def test_every_image_draws_its_own_setting_while_torchvision_draws_one_per_batch():
    torch.manual_seed(0)
    X = _asymmetric_images(64)
    ref = v2.RandomHorizontalFlip()(X)  # one call on a batch tensor: all or nothing
    assert torch.equal(ref, X) or torch.equal(ref, X.flip(-1))
    ours = random_flip(X, generator=torch.Generator().manual_seed(0))
    flipped = ~(ours == X).flatten(1).all(1)
    assert 0 < int(flipped.sum()) < 64


def test_batch_augment_is_reproducible_and_keeps_shape():
    X = torch.rand(8, 1, 28, 28)
    a = BatchAugment()(X, torch.Generator().manual_seed(5))
    b = BatchAugment()(X, torch.Generator().manual_seed(5))
    assert a.shape == X.shape and torch.equal(a, b)
    assert torch.equal(BatchAugment(0.0, 0, 0.0)(X), X)


def test_augmented_batches_apply_the_function_every_pass():
    batches = AugmentedBatches([(torch.ones(2, 1, 3, 3), torch.zeros(2))], lambda X, y: (-X, y))
    assert len(batches) == 1
    for _ in range(2):
        (X, _), = list(batches)  # fmt: skip
        assert (X == -1).all()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: random_flip(torch.zeros(2, 28, 28)), r"\(B, C, H, W\)"),
        (lambda: random_flip(torch.zeros(2, 1, 4, 4, dtype=torch.uint8)), "images_to_float"),
        (lambda: random_flip(torch.zeros(2, 1, 4, 4), p=1.5), "probability"),
        (lambda: random_translate(torch.zeros(2, 1, 4, 4), padding=-1), "padding"),
        (lambda: random_erasing(torch.zeros(2, 1, 4, 4), scale=(0.5, 0.1)), "scale"),
        (
            lambda: translate(
                torch.zeros(2, 1, 4, 4), torch.tensor([0, 3]), torch.zeros(2, dtype=torch.long), 1
            ),
            "0..2",
        ),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
