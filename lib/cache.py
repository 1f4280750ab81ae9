"""The book's one cache: results keyed by their configuration *and* the code that computes them.

Everything expensive that several pages share (trained models, learning curves) is computed once by
``lib`` code and stored under ``data/models/`` with a key made of

* the configuration (everything that determines the result, seeds included), and
* a fingerprint of the code: the source of the module that defines the function computing the
  result, and of every module of the same package that it imports, transitively (imports inside
  functions included).

Nobody has to remember to bump a version: edit a training loop, a model, a loss or a data helper
that the training function reaches through its imports and the key changes, so the result is
computed again. Docstrings, comments and formatting are not part of the fingerprint (it hashes the
syntax tree), so reformatting ``lib`` keeps the cache. The fingerprint is conservative: a change
to any imported module of the package invalidates, even one the run never calls.

Model checkpoints go through :func:`lib.checkpoints.train_or_load`; JSON documents (learning
curves) through :func:`load_or_run`. Deleting ``data/models/`` and running again reproduces
everything (computation is seeded).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import inspect
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from lib.data import data_dir


def _module_file(module: str) -> Path | None:
    """The source file of ``module`` (``__init__.py`` for a package), or None if there is none."""
    loaded = sys.modules.get(module)
    file = getattr(loaded, "__file__", None)
    if file is None:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            return None
        file = spec.origin if spec is not None else None
    return Path(file) if file is not None and file.endswith(".py") else None


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    """``tree`` without the docstrings of its module, classes and functions (edited in place)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    node.body = body[1:] or [ast.Pass()]
    return tree


def _imported_modules(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every module named by an import anywhere in ``tree`` (the source of ``module``).

    ``from a.b import c`` names ``a.b`` and, when it is a module, ``a.b.c``; relative imports are
    resolved against ``module``.
    """
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                anchor = parts if is_package else parts[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    # importing a.b.c runs a/__init__.py and a/b/__init__.py too
    return {".".join(name.split(".")[:i]) for name in names for i in range(1, name.count(".") + 2)}


def fingerprinted_modules(*functions: Callable[..., Any]) -> dict[str, str]:
    """The code :func:`code_fingerprint` hashes for ``functions``: ``{module or function: code}``.

    For a function defined in a module file: that module and every module of the same top-level
    package that it imports, transitively, each as the dump of its syntax tree without
    docstrings. For a function defined elsewhere (a notebook cell): its own source.

    Raises:
        ValueError: if no function is given, or a function's source cannot be found.
    """
    if not functions:
        raise ValueError(
            "pass the functions that compute the result, e.g. code_fingerprint(train)."
        )
    code: dict[str, str] = {}
    todo = []
    for function in functions:
        module = getattr(function, "__module__", None) or ""
        if module and module != "__main__" and _module_file(module) is not None:
            parts = module.split(".")  # importing a.b.c runs a/__init__.py and a/b/__init__.py
            todo.extend(".".join(parts[:i]) for i in range(1, len(parts) + 1))
            continue
        try:
            code[f"<{getattr(function, '__qualname__', function)}>"] = inspect.getsource(function)
        except (OSError, TypeError):
            raise ValueError(
                f"cannot read the source of {function!r}; define it in a module file (e.g. in lib)."
            ) from None
    while todo:
        module = todo.pop()
        file = _module_file(module)
        if module in code or file is None:
            continue
        tree = ast.parse(file.read_text(encoding="utf-8"))
        package = module.split(".")[0]
        for name in _imported_modules(tree, module, is_package=file.name == "__init__.py"):
            if name.split(".")[0] == package and name not in code:
                todo.append(name)
        code[module] = ast.dump(_strip_docstrings(tree))
    return code


def code_fingerprint(*functions: Callable[..., Any]) -> str:
    """A hash of the code that ``functions`` run, as far as their package's own source goes.

    Covers the modules listed by :func:`fingerprinted_modules` (for the book's functions: their
    module in ``lib`` and every ``lib`` module it imports, transitively).

    Args:
        functions: The functions that compute the cached result (e.g. ``build`` and ``train``).

    Returns:
        16 hexadecimal digits.
    """
    code = fingerprinted_modules(*functions)
    digest = hashlib.sha256()
    for name in sorted(code):
        digest.update(f"{name}\0{code[name]}\0".encode())
    return digest.hexdigest()[:16]


def cache_path(
    name: str, config: Mapping[str, Any], code: Iterable[Callable[..., Any]], *, suffix: str
) -> Path:
    """``data/models/<name>-<hash of config and code><suffix>``.

    Args:
        name: What is cached, e.g. ``"baseline-cnn"``.
        config: JSON-serialisable configuration that fully determines the result (seeds included).
        code: The functions that compute the result (see :func:`code_fingerprint`).
        suffix: File suffix, e.g. ``".pt"`` or ``".json"``.
    """
    try:
        blob = json.dumps(dict(config), sort_keys=True)
    except TypeError as err:
        raise ValueError(
            f"config must be JSON-serialisable ({err}); pass plain numbers and strings."
        ) from None
    blob += "\0" + code_fingerprint(*code)
    digest = hashlib.sha256(blob.encode()).hexdigest()[:12]
    return data_dir() / "models" / f"{name}-{digest}{suffix}"


def _to_json(document: Any) -> str:
    try:
        return json.dumps(document)
    except TypeError as err:
        raise ValueError(
            f"the document must be plain JSON data ({err}); convert arrays with .tolist()."
        ) from None


def store(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def load_or_run(
    name: str,
    config: Mapping[str, Any],
    run: Callable[[], Any],
    *,
    computed: Any = None,
) -> Any:
    """The cached JSON document for ``(name, config, code of run)``, or ``run()`` it and cache it.

    Args:
        name: What is cached, e.g. ``"dqn-cartpole-curves"``.
        config: JSON-serialisable; everything that determines the result (seeds included).
        run: Computes the document (JSON-serialisable: lists, floats, ints, strings). Its module's
            code, and the code that module imports, is part of the key.
        computed: The document, already computed by the caller for exactly this key: stored
            (replacing any cached one) and returned, and ``run`` is not called.

    Returns:
        The document as read back from JSON (tuples become lists).
    """
    path = cache_path(name, config, [run], suffix=".json")
    if computed is None and path.exists():
        return json.loads(path.read_text())
    text = _to_json(run() if computed is None else computed)
    store(path, text)
    return json.loads(text)
