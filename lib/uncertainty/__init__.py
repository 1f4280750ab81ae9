"""Chapter 1, uncertainty in deep learning: metrics, dataset shift, ensembles and decisions.

Modules:
    :mod:`lib.uncertainty.metrics`: calibration (ECE, reliability bins), proper scores (NLL,
        Brier), OOD detection (AUROC, AUPR), entropy and mutual information, selective prediction.
    :mod:`lib.uncertainty.temperature`: temperature scaling.
    :mod:`lib.uncertainty.decisions`: Bayes decisions from a cost table.
    :mod:`lib.uncertainty.label_shift`: label-shift correction.
    :mod:`lib.uncertainty.checks`: the input checks shared by the metrics and methods.
    :mod:`lib.uncertainty.corruptions`: ImageNet-C style corruptions of Fashion-MNIST images
        (re-exported from the core, :mod:`lib.corruptions`).
    :mod:`lib.uncertainty.ensembles`: deep ensembles and MC dropout predictions, the chapter's
        cached models.
    :mod:`lib.uncertainty.predictors`: the four predictors the pages compare (single,
        temperature-scaled, MC dropout, ensemble).
    :mod:`lib.uncertainty.evaluation`: the shifted test sets and the OOD inputs.
    :mod:`lib.uncertainty.regression`: 1-D regression toys with a mean-and-variance network,
        and the coverage of its intervals.
    :mod:`lib.uncertainty.toy2d`: the 2-D "ideal behaviour" toy classifier.
    :mod:`lib.uncertainty.sngp`: SNGP, a distance-aware classifier (spectral normalisation and
        a random-feature Gaussian-process output layer).
    :mod:`lib.uncertainty.plotting`: the chapter's figures.
    :mod:`lib.uncertainty.benchmarks`: ``make bench`` entries of the chapter.

Every metric is written from scratch (the chapter teaches it) and tested against torchmetrics
or scikit-learn in ``tests/uncertainty``.
"""

from lib.uncertainty.decisions import bayes_decisions, binary_decision_regions, expected_cost
from lib.uncertainty.label_shift import correct_label_shift, estimate_target_prior
from lib.uncertainty.metrics import (
    ReliabilityBins,
    accuracy,
    accuracy_at_coverage,
    aupr,
    auroc,
    brier_score,
    entropy,
    entropy_split,
    expected_calibration_error,
    mutual_information,
    nll,
    reliability_bins,
    risk_coverage,
)
from lib.uncertainty.temperature import fit_temperature

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
