"""Train once, then load: trained models cached under ``data/models/`` (see :mod:`lib.cache`).

The key is the configuration *and* a fingerprint of the code that builds and trains the model
(:func:`lib.cache.code_fingerprint` of ``build`` and ``train``), so a changed hyper-parameter or a
changed training routine never loads a stale model, and there is no version number to bump.
Deleting ``data/models/`` and re-running reproduces every cached model (training is seeded).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import nn

from lib.cache import cache_path


def train_or_load(
    name: str,
    config: Mapping[str, Any],
    build: Callable[[], nn.Module],
    train: Callable[[nn.Module], dict[str, Any]],
    *,
    retrain: bool = False,
    device: torch.device | str = "cpu",
) -> tuple[nn.Module, dict[str, Any]]:
    """Load ``name`` trained with ``config`` by this code from the cache, or train and cache it.

    Args:
        name: Model family, e.g. ``"baseline-cnn"``.
        config: Everything that determines the trained weights (seed included), JSON-serialisable.
        build: Returns a fresh, untrained model (built on the CPU, so that its initialisation
            draws the same numbers everywhere).
        train: Trains the model in place, on the model's device, and returns its metrics
            (JSON-serialisable). Define it in a ``lib`` module: that module's code and the ``lib``
            code it imports are part of the key.
        retrain: Train even when a cached model exists, and overwrite it.
        device: Where the model is trained, or loaded to (``map_location``). Not part of the
            key: a model cached on one device loads on any other.

    Returns:
        ``(model, metrics)``, the model on ``device`` in evaluation mode; the same metrics whether
        trained now or loaded.
    """
    path = cache_path(name, config, [build, train], suffix=".pt")
    model = build().to(device)
    if path.exists() and not retrain:
        checkpoint = torch.load(path, map_location=device, weights_only=True)
        model.load_state_dict(checkpoint["state_dict"])
        metrics = json.loads(checkpoint["metrics"])
    else:
        metrics = train(model)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        checkpoint = {
            "state_dict": model.state_dict(),
            "metrics": json.dumps(metrics),
            "config": json.dumps(dict(config), sort_keys=True),
        }
        torch.save(checkpoint, tmp)
        tmp.replace(path)
    return model.eval(), metrics
