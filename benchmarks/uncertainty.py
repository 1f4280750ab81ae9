"""``make bench`` entries of the uncertainty chapter.

* ``uncertainty/calibration-1m``: ECE and reliability bins on 1,000,000 predictions (10 classes),
  ours next to ``torchmetrics.functional.classification.multiclass_calibration_error`` in the
  same run. On 1M float32 predictions torchmetrics' value differs from ours in the 6th decimal
  (its float32 accumulation); ours matches a float64 NumPy reference, recorded in ``details``.
* ``uncertainty/ensemble-inference``: wall time of one SmallCNN vs a 5-member ensemble vs 10-pass
  MC dropout on 2,000 images (untrained networks: the cost does not depend on the weights).
"""

from __future__ import annotations

import numpy as np
import torch

from benchmarks.registry import Result, benchmark
from lib.calibration import expected_calibration_error, reliability_bins
from lib.models import SmallCNN
from lib.reproducibility import make_generator
from lib.timing import best_time
from lib.uncertainty.ensembles import ensemble_probs, mc_dropout_probs, probs_of

NUM_PREDICTIONS = 1_000_000


def _numpy_ece(probs: np.ndarray, labels: np.ndarray, n_bins: int) -> float:
    """A plain float64 NumPy ECE, the independent reference for the 1M-prediction run."""
    confidence = probs.max(1)
    correct = (probs.argmax(1) == labels).astype(float)
    index = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    conf_sum = np.bincount(index, weights=confidence, minlength=n_bins)
    correct_sum = np.bincount(index, weights=correct, minlength=n_bins)
    filled = counts > 0
    return float(np.abs(correct_sum[filled] - conf_sum[filled]).sum() / len(labels))


@benchmark("uncertainty/calibration-1m")
def calibration_1m() -> list[Result]:
    from torchmetrics.functional.classification import multiclass_calibration_error

    g = make_generator(0)
    probs = torch.softmax(3 * torch.randn(NUM_PREDICTIONS, 10, generator=g), dim=1)
    labels = torch.randint(0, 10, (NUM_PREDICTIONS,), generator=g)
    ours_value = expected_calibration_error(probs, labels, n_bins=15)
    numpy_value = _numpy_ece(probs.double().numpy(), labels.numpy(), 15)
    ref_value = multiclass_calibration_error(probs, labels, num_classes=10, n_bins=15).item()
    ours = best_time(lambda: expected_calibration_error(probs, labels, n_bins=15), repeats=5)
    ref = best_time(
        lambda: multiclass_calibration_error(probs, labels, num_classes=10, n_bins=15), repeats=5
    )
    bins = best_time(lambda: reliability_bins(probs, labels, n_bins=15), repeats=5)
    details = {
        "predictions": NUM_PREDICTIONS,
        "classes": 10,
        "n_bins": 15,
        "ece_ours": ours_value,
        "ece_torchmetrics": ref_value,
        "ece_numpy_float64": numpy_value,
        "abs_difference": abs(ours_value - ref_value),
        "seconds_ours": ours,
        "seconds_torchmetrics": ref,
    }
    return [
        Result(
            "uncertainty/ece-1m-throughput",
            NUM_PREDICTIONS / ours,
            "predictions/s",
            "torchmetrics multiclass_calibration_error",
            NUM_PREDICTIONS / ref,
            details,
        ),
        Result(
            "uncertainty/reliability-bins-1m-throughput",
            NUM_PREDICTIONS / bins,
            "predictions/s",
            "torchmetrics multiclass_calibration_error",
            NUM_PREDICTIONS / ref,
            {"n_bins": 15},
        ),
    ]


@benchmark("uncertainty/ensemble-inference")
def ensemble_inference() -> list[Result]:
    X = torch.rand(2_000, 1, 28, 28, generator=make_generator(0))
    single = SmallCNN().eval()
    members = [SmallCNN().eval() for _ in range(5)]
    dropout_net = SmallCNN(dropout=0.25).eval()
    t_single = best_time(lambda: probs_of(single, X), repeats=3)
    t_ensemble = best_time(lambda: ensemble_probs(members, X), repeats=3)
    t_mc = best_time(lambda: mc_dropout_probs(dropout_net, X, num_samples=10), repeats=3)
    details = {
        "images": len(X),
        "seconds_single": t_single,
        "seconds_ensemble5": t_ensemble,
        "seconds_mc_dropout10": t_mc,
    }
    return [
        Result(
            "uncertainty/ensemble5-inference",
            len(X) / t_ensemble,
            "images/s",
            "single SmallCNN",
            len(X) / t_single,
            details,
        ),
        Result(
            "uncertainty/mc-dropout10-inference",
            len(X) / t_mc,
            "images/s",
            "single SmallCNN",
            len(X) / t_single,
            details,
        ),
    ]
