"""Wall-clock timing for the pages and ``lib``: the best of several calls, and a block's time.

Timings are the only outputs that nbval does not compare: a page's timing cell starts with
``# NBVAL_IGNORE_OUTPUT`` and a later cell asserts what the prose says about them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    """``with timer() as elapsed: ...`` then ``elapsed()`` gives the block's wall time in s."""
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def best_time(fn: Callable[[], object], *, repeats: int = 3) -> float:
    """Best wall time of ``repeats`` calls of ``fn``, in seconds (the least disturbed run)."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}.")
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
