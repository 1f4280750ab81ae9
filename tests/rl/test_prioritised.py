"""Prioritised replay: priorities, proportional draws, importance weights, the Blind Cliffwalk."""

import numpy as np
import pytest

from lib.rl.prioritised import (
    RIGHT,
    WRONG,
    blind_cliffwalk,
    cliffwalk_td_errors,
    proportional_priorities,
    sample_prioritised,
    updates_to_learn,
)


def test_priorities_are_the_powered_absolute_td_errors():
    delta = np.array([-2.0, 0.0, 0.5])
    assert np.allclose(proportional_priorities(delta, 0.5, 0.01), [2.01**0.5, 0.1, 0.51**0.5])
    assert np.allclose(proportional_priorities(delta, 0.0, 0.01), 1.0)  # alpha = 0: uniform


@pytest.mark.parametrize("alpha, eps", [(-0.5, 0.01), (1.0, 0.0)])
def test_priorities_refuse_a_negative_alpha_or_no_eps(alpha, eps):
    with pytest.raises(ValueError, match="alpha >= 0 and eps > 0"):
        proportional_priorities(np.ones(3), alpha, eps)


def test_draws_follow_the_priorities():
    priorities = np.array([1.0, 2.0, 3.0, 4.0])
    indices, _ = sample_prioritised(priorities, 200_000, 0.0, np.random.default_rng(0))
    frequency = np.bincount(indices, minlength=4) / len(indices)
    expected = priorities / priorities.sum()
    standard_error = np.sqrt(expected * (1 - expected) / len(indices))
    assert (np.abs(frequency - expected) < 4 * standard_error).all(), frequency


def test_rows_are_separate_memories():
    priorities = np.array([[1.0, 1e-9, 1e-9], [1e-9, 1e-9, 1.0]])
    indices, weights = sample_prioritised(priorities, 50, 0.5, np.random.default_rng(1))
    assert indices.shape == weights.shape == (2, 50)
    assert (indices[0] == 0).all() and (indices[1] == 2).all()


def test_importance_weights_undo_the_sampling_and_never_exceed_one():
    priorities = np.array([1.0, 3.0, 6.0])
    probabilities = priorities / priorities.sum()
    for beta in (0.0, 0.4, 1.0):
        indices, weights = sample_prioritised(priorities, 1000, beta, np.random.default_rng(2))
        raw = (3 * probabilities) ** -beta
        assert np.allclose(weights, raw[indices] / raw.max())
        assert weights.max() <= 1.0
    # at beta = 1 the weighted mean over prioritised draws estimates the uniform mean
    values = np.array([10.0, -4.0, 1.0])
    indices, weights = sample_prioritised(priorities, 400_000, 1.0, np.random.default_rng(3))
    estimate = (weights * values[indices]).mean() / weights.mean()
    assert abs(estimate - values.mean()) < 0.05


@pytest.mark.parametrize("bad", [np.array([1.0, 0.0]), np.array([[[1.0]]]), np.array([1.0, -1.0])])
def test_sampling_refuses_bad_priorities(bad):
    with pytest.raises(ValueError, match="positive numbers"):
        sample_prioritised(bad, 1, 0.0, np.random.default_rng(0))


@pytest.mark.parametrize("n", [1, 3, 6])
def test_the_cliffwalk_memory_holds_every_random_episode_once(n):
    walk = blind_cliffwalk(n)
    assert len(walk.state) == 2 ** (n + 1) - 2
    assert walk.reward.sum() == 1 and walk.reward[walk.terminal & (walk.action == RIGHT)].sum() == 1
    for s in range(n):  # reached by the 2^(n-s) sequences that start with s right moves
        at_s = walk.state == s
        assert (walk.action[at_s] == RIGHT).sum() == 2 ** (n - s - 1)
        assert (walk.action[at_s] == WRONG).sum() == 2 ** (n - s - 1)
    # the true values satisfy the Bellman optimality equation on every stored transition
    everything = np.arange(len(walk.state))[None]
    assert np.allclose(cliffwalk_td_errors(walk.q_true[None], walk, everything), 0.0)
    assert walk.q_true[-1, RIGHT] == 1.0 and (walk.q_true[:, WRONG] == 0).all()


def test_the_cliffwalk_refuses_a_bad_length():
    with pytest.raises(ValueError, match="n must be an int"):
        blind_cliffwalk(0)


def test_replay_learns_the_values_and_prioritising_takes_fewer_updates():
    walk = blind_cliffwalk(5)
    counts = {
        replay: updates_to_learn(walk, replay, runs=8, rng=np.random.default_rng(0))
        for replay in ("uniform", "prioritised", "fresh")
    }
    assert all((c < 10**6).all() for c in counts.values())
    assert np.median(counts["prioritised"]) < np.median(counts["uniform"]) / 2
    assert np.median(counts["fresh"]) < np.median(counts["uniform"]) / 2
    # a run that stops early is reported at the limit
    limited = updates_to_learn(walk, "uniform", runs=2, rng=np.random.default_rng(0), max_updates=5)
    assert (limited == 5).all()


def test_updates_to_learn_refuses_an_unknown_replay():
    with pytest.raises(ValueError, match="'uniform', 'prioritised' or 'fresh'"):
        updates_to_learn(blind_cliffwalk(3), "greedy", runs=1, rng=np.random.default_rng(0))
