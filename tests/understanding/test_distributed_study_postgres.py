"""Two worker processes share one Optuna study on a PostgreSQL server, as workers on a cluster do.

The tuning page runs its two-worker study on a journal file (one machine). Across machines,
Optuna's workers share a database server instead; this test starts a throwaway local PostgreSQL
server (``initdb`` + ``pg_ctl``, listening on a Unix socket in a temporary folder only) and runs
the very same worker command against it. ``make test`` installs PostgreSQL's server where it runs
as root on Debian (see the Makefile's ``postgres`` target); elsewhere the test is skipped with a
note saying what to install.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest

from lib.understanding.distributed_study import run_workers
from tests.understanding.test_distributed_study import _table


def _server_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: on PATH, or Debian's versioned folder."""
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_server_user() -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its commands as the ``postgres`` user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root without a 'postgres' user to run the server as")
    return ["runuser", "-u", "postgres", "--"]


def _run(command: list[str]) -> None:
    """Run a server command; on failure, fail with its own message."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL of a fresh PostgreSQL server on a Unix socket, stopped after the test."""
    binaries = _server_binaries()
    if binaries is None:
        pytest.skip(
            "PostgreSQL's server is not installed (initdb not found): install Debian's "
            "postgresql package, or run make test as root, which installs it"
        )
    pytest.importorskip("psycopg2", reason="psycopg2 is in requirements.txt: run make setup")
    prefix = _as_server_user()
    # Not under pytest's temporary folder: that one is private to the user running the tests.
    root = Path(tempfile.mkdtemp(prefix="book-postgres-"))
    root.chmod(0o755)
    data, socket, port = root / "data", root / "socket", "54329"
    socket.mkdir()
    if prefix:
        shutil.chown(root, user="postgres")
        shutil.chown(socket, user="postgres")
    pg_ctl = [*prefix, str(binaries / "pg_ctl"), "-D", str(data)]
    try:
        _run([*prefix, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "book"])
        _run(
            [
                *pg_ctl,
                "-o",
                f"-k {socket} -p {port} -c listen_addresses=''",
                "-l",
                str(root / "server.log"),
                "-w",
                "start",
            ]
        )
        yield f"postgresql+psycopg2://book@/postgres?host={socket}&port={port}"
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)


def test_two_workers_share_one_study_on_a_database_server(tmp_path, postgres_url):
    shared = run_workers(
        postgres_url, "cluster", _table(tmp_path), num_workers=2, max_trials=20,
        cost_seconds=0.02,
    )  # fmt: skip
    numbers = [t.number for t in shared.trials]
    assert len(numbers) == len(set(numbers)) == max(numbers) + 1
    ran = sorted(n for trials in shared.worker_trials for n in trials)
    assert ran == sorted(numbers)  # each trial run by exactly one worker
    complete = [t for t in shared.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert sorted(t.number for t in complete) == list(range(20))
    assert all(len(trials) > 0 for trials in shared.worker_trials)
