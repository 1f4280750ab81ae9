"""MDP utilities: the Bellman backup on a hand-checked MDP, evaluation and value iteration."""

import gymnasium as gym
import numpy as np
import pytest

from lib.rl.mdp import (
    TabularMDP,
    bellman_backup,
    estimate_mdp,
    from_gymnasium,
    one_hot_policy,
    policy_evaluation,
    policy_evaluation_exact,
    policy_iteration,
    uniform_policy,
    value_iteration,
)
from lib.rl.tabular import rollout_returns


def two_state_mdp() -> TabularMDP:
    """State 0: action 0 stays (+1), action 1 moves to 1 (+0 now). State 1 is absorbing.

    Action 1 from state 1... state 1 has a self loop with reward 2 under both actions.
    """
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = 1.0
    P[0, 1, 1] = 1.0
    P[1, :, 1] = 1.0
    R = np.array([[1.0, 0.0], [2.0, 2.0]])
    return TabularMDP(P, R, np.array([False, False]))


def test_bellman_backup_by_hand():
    mdp = two_state_mdp()
    V = np.array([10.0, 20.0])
    gamma = 0.5
    # Q(0,0) = 1 + 0.5*10 = 6, Q(0,1) = 0 + 0.5*20 = 10, Q(1,.) = 2 + 0.5*20 = 12.
    assert np.allclose(bellman_backup(mdp, V, gamma), [10.0, 12.0])
    pi = np.array([[0.25, 0.75], [1.0, 0.0]])
    assert np.allclose(bellman_backup(mdp, V, gamma, pi), [0.25 * 6 + 0.75 * 10, 12.0])


def test_value_iteration_closed_form_optimum():
    mdp = two_state_mdp()
    gamma = 0.9
    # V*(1) = 2 / (1 - 0.9) = 20; staying in 0 forever gives 1/(1-0.9) = 10 < moving: 0.9 * 20 = 18.
    result = value_iteration(mdp, gamma)
    assert np.allclose(result.V, [18.0, 20.0], atol=1e-8)
    assert result.policy[0] == 1
    # With a short horizon staying wins: 1/(1-0.1) = 1.111 > 0.1 * 2/(1-0.1) = 0.222.
    assert value_iteration(mdp, 0.1).policy[0] == 0


def test_value_iteration_is_a_fixed_point_and_agrees_with_policy_iteration():
    env = gym.make("FrozenLake-v1")
    mdp = from_gymnasium(env)
    result = value_iteration(mdp, 0.95)
    assert np.allclose(bellman_backup(mdp, result.V, 0.95), result.V, atol=1e-9)
    pi_actions, V_pi = policy_iteration(mdp, 0.95)
    assert np.allclose(V_pi, result.V, atol=1e-8)
    # Any greedy policy w.r.t. V* is optimal: its value is V*.
    V_greedy = policy_evaluation_exact(mdp, one_hot_policy(result.policy, mdp.num_actions), 0.95)
    assert np.allclose(V_greedy, result.V, atol=1e-8)


def test_cliff_walking_known_optimum():
    env = gym.make("CliffWalking-v1")
    mdp = from_gymnasium(env)
    result = value_iteration(mdp, 1.0)
    # Shortest safe path: up, 11 steps right, down = 13 steps of reward -1.
    assert result.V[36] == pytest.approx(-13.0)
    assert rollout_returns(env, result.policy, 1, seed=0)[0] == -13.0


def test_iterative_and_exact_policy_evaluation_agree():
    mdp = from_gymnasium(gym.make("FrozenLake-v1"))
    pi = uniform_policy(mdp)
    assert np.allclose(
        policy_evaluation(mdp, pi, 0.9), policy_evaluation_exact(mdp, pi, 0.9), atol=1e-8
    )


def test_estimated_model_converges_to_true_model():
    env = gym.make("FrozenLake-v1")
    mdp = from_gymnasium(env)
    transitions: list = []
    rollout_returns(env, uniform_policy(mdp), 3000, seed=1, transitions=transitions)
    model, counts = estimate_mdp(transitions, mdp.num_states, mdp.num_actions)
    visited = (counts >= 200) & ~mdp.terminal[:, None]
    assert visited.sum() > 10
    assert np.abs(model.P - mdp.P)[visited].max() < 0.12


def test_bad_input_raises():
    mdp = two_state_mdp()
    with pytest.raises(ValueError, match="policy"):
        bellman_backup(mdp, np.zeros(2), 0.9, np.ones((3, 2)))
    with pytest.raises(ValueError, match="gamma"):
        value_iteration(mdp, 1.5)
    with pytest.raises(ValueError, match="probability"):
        TabularMDP(np.ones((2, 2, 2)), np.zeros((2, 2)), np.zeros(2, bool))
