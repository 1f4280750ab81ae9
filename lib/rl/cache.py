"""DQN's learning curves, computed once and shared by two pages of the chapter.

The DQN page trains DQN (in its ablation); the policy-gradient page compares against its curves.
They are cached as JSON by :func:`lib.cache.load_or_run` under a key made of the configuration,
the seeds and the code that trains DQN, so the second page loads what the first computed, and
computes exactly the same numbers itself when the cache is empty (training is seeded, and an
agent's results do not depend on which other agents train beside it).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from lib.cache import load_or_run
from lib.rl.dqn import DQNConfig, train_dqn

CURVE_KEYS = ("eval_steps", "eval_returns", "wall_time")
"""The keys of a curves document."""


def dqn_curves(
    seeds: list[int], config: DQNConfig, computed: dict[str, Any] | None = None
) -> dict[str, Any]:
    """DQN's periodic evaluation curves for ``seeds`` under ``config`` (cached).

    Args:
        seeds: The agents' seeds.
        config: A :class:`~lib.rl.dqn.DQNConfig` (both switches on).
        computed: Curves the caller has just computed for exactly these seeds and config (e.g.
            the DQN rows of an ablation): they replace whatever is cached and are returned, and
            nothing is trained. Without it, the cached curves are returned, or DQN is trained.

    Returns:
        ``{"eval_steps": [K], "eval_returns": [[K] per seed], "wall_time": s}``; ``wall_time`` is
        the run's when it was computed (a cache hit returns the stored value).
    """
    if computed is not None and set(computed) != set(CURVE_KEYS):
        raise ValueError(
            f"computed must have exactly the keys {CURVE_KEYS}, got {sorted(computed)}."
        )

    def run() -> dict[str, Any]:
        result = train_dqn(seeds, config)
        return {
            "eval_steps": result.eval_steps.tolist(),
            "eval_returns": result.eval_returns.tolist(),
            "wall_time": result.wall_time,
        }

    key = {"seeds": list(seeds), **asdict(config)}
    return load_or_run("dqn-cartpole-curves", key, run, computed=computed)
