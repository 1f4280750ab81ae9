"""Train once, then load: a cache of trained models under ``data/models/``, keyed by config.

The cache key is a hash of the configuration *and* of the training code's version string, so a
changed hyper-parameter or a changed training routine never loads a stale model. Deleting
``data/models/`` and re-running reproduces every cached model (training is seeded).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from lib.data import data_dir


def cache_path(name: str, config: Mapping[str, Any]) -> Path:
    """``data/models/<name>-<hash of config>.pt``.

    Args:
        name: Model family, e.g. ``"baseline-cnn"``.
        config: JSON-serialisable configuration that fully determines training.
    """
    try:
        blob = json.dumps(dict(config), sort_keys=True)
    except TypeError as err:
        raise ValueError(f"config must be JSON-serialisable ({err}); pass plain numbers and strings.") from None
    digest = hashlib.sha256(blob.encode()).hexdigest()[:12]
    return data_dir() / "models" / f"{name}-{digest}.pt"


def train_or_load(
    name: str,
    config: Mapping[str, Any],
    build: Callable[[], nn.Module],
    train: Callable[[nn.Module], dict[str, Any]],
    *,
    retrain: bool = False,
) -> tuple[nn.Module, dict[str, Any]]:
    """Load ``name`` trained with ``config`` from the cache, or train and cache it.

    Args:
        name: Model family.
        config: Everything that determines the trained weights (seed included).
        build: Returns a fresh, untrained model.
        train: Trains the model in place and returns its metrics (JSON-serialisable).
        retrain: Train even when a cached model exists, and overwrite it.

    Returns:
        ``(model, metrics)``, the model in evaluation mode; the same metrics whether trained now
        or loaded.
    """
    path = cache_path(name, config)
    model = build()
    if path.exists() and not retrain:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(checkpoint["state_dict"])
        metrics = json.loads(checkpoint["metrics"])
    else:
        metrics = train(model)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save({"state_dict": model.state_dict(), "metrics": json.dumps(metrics),
                    "config": json.dumps(dict(config), sort_keys=True)}, tmp)
        tmp.replace(path)
    return model.eval(), metrics
