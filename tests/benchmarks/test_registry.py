"""The registry behind ``make bench``: rows, the JSON report with the notebook times, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import registry as bench
from lib.timing import timer

ROOT = Path(__file__).resolve().parents[2]


def test_registry_runs_and_writes_json(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "_REGISTRY", {})

    @bench.benchmark("toy/sum")
    def toy() -> list[bench.Result]:
        with timer() as elapsed:
            total = sum(range(1000))
        return [bench.Result("toy/sum", elapsed(), "s", "builtin", elapsed(), {"total": total})]

    monkeypatch.setattr(bench, "BENCHMARK_MODULES", ())
    out = tmp_path / "bench.json"
    assert bench.main(["--only", "toy/sum", "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["machine"]["torch_threads"] == bench.NUM_THREADS
    (row,) = document["results"]
    assert row["name"] == "toy/sum" and row["unit"] == "s" and row["details"] == {"total": 499500}
    assert row["value"] >= 0 and row["reference"] == "builtin"


def test_the_report_records_the_measured_notebook_times(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "_REGISTRY", {})
    monkeypatch.setattr(bench, "BENCHMARK_MODULES", ())
    times = tmp_path / "notebook-times.json"
    out = tmp_path / "bench.json"
    args = ["--only", "--out", str(out), "--notebook-times", str(times)]
    assert bench.main(args) == 0
    assert "run make test" in json.loads(out.read_text())["notebook_times"]["missing"]
    times.write_text(json.dumps({"a.ipynb": 100.0, "b.ipynb": 200.5}))
    assert bench.main(args) == 0
    recorded = json.loads(out.read_text())["notebook_times"]
    assert recorded["seconds"] == {"a.ipynb": 100.0, "b.ipynb": 200.5}
    assert recorded["total_seconds"] == 300.5 and recorded["over_budget"] == ["b.ipynb"]


def test_duplicate_and_unknown_names(monkeypatch):
    monkeypatch.setattr(bench, "_REGISTRY", {})
    monkeypatch.setattr(bench, "BENCHMARK_MODULES", ())
    bench.benchmark("a")(lambda: [])
    with pytest.raises(ValueError, match="registered twice"):
        bench.benchmark("a")(lambda: [])
    with pytest.raises(ValueError, match="unknown benchmark"):
        bench.run(["b"])


def test_every_part_registers_its_benchmarks():
    names = bench.registered()
    assert {"core/fashion-mnist-loading", "core/baseline-cnn-training"} <= set(names)
    for module in bench.BENCHMARK_MODULES:  # benchmarks.<part> registers "<part>/..." names
        part = module.removeprefix("benchmarks.")
        assert any(name.startswith(f"{part}/") for name in names), f"{module} registers nothing"


def test_core_loading_benchmark_agrees_with_torchvision():
    (row,) = bench.registered()["core/fashion-mnist-loading"]()
    assert row.value > 0 and row.reference_value > 0 and row.details["images"] == 60_000


def test_command_line_sees_every_registered_benchmark():
    listed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert listed == sorted(bench.registered())
