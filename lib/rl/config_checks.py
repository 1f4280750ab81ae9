"""Validation of the agents' configuration dataclasses (:class:`~lib.rl.dqn.DQNConfig`,
:class:`~lib.rl.reinforce.ReinforceConfig`, :class:`~lib.rl.actor_critic.A2CConfig`,
:class:`~lib.rl.ddpg.DDPGConfig`), called from their ``__post_init__``.

Every error names the class and the field, the value received and what to pass (the field's
default, or the bound it broke).
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any


def _fail(
    config: Any, name: str, requirement: str, suggestion: str | None = None, reason: str = ""
) -> None:
    field = next(f for f in fields(config) if f.name == name)
    if suggestion is None and field.default is not MISSING:
        suggestion = f"e.g. the default {field.default!r}"
    raise ValueError(
        f"{type(config).__name__}.{name} must be {requirement}, got "
        f"{getattr(config, name)!r}{reason}; pass {suggestion}."
    )


def check_at_least(config: Any, minimum: int, *names: str) -> None:
    """Each named field is ``>= minimum`` (counts of steps, episodes, batch sizes)."""
    for name in names:
        if not getattr(config, name) >= minimum:
            _fail(config, name, f">= {minimum}")


def check_positive(config: Any, *names: str) -> None:
    """Each named field is ``> 0`` (learning rates, gradient-norm clips)."""
    for name in names:
        if not getattr(config, name) > 0:
            _fail(config, name, "> 0")


def check_in_unit_interval(config: Any, *names: str, exclude_zero: bool = False) -> None:
    """Each named field lies in ``[0, 1]`` (``(0, 1]`` with ``exclude_zero``)."""
    low = "(0" if exclude_zero else "[0"
    for name in names:
        value = getattr(config, name)
        if not ((value > 0 if exclude_zero else value >= 0) and value <= 1):
            _fail(config, name, f"in {low}, 1]")


def check_hidden(config: Any) -> None:
    """``hidden`` is a non-empty tuple of layer sizes ``>= 1``."""
    hidden = config.hidden
    if not (
        isinstance(hidden, tuple)
        and hidden
        and all(isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in hidden)
    ):
        _fail(config, "hidden", "a non-empty tuple of layer sizes >= 1")


def check_learning_starts(config: Any) -> None:
    """``batch_size <= learning_starts <= total_steps``: the first batch can be drawn, and some
    step of the run learns."""
    if config.learning_starts < config.batch_size:
        _fail(
            config,
            "learning_starts",
            f">= batch_size ({config.batch_size})",
            f"at least {config.batch_size}, or a smaller batch_size",
            ": the first batch could not be drawn",
        )
    if config.learning_starts > config.total_steps:
        _fail(
            config,
            "learning_starts",
            f"<= total_steps ({config.total_steps})",
            f"at most {config.total_steps}, or a larger total_steps",
            ": the agent would never learn",
        )
