"""The files an open book is expected to have, and that they agree with each other.

The version has one home, ``[project] version`` in ``pyproject.toml``: ``CITATION.cff``, the top
entry of ``CHANGELOG.md`` and the Colab install line (tests/test_book.py) follow it. The workflows
run the README's commands; Binder's pins are the book's; pyproject's ranges admit the book's pins.
"""

from __future__ import annotations

import json
import re
from importlib import metadata

import pytest
import tomllib
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.test_book import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
VERSION = PYPROJECT["project"]["version"]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _pins(path: str) -> dict[str, str]:
    """``name==version`` lines of a requirements file, by canonical name."""
    lines = (ROOT / path).read_text().splitlines()
    return {
        canonicalize_name(m[1]): m[2]
        for m in (re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line) for line in lines)
        if m
    }


def _yaml(path: str) -> dict:
    return yaml.safe_load((ROOT / path).read_text())


def test_version_is_semantic():
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION), f"pyproject version {VERSION!r} is not X.Y.Z"


def test_citation_is_cff_1_2_0_with_the_pyproject_version():
    citation = _yaml("CITATION.cff")
    assert citation["cff-version"] == "1.2.0"
    assert {"message", "title", "authors"} <= citation.keys(), (
        "CFF 1.2.0 requires message, title, authors"
    )
    assert all("name" in a or "family-names" in a for a in citation["authors"])
    assert citation["version"] == VERSION, "run `make version` after changing the pyproject version"
    assert citation["repository-code"] == _yaml("_config.yml")["repository"]["url"]


def test_changelog_starts_with_this_version():
    headings = re.findall(r"(?m)^## \[(\d+\.\d+\.\d+)\]", (ROOT / "CHANGELOG.md").read_text())
    assert headings and headings[0] == VERSION, f"CHANGELOG.md's first entry must be ## [{VERSION}]"


def test_intro_shows_the_version_from_pyproject():
    assert "{{ version }}" in (ROOT / "chapters" / "intro.md").read_text()
    assert "book_version" in _yaml("_config.yml")["sphinx"]["local_extensions"]


def test_workflows_run_the_readme_commands():
    readme = (ROOT / "README.md").read_text()
    runs = {
        path.name: [
            step.get("run", "")
            for job in yaml.safe_load(path.read_text())["jobs"].values()
            for step in job.get("steps", [])
        ]
        for path in WORKFLOWS
    }
    assert "make test" in runs["test.yml"] and "make test" in readme
    assert "make book" in runs["pages.yml"] and "make book" in readme
    # PyYAML reads the key `on` as True
    assert "pull_request" in yaml.safe_load((ROOT / ".github/workflows/test.yml").read_text())[True]


def test_pages_publish_the_html_on_a_release_tag():
    workflow = _yaml(".github/workflows/pages.yml")
    assert workflow[True]["push"]["tags"] == ["v*"]
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uses = {step.get("uses", "").split("@")[0]: step for step in steps}
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    assert "actions/deploy-pages" in uses
    assert (
        workflow["permissions"]["pages"] == "write"
        and workflow["permissions"]["id-token"] == "write"
    )


def test_dependabot_watches_pip_npm_and_actions_but_not_jupyter_book_2():
    updates = _yaml(".github/dependabot.yml")["updates"]
    assert {u["package-ecosystem"] for u in updates} == {"pip", "npm", "github-actions"}
    root_pip = next(u for u in updates if u["package-ecosystem"] == "pip" and u["directory"] == "/")
    assert {"dependency-name": "jupyter-book", "versions": [">=2"]} in root_pip["ignore"]


def test_pre_commit_keeps_notebook_outputs_and_ruff_reads_pyproject():
    hooks = {
        hook["id"]: hook
        for repo in _yaml(".pre-commit-config.yaml")["repos"]
        for hook in repo["hooks"]
    }
    assert {"--keep-output", "--keep-count"} <= set(hooks["nbstripout"]["args"]), (
        "nbval compares stored outputs"
    )
    for ruff in ("ruff-check", "ruff-format"):
        assert not any("line-length" in arg for arg in hooks[ruff].get("args", [])), (
            "set it in pyproject.toml"
        )
    assert PYPROJECT["tool"]["ruff"]["line-length"] == 100


def test_devcontainer_uses_python_3_11_and_make_setup():
    devcontainer = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())
    assert devcontainer["image"].endswith("python:3.11")
    assert devcontainer["postCreateCommand"] == "make setup"


def test_binder_pins_agree_with_the_book():
    book, binder = _pins("requirements.txt"), _pins("binder/requirements.txt")
    different = {
        name: (version, book.get(name))
        for name, version in binder.items()
        if book.get(name) != version
    }
    assert not different, (
        f"binder/requirements.txt pins (binder, book) differ or are not the book's: {different}"
    )
    assert "-r" not in (ROOT / "binder" / "requirements.txt").read_text().split(), (
        "Binder gets no dev stack"
    )
    assert not {"jupyter-book", "nbval", "playwright", "pytest"} & binder.keys()


def _closure(names: list[str]) -> set[str]:
    """The installed distributions ``names`` need, themselves included (in this environment)."""
    seen: set[str] = set()
    todo = [canonicalize_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(requirement.name))
    return seen


def test_binder_installs_everything_lib_and_a_kernel_need():
    needed = _closure(
        [Requirement(r).name for r in PYPROJECT["project"]["dependencies"]] + ["ipykernel"]
    )
    needed = {
        n
        for n in needed
        if not n.startswith(("nvidia-", "cuda-")) and n not in ("triton", "setuptools")
    }
    missing = sorted(needed - _pins("binder/requirements.txt").keys())
    book = _pins("requirements.txt")
    assert not missing, "add to binder/requirements.txt: " + ", ".join(
        f"{n}=={book.get(n)}" for n in missing
    )


@pytest.mark.parametrize("line", PYPROJECT["project"]["dependencies"])
def test_pyproject_ranges_admit_the_pinned_versions(line):
    requirement = Requirement(line)
    pinned = _pins("requirements.txt")[canonicalize_name(requirement.name)]
    assert requirement.specifier.contains(pinned), f"{line} excludes the book's pin {pinned}"
