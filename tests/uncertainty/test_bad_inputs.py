"""Bad inputs to the public functions of part 2 (temperature scaling, label shift, selective
prediction): each raises an error that names the argument, what it received and what to pass."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from lib.uncertainty.evaluation import evaluate_probs
from lib.uncertainty.label_shift import correct_label_shift, estimate_target_prior
from lib.uncertainty.metrics import accuracy_at_coverage, risk_coverage
from lib.uncertainty.plotting import regression_bands, roc_curves
from lib.uncertainty.temperature import fit_temperature

generator = torch.Generator().manual_seed(0)
LOGITS = 3 * torch.randn(100, 10, generator=generator)
LABELS = torch.randint(0, 10, (100,), generator=generator)
PROBS = torch.softmax(torch.randn(50, 3, generator=generator), dim=1)
UNIFORM = torch.full((3,), 1 / 3)
CONFIDENCE = PROBS.max(dim=1).values
GRID = torch.linspace(0.1, 1, 5)

CASES = [
    pytest.param(
        lambda: fit_temperature(torch.softmax(LOGITS, dim=1), LABELS),
        r"logits look like probabilities .*; pass the logits, .*not softmax\(logits\)",
        id="fit_temperature-probabilities",
    ),
    pytest.param(
        lambda: correct_label_shift(PROBS, torch.tensor([0.5, 0.5, 0.0]), UNIFORM),
        r"source_prior is 0 for classes \[2\]: the correction divides by it",
        id="correct_label_shift-zero-source-prior",
    ),
    pytest.param(
        lambda: estimate_target_prior(PROBS, torch.tensor([0.0, 0.5, 0.5])),
        r"source_prior is 0 for classes \[0\]",
        id="estimate_target_prior-zero-source-prior",
    ),
    pytest.param(
        lambda: correct_label_shift(PROBS, torch.tensor([10, 20, 30]), UNIFORM),
        r"source_prior must be 3 non-negative class frequencies summing to 1, got "
        r"\[10.0, 20.0, 30.0\]; divide class counts by their total",
        id="correct_label_shift-counts",
    ),
    pytest.param(
        lambda: risk_coverage(CONFIDENCE, torch.randint(0, 3, (50,), generator=generator)),
        r"correct must say whether each prediction is right .*got torch.int64 values in "
        r"\[0, 2\]; pass probs.argmax\(1\) == labels",
        id="risk_coverage-labels-for-correct",
    ),
    pytest.param(
        lambda: accuracy_at_coverage(CONFIDENCE, CONFIDENCE > 0.5, 90),
        r"coverage must be in \(0, 1\], got 90",
        id="accuracy_at_coverage-percent",
    ),
    pytest.param(
        lambda: evaluate_probs(PROBS, torch.zeros(50, dtype=torch.long)),
        r"probs must map each set \(name, severity\) to its probabilities, got Tensor; .*"
        r"\{CLEAN: probs\}",
        id="evaluate_probs-tensor-not-mapping",
    ),
    pytest.param(
        lambda: regression_bands(
            torch.zeros(3, 1), torch.zeros(3, 1), GRID, GRID, {"MAP": GRID}, lines=["map"]
        ),
        r"lines names \['map'\], which are not in bands; pass labels of bands",
        id="regression_bands-unknown-line",
    ),
    pytest.param(
        lambda: roc_curves({"max-prob": {"single": (GRID, 100 * GRID)}}),
        r"max-prob/single: fpr and tpr must be rates in \[0, 1\] .*; pass roc_curve",
        id="roc_curves-not-rates",
    ),
]


@pytest.mark.parametrize("call, message", CASES)
def test_bad_input_raises_a_clear_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_good_inputs_still_pass() -> None:
    """Logits that happen to be small, and 0/1 integers for ``correct``, are accepted."""
    assert fit_temperature(LOGITS / 100, LABELS) > 0
    coverage, _ = risk_coverage(CONFIDENCE, (CONFIDENCE > 0.5).long())
    assert coverage[-1] == 1.0
    fixed = correct_label_shift(PROBS, UNIFORM, torch.tensor([0.2, 0.3, 0.5]))
    assert torch.isfinite(fixed).all()


@pytest.mark.parametrize("std", [0.0, -0.6])
def test_make_blobs_needs_a_positive_std(std: float) -> None:
    from lib.uncertainty.toy2d import make_blobs

    with pytest.raises(ValueError, match=rf"std must be a positive standard deviation, got {std}"):
        make_blobs(10, std=std)


def test_confidence_grid_needs_probabilities_and_a_grid() -> None:
    from lib.uncertainty.toy2d import confidence_grid

    def probs(points: torch.Tensor) -> torch.Tensor:
        return torch.softmax(points @ torch.ones(2, 3), dim=1)

    with pytest.raises(ValueError, match=r"need resolution >= 2 .*got resolution=0"):
        confidence_grid(probs, resolution=0)
    with pytest.raises(ValueError, match=r"limit > 0, got resolution=5, limit=-1"):
        confidence_grid(probs, resolution=5, limit=-1)
    with pytest.raises(ValueError, match=r"predict\(points\) must be finite and lie in \[0, 1\]"):
        confidence_grid(lambda points: 5 * points @ torch.ones(2, 3), resolution=5)
    _, _, confidence = confidence_grid(probs, resolution=5)
    assert confidence.shape == (5, 5)


def test_predict_ensemble_needs_a_member() -> None:
    from lib.uncertainty.regression import predict_ensemble

    with pytest.raises(ValueError, match="models is empty; pass a list of at least one"):
        predict_ensemble([], torch.zeros(4, 1))
