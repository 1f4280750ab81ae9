"""The one runner of the bad-input modules: each case is a call, the error it must raise and a
regex its message must match (argument, what was received, what to pass)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest


def clear_error_test(cases: Sequence[object]) -> Callable[..., None]:
    """A test parametrized over ``cases`` (``pytest.param(call, error, message, id=...)``);
    assign it to a ``test_...`` name in the module that holds the cases."""

    @pytest.mark.parametrize("call, error, message", cases)
    def test_bad_input_raises_a_clear_error(
        call: Callable[[], object], error: type[Exception], message: str
    ) -> None:
        with pytest.raises(error, match=message):
            call()

    return test_bad_input_raises_a_clear_error
