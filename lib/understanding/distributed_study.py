"""Several workers sharing one Optuna study through its storage; run as a worker with ``python -m``.

Every worker is an ordinary process that opens the same study by name in the same storage and
runs trials until the study has ``max_trials`` of them; the storage hands out trial numbers, so
two workers never run the same trial. Here the storage is a journal file
(``optuna.storages.JournalStorage`` over ``journal.JournalFileBackend``), which processes on one
machine (or on machines sharing an NFS mount) append to under a file lock; SQLite is avoided
because it locks the whole database against concurrent writers. Many machines share a database
instead: pass an RDB URL such as ``postgresql://user:password@host/db`` or
``mysql+pymysql://user:password@host/db`` as ``--storage``, and the same command runs unchanged
on every machine, once the study exists (:func:`run_workers` creates it before starting any
worker; on a cluster, ``optuna create-study --storage URL --study-name NAME`` does).

The objective replays the cached table of :mod:`lib.understanding.table` (a JSON file with
``lrs``, ``weight_decays`` and ``final_val``), optionally sleeping ``cost_seconds`` per trial to
stand for a real training run. This module imports neither torch nor the rest of ``lib``'s
training code, so a worker starts in about a second.

Command line::

    python -m lib.understanding.distributed_study --storage STUDY.log --study NAME \\
        --table TABLE.json --max-trials 40 --worker 0 [--cost-seconds 0.05]

Each worker prints one JSON line, ``{"worker": k, "trials": [numbers it ran]}``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import optuna
from optuna.study import MaxTrialsCallback

from lib.understanding.search import nearest_index


def make_storage(spec: str) -> optuna.storages.BaseStorage | str:
    """A journal-file storage for a file path; an RDB URL (``scheme://...``) is returned as is.

    Args:
        spec: ``path/to/study.log`` or e.g. ``postgresql://user:password@host/db``.
    """
    if "://" in spec:
        return spec  # optuna.create_study turns a URL into an RDBStorage
    return optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(spec))


def run_worker(
    storage: str, study_name: str, table: dict, max_trials: int, worker: int, cost_seconds: float
) -> list[int]:
    """Join (or create) the study and run trials until it holds ``max_trials`` completed ones.

    ``MaxTrialsCallback`` stops a worker after a trial once the study counts ``max_trials``
    trials (running ones included). Two workers can still both start a trial when one is left; a
    trial numbered ``max_trials`` or more is therefore pruned at once, so that exactly
    ``max_trials`` trials complete.

    Returns:
        The numbers of the trials this worker ran.
    """
    if max_trials < 1:
        raise ValueError(f"max_trials must be positive, got {max_trials}.")
    lrs, weight_decays = table["lrs"], table["weight_decays"]
    final_val = np.asarray(table["final_val"], dtype=float)
    if final_val.shape != (len(lrs), len(weight_decays)):
        raise ValueError(f"final_val {final_val.shape} does not match the table's axes.")
    study = optuna.create_study(
        study_name=study_name,
        storage=make_storage(storage),
        sampler=optuna.samplers.TPESampler(seed=worker),
        direction="maximize",
        load_if_exists=True,
    )
    ran: list[int] = []

    def objective(trial: optuna.Trial) -> float:
        ran.append(trial.number)
        if trial.number >= max_trials:
            raise optuna.TrialPruned()
        lr = trial.suggest_float("lr", min(lrs), max(lrs), log=True)
        weight_decay = trial.suggest_float(
            "weight_decay", min(weight_decays), max(weight_decays), log=True
        )
        time.sleep(cost_seconds)
        return float(final_val[nearest_index(lr, lrs), nearest_index(weight_decay, weight_decays)])

    study.optimize(objective, callbacks=[MaxTrialsCallback(max_trials, states=None)])
    return ran


@dataclass
class SharedStudy:
    """What :func:`run_workers` saw.

    Attributes:
        worker_trials: Per worker, the trial numbers it ran.
        trials: Every trial of the study, read back from the storage.
        seconds: Wall time from starting the first worker to the end of the last.
    """

    worker_trials: list[list[int]]
    trials: list[optuna.trial.FrozenTrial]
    seconds: float


def run_workers(
    storage: str,
    study_name: str,
    table_file: Path,
    *,
    num_workers: int,
    max_trials: int,
    cost_seconds: float = 0.0,
) -> SharedStudy:
    """Start ``num_workers`` worker processes on one study and wait for all of them.

    Args:
        storage: Journal file path or RDB URL (:func:`make_storage`), shared by the workers.
        study_name: The study every worker opens.
        table_file: JSON table of the objective (``lrs``, ``weight_decays``, ``final_val``).
        num_workers: Processes started at once.
        max_trials: Completed trials the study ends with.
        cost_seconds: Seconds each trial sleeps, standing for training.

    Returns:
        The :class:`SharedStudy`.

    Raises:
        RuntimeError: if a worker fails (its standard error is in the message).
    """
    if num_workers < 1:
        raise ValueError(f"num_workers must be positive, got {num_workers}.")
    # The study (and, on a fresh database, its tables) is created once, before any worker starts:
    # workers that create the tables at the same moment collide on the server.
    optuna.create_study(
        study_name=study_name,
        storage=make_storage(storage),
        direction="maximize",
        load_if_exists=True,
    )
    command = [sys.executable, "-m", "lib.understanding.distributed_study", "--storage", storage]
    command += ["--study", study_name, "--table", str(table_file), "--max-trials", str(max_trials)]
    command += ["--cost-seconds", str(cost_seconds)]
    start = time.perf_counter()
    workers = [
        subprocess.Popen(
            [*command, "--worker", str(k)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(num_workers)
    ]
    outputs = [worker.communicate() for worker in workers]
    seconds = time.perf_counter() - start
    worker_trials = []
    for worker, (out, err) in zip(workers, outputs, strict=True):
        if worker.returncode != 0:
            raise RuntimeError(f"a worker failed with exit code {worker.returncode}:\n{err}")
        worker_trials.append(json.loads(out.strip().splitlines()[-1])["trials"])
    study = optuna.load_study(study_name=study_name, storage=make_storage(storage))
    return SharedStudy(worker_trials, study.get_trials(deepcopy=False), seconds)


def main(argv: Sequence[str] | None = None) -> int:
    """The worker's command line (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m lib.understanding.distributed_study", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--storage", required=True, help="journal file path or RDB URL")
    parser.add_argument("--study", required=True, help="study name shared by the workers")
    parser.add_argument("--table", required=True, type=Path, help="JSON table of the objective")
    parser.add_argument("--max-trials", required=True, type=int)
    parser.add_argument("--worker", type=int, default=0, help="worker number, the sampler's seed")
    parser.add_argument("--cost-seconds", type=float, default=0.0)
    args = parser.parse_args(argv)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    table = json.loads(args.table.read_text())
    ran = run_worker(
        args.storage, args.study, table, args.max_trials, args.worker, args.cost_seconds
    )
    print(json.dumps({"worker": args.worker, "trials": ran}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
