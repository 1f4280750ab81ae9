"""Run once, then load: learning curves of the chapter cached as JSON under ``data/models/``.

Two pages of the chapter show DQN's learning curves (the DQN page trains it; the policy-gradient
page compares against it). The curves are cached under a key made of the configuration and the
seeds (:func:`lib.checkpoints.cache_path`), so the second page loads what the first computed, and
computes exactly the same numbers itself when the cache is empty (training is seeded, and an
agent's results do not depend on which other agents train beside it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from lib.checkpoints import cache_path

CACHE_VERSION = "rl-curves-v1"
"""Bump when the training code changes in a way that changes results."""


def load_or_run(name: str, config: Mapping[str, Any], run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Return the cached JSON document for ``(name, config)``, or ``run()`` it and cache it.

    Args:
        name: What is cached, e.g. ``"dqn-cartpole-curves"``.
        config: JSON-serialisable; everything that determines the result (seeds included).
        run: Computes the document (JSON-serialisable: lists, floats, ints, strings).
    """
    path = cache_path(name, {**dict(config), "cache_version": CACHE_VERSION}).with_suffix(".json")
    if path.exists():
        return json.loads(path.read_text())
    document = run()
    try:
        text = json.dumps(document)
    except TypeError as err:
        raise ValueError(f"run() must return plain JSON data ({err}); convert arrays with .tolist().") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return json.loads(text)


def dqn_curves(seeds: list[int], config, computed: dict[str, Any] | None = None) -> dict[str, Any]:
    """DQN's periodic evaluation curves for ``seeds`` under ``config`` (cached).

    Args:
        seeds: The agents' seeds.
        config: A :class:`~lib.rl.dqn.DQNConfig` (both switches on).
        computed: Curves already computed for exactly these seeds and config (e.g. the DQN rows
            of an ablation), stored instead of training again.

    Returns:
        ``{"eval_steps": [K], "eval_returns": [[K] per seed], "wall_time": s}``; ``wall_time`` is
        the run's when it was computed (a cache hit returns the stored value).
    """
    from dataclasses import asdict

    from lib.rl.dqn import train_dqn

    def run() -> dict[str, Any]:
        if computed is not None:
            return computed
        result = train_dqn(seeds, config)
        return {"eval_steps": result.eval_steps.tolist(), "eval_returns": result.eval_returns.tolist(),
                "wall_time": result.wall_time}

    return load_or_run("dqn-cartpole-curves", {"seeds": list(seeds), **asdict(config)}, run)
