"""lib.timing: a block's wall time, and the best of several calls."""

import time

import pytest

from lib.timing import best_time, timer


def test_timer_measures_the_block():
    with timer() as elapsed:
        pass
    first = elapsed()
    assert first >= 0 and elapsed() == first


def test_best_time_takes_the_fastest_call():
    delays = iter([0.02, 0.0, 0.01])

    def call() -> None:
        time.sleep(next(delays))

    assert best_time(call, repeats=3) < 0.01
    with pytest.raises(ValueError, match="repeats"):
        best_time(call, repeats=0)
