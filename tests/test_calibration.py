"""The core's reliability bins and ECE agree with torchmetrics."""

import pytest
import torch
from torchmetrics.functional.classification import multiclass_calibration_error

from lib.calibration import expected_calibration_error, reliability_bins


def random_probs(n=2000, c=10, seed=0, sharpness=3.0):
    g = torch.Generator().manual_seed(seed)
    logits = sharpness * torch.randn(n, c, generator=g)
    labels = torch.randint(0, c, (n,), generator=g)
    return torch.softmax(logits, dim=1), labels


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_bins", [10, 15])
@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_calibration_error_matches_torchmetrics(seed, n_bins, norm):
    probs, labels = random_probs(seed=seed)
    ours = expected_calibration_error(probs, labels, n_bins=n_bins, norm=norm)
    ref = multiclass_calibration_error(
        probs, labels, num_classes=10, n_bins=n_bins, norm=norm
    ).item()
    assert abs(ours - ref) < 1e-6


def test_ece_zero_when_perfectly_calibrated():
    # confidence 0.8 on every input, right on exactly 80 % of them
    probs = torch.full((100, 2), 0.2, dtype=torch.float64)
    probs[:, 0] = 0.8
    labels = torch.zeros(100, dtype=torch.long)
    labels[:20] = 1
    assert expected_calibration_error(probs, labels) == pytest.approx(0.0, abs=1e-12)
    labels[:30] = 1  # 70 % right while 80 % sure: ECE 0.1
    assert expected_calibration_error(probs, labels) == pytest.approx(0.1, abs=1e-12)


def test_reliability_bins_consistent():
    probs, labels = random_probs(seed=3)
    bins = reliability_bins(probs, labels, n_bins=10)
    assert int(bins.counts.sum()) == len(labels)
    filled = bins.counts > 0
    assert (
        (bins.confidence[filled] >= bins.edges[:-1][filled])
        & (bins.confidence[filled] <= bins.edges[1:][filled])
    ).all()
    acc = (probs.argmax(1) == labels).double().mean()
    assert float(
        (bins.accuracy[filled] * bins.counts[filled]).sum() / len(labels)
    ) == pytest.approx(float(acc))


def test_bad_n_bins_and_norm_raise_value_error():
    probs, labels = torch.full((5, 2), 0.5), torch.zeros(5, dtype=torch.long)
    with pytest.raises(ValueError, match="n_bins"):
        expected_calibration_error(probs, labels, n_bins=0)
    with pytest.raises(ValueError, match="norm"):
        expected_calibration_error(probs, labels, norm="l3")
    with pytest.raises(ValueError, match="softmax"):
        expected_calibration_error(torch.randn(5, 2) * 5, labels)
