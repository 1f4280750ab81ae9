"""Bad inputs to the deep RL agents: each raises an error that names the argument, what it
received and what to pass (a continuous-action environment fails before any training)."""

from __future__ import annotations

import copy

import gymnasium as gym
import numpy as np
import pytest
import torch

from lib.rl.actor_critic import A2CConfig, a2c_loss, train_a2c
from lib.rl.checks import check_seeds
from lib.rl.ddpg import DDPGConfig, ddpg_update, deterministic_actions, train_ddpg
from lib.rl.dqn import DQNConfig, dqn_loss, final_evaluation, train_dqn
from lib.rl.mdp import (
    estimate_mdp,
    from_gymnasium,
    policy_evaluation,
    policy_evaluation_exact,
    policy_iteration,
    q_from_v,
    uniform_policy,
)
from lib.rl.model_based import (
    DynamicsModel,
    RandomShootingMPC,
    Transitions,
    collect,
    episode_segments,
    fit_dynamics,
    model_rollout,
    one_step_errors,
    open_loop_errors,
    train_mbrl,
)
from lib.rl.networks import BatchedMLP, single_thread
from lib.rl.plotting import (
    plot_episode_returns,
    plot_horizon_errors,
    plot_state_predictions,
    plot_value_grid,
    plot_value_grids,
)
from lib.rl.ppo import ppo_clipped_objective
from lib.rl.reinforce import ReinforceConfig, pad_episodes, reinforce_loss, train_reinforce
from lib.rl.tabular import q_learning, rollout_returns
from tests.clear_errors import clear_error_test

CASES = [
    pytest.param(
        lambda: train_dqn([0], DQNConfig(env_id="Pendulum-v1")),
        ValueError,
        r"DQN needs a Discrete action space, but Pendulum-v1 has Box\(.*use lib.rl.ddpg.train_ddpg",
        id="dqn-box-actions",
    ),
    pytest.param(
        lambda: train_reinforce([0], ReinforceConfig(env_id="Pendulum-v1")),
        ValueError,
        "REINFORCE needs a Discrete action space, but Pendulum-v1 has Box",
        id="reinforce-box-actions",
    ),
    pytest.param(
        lambda: train_a2c([0], A2CConfig(env_id="Pendulum-v1")),
        ValueError,
        "A2C needs a Discrete action space, but Pendulum-v1 has Box",
        id="a2c-box-actions",
    ),
    pytest.param(
        lambda: train_ddpg([0], DDPGConfig(env_id="CartPole-v1")),
        ValueError,
        r"DDPG needs a Box action space .*CartPole-v1 has Discrete\(2\); .*train_dqn",
        id="ddpg-discrete-actions",
    ),
    pytest.param(
        lambda: train_dqn("01"),
        ValueError,
        "seeds must be a sequence of ints, one per agent, got '01'; pass e.g. ",
        id="dqn-seeds-string",
    ),
    pytest.param(
        lambda: train_a2c(3),
        ValueError,
        "seeds must be a sequence of ints.*got 3",
        id="a2c-seeds-int",
    ),
    pytest.param(
        lambda: train_reinforce([0.5]),
        ValueError,
        r"seeds must be ints, one per agent, got 0.5 in \[0.5\]",
        id="reinforce-seeds-float",
    ),
    pytest.param(lambda: train_ddpg([]), ValueError, "pass at least one seed", id="ddpg-no-seeds"),
    pytest.param(
        lambda: q_learning(gym.make("FrozenLake-v1"), 2, seed=0, epsilon=10),
        ValueError,
        r"epsilon is a probability in \[0, 1\] .*got 10",
        id="q_learning-epsilon-percent",
    ),
    pytest.param(
        lambda: model_rollout(DynamicsModel(4, 2), np.zeros(4), [0, 5]),
        ValueError,
        "actions must be action indices in 0..1, got 5",
        id="model_rollout-action-out-of-range",
    ),
]


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


# The losses and updates of the deep agents, on two small networks per role (M = 2 agents).
POLICY, CRITIC = BatchedMLP([0, 1], 4, (8,), 3), BatchedMLP([2, 3], 4, (8,), 1)
OBS = np.zeros((2, 5, 4), np.float32)
ROLLOUT = (OBS, OBS, np.zeros((2, 5), np.int64), np.ones((2, 5)), *np.zeros((2, 2, 5), bool))
EPISODE = (np.zeros((3, 4), np.float32), np.zeros(3, np.int64), np.zeros(3))
FROZEN_LAKE = gym.make("FrozenLake-v1")
MDP = from_gymnasium(FROZEN_LAKE)
UNIFORM = uniform_policy(MDP)


def transitions(**changes: torch.Tensor) -> dict[str, torch.Tensor]:
    """A batch of 5 transitions per agent as ReplayBuffer.sample returns it, with ``changes``."""
    batch = {
        "obs": torch.zeros(2, 5, 4),
        "action": torch.zeros(2, 5, dtype=torch.long),
        "reward": torch.zeros(2, 5),
        "next_obs": torch.zeros(2, 5, 4),
        "terminated": torch.zeros(2, 5),
    }
    return {**batch, **changes}


def ddpg_step(batch: dict[str, torch.Tensor], **settings: float) -> None:
    actor, critic = BatchedMLP([0, 1], 4, (8,), 1), BatchedMLP([2, 3], 5, (8,), 1)
    ddpg_update(
        actor,
        critic,
        copy.deepcopy(actor),
        copy.deepcopy(critic),
        torch.optim.SGD(actor.parameters(), lr=0.1),
        torch.optim.SGD(critic.parameters(), lr=0.1),
        batch,
        **{"max_action": 2.0, "gamma": 0.99, "tau": 0.01, **settings},
    )


CASES += [
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, transitions(obs=OBS), 0.9),
        TypeError,
        r"batch\['obs'\] must be a torch.Tensor, got ndarray; convert a numpy array with "
        r"torch.from_numpy",
        id="dqn_loss-numpy-obs",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, BatchedMLP([0, 1], 4, (8,), 2), transitions(), 0.9),
        ValueError,
        r"target_net must have the agents, inputs and outputs \(M, in_dim, out_dim\) of q_net, "
        r"got \(2, 4, 2\) for target_net and \(2, 4, 3\) for q_net; pass a copy of q_net",
        id="dqn_loss-target-net-other-actions",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, tuple(transitions().values()), 0.9),
        TypeError,
        r"batch must be a dict of tensors \('obs', 'action', 'reward', 'next_obs', 'terminated'\), "
        "as ReplayBuffer.sample returns it, got tuple",
        id="dqn_loss-tuple-batch",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, {"obs": torch.zeros(2, 5, 4)}, 0.9),
        ValueError,
        r"batch has no 'action'; pass a dict with the tensors",
        id="dqn_loss-missing-tensors",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, transitions(obs=torch.zeros(5, 4)), 0.9),
        ValueError,
        r"batch must hold obs and next_obs of shape \(M, B, obs_dim\), action of shape \(M, B\) "
        r"and reward and terminated of shape \(M, B\), one \(M, B\) for all; got obs \(5, 4\)",
        id="dqn_loss-obs-without-agent-axis",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, transitions(obs=torch.zeros(2, 6, 4)), 0.9),
        ValueError,
        r"one \(M, B\) for all; got obs \(2, 6, 4\), action \(2, 5\)",
        id="dqn_loss-batch-sizes-differ",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, transitions(reward=torch.zeros(2, 5, 1)), 0.9),
        ValueError,
        r"one \(M, B\) for all; got .*reward \(2, 5, 1\)",
        id="dqn_loss-reward-column",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, transitions(action=torch.zeros(2, 5)), 0.9),
        ValueError,
        r"batch\['action'\] must hold integer action indices, got torch.float32; pass "
        r"action.long\(\)",
        id="dqn_loss-float-actions",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, transitions(terminated=torch.zeros(2, 5).bool()), 0.9),
        ValueError,
        r"batch\['terminated'\] must be float \(1.0 where the episode terminated\), got "
        r"torch.bool; pass terminated.float\(\)",
        id="dqn_loss-bool-terminated",
    ),
    pytest.param(
        lambda: dqn_loss(
            POLICY, POLICY, transitions(action=torch.tensor([[0, 1, 2, 3, 0]] * 2)), 0.9
        ),
        ValueError,
        r"batch\['action'\] must hold action indices in 0..2 \(the network has 3 outputs, one per "
        r"action\), got values in 0..3; pass actions in 0..2",
        id="dqn_loss-action-equal-to-num_actions",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, transitions(action=torch.full((2, 5), -1)), 0.9),
        ValueError,
        r"batch\['action'\] must hold action indices in 0..2 .*got values in -1..-1",
        id="dqn_loss-negative-action",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, transitions(), 0.9, double=torch.tensor([True] * 3)),
        ValueError,
        r"double must be a bool or one bool per agent, a bool tensor of shape \(2,\), got "
        r"torch.bool of shape \(3,\); pass double=True for every agent, or a list of 2 bools",
        id="dqn_loss-double-for-3-agents",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, transitions(), 0.9, double=torch.ones(2)),
        ValueError,
        r"double must be a bool .*got torch.float32 of shape \(2,\)",
        id="dqn_loss-double-floats",
    ),
    pytest.param(
        lambda: reinforce_loss(POLICY, CRITIC, (OBS, *torch.zeros(3, 2, 5))),
        TypeError,
        r"X must be a torch.Tensor, got ndarray; convert a numpy array with torch.from_numpy\(X\)",
        id="reinforce_loss-numpy-obs",
    ),
    pytest.param(
        lambda: reinforce_loss(POLICY, CRITIC, (torch.zeros(2, 5, 4), *torch.zeros(2, 2, 5))),
        ValueError,
        r"batch must be the four tensors \(X, A, G, mask\) of pad_episodes, got 3",
        id="reinforce_loss-no-mask",
    ),
    pytest.param(
        lambda: reinforce_loss(
            POLICY,
            CRITIC,
            (torch.zeros(2, 5, 4), torch.zeros(2, 5).long(), torch.zeros(5), torch.ones(2, 5)),
        ),
        ValueError,
        r"batch must hold X \(M, N, obs_dim\) and A, G, mask \(M, N\), one \(M, N\) for all; "
        r"got X \(2, 5, 4\), A \(2, 5\), G \(5,\), mask \(2, 5\)",
        id="reinforce_loss-returns-of-one-agent",
    ),
    pytest.param(
        lambda: reinforce_loss(POLICY, CRITIC, (torch.zeros(2, 5, 4), *torch.zeros(3, 2, 5))),
        ValueError,
        r"A must hold integer action indices, got torch.float32; pass A.long\(\)",
        id="reinforce_loss-float-actions",
    ),
    pytest.param(
        lambda: reinforce_loss(
            POLICY, CRITIC, (torch.zeros(2, 5, 4), torch.full((2, 5), -1), *torch.ones(2, 2, 5))
        ),
        ValueError,
        r"A must hold action indices in 0..2 \(the network has 3 outputs, one per action\), got "
        r"values in -1..-1; pass actions in 0..2",
        id="reinforce_loss-negative-action",
    ),
    pytest.param(
        lambda: ddpg_step(transitions(reward=torch.zeros(2, 5, 1), action=torch.zeros(2, 5, 1))),
        ValueError,
        r"action of shape \(M, B, act_dim\) .*got .*reward \(2, 5, 1\)",
        id="ddpg_update-reward-column",
    ),
    pytest.param(
        lambda: ddpg_step(transitions(action=torch.zeros(2, 5))),
        ValueError,
        r"action of shape \(M, B, act_dim\) .*got obs \(2, 5, 4\), action \(2, 5\)",
        id="ddpg_update-action-without-act_dim",
    ),
    pytest.param(
        lambda: ddpg_step(transitions(action=torch.zeros(2, 5, 1).long())),
        ValueError,
        r"batch\['action'\] must hold floats \(continuous actions\), got torch.int64",
        id="ddpg_update-integer-actions",
    ),
    pytest.param(
        lambda: ddpg_step(transitions(action=torch.zeros(2, 5, 1), obs=OBS)),
        TypeError,
        r"batch\['obs'\] must be a torch.Tensor, got ndarray",
        id="ddpg_update-numpy-obs",
    ),
    pytest.param(
        lambda: ddpg_step(transitions(action=torch.zeros(2, 5, 1)), max_action=0),
        ValueError,
        r"max_action must be a positive number \(the largest action, e.g. 2.0 for Pendulum-v1\), "
        "got 0",
        id="ddpg_update-max_action-0",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, transitions(obs=torch.zeros(2, 5, 4).double()), 0.9),
        ValueError,
        r"x is torch.float64 but the networks' weights are torch.float32; pass x.float\(\)",
        id="dqn_loss-float64-obs",
    ),
    pytest.param(
        lambda: dqn_loss(POLICY, POLICY, transitions(), 99),
        ValueError,
        r"gamma must be in \[0, 1\], got 99",
        id="dqn_loss-gamma-99",
    ),
    pytest.param(
        lambda: pad_episodes([EPISODE, EPISODE], obs_dim=4),
        ValueError,
        r"episodes\[0\] must be a list of one agent's episodes, got tuple; for a single agent "
        r"pass \[episodes\]",
        id="pad_episodes-not-per-agent",
    ),
    pytest.param(
        lambda: pad_episodes([[EPISODE]], obs_dim=5),
        ValueError,
        r"episodes\[0\]\[0\] must be observations \(3, obs_dim=5\).*got \(3, 4\)",
        id="pad_episodes-wrong-obs_dim",
    ),
    pytest.param(
        lambda: pad_episodes([[(EPISODE[0], EPISODE[1], np.zeros(2))]], obs_dim=4),
        ValueError,
        r"returns-to-go \(3,\), got \(3, 4\), \(3,\) and \(2,\)",
        id="pad_episodes-returns-too-short",
    ),
    pytest.param(
        lambda: pad_episodes([[(EPISODE[0], np.zeros(3), EPISODE[2])]], obs_dim=4),
        ValueError,
        r"actions must be integer action indices, got float64; pass actions.astype\(np.int64\)",
        id="pad_episodes-float-actions",
    ),
    pytest.param(
        lambda: pad_episodes([], obs_dim=4),
        ValueError,
        "episodes must hold one list of episodes per agent, got none",
        id="pad_episodes-empty",
    ),
    pytest.param(
        lambda: a2c_loss(CRITIC, POLICY, ROLLOUT, A2CConfig()),
        ValueError,
        r"a2c_loss takes \(policy, critic, ...\).*a policy with 1 and a critic with 3; swap them",
        id="a2c_loss-policy-critic-swapped",
    ),
    pytest.param(
        lambda: a2c_loss(POLICY, CRITIC, ROLLOUT, {"gamma": 0.9}),
        TypeError,
        r"config must be a A2CConfig, got dict",
        id="a2c_loss-config-dict",
    ),
    pytest.param(
        lambda: a2c_loss(POLICY, CRITIC, ROLLOUT[:4], A2CConfig()),
        ValueError,
        r"rollout must be the six arrays \(obs, next_obs, actions, rewards, terminated, "
        r"truncated\), got 4",
        id="a2c_loss-four-arrays",
    ),
    pytest.param(
        lambda: a2c_loss(POLICY, CRITIC, (torch.from_numpy(OBS), *ROLLOUT[1:]), A2CConfig()),
        TypeError,
        r"rollout's obs must be a NumPy array, got Tensor; pass obs.numpy\(\)",
        id="a2c_loss-tensor-obs",
    ),
    pytest.param(
        lambda: a2c_loss(
            POLICY, CRITIC, (*ROLLOUT[:2], np.zeros((2, 5)), *ROLLOUT[3:]), A2CConfig()
        ),
        ValueError,
        r"rollout's actions must be integer action indices .*got float64 \(2, 5\); pass "
        r"actions.astype\(np.int64\)",
        id="a2c_loss-float-actions",
    ),
    pytest.param(
        lambda: a2c_loss(
            POLICY, CRITIC, (*ROLLOUT[:2], np.full((2, 5), 3), *ROLLOUT[3:]), A2CConfig()
        ),
        ValueError,
        r"rollout's actions must hold action indices in 0..2 \(the network has 3 outputs, one per "
        r"action\), got values in 3..3",
        id="a2c_loss-action-equal-to-num_actions",
    ),
    pytest.param(
        lambda: a2c_loss(POLICY, CRITIC, (OBS.astype(float), *ROLLOUT[1:]), A2CConfig()),
        ValueError,
        "x is torch.float64 but the networks' weights are torch.float32",
        id="a2c_loss-float64-obs",
    ),
    pytest.param(
        lambda: ddpg_step(transitions(action=torch.zeros(2, 5, 1)), gamma=1.5),
        ValueError,
        r"gamma must be in \[0, 1\], got 1.5",
        id="ddpg_update-gamma-1.5",
    ),
    pytest.param(
        lambda: ddpg_step(transitions(action=torch.zeros(2, 5, 1)), tau=5),
        ValueError,
        r"tau must be in \(0, 1\], got 5",
        id="ddpg_update-tau-5",
    ),
    pytest.param(
        lambda: deterministic_actions(POLICY, 0),
        ValueError,
        r"max_action must be a positive number \(the largest action, e.g. 2.0 for Pendulum-v1\), "
        "got 0",
        id="deterministic_actions-max_action-0",
    ),
    pytest.param(
        lambda: deterministic_actions("actor", 2.0),
        TypeError,
        "actor must be a BatchedMLP .*got str",
        id="deterministic_actions-actor-name",
    ),
    pytest.param(
        lambda: deterministic_actions(POLICY, 2.0)(OBS),
        TypeError,
        "x must be a torch.Tensor, got ndarray",
        id="deterministic_actions-numpy-obs",
    ),
]

# The tabular MDP functions on FrozenLake's model.
CASES += [
    pytest.param(
        lambda: from_gymnasium("FrozenLake-v1"),
        TypeError,
        r"env must be a Gymnasium environment, got str; pass gym.make\('FrozenLake-v1'\)",
        id="from_gymnasium-name",
    ),
    pytest.param(
        lambda: from_gymnasium(gym.make("CartPole-v1")),
        ValueError,
        "CartPoleEnv has no model P; pass a toy-text env such as FrozenLake-v1",
        id="from_gymnasium-no-model",
    ),
    pytest.param(
        lambda: uniform_policy(FROZEN_LAKE),
        TypeError,
        r"mdp must be a TabularMDP, got TimeLimit; build it with from_gymnasium\(env\)",
        id="uniform_policy-env",
    ),
    pytest.param(
        lambda: q_from_v(FROZEN_LAKE, np.zeros(16), 0.9),
        TypeError,
        r"mdp must be a TabularMDP, got TimeLimit; build it with from_gymnasium\(env\) or "
        r"TabularMDP\(P, R, terminal\)",
        id="q_from_v-env",
    ),
    pytest.param(
        lambda: q_from_v(MDP, np.zeros((16, 4)), 0.9),
        ValueError,
        r"V must have shape \(16,\), got \(16, 4\)",
        id="q_from_v-Q-for-V",
    ),
    pytest.param(
        lambda: q_from_v(MDP, np.zeros(16), "0.9"),
        ValueError,
        r"gamma must be a number in \[0, 1\], got '0.9'",
        id="q_from_v-gamma-string",
    ),
    pytest.param(
        lambda: policy_evaluation(MDP, np.zeros(16, int), 0.9),
        ValueError,
        r"policy must be pi\[s, a\] of shape \(16, 4\), got \(16,\); .*one_hot_policy",
        id="policy_evaluation-actions-for-policy",
    ),
    pytest.param(
        lambda: policy_evaluation(MDP, np.ones((16, 4)), 0.9),
        ValueError,
        r"every row policy\[s, :\] must be a probability vector",
        id="policy_evaluation-rows-not-summing-to-1",
    ),
    pytest.param(
        lambda: policy_evaluation(MDP, UNIFORM, 1.5),
        ValueError,
        r"gamma must be a number in \[0, 1\], got 1.5",
        id="policy_evaluation-gamma-1.5",
    ),
    pytest.param(
        lambda: policy_evaluation(MDP, UNIFORM, 0.9, tol=0),
        ValueError,
        r"tol must be a positive number \(e.g. 1e-10\), got 0",
        id="policy_evaluation-tol-0",
    ),
    pytest.param(
        lambda: policy_evaluation(MDP, UNIFORM, 0.9, max_iter=1e3),
        ValueError,
        "max_iter must be an int of at least 1, got 1000.0",
        id="policy_evaluation-max_iter-float",
    ),
    pytest.param(
        lambda: policy_evaluation_exact(MDP, UNIFORM.T, 0.9),
        ValueError,
        r"policy must be pi\[s, a\] of shape \(16, 4\), got \(4, 16\)",
        id="policy_evaluation_exact-transposed-policy",
    ),
    pytest.param(
        lambda: policy_evaluation_exact(MDP, UNIFORM, 1.0),
        ValueError,
        r"the linear solve needs gamma in \[0, 1\), got 1.0; use policy_evaluation\(\)",
        id="policy_evaluation_exact-gamma-1",
    ),
    pytest.param(
        lambda: policy_iteration(MDP, 1.0),
        ValueError,
        r"policy iteration solves linear systems and needs gamma in \[0, 1\), got 1.0; for "
        r"gamma = 1 use value_iteration\(\)",
        id="policy_iteration-gamma-1",
    ),
    pytest.param(
        lambda: policy_iteration(uniform_policy, 0.9),
        TypeError,
        "mdp must be a TabularMDP, got function",
        id="policy_iteration-not-an-mdp",
    ),
    pytest.param(
        lambda: estimate_mdp([(0, 1, 4, 0.0, False)], 16, 4),
        ValueError,
        r"transition \(0, 1, 4, 0.0, False\) must be \(s, a, r, s', terminated\) with integer "
        "s, a and s'",
        id="estimate_mdp-reward-and-next-state-swapped",
    ),
    pytest.param(
        lambda: estimate_mdp([(0, 1, 0.0, 4)], 16, 4),
        ValueError,
        r"each transition must be a tuple \(s, a, r, s', terminated\), got \(0, 1, 0.0, 4\)",
        id="estimate_mdp-four-fields",
    ),
    pytest.param(
        lambda: estimate_mdp([(0, 3, 0.0, 4, False)], 4, 16),
        ValueError,
        r"transition \(0, 3, 0.0, 4, False\) is outside S=4, A=16",
        id="estimate_mdp-S-and-A-swapped",
    ),
    pytest.param(
        lambda: estimate_mdp([(0, 1, 0.0, 4, False)], 16.0, 4),
        ValueError,
        "num_states must be an int of at least 1, got 16.0",
        id="estimate_mdp-float-num_states",
    ),
    pytest.param(
        lambda: rollout_returns(FROZEN_LAKE, np.zeros(16), 1, seed=0),
        ValueError,
        r"a deterministic policy of shape \(16,\) must hold action indices in 0..3, got float64 "
        r"values in \[0.0, 0.0\]; pass Q.argmax\(1\)",
        id="rollout_returns-values-for-actions",
    ),
    pytest.param(
        lambda: rollout_returns(FROZEN_LAKE, np.ones((16, 4)), 1, seed=0),
        ValueError,
        r"every row policy\[s, :\] must be a probability vector \(non-negative, sum 1\)",
        id="rollout_returns-rows-not-summing-to-1",
    ),
    pytest.param(
        lambda: rollout_returns(FROZEN_LAKE, UNIFORM, 1, seed=0, gamma=99),
        ValueError,
        r"gamma must be a number in \[0, 1\], got 99",
        id="rollout_returns-gamma-99",
    ),
    pytest.param(
        lambda: rollout_returns(FROZEN_LAKE, UNIFORM, 2.5, seed=0),
        ValueError,
        "num_episodes must be an int of at least 1, got 2.5",
        id="rollout_returns-float-episodes",
    ),
]


# Model-based RL and the final evaluation of DQN (the checks run before any training).
CARTPOLE = gym.make("CartPole-v1")
DATA, _ = collect(CARTPOLE, lambda _obs: 0, 5, seed=0)
DYNAMICS = DynamicsModel()

CASES += [
    pytest.param(
        lambda: collect("CartPole-v1", lambda _obs: 0, 5, seed=0),
        TypeError,
        r"env must be a Gymnasium environment, got str; pass gym.make\('CartPole-v1'\)",
        id="collect-env-name",
    ),
    pytest.param(
        lambda: collect(CARTPOLE, 0, 5, seed=0),
        TypeError,
        "act must map an observation to an action, got int",
        id="collect-action-for-act",
    ),
    pytest.param(
        lambda: collect(CARTPOLE, lambda _obs: 0, 1e3, seed=0),
        ValueError,
        "num_steps must be an int of at least 1, got 1000.0",
        id="collect-float-steps",
    ),
    pytest.param(
        lambda: fit_dynamics(DYNAMICS, collect(CARTPOLE, lambda _obs: 0, 5, seed=0)),
        TypeError,
        r"data must be Transitions, got tuple; collect returns \(transitions, returns\): pass "
        "its first element",
        id="fit_dynamics-collect-tuple",
    ),
    pytest.param(
        lambda: fit_dynamics(DynamicsModel(obs_dim=6), DATA),
        ValueError,
        r"data holds observations of shape \(5, 4\) but the model predicts states of size 6; "
        r"pass DynamicsModel\(obs_dim=4\)",
        id="fit_dynamics-model-of-another-env",
    ),
    pytest.param(
        lambda: fit_dynamics(
            DYNAMICS, DATA + Transitions(DATA.obs, DATA.action + 2, DATA.next_obs, DATA.terminated)
        ),
        ValueError,
        r"data's actions must be integer action indices in 0..1, got int64 values in \[0, 2\]",
        id="fit_dynamics-actions-out-of-range",
    ),
    pytest.param(
        lambda: fit_dynamics(DYNAMICS, DATA, batch_size=0),
        ValueError,
        "batch_size must be an int of at least 1, got 0",
        id="fit_dynamics-batch_size-0",
    ),
    pytest.param(
        lambda: one_step_errors(POLICY, DATA),
        TypeError,
        "model must be a DynamicsModel, got BatchedMLP",
        id="one_step_errors-policy-network",
    ),
    pytest.param(
        lambda: episode_segments(DATA, 10, seed=0),
        ValueError,
        r"no episode of data lasts horizon=10 transitions \(the longest lasts 5\); collect more",
        id="episode_segments-horizon-longer-than-the-data",
    ),
    pytest.param(
        lambda: episode_segments(DATA.obs, 2, seed=0),
        TypeError,
        "data must be Transitions, got ndarray",
        id="episode_segments-array",
    ),
    pytest.param(
        lambda: open_loop_errors(DYNAMICS, DATA.obs, DATA.action),
        ValueError,
        r"states must have shape \(B, H \+ 1, obs_dim\) and actions \(B, H\) with H >= 1, got "
        r"\(5, 4\) and \(5,\)",
        id="open_loop_errors-transitions-not-segments",
    ),
    pytest.param(
        lambda: open_loop_errors(DYNAMICS, np.zeros((2, 3, 4)), np.zeros((2, 2))),
        ValueError,
        "actions must be integer action indices, got float64",
        id="open_loop_errors-float-actions",
    ),
    pytest.param(
        lambda: open_loop_errors(lambda s, a: s[:, :2], np.zeros((2, 3, 4)), np.zeros((2, 2), int)),
        ValueError,
        r"step must map states \(2, 4\) and actions \(2,\) to next states \(2, 4\), got \(2, 2\)",
        id="open_loop_errors-step-of-another-shape",
    ),
    pytest.param(
        lambda: open_loop_errors("model", np.zeros((2, 3, 4)), np.zeros((2, 2), int)),
        TypeError,
        "step must map .states, actions. to next states, got str",
        id="open_loop_errors-name",
    ),
    pytest.param(
        lambda: ppo_clipped_objective(torch.zeros(4), torch.zeros(4), torch.zeros(3)),
        ValueError,
        r"one entry per sampled action, got shapes \(4,\), \(4,\) and \(3,\)",
        id="ppo-advantages-of-another-length",
    ),
    pytest.param(
        lambda: ppo_clipped_objective(torch.zeros(4), torch.zeros(4), torch.zeros(4), clip_eps=20),
        ValueError,
        r"clip_eps must be a number in \(0, 1\), e.g. 0.2, got 20",
        id="ppo-clip-in-percent",
    ),
    pytest.param(
        lambda: ppo_clipped_objective(torch.zeros(4), [0.0] * 4, torch.zeros(4)),
        TypeError,
        "old_log_probs must be a torch.Tensor, got list",
        id="ppo-list",
    ),
    pytest.param(
        lambda: RandomShootingMPC(DYNAMICS, horizon=2.5),
        ValueError,
        "horizon must be an int of at least 1, got 2.5",
        id="mpc-float-horizon",
    ),
    pytest.param(
        lambda: RandomShootingMPC(DYNAMICS)(np.zeros(6)),
        ValueError,
        r"obs must be one state \(4,\) or a batch \(B, 4\), got \(6,\)",
        id="mpc-state-of-another-env",
    ),
    pytest.param(
        lambda: train_mbrl([0, 1]),
        ValueError,
        r"seed must be an int of at least 0, got \[0, 1\]",
        id="train_mbrl-list-of-seeds",
    ),
    pytest.param(
        lambda: train_mbrl(0, {"horizon": 10}),
        TypeError,
        "config must be a MBRLConfig, got dict",
        id="train_mbrl-config-dict",
    ),
    pytest.param(
        lambda: final_evaluation("best"),
        TypeError,
        "net must be a BatchedMLP .*got str",
        id="final_evaluation-name",
    ),
    pytest.param(
        lambda: final_evaluation(POLICY, num_episodes=0),
        ValueError,
        "num_episodes must be an int of at least 1, got 0",
        id="final_evaluation-no-episodes",
    ),
    pytest.param(
        lambda: single_thread(1),
        TypeError,
        r"single_thread\(\) takes 0 positional arguments but 1 was given",
        id="single_thread-count",
    ),
]


# The figures of part 5 (each check runs before a figure is opened).
V = np.zeros(16)

CASES += [
    pytest.param(
        lambda: plot_value_grid(V, 16),
        ValueError,
        r"shape must be \(rows, cols\), got 16; pass e.g. \(4, 4\)",
        id="plot_value_grid-number-of-states",
    ),
    pytest.param(
        lambda: plot_value_grid(np.zeros((16, 4)), (4, 4)),
        ValueError,
        r"values must have shape \(16,\) for a 4x4 grid, got \(16, 4\)",
        id="plot_value_grid-Q-for-V",
    ),
    pytest.param(
        lambda: plot_value_grid(V, (4, 4), policy=UNIFORM),
        ValueError,
        r"policy must be one action index per state, shape \(16,\), got float64 \(16, 4\); "
        r"pass Q.argmax\(1\)",
        id="plot_value_grid-stochastic-policy",
    ),
    pytest.param(
        lambda: plot_value_grid(V, (4, 4), policy=np.full(16, 7)),
        ValueError,
        r"policy holds action 7 that arrows does not draw \(actions \[0, 1, 2, 3\]\)",
        id="plot_value_grid-action-without-arrow",
    ),
    pytest.param(
        lambda: plot_value_grid(V, (4, 4), labels=["S", "G"]),
        ValueError,
        r"labels must hold one text per state \(16\), got 2",
        id="plot_value_grid-labels-too-few",
    ),
    pytest.param(
        lambda: plot_value_grid(V, (4, 4), no_arrow=np.zeros(3, bool)),
        ValueError,
        r"no_arrow must have shape \(16,\), got \(3,\)",
        id="plot_value_grid-no_arrow-too-short",
    ),
    pytest.param(
        lambda: plot_value_grid(V, (4, 4), value_range=(1, 0)),
        ValueError,
        r"value_range must be \(vmin, vmax\) with vmin < vmax, got \(1, 0\)",
        id="plot_value_grid-range-reversed",
    ),
    pytest.param(
        lambda: plot_value_grids({"values": V}, (4, 4)),
        ValueError,
        r"panels must be a list of dicts of plot_value_grid's arguments, each with 'values'; "
        r"pass e.g. \[\{'values': V\}\]",
        id="plot_value_grids-one-dict",
    ),
    pytest.param(
        lambda: plot_value_grids([V, V], (4, 4)),
        ValueError,
        "panels must be a list of dicts",
        id="plot_value_grids-arrays",
    ),
    pytest.param(
        lambda: plot_episode_returns(np.zeros(50), window=2.5),
        ValueError,
        "window must be an int of at least 1, got 2.5",
        id="plot_episode_returns-float-window",
    ),
    pytest.param(
        lambda: plot_episode_returns([(1, 10.0), (2, 12.0)] * 10),
        ValueError,
        r"returns must be 1-D with at least window=10 episodes, got shape \(20, 2\)",
        id="plot_episode_returns-step-return-pairs",
    ),
    pytest.param(
        lambda: plot_horizon_errors([{"errors": {"model": -np.ones((3, 5))}, "ylabel": "e"}]),
        ValueError,
        r"model: errors must be non-negative with shape \(num_starts >= 2, H\), got shape "
        r"\(3, 5\); pass e.g. np.abs",
        id="plot_horizon_errors-signed-errors",
    ),
    pytest.param(
        lambda: plot_horizon_errors([]),
        ValueError,
        "pass at least one panel",
        id="plot_horizon_errors-no-panel",
    ),
    pytest.param(
        lambda: plot_state_predictions(np.zeros((5, 4)), np.zeros((6, 4))),
        ValueError,
        r"expected two \(T, 4\) trajectories, got \(5, 4\) and \(6, 4\)",
        id="plot_state_predictions-lengths-differ",
    ),
    pytest.param(
        lambda: plot_state_predictions(np.zeros(4), np.zeros(4)),
        ValueError,
        r"expected two \(T, 4\) trajectories, got \(4,\) and \(4,\)",
        id="plot_state_predictions-one-state",
    ),
    pytest.param(
        lambda: plot_state_predictions(np.zeros((5, 4)), np.zeros((5, 4)), dt=0),
        ValueError,
        r"dt must be the positive time step in seconds \(0.02 for CartPole\), got 0",
        id="plot_state_predictions-dt-0",
    ),
]


test_bad_input_raises_a_clear_error = clear_error_test(CASES)
