"""The provisioning chain of lib.data: data/ → mirror (checksummed) → download → clear error."""

from __future__ import annotations

import gzip
import hashlib
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch

from lib import data


def idx_bytes(array: np.ndarray) -> bytes:
    """An array in the IDX format of (Fashion-)MNIST, gzip'd."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def sha256(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


IMAGES = np.arange(2 * 28 * 28).reshape(2, 28, 28) % 256
LABELS = np.array([3, 7])


@pytest.fixture
def toy_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Replace the Fashion-MNIST entry of the registry by two tiny IDX files in a mirror."""
    blobs = {
        "train-images-idx3-ubyte.gz": idx_bytes(IMAGES),
        "train-labels-idx1-ubyte.gz": idx_bytes(LABELS),
    }
    spec = data.DatasetSpec(
        name="fashion-mnist",
        folder="fashion-mnist/raw",
        files=tuple(
            data.RemoteFile(n, sha256(b), f"https://example.invalid/{n}") for n, b in blobs.items()
        ),
        description="toy",
    )
    monkeypatch.setitem(data.DATASETS, "fashion-mnist", spec)
    mirror = tmp_path / "mirror"
    (mirror / spec.folder).mkdir(parents=True)
    for name, blob in blobs.items():
        (mirror / spec.folder / name).write_bytes(blob)
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    return blobs


def _offline(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def fail(url: str, target: Path) -> None:
        calls.append(url)
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(data, "_download", fail)
    return calls


def test_copies_from_mirror_and_loads(toy_registry, monkeypatch):
    calls = _offline(monkeypatch)
    folder = data.provision("fashion-mnist")
    assert sorted(p.name for p in folder.iterdir()) == sorted(toy_registry)
    assert calls == []
    X = data._read_idx(folder / "train-images-idx3-ubyte.gz")
    assert X.dtype == torch.uint8 and X.shape == (2, 28, 28)
    assert torch.equal(X, torch.from_numpy(IMAGES.astype(np.uint8)))


def test_provisioning_is_idempotent_and_prefers_data_dir(toy_registry, tmp_path, monkeypatch):
    data.provision("fashion-mnist")
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path / "gone"))
    _offline(monkeypatch)
    assert data.provision("fashion-mnist") == tmp_path / "data" / "fashion-mnist" / "raw"


def test_checksum_mismatch_in_mirror_is_refused(toy_registry, tmp_path):
    bad = tmp_path / "mirror" / "fashion-mnist" / "raw" / "train-labels-idx1-ubyte.gz"
    bad.write_bytes(b"not the labels")
    with pytest.raises(data.ChecksumError, match="train-labels-idx1-ubyte.gz.*sha256"):
        data.provision("fashion-mnist")
    assert not (tmp_path / "data" / "fashion-mnist" / "raw" / bad.name).exists()


def test_offline_without_mirror_names_file_and_variable(toy_registry, tmp_path, monkeypatch):
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path / "empty-mirror"))
    calls = _offline(monkeypatch)
    with pytest.raises(data.DatasetUnavailableError) as err:
        data.provision("fashion-mnist")
    message = str(err.value)
    assert "train-images-idx3-ubyte.gz" in message and data.MIRROR_ENV in message
    assert "python -m lib.data fashion-mnist" in message
    assert calls == ["https://example.invalid/train-images-idx3-ubyte.gz"]
    assert list((tmp_path / "data" / "fashion-mnist" / "raw").iterdir()) == []  # no partial file


def test_download_is_verified(toy_registry, tmp_path, monkeypatch):
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path / "empty-mirror"))

    def serve(url: str, target: Path) -> None:
        target.write_bytes(toy_registry[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(data, "_download", serve)
    assert len(list(data.provision("fashion-mnist").iterdir())) == 2

    def corrupt(url: str, target: Path) -> None:
        target.write_bytes(b"truncated")

    for f in (tmp_path / "data" / "fashion-mnist" / "raw").iterdir():
        f.unlink()
    monkeypatch.setattr(data, "_download", corrupt)
    with pytest.raises(data.ChecksumError, match="https://example.invalid"):
        data.provision("fashion-mnist")


def test_cli_reports_errors_without_traceback(toy_registry, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path / "empty-mirror"))
    _offline(monkeypatch)
    assert data.main(["fashion-mnist"]) == 1
    assert "error: Dataset 'fashion-mnist' is missing file" in capsys.readouterr().err
    assert data.main(["no-such-data"]) == 1
    assert "Unknown dataset 'no-such-data'" in capsys.readouterr().err


def test_unknown_names_and_splits_are_rejected():
    with pytest.raises(ValueError, match="choose one of"):
        data.provision("imagenet")
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        data.load_fashion_mnist("validation")
    with pytest.raises(ValueError, match="'cora' or 'citeseer'"):
        data.load_planetoid("pubmed")


def test_registry_matches_the_mirror_checksums():
    """Every registry checksum equals the one the offline mirror publishes (when present)."""
    mirror = data.mirror_dir()
    if mirror is None or not (mirror / "SHA256SUMS").exists():
        pytest.skip("no offline mirror on this machine")
    published = {}
    for line in (mirror / "SHA256SUMS").read_text().splitlines():
        digest, path = line.split()
        published[path.removeprefix("./")] = digest
    for spec in data.DATASETS.values():
        for file in spec.files:
            assert published[f"{spec.folder}/{file.name}"] == file.sha256, (spec.name, file.name)


# The real data sets (provisioned by `make test` before the tests run).


def test_fashion_mnist_shapes_and_balance():
    X, y = data.load_fashion_mnist("train")
    X_test, y_test = data.load_fashion_mnist("test")
    assert X.shape == (60_000, 28, 28) and X.dtype == torch.uint8
    assert X_test.shape == (10_000, 28, 28) and y_test.dtype == torch.int64
    assert torch.equal(torch.bincount(y), torch.full((10,), 6000))


def test_mnist_test_digits():
    X, y = data.load_mnist_test()
    assert X.shape == (10_000, 28, 28) and set(y.tolist()) == set(range(10))


@pytest.mark.parametrize(
    ("name", "nodes", "features", "classes", "train"),
    [("cora", 2708, 1433, 7, 140), ("citeseer", 3327, 3703, 6, 120)],
)
def test_planetoid_public_split(name, nodes, features, classes, train):
    graph = data.load_planetoid(name)
    assert graph.x.shape == (nodes, features)
    assert int(graph.y.max()) + 1 == classes
    assert int(graph.train_mask.sum()) == train
    assert int(graph.val_mask.sum()) == 500 and int(graph.test_mask.sum()) == 1000


def test_karate_club_has_two_clubs():
    graph = data.load_karate_club()
    assert graph.number_of_nodes() == 34 and graph.number_of_edges() == 78
    assert {graph.nodes[n]["club"] for n in graph} == {"Mr. Hi", "Officer"}
