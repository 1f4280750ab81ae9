"""Grid search, random search, successive halving and Hyperband, replayed over a table of runs.

The objective is a table of learning curves ``curves`` of shape ``(*grid, E)``: entry
``curves[i, j, e]`` is the validation accuracy of grid cell ``(i, j)`` after ``e + 1`` epochs
(:class:`lib.understanding.table.ResultsTable.val_curves`). A method "trains" a configuration
for ``r`` epochs by reading ``curves[..., r - 1]``, and pays ``r`` epochs for it, so a study that
took minutes of training replays in microseconds and thousands of studies can be compared.

* Grid search tries every combination of a few values per axis.
* Random search tries configurations drawn independently; when only a few hyper-parameters matter
  it tries more distinct values of each (Bergstra & Bengio 2012, JMLR 13).
* Successive halving (Jamieson & Talwalkar 2016) trains many configurations briefly, keeps the
  best ``1/eta``, trains those ``eta`` times longer, and repeats; Hyperband (Li et al. 2018,
  JMLR 18) runs several such brackets, from many short runs to a few full ones.

Training is resumed, as in a real implementation: promoting a configuration from ``r`` to
``eta * r`` epochs costs ``eta * r - r`` more epochs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from lib.checks import check_int


@dataclass
class Study:
    """What one search did, in order.

    Attributes:
        configs: Flat index (into the grid, C-order) of each evaluation.
        epochs: Epochs the configuration had been trained for at that evaluation.
        scores: Validation accuracy it had then.
        cost: Epochs spent by the study up to and including that evaluation.
        best: Flat index of the configuration the study returns.
    """

    configs: list[int] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    cost: list[int] = field(default_factory=list)
    best: int = -1

    def record(self, config: int, epochs: int, score: float, extra_cost: int) -> None:
        """Append an evaluation of ``config`` after ``epochs`` epochs that cost ``extra_cost``."""
        self.configs.append(int(config))
        self.epochs.append(int(epochs))
        self.scores.append(float(score))
        self.cost.append((self.cost[-1] if self.cost else 0) + int(extra_cost))

    @property
    def total_epochs(self) -> int:
        return self.cost[-1] if self.cost else 0

    @property
    def num_trials(self) -> int:
        """Distinct configurations the study trained."""
        return len(set(self.configs))


def _check_curves(curves: np.ndarray) -> np.ndarray:
    curves = np.asarray(curves, dtype=float)
    if curves.ndim < 2:
        raise ValueError(
            f"curves must have shape (*grid, num_epochs), got {curves.shape}; pass "
            "ResultsTable.val_curves."
        )
    return curves.reshape(-1, curves.shape[-1])


def _finish(study: Study, full_epochs: int) -> Study:
    """Choose the best configuration among those trained for ``full_epochs`` epochs."""
    evaluations = zip(study.configs, study.epochs, study.scores, strict=True)
    full = [(s, -k, c) for k, (c, e, s) in enumerate(evaluations) if e == full_epochs]
    study.best = max(full)[2]  # ties go to the earliest evaluation
    return study


def grid_cells(shape: Sequence[int], points: Sequence[int], offsets: Sequence[int]) -> list[int]:
    """Flat indices of a sub-grid: ``points[a]`` evenly spaced values on axis ``a``.

    Axis ``a`` takes the indices ``offsets[a] + k * (shape[a] // points[a])``.

    Args:
        shape: The table's grid shape, e.g. ``(12, 3)``.
        points: Values per axis, each a divisor-friendly count ``<= shape[a]``.
        offsets: Where each axis starts, ``0 <= offsets[a] < shape[a] // points[a]``.
    """
    if not len(shape) == len(points) == len(offsets):
        raise ValueError("pass one entry of points and offsets per axis of the grid.")
    axes = []
    for size, n, o in zip(shape, points, offsets, strict=True):
        if not 1 <= n <= size:
            raise ValueError(f"points per axis must be in 1..{size}, got {n}.")
        step = size // n
        if not 0 <= o < step:
            raise ValueError(f"offset {o} must be in 0..{step - 1} for {n} of {size} values.")
        axes.append(o + step * np.arange(n))
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.ravel_multi_index([m.ravel() for m in mesh], tuple(shape)).tolist()


def grid_search(curves: np.ndarray, points: Sequence[int], offsets: Sequence[int]) -> Study:
    """Train every configuration of a sub-grid (:func:`grid_cells`) for all epochs; keep the best.

    Shapes:
        curves ``(*grid, E)``.
    """
    flat = _check_curves(curves)
    full = flat.shape[1]
    study = Study()
    for c in grid_cells(np.shape(curves)[:-1], points, offsets):
        study.record(c, full, flat[c, -1], full)
    return _finish(study, full)


def random_search(curves: np.ndarray, num_trials: int, rng: np.random.Generator) -> Study:
    """Train ``num_trials`` configurations drawn uniformly without replacement; keep the best.

    The grid's axes are log-spaced, so a uniform draw of a cell is a log-uniform draw of the
    hyper-parameters (restricted to the grid).

    Shapes:
        curves ``(*grid, E)``.
    """
    flat = _check_curves(curves)
    if not 1 <= num_trials <= len(flat):
        raise ValueError(f"num_trials must be in 1..{len(flat)}, got {num_trials}.")
    full = flat.shape[1]
    study = Study()
    for c in rng.choice(len(flat), size=num_trials, replace=False):
        study.record(c, full, flat[c, -1], full)
    return _finish(study, full)


def rung_epochs(min_epochs: int, max_epochs: int, eta: int) -> list[int]:
    """The budgets of successive halving: ``min_epochs * eta**k`` up to ``max_epochs``."""
    if min_epochs < 1 or eta < 2 or max_epochs < min_epochs:
        raise ValueError(
            f"need 1 <= min_epochs <= max_epochs and eta >= 2, got {min_epochs}, {max_epochs}, "
            f"{eta}."
        )
    rungs = [min_epochs]
    while rungs[-1] * eta <= max_epochs:
        rungs.append(rungs[-1] * eta)
    return rungs


def halving_bracket(
    curves: np.ndarray,
    configs: Sequence[int],
    rungs: Sequence[int],
    *,
    eta: int = 3,
    study: Study | None = None,
) -> Study:
    """One bracket of successive halving: train ``configs`` rung by rung, keep the best ``1/eta``.

    At rung ``k`` every surviving configuration is trained (resumed) to ``rungs[k]`` epochs and
    scored; the best ``len(alive) // eta`` (at least one) go on to the next rung. Ties keep the
    configuration listed first.

    Args:
        curves: The table of learning curves.
        configs: Flat indices of the configurations that start the bracket.
        rungs: Epochs at each rung, increasing (e.g. ``[1, 3, 9]``, see :func:`rung_epochs`).
        eta: Keep ``1/eta`` of the configurations at each rung.
        study: Record the evaluations into this study (Hyperband's brackets share one); a new
            study by default.

    Returns:
        The study with one evaluation per configuration and rung, its cost counting only the
        epochs added by resuming; its ``best`` is left for the caller to choose.

    Shapes:
        curves ``(*grid, E)`` with ``rungs[-1] <= E``.
    """
    flat = _check_curves(curves)
    if eta < 2 or not rungs or list(rungs) != sorted(set(rungs)) or rungs[-1] > flat.shape[1]:
        raise ValueError(
            f"need eta >= 2 and increasing rungs up to {flat.shape[1]} epochs, got eta={eta}, "
            f"rungs={list(rungs)}."
        )
    study = Study() if study is None else study
    trained = dict.fromkeys(configs, 0)
    alive = list(configs)
    for k, r in enumerate(rungs):
        scores = []
        for c in alive:
            study.record(c, r, flat[c, r - 1], r - trained[c])
            trained[c] = r
            scores.append(flat[c, r - 1])
        if k < len(rungs) - 1:
            keep = max(1, len(alive) // eta)
            order = np.argsort(-np.asarray(scores), kind="stable")[:keep]
            alive = [alive[i] for i in sorted(order)]
    return study


def successive_halving(
    curves: np.ndarray,
    num_configs: int,
    rng: np.random.Generator,
    *,
    min_epochs: int = 1,
    eta: int = 3,
) -> Study:
    """Successive halving (Jamieson & Talwalkar 2016) over ``num_configs`` random configurations.

    All are trained ``min_epochs`` epochs; the best ``1/eta`` go on to ``eta`` times as many
    epochs, and so on up to the table's last epoch (:func:`rung_epochs`, :func:`halving_bracket`).
    The study returns the best configuration of the last rung.

    Shapes:
        curves ``(*grid, E)``; the last rung is the largest ``min_epochs * eta**k <= E``, and it
        must be ``E`` itself (choose ``E`` a power of ``eta`` times ``min_epochs``).
    """
    flat = _check_curves(curves)
    rungs = rung_epochs(min_epochs, flat.shape[1], eta)
    if rungs[-1] != flat.shape[1]:
        raise ValueError(
            f"the rungs {rungs} do not end at the table's {flat.shape[1]} epochs; pick min_epochs "
            f"and eta with min_epochs * eta**k == {flat.shape[1]}."
        )
    if not 1 <= num_configs <= len(flat):
        raise ValueError(f"num_configs must be in 1..{len(flat)}, got {num_configs}.")
    configs = rng.choice(len(flat), size=num_configs, replace=False)
    return _finish(halving_bracket(flat, configs, rungs, eta=eta), flat.shape[1])


def hyperband_brackets(max_epochs: int, eta: int) -> list[tuple[int, list[int]]]:
    """Hyperband's brackets (Li et al. 2018, Algorithm 1) for a budget of ``max_epochs``.

    Bracket ``s = s_max, ..., 0`` starts ``n = ceil((s_max + 1) / (s + 1) * eta**s)``
    configurations at ``r = max_epochs * eta**-s`` epochs and halves them ``s`` times.

    Returns:
        ``[(n, rung budgets), ...]`` from the most exploratory bracket to plain full training.
    """
    check_int(max_epochs, "max_epochs")
    check_int(eta, "eta", minimum=2)
    if eta < 2 or max_epochs < 1:
        raise ValueError(f"need max_epochs >= 1 and eta >= 2, got {max_epochs} and {eta}.")
    s_max = int(math.floor(math.log(max_epochs, eta) + 1e-9))
    brackets = []
    for s in range(s_max, -1, -1):
        n = math.ceil((s_max + 1) / (s + 1) * eta**s - 1e-9)
        r = max_epochs // eta**s
        brackets.append((n, [r * eta**k for k in range(s + 1)]))
    return brackets


def hyperband(curves: np.ndarray, rng: np.random.Generator, *, eta: int = 3) -> Study:
    """Hyperband (Li et al. 2018): every bracket of :func:`hyperband_brackets`, one after another.

    Each bracket draws its own configurations (uniformly without replacement, independently of the
    other brackets); the study returns the best configuration trained for all epochs.

    Shapes:
        curves ``(*grid, E)`` with ``E`` a power of ``eta``.
    """
    flat = _check_curves(curves)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy Generator, got {type(rng).__name__}; pass "
            "np.random.default_rng(seed)."
        )
    study = Study()
    for n, rungs in hyperband_brackets(flat.shape[1], eta):
        if rungs[-1] != flat.shape[1]:
            raise ValueError(f"the table's {flat.shape[1]} epochs must be a power of eta={eta}.")
        configs = rng.choice(len(flat), size=min(n, len(flat)), replace=False)
        halving_bracket(flat, configs, rungs, eta=eta, study=study)
    return _finish(study, flat.shape[1])


def nearest_index(value: float, grid: Sequence[float]) -> int:
    """Index of the grid value nearest to ``value`` on a log scale."""
    if value <= 0 or min(grid) <= 0:
        raise ValueError("values and grid must be positive (they are compared on a log scale).")
    return int(np.argmin(np.abs(np.log(np.asarray(grid)) - np.log(value))))


def regret(curves: np.ndarray, study: Study) -> float:
    """Best achievable minus found: ``max final accuracy - final accuracy of study.best``.

    Shapes:
        curves ``(*grid, E)``.
    """
    flat = _check_curves(curves)
    if not 0 <= study.best < len(flat):
        raise ValueError(
            f"study.best must index one of the {len(flat)} configurations, got {study.best}; "
            "pass a finished study (what grid_search, random_search, hyperband ... return)."
        )
    return float(flat[:, -1].max() - flat[study.best, -1])


def replay(
    method: Callable[[np.random.Generator], Study], num_studies: int, seed: int = 0
) -> list[Study]:
    """``method(rng)`` for ``num_studies`` independent generators seeded ``seed, seed + 1, ...``."""
    check_int(num_studies, "num_studies")
    if not callable(method):
        raise TypeError(
            f"method must be a function of a numpy Generator, got {type(method).__name__}; pass "
            "e.g. lambda rng: random_search(curves, 10, rng)."
        )
    return [method(np.random.default_rng(seed + k)) for k in range(num_studies)]


def epochs_to_target(study: Study, target: float, full_epochs: int) -> float:
    """Epochs the study had spent when a fully trained configuration first reached ``target``.

    Returns:
        The cost, or ``inf`` when no fully trained configuration reached it.
    """
    for e, s, c in zip(study.epochs, study.scores, study.cost, strict=True):
        if e == full_epochs and s >= target:
            return float(c)
    return math.inf
