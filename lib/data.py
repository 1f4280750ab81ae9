"""Every dataset of the book, provisioned once and loaded from ``data/``.

Resolution order for each file, the same for every dataset:

1. ``data/<folder>/<file>`` already there (kept as it is; it was verified when it arrived);
2. a mirror folder: ``$BOOK_DATA_MIRROR``, or ``../shared/data`` beside the repository when it
   exists; the file is copied and its SHA-256 verified;
3. the dataset's original host, as torchvision and PyTorch Geometric download it; the download
   is verified against the checksum the host's file is known to have.

With none of the three, :class:`DatasetUnavailableError` says which file is missing and which
environment variable to set. Provisioning is idempotent: run ``python -m lib.data`` (all
datasets) or ``python -m lib.data fashion-mnist`` (one).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import math
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:  # imported lazily: networkx and PyG are slow to import
    import networkx
    from torch_geometric.data import Data

MIRROR_ENV = "BOOK_DATA_MIRROR"
DATA_DIR_ENV = "BOOK_DATA_DIR"
REPO_ROOT = Path(__file__).resolve().parents[1]


class DatasetUnavailableError(RuntimeError):
    """A dataset file is in none of ``data/``, the mirror, or its original host."""


class ChecksumError(RuntimeError):
    """A file's content does not match the checksum the registry records for it."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset.

    Attributes:
        name: File name, the same in ``data/``, in the mirror and at the original host.
        sha256: SHA-256 of the file as the mirror and ``data/`` hold it.
        url: Where the dataset's original host serves the file.
        url_md5: MD5 of the file the original host serves, when its bytes differ from the
            mirror's (Debian recompressed Fashion-MNIST); ``None`` means the bytes are equal.
    """

    name: str
    sha256: str
    url: str
    url_md5: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset: a folder of files below ``data/`` and below the mirror."""

    name: str
    folder: str
    files: tuple[RemoteFile, ...]
    description: str


_FASHION = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_MNIST = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_PLANETOID = "https://github.com/kimiyoung/planetoid/raw/master/data/"

_PLANETOID_SHA256 = {
    "citeseer": {
        "allx": "2ac30345d95c9ec933a817ee0bdd6a5f077f8c184a20e696910192d534414668",
        "ally": "f704b2d986dde6c2669934de1f3ae5696a6cf9455c0f6b2646a2d135ea0a1c95",
        "graph": "d79a4ef9d3e7169aee8946145f6b7306e35bc79bffad26346cfb94e10e9912a7",
        "test.index": "2af990671580b6b2df5d158d1038f8292e30c9cd821b5453f399659b25b723d4",
        "tx": "539a8906a2da97628d212f2fdd668c109a8b3f0d36574b59e5d3fd5b5303da21",
        "ty": "55e5bd1ba1e733a04598753ad1a8d57957f4b8f89e74519f41f4f4938767e4ce",
        "x": "d20de19150741e555de0ed037195630fc194114ebc7fd72ced62810148aa22f6",
        "y": "8ba87e515d8e3ee3cf52f6d2c5b86aa73f11ecad825a808455209ec26cd54924",
    },
    "cora": {
        "allx": "9419ba2f26f5c35243db64aba110e0f35a04851609e0dc5433450676ca6b8543",
        "ally": "2b998f5cc7fedc86e7f97ca2498f47a1ffc1462c29e2d578b23bf3f62b6e7d71",
        "graph": "58f13302f39dde8852dad6fe6d15b89b077b6d7f837626bce671ef80344b383d",
        "test.index": "297ce89af2b51a6a194181c7dbe1796c6a1cf9cd9349a88383b1b1e227867875",
        "tx": "b9afbaa4a400df991f6f02ef677e1e44da55ffc04801fd02f9e673987829226a",
        "ty": "41f5ac76596a1699cc33f53084a2419e92961c42bb75f36fc38e616d348532ad",
        "x": "23cfa55d91c6f624233f5eb7b6e3f141f1bd2b2ae39608a63cf5d084bb27baab",
        "y": "94465c14eb53e04ca262198dcbb2521ee8af60fb3f3d546cd6ca24a511b0e7d1",
    },
}


def _planetoid_spec(name: str) -> DatasetSpec:
    files = tuple(
        RemoteFile(f"ind.{name}.{part}", sha, _PLANETOID + f"ind.{name}.{part}")
        for part, sha in _PLANETOID_SHA256[name].items()
    )
    return DatasetSpec(
        name=name,
        folder="planetoid/raw",
        files=files,
        description=(
            f"{name.capitalize()} citation graph, public Planetoid split (Yang et al. 2016)"
        ),
    )


DATASETS: dict[str, DatasetSpec] = {
    "fashion-mnist": DatasetSpec(
        name="fashion-mnist",
        folder="fashion-mnist/raw",
        files=(
            RemoteFile(
                "train-images-idx3-ubyte.gz",
                "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
                _FASHION + "train-images-idx3-ubyte.gz",
                "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            ),
            RemoteFile(
                "train-labels-idx1-ubyte.gz",
                "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
                _FASHION + "train-labels-idx1-ubyte.gz",
                "25c81989df183df01b3e8a0aad5dffbe",
            ),
            RemoteFile(
                "t10k-images-idx3-ubyte.gz",
                "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
                _FASHION + "t10k-images-idx3-ubyte.gz",
                "bef4ecab320f06d8554ea6380940ec79",
            ),
            RemoteFile(
                "t10k-labels-idx1-ubyte.gz",
                "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
                _FASHION + "t10k-labels-idx1-ubyte.gz",
                "bb300cfdad3c16e7a12a480ee83cd310",
            ),
        ),
        description="Fashion-MNIST, 60,000 train / 10,000 test images (Xiao et al. 2017)",
    ),
    "mnist-test": DatasetSpec(
        name="mnist-test",
        folder="mnist/raw",
        files=(
            RemoteFile(
                "t10k-images-idx3-ubyte.gz",
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                _MNIST + "t10k-images-idx3-ubyte.gz",
            ),
            RemoteFile(
                "t10k-labels-idx1-ubyte.gz",
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                _MNIST + "t10k-labels-idx1-ubyte.gz",
            ),
        ),
        description="MNIST test set, 10,000 digits, the book's out-of-distribution data",
    ),
    "cora": _planetoid_spec("cora"),
    "citeseer": _planetoid_spec("citeseer"),
}
"""Registry of the datasets that are provisioned from files (karate club ships with networkx)."""

ALL_DATASETS = (*DATASETS, "karate-club")


def data_dir() -> Path:
    """The project's data folder: ``$BOOK_DATA_DIR``, else ``data/`` of the repository.

    When ``lib`` is installed outside the repository (Colab), ``./data`` is used.
    """
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser().resolve()
    if (REPO_ROOT / "_config.yml").exists():
        return REPO_ROOT / "data"
    return Path.cwd() / "data"


def mirror_dir() -> Path | None:
    """The offline mirror: ``$BOOK_DATA_MIRROR``, else ``../shared/data`` if it exists."""
    if os.environ.get(MIRROR_ENV):
        return Path(os.environ[MIRROR_ENV]).expanduser().resolve()
    default = REPO_ROOT.parent / "shared" / "data"
    return default if default.is_dir() else None


def _digest(path: Path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _verify(path: Path, expected: str, algorithm: str, source: str) -> None:
    actual = _digest(path, algorithm)
    if actual != expected:
        path.unlink(missing_ok=True)
        raise ChecksumError(
            f"{path.name} from {source} has {algorithm} {actual}, expected {expected}. "
            "The copy is corrupt or is a different file; it was not kept. Replace the source "
            "file (re-download the mirror) and run `python -m lib.data` again."
        )


def _download(url: str, target: Path) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "advanced-dl-book"})
    with urllib.request.urlopen(request, timeout=60) as response, open(target, "wb") as f:
        shutil.copyfileobj(response, f)


def _fetch_file(spec: DatasetSpec, file: RemoteFile, target_dir: Path) -> str:
    """Put one file into ``target_dir`` (via a partial file, so no half-written file remains);
    return where it came from."""
    target = target_dir / file.name
    if target.exists():
        return "data/"
    handle, name = tempfile.mkstemp(dir=target_dir, prefix=f".{file.name}.")
    os.close(handle)
    partial = Path(name)
    partial.chmod(0o644)
    try:
        mirror = mirror_dir()
        mirrored = mirror / spec.folder / file.name if mirror else None
        if mirrored is not None and mirrored.is_file():
            shutil.copyfile(mirrored, partial)
            _verify(partial, file.sha256, "sha256", f"the mirror {mirror}")
            partial.replace(target)
            return "mirror"
        try:
            _download(file.url, partial)
        except (urllib.error.URLError, OSError) as err:
            where = (
                f"the mirror {mirror} has no {spec.folder}/{file.name}"
                if mirror
                else f"no mirror is configured (${MIRROR_ENV} is unset, ../shared/data is absent)"
            )
            raise DatasetUnavailableError(
                f"Dataset '{spec.name}' is missing file {file.name}: it is not in "
                f"{target_dir}, {where}, and downloading {file.url} failed ({err}). "
                f"Set {MIRROR_ENV} to a folder laid out like the offline mirror "
                f"(<mirror>/{spec.folder}/{file.name}, see data/README.md), or go online, "
                f"then run `python -m lib.data {spec.name}`."
            ) from None
        if file.url_md5 is not None:
            _verify(partial, file.url_md5, "md5", file.url)
        else:
            _verify(partial, file.sha256, "sha256", file.url)
        partial.replace(target)
        return "download"
    finally:
        partial.unlink(missing_ok=True)


def provision(name: str, *, verbose: bool = False) -> Path:
    """Make sure every file of dataset ``name`` is in ``data/``; return its folder.

    Args:
        name: One of :data:`ALL_DATASETS`.
        verbose: Print where each file came from.

    Raises:
        ValueError: Unknown dataset name.
        DatasetUnavailableError: A file is nowhere to be had.
        ChecksumError: A copied or downloaded file is corrupt.
    """
    if name == "karate-club":
        if verbose:
            print("karate-club: ships with networkx, nothing to provision")
        return data_dir()
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {', '.join(ALL_DATASETS)}.")
    spec = DATASETS[name]
    target_dir = data_dir() / spec.folder
    target_dir.mkdir(parents=True, exist_ok=True)
    for file in spec.files:
        source = _fetch_file(spec, file, target_dir)
        if verbose:
            print(f"{spec.name}: {file.name} <- {source}")
    return target_dir


def _read_idx(path: Path) -> torch.Tensor:
    """Read a gzip'd IDX file (the MNIST format) into a tensor of its stored shape.

    Raises:
        ChecksumError: The file is truncated or corrupt (not gzip, or fewer bytes than its
            header announces).
    """
    advice = "delete it and run `python -m lib.data`, which fetches it again and checks it."
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (EOFError, OSError) as err:
        raise ChecksumError(f"{path} is truncated or corrupt ({err}); {advice}") from None
    ndim = raw[3] if len(raw) >= 4 else 0
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = 4 + 4 * ndim + math.prod(shape)
    if ndim == 0 or len(raw) != expected:
        raise ChecksumError(
            f"{path} holds {len(raw)} bytes, but its IDX header announces {expected} (shape "
            f"{shape}): the file is truncated or corrupt; {advice}"
        )
    array = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)
    return torch.from_numpy(array.copy())


def _check_split(split: str) -> str:
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    return "train" if split == "train" else "t10k"


FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip


def load_fashion_mnist(split: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST images and labels.

    Args:
        split: ``"train"`` (60,000 images) or ``"test"`` (10,000).

    Returns:
        ``(X, y)``: ``X`` uint8 of shape ``(N, 28, 28)``, ``y`` int64 of shape ``(N,)`` with
        values in ``0..9`` (names in :data:`FASHION_MNIST_CLASSES`).
    """
    prefix = _check_split(split)
    folder = provision("fashion-mnist")
    X = _read_idx(folder / f"{prefix}-images-idx3-ubyte.gz")
    y = _read_idx(folder / f"{prefix}-labels-idx1-ubyte.gz").long()
    return X, y


def load_mnist_test() -> tuple[torch.Tensor, torch.Tensor]:
    """The MNIST test digits, the book's out-of-distribution set.

    Returns:
        ``(X, y)``: ``X`` uint8 ``(10000, 28, 28)``, ``y`` int64 ``(10000,)``.
    """
    folder = provision("mnist-test")
    X = _read_idx(folder / "t10k-images-idx3-ubyte.gz")
    y = _read_idx(folder / "t10k-labels-idx1-ubyte.gz").long()
    return X, y


def load_planetoid(name: str) -> Data:
    """Cora or CiteSeer with the public Planetoid split, through PyG's ``Planetoid`` class.

    Args:
        name: ``"cora"`` or ``"citeseer"`` (any capitalisation).

    Returns:
        A ``torch_geometric.data.Data`` with ``x`` ``(N, F)``, ``edge_index`` ``(2, E)``,
        ``y`` ``(N,)`` and boolean ``train_mask``/``val_mask``/``test_mask`` ``(N,)``.
    """
    key = name.lower()
    if key not in _PLANETOID_SHA256:
        raise ValueError(f"Unknown Planetoid dataset {name!r}; choose 'cora' or 'citeseer'.")
    from torch_geometric.datasets import Planetoid

    raw = provision(key)
    pyg_name = {"cora": "Cora", "citeseer": "CiteSeer"}[key]
    root = raw.parent / "pyg"
    pyg_raw = root / pyg_name / "raw"
    pyg_raw.mkdir(parents=True, exist_ok=True)
    for file in DATASETS[key].files:  # PyG reads <root>/<Name>/raw/
        link = pyg_raw / file.name
        if not link.exists():
            shutil.copyfile(raw / file.name, link)
    return Planetoid(str(root), pyg_name, split="public")[0]


def load_karate_club() -> networkx.Graph:
    """Zachary's karate club (34 members, 78 friendships), as shipped with networkx.

    Returns:
        A ``networkx.Graph`` whose nodes carry ``club`` (``"Mr. Hi"`` or ``"Officer"``), the two
        communities the club split into.
    """
    import networkx as nx

    return nx.karate_club_graph()


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m lib.data [name ...]`` provisions the named (or all) datasets."""
    parser = argparse.ArgumentParser(prog="python -m lib.data", description=__doc__.split("\n")[0])
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"datasets to provision (default: all): {', '.join(ALL_DATASETS)}",
    )
    args = parser.parse_args(argv)
    try:
        for name in args.names or ALL_DATASETS:
            provision(name, verbose=True)
    except (ValueError, DatasetUnavailableError, ChecksumError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"data ready in {data_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
