"""Discounted evaluation returns: hand-checked on CartPole, whose every reward is 1."""

import numpy as np
import pytest
import torch

from lib.rl.evaluation import evaluate_population, evaluate_population_discounted


def always_left(obs: torch.Tensor) -> torch.Tensor:
    return torch.zeros(obs.shape[:2], dtype=torch.long)


def test_discounted_returns_by_hand():
    returns, discounted = evaluate_population_discounted(
        always_left, 2, gamma=0.5, num_episodes=3, seed=7
    )
    assert np.array_equal(returns, evaluate_population(always_left, 2, num_episodes=3, seed=7))
    # L rewards of 1: 1 + 0.5 + ... + 0.5^(L-1) = 2 (1 - 0.5^L)
    assert np.allclose(discounted, 2 * (1 - 0.5**returns))
    undiscounted = evaluate_population_discounted(always_left, 1, gamma=1.0, num_episodes=3, seed=7)
    assert np.array_equal(undiscounted[0], undiscounted[1])


def test_discount_must_be_a_probability():
    with pytest.raises(ValueError, match="gamma"):
        evaluate_population_discounted(always_left, 1, gamma=1.5)
