"""What a page claims from its results, checked on the reader's own run.

Every page of the book ends with a table "What this page claims, checked on your run": one row
per claim the prose makes from a result ("the ensemble's error is lower than the single
network's"), the value this run measured, the bound the claim needs, and whether it holds. A
student who re-runs the page (in Colab, on another computer, after changing a setting) sees at a
glance which statements of the text their run supports; a claim that does not hold stops the run
with a message that says which claim and by how much::

    claims = Claims()
    claims.that("ViT accuracy minus CNN accuracy", vit - cnn, below=0.0)
    claims.that("classes drawn among 100 samples", num_classes, at_least=9)
    claims.check()
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TITLE = "What this page claims, checked on your run"

_BOUNDS = {
    "above": (">", lambda value, bound: value > bound),
    "below": ("<", lambda value, bound: value < bound),
    "at_least": (">=", lambda value, bound: value >= bound),
    "at_most": ("<=", lambda value, bound: value <= bound),
    "equals": ("==", lambda value, bound: value == bound),
}


class ClaimNotHeld(AssertionError):
    """A claim of the page does not hold on this run (the message says which, and by how much)."""


@dataclass(frozen=True)
class Claim:
    """One claim: a measured value and the bounds it must satisfy.

    Attributes:
        text: What the value is, as the prose says it (``"ECE after temperature scaling"``).
        value: The value measured on this run (a number, or a bool for a yes/no fact).
        bounds: ``(name, bound)`` pairs, names from ``above``, ``below``, ``at_least``,
            ``at_most``, ``equals``; empty for a bool value, which must be true.
        fmt: How the value and the bounds are printed (a format spec such as ``".3f"``).
    """

    text: str
    value: float | int | bool
    bounds: tuple[tuple[str, float], ...]
    fmt: str = ".4g"

    def failures(self) -> list[str]:
        """Each bound the value misses, with by how much; empty when the claim holds."""
        if not self.bounds:
            return [] if self.value is True else ["it is false on this run"]
        problems = []
        for name, bound in self.bounds:
            symbol, holds = _BOUNDS[name]
            if isinstance(self.value, float) and math.isnan(self.value):
                problems.append(f"the value is NaN, not {symbol} {bound:{self.fmt}}")
            elif not holds(self.value, bound):
                problems.append(
                    f"{self.value:{self.fmt}} is not {symbol} {bound:{self.fmt}} "
                    f"(off by {abs(self.value - bound):{self.fmt}})"
                )
        return problems

    def required(self) -> str:
        """The bounds as text, e.g. ``"> 0.5 and < 2"``, or ``"true"`` for a yes/no fact."""
        if not self.bounds:
            return "true"
        return " and ".join(f"{_BOUNDS[n][0]} {b:{self.fmt}}" for n, b in self.bounds)

    def shown_value(self) -> str:
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return f"{self.value:{self.fmt}}"


class Claims:
    """The claims a page makes from its results, printed as a table and checked together.

    Add one row per claim with :meth:`that`, then call :meth:`check` once, in the page's last
    cell. The table is printed whether or not every claim holds, so a failing run still shows
    the whole picture before it stops.
    """

    def __init__(self) -> None:
        self.claims: list[Claim] = []

    def that(
        self,
        text: str,
        value: float | int | bool,
        *,
        above: float | None = None,
        below: float | None = None,
        at_least: float | None = None,
        at_most: float | None = None,
        equals: float | None = None,
        fmt: str = ".4g",
    ) -> bool:
        """Record that ``value`` (what ``text`` names) satisfies the given bounds.

        Args:
            text: What the value is, in the words of the prose.
            value: A Python number measured on this run (``tensor.item()``, ``float(x)``), or a
                bool for a yes/no fact (then give no bound: it must be true).
            above, below, at_least, at_most, equals: The bounds the claim needs (all must hold).
            fmt: Format spec for printing the value and the bounds.

        Returns:
            Whether the claim holds on this run.

        Raises:
            TypeError: If ``value`` is not a Python number or bool, or a bool is given bounds.
            ValueError: If a number is given no bound.
        """
        bounds = tuple(
            (name, bound)
            for name, bound in (
                ("above", above),
                ("below", below),
                ("at_least", at_least),
                ("at_most", at_most),
                ("equals", equals),
            )
            if bound is not None
        )
        if not isinstance(value, (bool, int, float)):
            raise TypeError(
                f"claim {text!r}: the value must be a Python number or bool, got "
                f"{type(value).__name__}; pass tensor.item() or float(x)."
            )
        if isinstance(value, bool) and bounds:
            raise TypeError(
                f"claim {text!r}: a yes/no value takes no bound; pass the number it is "
                "computed from with above=, below=, ... instead."
            )
        if not isinstance(value, bool) and not bounds:
            raise ValueError(
                f"claim {text!r}: say what the value must satisfy (above=, below=, at_least=, "
                "at_most= or equals=)."
            )
        claim = Claim(text, value, bounds, fmt)
        self.claims.append(claim)
        return not claim.failures()

    def table(self) -> str:
        """The claims as a plain-text table: claim, value on this run, required, holds."""
        rows = [("claim", "value", "required", "holds")] + [
            (c.text, c.shown_value(), c.required(), "no" if c.failures() else "yes")
            for c in self.claims
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = [
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
            for row in rows
        ]
        return "\n".join([TITLE, *lines])

    def check(self) -> None:
        """Print :meth:`table`; raise :class:`ClaimNotHeld` naming every claim that fails.

        Raises:
            ClaimNotHeld: If any claim does not hold on this run.
            ValueError: If no claim was recorded.
        """
        if not self.claims:
            raise ValueError("no claims to check: add them with claims.that(...) first.")
        print(self.table())
        failed = [(c, c.failures()) for c in self.claims if c.failures()]
        if failed:
            lines = [f"- {c.text}: {'; '.join(problems)}" for c, problems in failed]
            raise ClaimNotHeld(
                f"{len(failed)} of {len(self.claims)} claims of this page do not hold on this "
                "run, so the text does not describe it:\n" + "\n".join(lines)
            )
