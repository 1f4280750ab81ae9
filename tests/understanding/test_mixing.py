"""mixup and CutMix equal torchvision's given the same lambda and box."""

import pytest
import torch
from torchvision.transforms import v2

from lib.understanding.mixing import cutmix, cutmix_box, mix, mixup

NUM_CLASSES = 10


def _batch(seed=0, shape=(6, 3, 20, 28)):
    """Images that are not square, so that rows and columns cannot be swapped unnoticed."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.rand(shape, generator=generator)
    y = torch.randint(0, NUM_CLASSES, (shape[0],), generator=generator)
    return X, y


def _lam(alpha):
    """A draw of Beta(alpha, alpha) from the global generator, as torchvision draws it."""
    beta = torch.distributions.Beta(torch.tensor([alpha]), torch.tensor([alpha]))
    return float(beta.sample(()))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("alpha", [0.2, 1.0])
def test_mixup_equals_torchvision_given_the_same_lambda(seed, alpha):
    X, y = _batch(seed)
    torch.manual_seed(seed)
    X_tv, y_tv = v2.MixUp(alpha=alpha, num_classes=NUM_CLASSES)(X, y)
    torch.manual_seed(seed)
    X_ours, y_ours = mixup(X, y, _lam(alpha), num_classes=NUM_CLASSES)
    assert torch.equal(X_ours, X_tv) and torch.equal(y_ours, y_tv)


def test_mixup_of_soft_targets_equals_torchvision():
    X, y = _batch(1)
    soft = torch.softmax(torch.randn(len(y), NUM_CLASSES), dim=1)
    torch.manual_seed(3)
    X_tv, y_tv = v2.MixUp(alpha=1.0)(X, soft)
    torch.manual_seed(3)
    X_ours, y_ours = mixup(X, soft, _lam(1.0))
    assert torch.equal(X_ours, X_tv) and torch.equal(y_ours, y_tv)


@pytest.mark.parametrize("seed", range(20))
def test_cutmix_box_is_torchvisions_box(seed):
    X, _ = _batch(seed)
    torch.manual_seed(seed)
    box_tv = v2.CutMix(alpha=1.0, num_classes=NUM_CLASSES).make_params([X])["box"]
    torch.manual_seed(seed)
    lam = _lam(1.0)
    assert cutmix_box(X.shape[-2], X.shape[-1], lam) == box_tv


@pytest.mark.parametrize("seed", range(5))
def test_cutmix_equals_torchvision_given_the_same_box(seed):
    X, y = _batch(seed)
    torch.manual_seed(seed)
    X_tv, y_tv = v2.CutMix(alpha=1.0, num_classes=NUM_CLASSES)(X, y)
    torch.manual_seed(seed)
    box = cutmix_box(X.shape[-2], X.shape[-1], _lam(1.0))
    X_ours, y_ours = cutmix(X, y, box, num_classes=NUM_CLASSES)
    assert torch.equal(X_ours, X_tv) and torch.equal(y_ours, y_tv)


def test_cutmix_box_with_a_generator_is_reproducible_and_clipped():
    boxes = [cutmix_box(20, 28, 0.3, generator=torch.Generator().manual_seed(k)) for k in range(50)]
    again = [cutmix_box(20, 28, 0.3, generator=torch.Generator().manual_seed(k)) for k in range(50)]
    assert boxes == again
    assert all(0 <= x1 <= x2 <= 28 and 0 <= y1 <= y2 <= 20 for x1, y1, x2, y2 in boxes)
    assert max((x2 - x1) * (y2 - y1) for x1, y1, x2, y2 in boxes) <= 0.7 * 20 * 28
    x1, y1, x2, y2 = cutmix_box(20, 28, 1.0, generator=torch.Generator().manual_seed(0))
    assert (x2 - x1) * (y2 - y1) == 0  # lam = 1: nothing is pasted


def test_label_weight_is_the_visible_share_of_each_image():
    X, y = _batch(2)
    box = (3, 2, 13, 12)  # 10 x 10 pixels of 20 x 28
    mixed, targets = cutmix(X, y, box, num_classes=NUM_CLASSES)
    own = 1 - 100 / (20 * 28)
    assert torch.allclose(targets.sum(1), torch.ones(len(y)))
    for b in range(len(y)):
        if y[b] != y[b - 1]:
            assert targets[b, y[b]].item() == pytest.approx(own)
            assert targets[b, y[b - 1]].item() == pytest.approx(1 - own)
    assert torch.equal(mixed[1, :, 2:12, 3:13], X[0, :, 2:12, 3:13])
    outside = torch.ones(20, 28, dtype=torch.bool)
    outside[2:12, 3:13] = False
    assert torch.equal(mixed[:, :, outside], X[:, :, outside])


def test_mixup_endpoints_and_convexity():
    X, y = _batch(4)
    same, onehot = mixup(X, y, 1.0, num_classes=NUM_CLASSES)
    assert torch.equal(same, X) and torch.equal(onehot.argmax(1), y)
    other, _ = mixup(X, y, 0.0, num_classes=NUM_CLASSES)
    assert torch.equal(other, X.roll(1, 0))
    half = mix(X, 0.5)
    assert torch.allclose(half, (X + X.roll(1, 0)) / 2)


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: mixup(torch.rand(4, 28, 28), torch.zeros(4, dtype=torch.long), 0.5),
            r"\(B, C, H, W\)",
        ),
        (
            lambda: mixup(torch.zeros(4, 1, 4, 4, dtype=torch.uint8), torch.zeros(4), 0.5),
            "images_to_float",
        ),
        (
            lambda: mixup(torch.rand(4, 1, 4, 4), torch.zeros(4, dtype=torch.long), 0.5),
            "num_classes",
        ),
        (lambda: mixup(torch.rand(4, 1, 4, 4), torch.rand(3, 10), 0.5), "one per image"),
        (
            lambda: mixup(torch.rand(4, 1, 4, 4), torch.rand(4, 10), 1.5),
            r"lam must lie in \[0, 1\]",
        ),
        (lambda: mixup(torch.rand(4, 1, 4, 4), torch.rand(4, 2, 5), 0.5), r"\(B, C\)"),
        (lambda: cutmix(torch.rand(4, 1, 4, 4), torch.rand(4, 10), (0, 0, 5, 2)), "box"),
        (lambda: cutmix_box(28, 28, -0.1), "lam"),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
