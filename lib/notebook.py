"""The set-up every notebook of the book runs in its first code cell."""

from __future__ import annotations

import torch

from lib.known_warnings import ignore_known_warnings
from lib.plotting import set_style
from lib.reproducibility import NUM_THREADS, get_device, seed_everything, set_threads


def setup(seed: int = 0, *, num_threads: int = NUM_THREADS) -> torch.device:
    """Fix threads, seed everything, silence known warnings, set the plot style; return the device.

    Args:
        seed: The notebook's seed (re-seed with :func:`lib.reproducibility.seed_everything`
            before each training or sampling cell).
        num_threads: Torch threads; keep the default so stored outputs reproduce. Nothing else
            in ``lib`` changes it (the RL networks run single-threaded inside a block that
            restores it).
    """
    ignore_known_warnings()
    set_threads(num_threads)
    seed_everything(seed)
    set_style()
    return get_device()
