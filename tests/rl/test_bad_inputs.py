"""Bad inputs to the deep RL agents: each raises an error that names the argument, what it
received and what to pass (a continuous-action environment fails before any training)."""

from __future__ import annotations

from collections.abc import Callable

import gymnasium as gym
import numpy as np
import pytest

from lib.rl.actor_critic import A2CConfig, train_a2c
from lib.rl.checks import check_seeds
from lib.rl.ddpg import DDPGConfig, train_ddpg
from lib.rl.dqn import DQNConfig, train_dqn
from lib.rl.model_based import DynamicsModel, model_rollout
from lib.rl.reinforce import ReinforceConfig, train_reinforce
from lib.rl.tabular import q_learning

CASES = [
    pytest.param(
        lambda: train_dqn([0], DQNConfig(env_id="Pendulum-v1")),
        r"DQN needs a Discrete action space, but Pendulum-v1 has Box\(.*use lib.rl.ddpg.train_ddpg",
        id="dqn-box-actions",
    ),
    pytest.param(
        lambda: train_reinforce([0], ReinforceConfig(env_id="Pendulum-v1")),
        "REINFORCE needs a Discrete action space, but Pendulum-v1 has Box",
        id="reinforce-box-actions",
    ),
    pytest.param(
        lambda: train_a2c([0], A2CConfig(env_id="Pendulum-v1")),
        "A2C needs a Discrete action space, but Pendulum-v1 has Box",
        id="a2c-box-actions",
    ),
    pytest.param(
        lambda: train_ddpg([0], DDPGConfig(env_id="CartPole-v1")),
        r"DDPG needs a Box action space .*CartPole-v1 has Discrete\(2\); .*train_dqn",
        id="ddpg-discrete-actions",
    ),
    pytest.param(
        lambda: train_dqn("01"),
        "seeds must be a sequence of ints, one per agent, got '01'; pass e.g. ",
        id="dqn-seeds-string",
    ),
    pytest.param(
        lambda: train_a2c(3), "seeds must be a sequence of ints.*got 3", id="a2c-seeds-int"
    ),
    pytest.param(
        lambda: train_reinforce([0.5]),
        r"seeds must be ints, one per agent, got 0.5 in \[0.5\]",
        id="reinforce-seeds-float",
    ),
    pytest.param(lambda: train_ddpg([]), "pass at least one seed", id="ddpg-no-seeds"),
    pytest.param(
        lambda: q_learning(gym.make("FrozenLake-v1"), 2, seed=0, epsilon=10),
        r"epsilon is a probability in \[0, 1\] .*got 10",
        id="q_learning-epsilon-percent",
    ),
    pytest.param(
        lambda: model_rollout(DynamicsModel(4, 2), np.zeros(4), [0, 5]),
        "actions must be action indices in 0..1, got 5",
        id="model_rollout-action-out-of-range",
    ),
]


@pytest.mark.parametrize("call, message", CASES)
def test_bad_input_raises_a_clear_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_check_seeds_takes_lists_tuples_ranges_and_integer_arrays() -> None:
    assert check_seeds([0, 1]) == check_seeds((0, 1)) == check_seeds(range(2)) == [0, 1]
    assert check_seeds(np.arange(2)) == [0, 1]


@pytest.mark.parametrize("gamma", [1.5, -0.1, 99])
def test_returns_to_go_needs_a_discount_in_0_1(gamma: float) -> None:
    from lib.rl.reinforce import returns_to_go

    with pytest.raises(ValueError, match=rf"gamma must be a discount in \[0, 1\], got {gamma}"):
        returns_to_go(np.ones(4), gamma)


def test_one_hot_policy_rejects_actions_outside_the_action_space() -> None:
    from lib.rl.mdp import one_hot_policy

    with pytest.raises(ValueError, match=r"actions must be action indices in 0..3, got 0..5"):
        one_hot_policy(np.array([0, 5]), 4)
    with pytest.raises(ValueError, match=r"actions must be action indices in 0..3, got -1..0"):
        one_hot_policy(np.array([-1, 0]), 4)
    assert one_hot_policy(np.array([1, 3]), 4).tolist() == [[0, 1, 0, 0], [0, 0, 0, 1]]


@pytest.mark.parametrize("field", ["horizon", "num_sequences", "random_steps", "iterations"])
def test_mbrl_config_needs_positive_ints(field: str) -> None:
    from lib.rl.model_based import MBRLConfig

    with pytest.raises(ValueError, match=rf"{field} must be a positive int, got 0"):
        MBRLConfig(**{field: 0})
    with pytest.raises(ValueError, match=rf"{field} must be a positive int, got 2.5"):
        MBRLConfig(**{field: 2.5})
