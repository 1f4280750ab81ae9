"""Seeding, thread count and device: the set-up every notebook runs once, and the one way to make
a random number generator.

Seeding and threads are separate: :func:`set_threads` is called once, by
:func:`lib.notebook.setup` (or a script's entry point); :func:`seed_everything` and the library
functions that re-seed never touch the thread count. Library code that needs another count for a
block (the tiny RL networks run on one thread) uses :func:`threads`, which restores the caller's.
"""

from __future__ import annotations

import numbers
import os
import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

NUM_THREADS = 2
"""Torch intra-op threads used everywhere. Fixed in code, not taken from the machine: the same
training run with 1 and 2 threads differs in the 4th digit of test accuracy, so the stored
notebook outputs hold only for one fixed count. It governs CPU kernels only; on a GPU the
kernels run on the device whatever the count (and the stored outputs, made on a CPU, are not
expected to reproduce there)."""

SEED = 0
"""The book's default seed."""


def seed_everything(seed: int = SEED) -> torch.Generator:
    """Seed Python, NumPy and torch and make torch deterministic (the thread count is untouched).

    Args:
        seed: Seed for every global random number generator.

    Returns:
        A fresh generator from :func:`make_generator`, for DataLoaders and samplers.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}.")
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    return make_generator(seed)


def make_generator(seed: int = SEED) -> torch.Generator:
    """A CPU ``torch.Generator`` seeded with ``seed``: the book's one way to make a generator
    (for ``DataLoader(generator=...)``, samplers and any function taking ``generator=``)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"seed must be an int, got {seed!r} ({type(seed).__name__}); pass e.g. "
            "make_generator(0) or make_generator(SEED + 1)."
        )
    return torch.Generator().manual_seed(int(seed))  # int(): numpy ints too


def set_threads(num_threads: int = NUM_THREADS) -> None:
    """Fix torch's intra-op thread count (once, at the top of a notebook or script).

    Args:
        num_threads: Threads; keep the default :data:`NUM_THREADS` so stored outputs reproduce.
    """
    if not isinstance(num_threads, int) or isinstance(num_threads, bool) or num_threads < 1:
        raise ValueError(f"num_threads must be a positive int, got {num_threads!r}.")
    torch.set_num_threads(num_threads)


@contextmanager
def threads(num_threads: int) -> Iterator[None]:
    """Run the block with ``num_threads`` torch intra-op threads, then restore the caller's count.

    Args:
        num_threads: Threads inside the block.
    """
    previous = torch.get_num_threads()
    set_threads(num_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def get_device() -> torch.device:
    """CUDA when present, else CPU. The book's stored outputs are produced on the CPU.

    Notebooks pass it on as ``device=`` to the ``lib`` functions that build, train or load
    models; functions given a model use the model's device.
    """
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
