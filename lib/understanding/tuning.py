"""Optuna (Akiba et al. 2019) on the book's MLP: replayed on the cached table, or trained live.

Both objectives suggest the learning rate and the weight decay on a log scale and report the
validation accuracy after every epoch, so that a pruner (``MedianPruner``,
``SuccessiveHalvingPruner``) can stop a trial early. The epochs each trial trained are kept in
its ``user_attrs["epochs"]``; :func:`as_study` turns an Optuna study into a
:class:`lib.understanding.search.Study`, so Optuna and our searches are scored the same way.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import numpy as np
import optuna

from lib.checks import check_config, check_int
from lib.training import History
from lib.understanding.search import Study, nearest_index
from lib.understanding.table import TableConfig, train_run


def _suggest(trial: optuna.Trial, lrs: Sequence[float], weight_decays: Sequence[float]):
    lr = trial.suggest_float("lr", min(lrs), max(lrs), log=True)
    weight_decay = trial.suggest_float(
        "weight_decay", min(weight_decays), max(weight_decays), log=True
    )
    return lr, weight_decay


def table_objective(
    curves: np.ndarray, lrs: Sequence[float], weight_decays: Sequence[float]
) -> Callable[[optuna.Trial], float]:
    """An objective that "trains" the nearest table cell by reading its learning curve.

    Args:
        curves: ``(L, W, E)`` validation accuracy per epoch
            (:attr:`lib.understanding.table.ResultsTable.val_curves`).
        lrs: ``(L,)`` the table's learning rates.
        weight_decays: ``(W,)`` its weight decays.

    Returns:
        ``objective(trial)`` -> final validation accuracy; reports every epoch and raises
        ``optuna.TrialPruned`` when the study's pruner says so. The flat cell index goes in
        ``user_attrs["config"]``.
    """
    curves = np.asarray(curves, dtype=float)
    if curves.ndim != 3:
        raise ValueError(
            f"curves must have shape (L, W, E), a learning curve per table cell, got "
            f"{curves.shape}; pass the table's val_curves, not its final accuracies."
        )
    for name, values in (("lrs", lrs), ("weight_decays", weight_decays)):
        if min(values) <= 0:
            raise ValueError(
                f"{name} must be positive (the search is on a log scale), got {list(values)}."
            )
    if curves.shape[:2] != (len(lrs), len(weight_decays)):
        raise ValueError(
            f"curves {curves.shape} do not match {len(lrs)} learning rates x "
            f"{len(weight_decays)} weight decays."
        )

    def objective(trial: optuna.Trial) -> float:
        lr, weight_decay = _suggest(trial, lrs, weight_decays)
        i, j = nearest_index(lr, lrs), nearest_index(weight_decay, weight_decays)
        trial.set_user_attr("config", i * len(weight_decays) + j)
        for epoch, score in enumerate(curves[i, j], start=1):
            trial.set_user_attr("epochs", epoch)
            trial.report(float(score), epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return float(curves[i, j, -1])

    return objective


def live_objective(
    config: TableConfig,
    lr_range: tuple[float, float],
    weight_decay_range: tuple[float, float],
    *,
    seed: int = 0,
) -> Callable[[optuna.Trial], float]:
    """An objective that trains the MLP of :func:`lib.understanding.table.train_run` for real.

    Args:
        config: Data subsets, epochs and optimiser settings of each trial.
        lr_range: ``(low, high)`` of the log-uniform learning rate.
        weight_decay_range: ``(low, high)`` of the log-uniform weight decay.
        seed: Seed of every trial's initialisation and shuffling.

    Returns:
        ``objective(trial)`` -> final validation accuracy, reporting after every epoch.
    """
    check_config(config, TableConfig)
    for name, bounds in (("lr_range", lr_range), ("weight_decay_range", weight_decay_range)):
        if (
            not isinstance(bounds, (tuple, list))
            or len(bounds) != 2
            or not all(isinstance(b, numbers.Real) and b > 0 for b in bounds)
        ):
            raise ValueError(
                f"{name} must be a pair (low, high) of positive numbers (searched log-uniformly), "
                f"got {bounds!r}; pass e.g. (1e-3, 0.5)."
            )

    def objective(trial: optuna.Trial) -> float:
        lr, weight_decay = _suggest(trial, lr_range, weight_decay_range)

        def report(history: History) -> bool:
            epoch = history.num_epochs
            trial.set_user_attr("epochs", epoch)
            trial.report(history.test_metric[-1], epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
            return False

        run = train_run(config, lr, weight_decay, seed, after_epoch=report, with_test=False)
        return run["val_accuracy"][-1]

    return objective


def as_study(study: optuna.Study, full_epochs: int) -> Study:
    """The trials of an Optuna table study as a :class:`~lib.understanding.search.Study`.

    Args:
        study: A finished study of :func:`table_objective`.
        full_epochs: The table's epochs (a completed trial trained all of them).
    """
    ours = Study()
    for trial in study.get_trials(deepcopy=False):
        if trial.state == optuna.trial.TrialState.COMPLETE:
            ours.record(trial.user_attrs["config"], full_epochs, trial.value, full_epochs)
        elif trial.state == optuna.trial.TrialState.PRUNED:
            epochs = trial.user_attrs["epochs"]
            ours.record(
                trial.user_attrs["config"], epochs, trial.intermediate_values[epochs], epochs
            )
    if not any(e == full_epochs for e in ours.epochs):
        raise ValueError("the study has no completed trial; run more trials or prune less.")
    ours.best = study.best_trial.user_attrs["config"]
    return ours


def tpe_table_study(
    curves: np.ndarray,
    lrs: Sequence[float],
    weight_decays: Sequence[float],
    num_trials: int,
    seed: int,
    *,
    pruner: optuna.pruners.BasePruner | None = None,
) -> Study:
    """Optuna's TPE sampler (Bergstra et al. 2011), seeded, on :func:`table_objective`.

    Args:
        curves: ``(L, W, E)`` learning curves of the table.
        lrs: ``(L,)`` its learning rates.
        weight_decays: ``(W,)`` its weight decays.
        num_trials: Trials of the study (pruned ones included).
        seed: The sampler's seed: the same seed gives the same trials.
        pruner: Optional pruner; ``None`` trains every trial to the end.

    Returns:
        The study as a :class:`~lib.understanding.search.Study`.
    """
    check_int(num_trials, "num_trials")
    check_int(seed, "seed", minimum=0)
    objective = table_objective(curves, lrs, weight_decays)
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=pruner or optuna.pruners.NopPruner(),
    )
    study.optimize(objective, n_trials=num_trials)
    return as_study(study, np.shape(curves)[-1])
