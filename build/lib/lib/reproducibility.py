"""Seeding, determinism, thread count and device: one call at the top of every notebook."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

NUM_THREADS = 2
"""Torch intra-op threads used everywhere. Fixed in code, not taken from the machine: the same
training run with 1 and 2 threads differs in the 4th digit of test accuracy, so the stored
notebook outputs hold only for one fixed count."""

SEED = 0
"""The book's default seed."""


def seed_everything(seed: int = SEED, *, num_threads: int = NUM_THREADS) -> torch.Generator:
    """Seed Python, NumPy and torch, make torch deterministic and fix its thread count.

    Args:
        seed: Seed for every random number generator.
        num_threads: Torch intra-op thread count (default :data:`NUM_THREADS`).

    Returns:
        A fresh ``torch.Generator`` seeded with ``seed``, for DataLoaders and samplers.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}.")
    if not isinstance(num_threads, int) or num_threads < 1:
        raise ValueError(f"num_threads must be a positive int, got {num_threads!r}.")
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.set_num_threads(num_threads)
    return make_generator(seed)


def make_generator(seed: int = SEED) -> torch.Generator:
    """A CPU ``torch.Generator`` seeded with ``seed`` (for ``DataLoader(generator=...)``)."""
    return torch.Generator().manual_seed(seed)


def get_device() -> torch.device:
    """CUDA when present, else CPU. The book's stored outputs are produced on the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
