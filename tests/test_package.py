"""lib's boundaries: every public name has one home, the package maps list every module, and the
installed package is lib alone."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import pkgutil
import re
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
import tomllib

import lib

ROOT = Path(__file__).resolve().parents[1]
MODULES = ["lib", *(info.name for info in pkgutil.walk_packages(lib.__path__, "lib."))]

PACKAGES = [name for name in MODULES if hasattr(importlib.import_module(name), "__path__")]

API_PACKAGES = {"lib.graphs", "lib.uncertainty"}
"""Package ``__init__`` modules that re-export their own submodules' names as the part's API."""


def _tree(module: str) -> ast.Module:
    return ast.parse(Path(inspect.getfile(importlib.import_module(module))).read_text())


def _lib_imports(tree: ast.Module) -> dict[str, str]:
    """Each name that a module-level ``from lib... import`` binds, and the module it comes from."""
    return {
        alias.asname or alias.name: node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
        if node.module == "lib" or node.module.startswith("lib.")
        for alias in node.names
    }


def _defined(tree: ast.Module) -> set[str]:
    """The names a module defines itself at its top level."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_has_one_home(module):
    """A name is imported from the module that defines it: no module re-exports another's.

    A module may import a lib name to use it, never to pass it on (in ``__all__``, or imported and
    unused). Only the part APIs of :data:`API_PACKAGES` gather names, from their own submodules.
    """
    tree = _tree(module)
    imported = _lib_imports(tree)
    if module in API_PACKAGES:
        foreign = {name: src for name, src in imported.items() if not src.startswith(f"{module}.")}
        assert not foreign, f"{module} re-exports names defined outside its package: {foreign}"
        return
    exported = set(getattr(importlib.import_module(module), "__all__", ()))
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    passed_on = {n: src for n, src in imported.items() if n in exported or n not in used}
    assert not passed_on, f"{module} re-exports {passed_on}: import each from its own module"
    assert exported <= _defined(tree), f"{module}.__all__ lists names it does not define"
    for name in exported:
        obj = getattr(importlib.import_module(module), name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert obj.__module__ == module, f"{module}.{name} is defined in {obj.__module__}"


@pytest.mark.parametrize("package", PACKAGES)
def test_package_map_lists_exactly_the_modules_that_exist(package):
    """A package's docstring names every module and subpackage it holds, and no module that is
    gone (``:mod:`` references anywhere in lib must resolve)."""
    loaded = importlib.import_module(package)
    children = {f"{package}.{info.name}" for info in pkgutil.iter_modules(loaded.__path__)}
    mentioned = set(re.findall(r":mod:`~?(lib(?:\.\w+)*)`", loaded.__doc__ or ""))
    assert not children - mentioned, f"{package}'s docstring leaves out {children - mentioned}"
    gone = {name for name in mentioned if importlib.util.find_spec(name) is None}
    assert not gone, f"{package}'s docstring names modules that do not exist: {gone}"


def test_the_installed_package_is_lib_alone():
    """setuptools installs lib and its subpackages; the benchmarks, tests and tools stay behind."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    find = pyproject["tool"]["setuptools"]["packages"]["find"]

    def installed(package: str) -> bool:  # setuptools matches the patterns with fnmatchcase
        return any(fnmatchcase(package, p) for p in find["include"]) and not any(
            fnmatchcase(package, p) for p in find.get("exclude", ())
        )

    assert all(installed(package) for package in PACKAGES)
    repository = [path.name for path in ROOT.iterdir() if (path / "__init__.py").is_file()]
    assert "benchmarks" in repository
    assert [name for name in repository if installed(name)] == ["lib"]
