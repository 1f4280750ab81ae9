"""What every figure of the book is checked for: returned open (``plt.show()`` shows it) and with
labelled axes."""

from __future__ import annotations

import inspect
from types import ModuleType

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def _has_data(ax: Axes) -> bool:
    return bool(ax.lines or ax.patches or ax.collections or ax.images)


def _labelled(ax: Axes, which: str) -> bool:
    """Whether the x or y axis of ``ax`` says what it shows.

    It does with a label, through an axes it is shared with that has one, with text tick labels
    (categories), or when it has no ticks at all (an image).
    """
    axis = ax.xaxis if which == "x" else ax.yaxis
    shared = ax.get_shared_x_axes() if which == "x" else ax.get_shared_y_axes()
    siblings = shared.get_siblings(ax)
    if any((s.get_xlabel() if which == "x" else s.get_ylabel()) for s in siblings):
        return True
    ticks = [t.get_text() for t in axis.get_ticklabels()]
    if not len(axis.get_ticklocs()):
        return True
    return bool(ticks) and all(t and not t.lstrip("−-").replace(".", "").isdigit() for t in ticks)


def assert_labelled_figure(fig: Figure) -> None:
    """``fig`` is a Figure, still open, and every axes that shows data has labelled axes.

    Axes switched off (diagrams, image grids) need no labels; a colour bar needs its label.
    """
    assert isinstance(fig, Figure), type(fig)
    assert plt.fignum_exists(fig.number), "return the figure open, for plt.show() to show it"
    fig.canvas.draw()
    for ax in fig.axes:
        if not ax.axison or not _has_data(ax):
            continue
        if hasattr(ax, "_colorbar"):
            assert ax.get_ylabel() or ax.get_xlabel(), "a colour bar without a label"
            continue
        for which in ("x", "y"):
            assert _labelled(ax, which), f"{which} axis of {ax.get_title()!r} has no label"


def figure_functions(module: ModuleType) -> set[str]:
    """The names of the public functions ``module`` defines (its figures)."""
    return {
        name
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and value.__module__ == module.__name__
        and not name.startswith("_")
    }


def assert_module_figures(module: ModuleType, figures: dict[str, Figure]) -> None:
    """``figures`` holds one figure of each plotting function of ``module``, each checked by
    :func:`assert_labelled_figure`."""
    assert figure_functions(module) == set(figures), "draw every plotting function of the module"
    for fig in figures.values():
        assert_labelled_figure(fig)
