"""Chapter 1, uncertainty in deep learning: metrics, dataset shift, ensembles and decisions.

Modules:
    :mod:`lib.uncertainty.metrics`: calibration (ECE, reliability bins), proper scores (NLL,
        Brier), OOD detection (AUROC, AUPR), entropy and mutual information, temperature
        scaling, selective prediction, Bayes decisions from a cost table, label-shift correction.
    :mod:`lib.uncertainty.corruptions`: ImageNet-C style corruptions of Fashion-MNIST images.
    :mod:`lib.uncertainty.ensembles`: deep ensembles and MC dropout predictions, the chapter's
        cached models.
    :mod:`lib.uncertainty.predictors`: the four predictors the pages compare (single,
        temperature-scaled, MC dropout, ensemble).
    :mod:`lib.uncertainty.evaluation`: the shifted test sets and the OOD inputs.
    :mod:`lib.uncertainty.regression`: 1-D regression toys with a mean-and-variance network.
    :mod:`lib.uncertainty.toy2d`: the 2-D "ideal behaviour" toy classifier.
    :mod:`lib.uncertainty.plotting`: the chapter's figures.
    :mod:`lib.uncertainty.benchmarks`: ``make bench`` entries of the chapter.

Every metric is written from scratch (the chapter teaches it) and tested against torchmetrics
or scikit-learn in ``tests/uncertainty``.
"""

from lib.uncertainty.metrics import (
    ReliabilityBins,
    accuracy,
    accuracy_at_coverage,
    aupr,
    auroc,
    bayes_decisions,
    binary_decision_regions,
    brier_score,
    correct_label_shift,
    entropy,
    entropy_split,
    estimate_target_prior,
    expected_calibration_error,
    expected_cost,
    fit_temperature,
    mutual_information,
    nll,
    reliability_bins,
    risk_coverage,
)

__all__ = [
    "ReliabilityBins",
    "accuracy",
    "accuracy_at_coverage",
    "aupr",
    "auroc",
    "bayes_decisions",
    "binary_decision_regions",
    "brier_score",
    "correct_label_shift",
    "entropy",
    "entropy_split",
    "estimate_target_prior",
    "expected_calibration_error",
    "expected_cost",
    "fit_temperature",
    "mutual_information",
    "nll",
    "reliability_bins",
    "risk_coverage",
]
