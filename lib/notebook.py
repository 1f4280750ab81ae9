"""The set-up every notebook of the book runs in its first code cell."""

from __future__ import annotations

import warnings

import torch

from lib.plotting import set_style
from lib.reproducibility import NUM_THREADS, get_device, seed_everything


def setup(seed: int = 0, *, num_threads: int = NUM_THREADS) -> torch.device:
    """Seed everything, fix threads, set the plot style; return the device to compute on.

    Args:
        seed: The notebook's seed (re-seed with :func:`lib.reproducibility.seed_everything`
            before each training or sampling cell).
        num_threads: Torch threads; keep the default so stored outputs reproduce.
    """
    # PyG still calls torch.jit.script at import, which torch 2.14 flags; nothing to act on.
    warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated")
    seed_everything(seed, num_threads=num_threads)
    set_style()
    return get_device()
