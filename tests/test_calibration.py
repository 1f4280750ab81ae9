"""The core's reliability bins and ECE agree with torchmetrics."""

import pytest
import torch
from torchmetrics.functional.classification import multiclass_calibration_error

from lib.calibration import (
    bootstrap_ece,
    ece_noise_floor,
    expected_calibration_error,
    reliability_bins,
)


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


def calibrated_model(n, seed=0, c=10):
    """Probabilities of a calibrated model and labels drawn from them."""
    g = torch.Generator().manual_seed(seed)
    probs = torch.softmax(2.5 * torch.randn(n, c, generator=g, dtype=torch.float64), dim=1)
    labels = torch.multinomial(probs, 1, generator=g).squeeze(1)
    return probs, labels


def test_noise_floor_shrinks_like_one_over_sqrt_n():
    probs, _ = calibrated_model(8000)
    floor = {n: ece_noise_floor(probs[:n], num_draws=400).mean().item() for n in (500, 2000, 8000)}
    assert floor[500] > floor[2000] > floor[8000] > 0
    assert 0.4 < floor[2000] / floor[500] < 0.6, floor  # 1 / sqrt(4) = 0.5
    assert 0.4 < floor[8000] / floor[2000] < 0.6, floor


def test_noise_floor_is_the_ece_of_labels_drawn_from_the_model():
    probs, _ = calibrated_model(1000, seed=1)
    g = torch.Generator().manual_seed(5)
    brute = torch.tensor(
        [
            expected_calibration_error(probs, torch.multinomial(probs, 1, generator=g).squeeze(1))
            for _ in range(400)
        ]
    )
    floor = ece_noise_floor(probs, num_draws=400, seed=3)
    assert abs(floor.mean() - brute.mean()) < 0.1 * brute.mean()
    assert abs(floor.quantile(0.9) - brute.quantile(0.9)) < 0.15 * brute.quantile(0.9)


def test_calibrated_model_lies_inside_its_floor_and_an_overconfident_one_above():
    probs, labels = calibrated_model(2000, seed=2)
    floor = ece_noise_floor(probs, num_draws=500)
    assert floor.quantile(0.02) < expected_calibration_error(probs, labels) < floor.quantile(0.98)
    sharp = torch.softmax(2 * probs.log(), dim=1)  # temperature 0.5: over-confident
    sharp_floor = ece_noise_floor(sharp, num_draws=500)
    assert expected_calibration_error(sharp, labels) > 3 * sharp_floor.max()


def test_bootstrap_ece_is_the_ece_of_the_resampled_images():
    probs, labels = random_probs(n=300, seed=4)
    draws = bootstrap_ece(probs, labels, num_draws=5, seed=7)
    pick = torch.randint(300, (5, 300), generator=torch.Generator().manual_seed(7))
    for k in range(5):
        ece = expected_calibration_error(probs[pick[k]], labels[pick[k]])
        assert draws[k].item() == pytest.approx(ece, abs=1e-12)
    # the same seed resamples the same images: a predictor's paired difference with itself is 0
    assert torch.equal(draws, bootstrap_ece(probs, labels, num_draws=5, seed=7))


def test_noise_floor_and_bootstrap_reject_bad_arguments():
    probs, labels = random_probs(n=20)
    with pytest.raises(ValueError, match="num_draws"):
        ece_noise_floor(probs, num_draws=0)
    with pytest.raises(ValueError, match="num_draws"):
        bootstrap_ece(probs, labels, num_draws=0)
    with pytest.raises(ValueError, match="n_bins"):
        ece_noise_floor(probs, n_bins=0)
    with pytest.raises(ValueError, match="softmax"):
        ece_noise_floor(torch.randn(5, 2) * 5)


def test_bins_give_the_share_per_bin_and_the_overall_confidence_and_accuracy():
    probs, labels = random_probs(seed=4)
    bins = reliability_bins(probs, labels, n_bins=15)
    assert float(bins.share.sum()) == pytest.approx(1.0)
    assert bins.share.tolist() == pytest.approx((bins.counts / len(labels)).tolist())
    assert bins.mean_confidence == pytest.approx(float(probs.amax(1).double().mean()))
    accuracy = (probs.argmax(1) == labels).double().mean()
    assert bins.overall_accuracy == pytest.approx(float(accuracy))
    ece = expected_calibration_error(probs, labels)
    assert abs(bins.mean_confidence - bins.overall_accuracy) <= ece + 1e-12  # |sum| <= sum |.|
