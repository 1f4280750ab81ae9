"""Chapter 1, uncertainty in deep learning: metrics, dataset shift, ensembles and decisions.

Modules:
    :mod:`lib.uncertainty.metrics`: proper scores (NLL, Brier), OOD detection (AUROC, AUPR),
        entropy and mutual information, selective prediction. The calibration metrics (ECE,
        reliability bins) are in the core, :mod:`lib.calibration`; the input checks in
        :mod:`lib.checks`; the corruptions of the shifted test sets in :mod:`lib.corruptions`.
    :mod:`lib.uncertainty.ood`: OOD scores from a predictive distribution (max probability,
        entropy) and bootstrap intervals of their AUROC.
    :mod:`lib.uncertainty.temperature`: temperature scaling.
    :mod:`lib.uncertainty.decisions`: Bayes decisions from a cost table.
    :mod:`lib.uncertainty.label_shift`: label-shift correction.
    :mod:`lib.uncertainty.ensembles`: deep ensembles and MC dropout predictions, the chapter's
        cached models.
    :mod:`lib.uncertainty.predictors`: the four predictors the pages compare (single,
        temperature-scaled, MC dropout, ensemble).
    :mod:`lib.uncertainty.shift`: the four kinds of dataset shift (an open-set classifier,
        subpopulation and label-shift resampling).
    :mod:`lib.uncertainty.evaluation`: the shifted test sets and the OOD inputs.
    :mod:`lib.uncertainty.regression`: 1-D regression toys with a mean-and-variance network,
        and the coverage of its intervals.
    :mod:`lib.uncertainty.toy2d`: the 2-D "ideal behaviour" toy classifier.
    :mod:`lib.uncertainty.sngp`: SNGP, a distance-aware classifier (spectral normalisation and
        a random-feature Gaussian-process output layer).
    :mod:`lib.uncertainty.sngp_images`: SNGP on the chapter's Fashion-MNIST images (flattened
        pixels into the residual SNGP network), trained once and cached like the other networks.
    :mod:`lib.uncertainty.plotting`: the chapter's figures.

Every metric is written from scratch (the chapter teaches it) and tested against torchmetrics
or scikit-learn in ``tests/uncertainty``.
"""

from lib.uncertainty.decisions import bayes_decisions, binary_decision_regions, expected_cost
from lib.uncertainty.label_shift import correct_label_shift, estimate_target_prior
from lib.uncertainty.metrics import (
    accuracy,
    accuracy_at_coverage,
    aupr,
    auroc,
    brier_score,
    entropy,
    entropy_split,
    mutual_information,
    nll,
    risk_coverage,
)
from lib.uncertainty.temperature import fit_temperature

__all__ = [
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
    "expected_cost",
    "fit_temperature",
    "mutual_information",
    "nll",
    "risk_coverage",
]
