"""The set-up every notebook of the book runs in its first code cell, :func:`glue` and
:func:`glue_number`."""

from __future__ import annotations

import ast
import inspect
import platform
import textwrap
from importlib import metadata
from pathlib import Path

import torch

import lib
from lib.known_warnings import ignore_known_warnings
from lib.plotting import set_style
from lib.reproducibility import NUM_THREADS, get_device, seed_everything, set_threads

#: The packages whose versions :func:`versions` reports, as (label, installed distribution name).
REPORTED_PACKAGES = (
    ("torch", "torch"),
    ("torchvision", "torchvision"),
    ("torch_geometric", "torch-geometric"),
    ("numpy", "numpy"),
)


def versions() -> str:
    """The versions a page runs with, on one line, identical on every machine with the book's pins.

    Python is reported as major.minor only, and local version labels (torch's ``+cu128`` or
    ``+cpu``) are dropped, so that the stored output of the set-up cell does not depend on the
    patch release or on the hardware build.

    Returns:
        For example ``"Python 3.11 · torch 2.14.1 · torchvision 0.29.1 · torch_geometric 2.8.1 ·
        numpy 2.4.6 · lib 0.1.0"``.
    """
    python = ".".join(platform.python_version_tuple()[:2])
    packages = [
        f"{label} {metadata.version(name).split('+')[0]}" for label, name in REPORTED_PACKAGES
    ]
    return " · ".join([f"Python {python}", *packages, f"lib {lib.__version__}"])


def setup(seed: int = 0, *, num_threads: int = NUM_THREADS) -> torch.device:
    """Fix threads, seed everything, silence known warnings, set the plot style, print
    :func:`versions`; return the device (:func:`lib.reproducibility.get_device`), which the
    notebook passes as ``device=`` to ``lib``.

    Args:
        seed: The notebook's seed (re-seed with :func:`lib.reproducibility.seed_everything`
            before each training or sampling cell).
        num_threads: Torch CPU threads; keep the default so stored outputs reproduce. Nothing else
            in ``lib`` changes it (the RL networks run single-threaded inside a block that
            restores it).
    """
    ignore_known_warnings()
    set_threads(num_threads)
    seed_everything(seed)
    set_style()
    print(versions())
    return get_device()


def glue(name: str, variable: object, display: bool = True) -> None:
    """Store ``variable`` under ``name`` for the book's text (``{glue:text}`name` ``).

    Forwards to ``myst_nb.glue`` where myst-nb is installed (the book's build). Elsewhere (Colab,
    Binder, a plain ``pip install``) there is no book to glue into: the value is only shown when
    ``display`` is true, as a plain output, so ``lib`` does not need myst-nb.

    Args:
        name: The key the text refers to.
        variable: The value (a plain Python number or string, a figure, ...).
        display: Whether the cell also shows the value.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(variable)
        return
    myst_glue(name, variable, display=display)


def glue_number(name: str, value: float, digits: int = 4) -> None:
    """Store ``value`` rounded to ``digits`` decimals under ``name`` for the text, not shown.

    The text chooses how many digits it prints (``{glue:text}`name:.3f` ``); the stored value
    keeps a few more, so that it reads the same on every machine whose run agrees within the
    cell's tolerance. An ``int`` is stored unchanged.

    Args:
        name: The key the text refers to.
        value: A Python ``int`` or ``float`` (``tensor.item()``, ``float(array.mean())``).
        digits: Decimals kept.

    Raises:
        TypeError: If ``value`` is not a real number (a tensor or a NumPy array, a bool).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"glue_number({name!r}, ...) takes a Python int or float, got {type(value).__name__}; "
            "pass tensor.item() or float(x)."
        )
    if isinstance(value, float):
        value = float(value)  # a NumPy float64 (a float subclass) becomes a plain Python float
    glue(name, round(value, digits), display=False)


def source_markdown(obj: object, *, docstring: bool = False) -> str:
    """The source code of a ``lib`` function or class as a Markdown code block, with its home.

    Args:
        obj: A function, method or class defined in a ``lib`` module.
        docstring: Whether to keep the docstring (off: the page's prose explains the code).

    Returns:
        A line naming where the code lives (``lib/understanding/attention.py``) and the code,
        dedented, in a fenced ``python`` block.

    Raises:
        TypeError: If ``obj`` is not a function, method or class (for example an instance, or a
            tensor), whose source cannot be shown.
    """
    target = inspect.unwrap(obj) if callable(obj) else obj
    if not (inspect.isfunction(target) or inspect.ismethod(target) or inspect.isclass(target)):
        raise TypeError(
            f"show_source takes a function, method or class, got {type(obj).__name__}; "
            "pass the function itself (show_source(fit_temperature)), not its result."
        )
    lines, _ = inspect.getsourcelines(target)
    code = textwrap.dedent("".join(lines))
    if not docstring:
        code = _without_docstrings(code)
    module = inspect.getmodule(target)
    name = f"{module.__name__}.{target.__qualname__}" if module else target.__qualname__
    where = Path(inspect.getsourcefile(target) or "").resolve()
    root = Path(lib.__file__).resolve().parent.parent
    home = where.relative_to(root).as_posix() if where.is_relative_to(root) else where.name
    return f"`{name}`, from `{home}`:\n\n```python\n{code.rstrip()}\n```\n"


def _without_docstrings(code: str) -> str:
    """``code`` without the docstrings of its functions and classes (other lines untouched)."""
    tree = ast.parse(code)
    lines = code.splitlines(keepends=True)
    drop: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                end = first.end_lineno or first.lineno
                drop.update(range(first.lineno, end + 1))
                if end < len(lines) and not lines[end].strip():
                    drop.add(end + 1)  # the blank line that followed the docstring
    return "".join(line for number, line in enumerate(lines, 1) if number not in drop)


def show_source(obj: object, *, docstring: bool = False) -> None:
    """Show the source of a ``lib`` function or class on the page, highlighted.

    The page then shows the very code it runs: in the book's HTML, in Jupyter and in Colab the
    output is a Markdown code block (see :func:`source_markdown`).

    Args:
        obj: A function, method or class defined in ``lib``.
        docstring: Whether to keep the docstring.
    """
    from IPython.display import Markdown, display

    display(Markdown(source_markdown(obj, docstring=docstring)))
