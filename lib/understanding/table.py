"""A cached table of real training runs: the book's MLP over a grid of learning rate x weight decay.

Hyper-parameter search methods are compared by *replaying* studies on this table instead of
training again: every configuration was trained once, with its validation accuracy recorded after
every epoch (so successive halving can spend epochs as its budget) and its test accuracy at the
end (for the winner's curse). A few configurations are trained with several seeds, to measure how
much of a difference between two configurations is seed noise.

The runs are small (a subset of the 60,000 training images, a few epochs, one CPU thread each) so
that the whole table trains in well under a minute on two cores; :func:`load_or_train_table`
caches it by configuration and code (:func:`lib.cache.load_or_run`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from multiprocessing import get_context

import numpy as np
import torch

from lib.cache import load_or_run
from lib.checks import check_config, check_int
from lib.data import load_fashion_mnist
from lib.models import MLP
from lib.reproducibility import make_generator, seed_everything, set_threads, threads
from lib.training import History, evaluate, fit, images_to_float, make_loader


@dataclass(frozen=True)
class TableConfig:
    """Everything that determines the table.

    Attributes:
        lrs: Learning rates of SGD with momentum (the grid's first axis).
        weight_decays: L2 weight decays (the second axis).
        num_train: Training images, a fixed random subset of the 60,000.
        num_val: Validation images, other images of the 60,000 (never the test set).
        num_epochs: Epochs of every run; validation accuracy is recorded after each.
        batch_size: Images per SGD step.
        momentum: SGD momentum.
        extra_seeds: Seeds besides 0 for the configurations in ``seeded_cells``.
        seeded_cells: ``(lr index, weight-decay index)`` pairs trained with every extra seed.
    """

    lrs: tuple[float, ...] = tuple(10 ** (-3 + 0.25 * k) for k in range(12))
    weight_decays: tuple[float, ...] = (1e-6, 1e-4, 1e-2)
    num_train: int = 3000
    num_val: int = 2000
    num_epochs: int = 9
    batch_size: int = 128
    momentum: float = 0.9
    extra_seeds: tuple[int, ...] = (1, 2, 3)
    seeded_cells: tuple[tuple[int, int], ...] = ((6, 1), (7, 1), (8, 1))

    def __post_init__(self) -> None:
        if not self.lrs or not self.weight_decays:
            raise ValueError("pass at least one learning rate and one weight decay.")
        if self.num_train < 1 or self.num_val < 1 or self.num_train + self.num_val > 60_000:
            raise ValueError(
                f"num_train + num_val must be in 2..60000 (the training images), got "
                f"{self.num_train} + {self.num_val}."
            )
        for i, j in self.seeded_cells:
            if not (0 <= i < len(self.lrs) and 0 <= j < len(self.weight_decays)):
                raise ValueError(f"seeded cell {(i, j)} is outside the grid.")

    def runs(self) -> list[tuple[float, float, int]]:
        """Every ``(lr, weight_decay, seed)`` to train: the grid with seed 0, then the extras."""
        grid = [(lr, wd, 0) for lr in self.lrs for wd in self.weight_decays]
        extra = [
            (self.lrs[i], self.weight_decays[j], s)
            for s in self.extra_seeds
            for i, j in self.seeded_cells
        ]
        return grid + extra


@lru_cache(maxsize=2)
def training_subsets(num_train: int, num_val: int) -> tuple[torch.Tensor, ...]:
    """The table's data: a training and a validation subset of the 60,000 training images, and
    the test set.

    Returns:
        ``(X, y, X_val, y_val, X_test, y_test)``; images float ``(N, 1, 28, 28)`` in [0, 1],
        labels int64 ``(N,)``. The subsets are a fixed random permutation's first ``num_train``
        and next ``num_val`` images.
    """
    if num_train < 1 or num_val < 1 or num_train + num_val > 60_000:
        raise ValueError(
            f"need num_train >= 1, num_val >= 1 and num_train + num_val <= 60000 (the training "
            f"images), got {num_train} and {num_val}."
        )
    X, y = load_fashion_mnist("train")
    order = torch.randperm(len(X), generator=make_generator(0))
    train, val = order[:num_train], order[num_train : num_train + num_val]
    X = images_to_float(X)
    X_test, y_test = load_fashion_mnist("test")
    return X[train], y[train], X[val], y[val], images_to_float(X_test), y_test


def train_run(
    config: TableConfig,
    lr: float,
    weight_decay: float,
    seed: int,
    *,
    after_epoch: Callable[[History], bool] | None = None,
    with_test: bool = True,
) -> dict:
    """Train one MLP of the table on one CPU thread (a network this small runs best on one).

    Args:
        config: The table's settings (data subsets, epochs, batch size, momentum).
        lr: SGD learning rate.
        weight_decay: L2 weight decay.
        seed: Seed of initialisation and shuffling.
        after_epoch: Called with the history after every epoch (``stop`` of
            :func:`lib.training.fit`): return true to stop; an Optuna objective reports the
            validation accuracy here and raises ``optuna.TrialPruned`` to prune.
        with_test: Evaluate the test set at the end (the table does, for the winner's curse).

    Returns:
        ``{"lr", "weight_decay", "seed", "val_accuracy": [one per epoch], "test_accuracy"}``
        (``test_accuracy`` is ``None`` without ``with_test``); a run whose loss became NaN has
        chance-level accuracies (its predictions are arbitrary).
    """
    check_config(config, TableConfig)
    if not lr > 0 or not weight_decay >= 0:
        raise ValueError(
            f"need lr > 0 and weight_decay >= 0, got lr={lr!r}, weight_decay={weight_decay!r}; "
            "pass values from the table's grid, e.g. config.lrs[0], config.weight_decays[0]."
        )
    X, y, X_val, y_val, X_test, y_test = training_subsets(config.num_train, config.num_val)
    with threads(1):
        seed_everything(seed)
        model = MLP()
        history = fit(
            model,
            make_loader(X, y, batch_size=config.batch_size, shuffle=True, seed=seed),
            num_epochs=config.num_epochs,
            optimizer=torch.optim.SGD(
                model.parameters(), lr=lr, momentum=config.momentum, weight_decay=weight_decay
            ),
            test_batches=make_loader(X_val, y_val, batch_size=1000, shuffle=False),
            stop=after_epoch,
            desc=None,
        )
        test_accuracy = None
        if with_test:
            test_loader = make_loader(X_test, y_test, batch_size=1000, shuffle=False)
            _, test_accuracy = evaluate(model, test_loader)
    return {
        "lr": lr,
        "weight_decay": weight_decay,
        "seed": seed,
        "val_accuracy": history.test_metric,
        "test_accuracy": test_accuracy,
    }


def _train_run_star(args: tuple[TableConfig, float, float, int]) -> dict:
    return train_run(*args)


def _init_worker() -> None:
    set_threads(1)


def train_table(config: TableConfig, *, workers: int = 2) -> list[dict]:
    """Train every run of ``config`` (:meth:`TableConfig.runs`) in ``workers`` processes.

    Each run is single-threaded and seeded, so its result does not depend on how the runs are
    shared out between the processes.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}.")
    jobs = [(config, lr, wd, seed) for lr, wd, seed in config.runs()]
    if workers == 1:
        return [_train_run_star(job) for job in jobs]
    with ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=_init_worker
    ) as pool:
        return list(pool.map(_train_run_star, jobs))


@dataclass
class ResultsTable:
    """The trained runs as arrays over the grid.

    Attributes:
        lrs: ``(L,)`` learning rates.
        weight_decays: ``(W,)`` weight decays.
        val_curves: ``(L, W, E)`` validation accuracy after each epoch, seed 0.
        test_accuracy: ``(L, W)`` test accuracy after the last epoch, seed 0.
        seed_runs: ``{(i, j): (S, E)}`` validation curves of the configurations trained with
            several seeds (seed 0 first).
        seed_test: ``{(i, j): (S,)}`` their test accuracies.
    """

    lrs: np.ndarray
    weight_decays: np.ndarray
    val_curves: np.ndarray
    test_accuracy: np.ndarray
    seed_runs: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    seed_test: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)

    @classmethod
    def from_runs(cls, runs: Sequence[dict], config: TableConfig) -> ResultsTable:
        """Arrange the documents of :func:`train_run` (in :meth:`TableConfig.runs` order)."""
        L, W, E = len(config.lrs), len(config.weight_decays), config.num_epochs
        if len(runs) != len(config.runs()):
            raise ValueError(
                f"expected {len(config.runs())} runs for this config, got {len(runs)}."
            )
        grid = np.array([run["val_accuracy"] for run in runs[: L * W]], dtype=float)
        test = np.array([run["test_accuracy"] for run in runs[: L * W]], dtype=float)
        table = cls(
            np.array(config.lrs), np.array(config.weight_decays), grid.reshape(L, W, E),
            test.reshape(L, W),
        )  # fmt: skip
        for i, j in config.seeded_cells:
            curves = [table.val_curves[i, j]]
            tests = [table.test_accuracy[i, j]]
            for run in runs[L * W :]:
                if math.isclose(run["lr"], config.lrs[i]) and math.isclose(
                    run["weight_decay"], config.weight_decays[j]
                ):
                    curves.append(np.array(run["val_accuracy"]))
                    tests.append(run["test_accuracy"])
            table.seed_runs[(i, j)] = np.array(curves)
            table.seed_test[(i, j)] = np.array(tests)
        return table

    @property
    def final_val(self) -> np.ndarray:
        """``(L, W)`` validation accuracy after the last epoch."""
        return self.val_curves[..., -1]

    @property
    def num_epochs(self) -> int:
        return self.val_curves.shape[-1]

    @property
    def shape(self) -> tuple[int, int]:
        return self.final_val.shape

    def best(self) -> tuple[int, int]:
        """The grid cell ``(i, j)`` with the highest final validation accuracy."""
        return tuple(int(k) for k in np.unravel_index(np.argmax(self.final_val), self.shape))


def load_or_train_table(config: TableConfig = TableConfig(), *, workers: int = 2) -> ResultsTable:
    """The table of ``config`` from ``data/models/``, trained there first if absent.

    Args:
        config: The grid and the training settings.
        workers: Processes that train the runs (not part of the key: results do not depend on it).

    Returns:
        The :class:`ResultsTable`.
    """
    check_config(config, TableConfig)
    check_int(workers, "workers")

    def run() -> list[dict]:
        return train_table(config, workers=workers)

    runs = load_or_run("hpo-mlp-table", asdict(config), run)
    return ResultsTable.from_runs(runs, config)
