"""Bad inputs to the public functions of part 2 (temperature scaling, label shift, selective
prediction): each raises an error that names the argument, what it received and what to pass."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lib.calibration import reliability_bins
from lib.corruptions import CLEAN
from lib.models import SmallCNN
from lib.uncertainty import plotting as uplot
from lib.uncertainty.decisions import bayes_decisions, binary_decision_regions, expected_cost
from lib.uncertainty.ensembles import (
    disagreement,
    dropout_passes,
    ensemble_probs,
    load_mc_dropout_model,
    load_members,
    member_config,
    probs_of,
)
from lib.uncertainty.evaluation import evaluate_probs, pooled_shift, predict_suite, shift_suite
from lib.uncertainty.label_shift import correct_label_shift, estimate_target_prior
from lib.uncertainty.metrics import (
    accuracy_at_coverage,
    aupr,
    auroc,
    brier_score,
    entropy,
    entropy_split,
    nll,
    risk_coverage,
)
from lib.uncertainty.ood import max_prob_score, ood_scores
from lib.uncertainty.plotting import regression_bands, roc_curves
from lib.uncertainty.predictors import predictor_probs, validation_temperature
from lib.uncertainty.regression import GaussianMLP, true_mean, true_std
from lib.uncertainty.sngp import SNGP
from lib.uncertainty.sngp_images import image_sngp_probs, load_or_train_image_sngp
from lib.uncertainty.temperature import fit_temperature
from lib.uncertainty.toy2d import train_toy
from tests.clear_errors import clear_error_test

generator = torch.Generator().manual_seed(0)
LOGITS = 3 * torch.randn(100, 10, generator=generator)
LABELS = torch.randint(0, 10, (100,), generator=generator)
PROBS = torch.softmax(torch.randn(50, 3, generator=generator), dim=1)
UNIFORM = torch.full((3,), 1 / 3)
CONFIDENCE = PROBS.max(dim=1).values
MEMBER_PROBS = PROBS.expand(3, 50, 3)
torch.manual_seed(0)
CNN, DROPOUT_CNN = SmallCNN(), SmallCNN(dropout=0.25)
IMAGES = torch.rand(4, 1, 28, 28, generator=generator)
SEVERITY_MEANS = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
GRID = torch.linspace(1, 2, 5)
RATES = torch.linspace(0.1, 1, 5)

CASES = [
    pytest.param(
        lambda: fit_temperature(torch.softmax(LOGITS, dim=1), LABELS),
        ValueError,
        r"logits look like probabilities .*; pass the logits, .*not softmax\(logits\)",
        id="fit_temperature-probabilities",
    ),
    pytest.param(
        lambda: correct_label_shift(PROBS, torch.tensor([0.5, 0.5, 0.0]), UNIFORM),
        ValueError,
        r"source_prior is 0 for classes \[2\]: the correction divides by it",
        id="correct_label_shift-zero-source-prior",
    ),
    pytest.param(
        lambda: estimate_target_prior(PROBS, torch.tensor([0.0, 0.5, 0.5])),
        ValueError,
        r"source_prior is 0 for classes \[0\]",
        id="estimate_target_prior-zero-source-prior",
    ),
    pytest.param(
        lambda: correct_label_shift(PROBS, torch.tensor([10, 20, 30]), UNIFORM),
        ValueError,
        r"source_prior must be 3 non-negative class frequencies summing to 1, got "
        r"\[10.0, 20.0, 30.0\]; divide class counts by their total",
        id="correct_label_shift-counts",
    ),
    pytest.param(
        lambda: risk_coverage(CONFIDENCE, torch.randint(0, 3, (50,), generator=generator)),
        ValueError,
        r"correct must say whether each prediction is right .*got torch.int64 values in "
        r"\[0, 2\]; pass probs.argmax\(1\) == labels",
        id="risk_coverage-labels-for-correct",
    ),
    pytest.param(
        lambda: accuracy_at_coverage(CONFIDENCE, CONFIDENCE > 0.5, 90),
        ValueError,
        r"coverage must be in \(0, 1\], got 90",
        id="accuracy_at_coverage-percent",
    ),
    pytest.param(
        lambda: evaluate_probs(PROBS, torch.zeros(50, dtype=torch.long)),
        ValueError,
        r"probs must map each set \(name, severity\) to its probabilities, got Tensor; .*"
        r"\{CLEAN: probs\}",
        id="evaluate_probs-tensor-not-mapping",
    ),
    pytest.param(
        lambda: nll(LOGITS, LABELS),
        ValueError,
        r"probs must be finite and lie in \[0, 1\].*pass softmax\(logits, dim=1\), not logits",
        id="nll-logits",
    ),
    pytest.param(
        lambda: nll(PROBS, F.one_hot(PROBS.argmax(1), 3)),
        ValueError,
        r"labels must have shape \(50,\) to match the predictions, got \(50, 3\)",
        id="nll-one-hot-labels",
    ),
    pytest.param(
        lambda: brier_score(PROBS, PROBS.argmax(1).float()),
        ValueError,
        "labels must be integer class indices, got torch.float32",
        id="brier_score-float-labels",
    ),
    pytest.param(
        lambda: entropy(PROBS[0]),
        ValueError,
        r"probs must have shape \(N, C\) with N >= 1 and C >= 2, got \(3,\)",
        id="entropy-probability-vector",
    ),
    pytest.param(
        lambda: entropy_split(PROBS),
        ValueError,
        r"member_probs must have shape \(M, N, C\) .*got \(50, 3\)",
        id="entropy_split-one-member",
    ),
    pytest.param(
        lambda: auroc(CONFIDENCE, PROBS.argmax(1)),
        ValueError,
        r"targets must be booleans or 0/1 integers \(1 = positive, e.g. OOD\)",
        id="auroc-class-labels-as-targets",
    ),
    pytest.param(
        lambda: aupr(PROBS.argmax(1), CONFIDENCE > 0.5),
        ValueError,
        "scores must be finite floating-point numbers",
        id="aupr-integer-scores",
    ),
    pytest.param(
        lambda: max_prob_score(LOGITS),
        ValueError,
        r"probs must be finite and lie in \[0, 1\].*not logits",
        id="max_prob_score-logits",
    ),
    pytest.param(
        lambda: ood_scores(MEMBER_PROBS),
        ValueError,
        r"probs must have shape \(N, C\) .*got \(3, 50, 3\)",
        id="ood_scores-member-probs",
    ),
    pytest.param(
        lambda: disagreement(MEMBER_PROBS, MEMBER_PROBS),
        ValueError,
        r"probs_a and probs_b must be .*\(N, C\) of one shape, got \(3, 50, 3\) .*probs.mean\(0\)",
        id="disagreement-member-probs",
    ),
    pytest.param(
        lambda: probs_of(CNN, IMAGES * 255),
        ValueError,
        "found values up to 255: they look like 0..255 intensities",
        id="probs_of-0..255",
    ),
    pytest.param(
        lambda: ensemble_probs([CNN], IMAGES[:, 0]),
        ValueError,
        r"expected float images of shape \(B, 1, 28, 28\).*got torch.float32 \(4, 28, 28\)",
        id="ensemble_probs-missing-channel",
    ),
    pytest.param(
        lambda: ensemble_probs([], IMAGES),
        ValueError,
        "models is empty; pass at least one trained network",
        id="ensemble_probs-no-members",
    ),
    pytest.param(
        lambda: dropout_passes(DROPOUT_CNN, IMAGES[:, 0], num_samples=2),
        ValueError,
        r"expected float images of shape \(B, 1, 28, 28\)",
        id="dropout_passes-missing-channel",
    ),
    pytest.param(
        lambda: member_config(0.5),
        ValueError,
        "seed must be an int of at least 0, got 0.5",
        id="member_config-float-seed",
    ),
    pytest.param(
        lambda: member_config(0, num_epochs=0),
        ValueError,
        "num_epochs must be an int of at least 1, got 0",
        id="member_config-zero-epochs",
    ),
    pytest.param(
        lambda: member_config(0, dropout=25),
        ValueError,
        r"dropout must be in \[0, 1\), got 25",
        id="member_config-dropout-percent",
    ),
    pytest.param(
        lambda: load_members(0),
        ValueError,
        "num_members must be an int of at least 1, got 0",
        id="load_members-zero",
    ),
    pytest.param(
        lambda: load_mc_dropout_model(0.0),
        ValueError,
        r"rate must be a dropout probability in \(0, 1\), got 0.0; MC dropout needs dropout",
        id="load_mc_dropout_model-no-dropout",
    ),
    pytest.param(
        lambda: load_mc_dropout_model(25),
        ValueError,
        r"rate must be a dropout probability in \(0, 1\), got 25",
        id="load_mc_dropout_model-percent",
    ),
    pytest.param(
        lambda: bayes_decisions(PROBS, torch.ones(3, 2)),
        ValueError,
        r"cost must have shape \(A, 3\): one row per action, one column per true class; got "
        r"\(3, 2\)",
        id="bayes_decisions-cost-transposed",
    ),
    pytest.param(
        lambda: expected_cost(PROBS.argmax(1)[:5], PROBS.argmax(1), torch.ones(3, 3)),
        ValueError,
        r"labels must have shape \(5,\) to match the predictions, got \(50,\)",
        id="expected_cost-lengths",
    ),
    pytest.param(
        lambda: expected_cost(LABELS, LABELS, torch.tensor([[0.0, float("inf")], [1.0, 0.0]])),
        ValueError,
        r"cost must be finite, got .*inf.*large finite cost",
        id="expected_cost-infinite-cost",
    ),
    pytest.param(
        lambda: binary_decision_regions(torch.tensor([[0.0, float("nan")], [1.0, 0.0]])),
        ValueError,
        r"cost must be finite, got \[\[0.0, nan\], \[1.0, 0.0\]\]",
        id="binary_decision_regions-nan-cost",
    ),
    pytest.param(
        lambda: binary_decision_regions(torch.ones(2, 3)),
        ValueError,
        r"cost must have shape \(A, 2\).*got \(2, 3\)",
        id="binary_decision_regions-three-classes",
    ),
    pytest.param(
        lambda: pooled_shift(IMAGES, LABELS[:3], 1),
        ValueError,
        r"y must have shape \(4,\) \(integer labels, one per image of X\), got \(3,\)",
        id="pooled_shift-label-count",
    ),
    pytest.param(
        lambda: pooled_shift(IMAGES, LABELS[:4], 1, names="contrast"),
        ValueError,
        r"names must be a tuple, got 'contrast'; pass a one-element tuple such as \('contrast',\)",
        id="pooled_shift-names-str",
    ),
    pytest.param(
        lambda: predict_suite({CLEAN: IMAGES}, lambda X: X),
        TypeError,
        r"predict must be a function .*got dict; call predict_suite\(predict, sets\) in this",
        id="predict_suite-swapped",
    ),
    pytest.param(
        lambda: predict_suite(CNN, {CLEAN: IMAGES}),
        ValueError,
        r"predict\(sets\[\('clean', 0\)\]\) must be finite and lie in \[0, 1\].*not logits",
        id="predict_suite-logits",
    ),
    pytest.param(
        lambda: shift_suite(0),
        ValueError,
        "num_images must be an int of at least 1, got 0",
        id="shift_suite-zero-images",
    ),
    pytest.param(
        lambda: predictor_probs(IMAGES[:, 0], [CNN], DROPOUT_CNN),
        ValueError,
        r"expected float images of shape \(B, 1, 28, 28\)",
        id="predictor_probs-missing-channel",
    ),
    pytest.param(
        lambda: predictor_probs(IMAGES, [CNN], CNN),
        ValueError,
        "model has no dropout layer with p > 0",
        id="predictor_probs-no-dropout",
    ),
    pytest.param(
        lambda: validation_temperature([CNN]),
        TypeError,
        r"model must be one network .*got list; .*members\[0\]",
        id="validation_temperature-members",
    ),
    pytest.param(
        lambda: GaussianMLP()(torch.linspace(-1, 1, 5)),
        ValueError,
        r"X must have shape \(N, 1\), got \(5,\)",
        id="GaussianMLP-1d-inputs",
    ),
    pytest.param(
        lambda: GaussianMLP(hidden=0),
        ValueError,
        "hidden must be an int of at least 1, got 0",
        id="GaussianMLP-zero-hidden",
    ),
    pytest.param(
        lambda: image_sngp_probs(SNGP(784, 10, hidden=16, num_features=32, seed=0), IMAGES[:, 0]),
        ValueError,
        r"X must have shape \(N, 1, 28, 28\) .*got \(4, 28, 28\)",
        id="image_sngp_probs-missing-channel",
    ),
    pytest.param(
        lambda: image_sngp_probs(CNN, IMAGES),
        TypeError,
        r"model must be the image SNGP .*got SmallCNN; .*probs_of\(model, X\)",
        id="image_sngp_probs-cnn",
    ),
    pytest.param(
        lambda: load_or_train_image_sngp(num_epochs=0),
        ValueError,
        "num_epochs must be an int of at least 1, got 0",
        id="load_or_train_image_sngp-zero-epochs",
    ),
    pytest.param(
        lambda: uplot.reliability_diagram(reliability_bins(PROBS, PROBS.argmax(1))),
        TypeError,
        r"bins must be a dict \{label: ReliabilityBins\}, got ReliabilityBins; for one curve "
        r"pass \{'label': ...\}",
        id="reliability_diagram-one-bins",
    ),
    pytest.param(
        lambda: uplot.reliability_diagram({"single": PROBS}),
        TypeError,
        r"bins\['single'\] must be ReliabilityBins, got Tensor; pass "
        r"lib.calibration.reliability_bins\(probs, labels\)",
        id="reliability_diagram-probabilities",
    ),
    pytest.param(
        lambda: uplot.metric_vs_severity({"single": SEVERITY_MEANS[1:]}, ylabel="accuracy"),
        ValueError,
        r"values\['single'\] has 5 values for 6 severities \(clean, 1 to 5\)",
        id="metric_vs_severity-no-clean-value",
    ),
    pytest.param(
        lambda: uplot.metric_vs_severity({"single": (SEVERITY_MEANS,) * 3}, ylabel="accuracy"),
        ValueError,
        r"values\['single'\] has 18 values for 6 severities",
        id="metric_vs_severity-by_severity-triple",
    ),
    pytest.param(
        lambda: uplot.metric_vs_severity(
            {"single": SEVERITY_MEANS}, ylabel="accuracy", spread={"single": SEVERITY_MEANS}
        ),
        ValueError,
        r"spread\['single'\] must be a pair \(low, high\) of six values each, got list",
        id="metric_vs_severity-spread-not-pair",
    ),
    pytest.param(
        lambda: uplot.severity_grid({("contrast", 1): IMAGES[:2]}, IMAGES[0]),
        ValueError,
        r"images\[\('contrast', 1\)\] must be one image \(28, 28\) or \(1, 28, 28\), got "
        r"\(2, 1, 28, 28\); pass one image of the batch, e.g. X\[0\]",
        id="severity_grid-batch",
    ),
    pytest.param(
        lambda: uplot.severity_grid({("contrast", 1): IMAGES[0] * 255}, IMAGES[0] * 255),
        ValueError,
        r"must hold pixel intensities in \[0, 1\].*0..255 intensities",
        id="severity_grid-0..255-floats",
    ),
    pytest.param(
        lambda: uplot.confidence_histograms({"single": {"in": PROBS}}),
        ValueError,
        r"panels\['single'\]\['in'\] must be finite scores \(N,\) .*got shape \(50, 3\); for "
        r"probabilities pass probs.max\(1\).values",
        id="confidence_histograms-probabilities",
    ),
    pytest.param(
        lambda: uplot.confidence_histograms({"single": CONFIDENCE}),
        TypeError,
        r"panels\['single'\] must be a dict \{label: scores \(N,\)\}, got Tensor",
        id="confidence_histograms-tensor",
    ),
    pytest.param(
        lambda: uplot.confidence_maps({"a": torch.rand(5, 5)}, torch.rand(9, 2), LABELS[:9]),
        ValueError,
        r"maps\['a'\] must be the triple \(xx, yy, confidence\) of confidence_grid, got Tensor",
        id="confidence_maps-confidence-only",
    ),
    pytest.param(
        lambda: uplot.confidence_maps(
            {"a": (torch.rand(5, 5),) * 3}, torch.rand(9, 2), LABELS[:9, None]
        ),
        ValueError,
        r"y must have shape \(9,\) \(one class per training point\), got \(9, 1\)",
        id="confidence_maps-labels-column",
    ),
    pytest.param(
        lambda: uplot.risk_coverage_plot({"single": CONFIDENCE}),
        ValueError,
        r"curves\['single'\] must be a pair \(coverage, accuracy\) as risk_coverage returns, "
        "got Tensor",
        id="risk_coverage_plot-one-tensor",
    ),
    pytest.param(
        lambda: uplot.decision_regions_plot(torch.ones(3, 2), ["treat", "wait"], ["ill", "well"]),
        ValueError,
        r"cost has 3 actions and 2 classes, got 2 action_names and 2 class_names",
        id="decision_regions_plot-action-names",
    ),
    pytest.param(
        lambda: uplot.decision_regions_plot(torch.ones(2, 3), ["a", "b"], ["x", "y"]),
        ValueError,
        r"cost must have shape \(A, 2\).*got \(2, 3\)",
        id="decision_regions_plot-three-classes",
    ),
    pytest.param(
        lambda: uplot.quality_vs_cost({"single": 0.3}, xlabel="passes", ylabel="NLL (nats)"),
        ValueError,
        r"points\['single'\] must be a pair \(cost, quality\), got float",
        id="quality_vs_cost-quality-only",
    ),
    pytest.param(
        lambda: uplot.quality_vs_cost({"free": (0, 0.3)}, xlabel="passes", ylabel="NLL (nats)"),
        ValueError,
        r"points\['free'\] has cost 0; costs must be positive \(a log axis\)",
        id="quality_vs_cost-zero-cost",
    ),
    pytest.param(
        lambda: uplot.quality_vs_cost(
            {"a": (1, 0.3)}, xlabel="passes", ylabel="NLL", curve=("m", [1, 2, 3], [0.3, 0.2])
        ),
        ValueError,
        r"curve's qualities has 2 values for 3 costs",
        id="quality_vs_cost-curve-lengths",
    ),
    pytest.param(
        lambda: uplot.regression_bands(GRID, GRID, GRID, GRID, {"sd": GRID}),
        ValueError,
        r"X must have shape \(N, 1\), got \(5,\); pass X\[:, None\]",
        id="regression_bands-1d-points",
    ),
    pytest.param(
        lambda: uplot.regression_bands(GRID[:, None], GRID[:, None], GRID, GRID[:4], {"sd": GRID}),
        ValueError,
        r"mean has 4 values for 5 grid points",
        id="regression_bands-mean-length",
    ),
    pytest.param(
        lambda: uplot.regression_bands(GRID[:, None], GRID[:, None], GRID, GRID, {"sd": -GRID}),
        ValueError,
        r"bands\['sd'\] must be standard deviations \(>= 0\), found -2",
        id="regression_bands-negative-sd",
    ),
    pytest.param(
        lambda: uplot.std_split(GRID[:, None], {"sd": GRID}),
        ValueError,
        r"x_grid must be 1-D evaluation points \(G,\), got \(5, 1\); pass x_grid\[:, 0\]",
        id="std_split-grid-column",
    ),
    pytest.param(
        lambda: uplot.std_split(GRID, GRID),
        TypeError,
        r"stds must be a dict \{label: standard deviation \(G,\)\}, got Tensor",
        id="std_split-tensor",
    ),
    pytest.param(
        lambda: ensemble_probs(CNN, IMAGES),
        TypeError,
        r"models must be a list of networks, got one network; pass \[model\]",
        id="ensemble_probs-one-network",
    ),
    pytest.param(
        lambda: dropout_passes(DROPOUT_CNN, IMAGES, num_samples=0),
        ValueError,
        "num_samples must be an int of at least 1, got 0",
        id="dropout_passes-zero-samples",
    ),
    pytest.param(
        lambda: dropout_passes(DROPOUT_CNN, IMAGES.numpy(), num_samples=2),
        TypeError,
        r"X must be a torch.Tensor, got ndarray; convert a numpy array with torch.from_numpy\(X\)",
        id="dropout_passes-numpy",
    ),
    pytest.param(
        lambda: load_members(2.5),
        ValueError,
        "num_members must be an int of at least 1, got 2.5",
        id="load_members-float",
    ),
    pytest.param(
        lambda: predictor_probs(IMAGES, [CNN], DROPOUT_CNN, temperature=0.0),
        ValueError,
        "temperature must be positive, got 0.0; pass None for none",
        id="predictor_probs-zero-temperature",
    ),
    pytest.param(
        lambda: expected_cost(PROBS, PROBS.argmax(1), torch.ones(3, 3)),
        ValueError,
        r"actions must be integer action indices \(N,\), got torch.float32 \(50, 3\); pass "
        r"bayes_decisions\(probs, cost\), not the probabilities",
        id="expected_cost-probabilities-as-actions",
    ),
    pytest.param(
        lambda: expected_cost(PROBS.argmax(1), PROBS.argmax(1), torch.ones(1, 3)),
        ValueError,
        r"actions must lie in 0..0 \(one per row of cost\)",
        id="expected_cost-action-out-of-range",
    ),
    pytest.param(
        lambda: GaussianMLP()(GRID[:, None].double()),
        ValueError,
        r"X must be torch.float32, got torch.float64; pass X.float\(\)",
        id="GaussianMLP-float64",
    ),
    pytest.param(
        lambda: regression_bands(
            torch.zeros(3, 1), torch.zeros(3, 1), RATES, RATES, {"MAP": RATES}, lines=["map"]
        ),
        ValueError,
        r"lines names \['map'\], which are not in bands; pass labels of bands",
        id="regression_bands-unknown-line",
    ),
    pytest.param(
        lambda: roc_curves({"max-prob": {"single": (RATES, 100 * RATES)}}),
        ValueError,
        r"max-prob/single: fpr and tpr must be rates in \[0, 1\] .*; pass roc_curve",
        id="roc_curves-not-rates",
    ),
]


# the toys of the regression and 2-D pages
CASES += [
    pytest.param(
        lambda: true_mean([1.0, 2.0]),
        TypeError,
        r"x must be a torch.Tensor, got list; .*torch.as_tensor for a list",
        id="true_mean-list",
    ),
    pytest.param(
        lambda: true_std(np.linspace(-4, 4, 5)),
        TypeError,
        r"x must be a torch.Tensor, got ndarray",
        id="true_std-numpy",
    ),
    pytest.param(
        lambda: train_toy(torch.zeros(10, 3), torch.zeros(10, dtype=torch.long)),
        ValueError,
        r"X must have shape \(N, 2\) \(2-D points\), got \(10, 3\)",
        id="train_toy-three-features",
    ),
]


test_bad_input_raises_a_clear_error = clear_error_test(CASES)


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
