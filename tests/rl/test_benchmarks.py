"""The DQN benchmark gives stable-baselines3 exactly our schedule."""

import dataclasses

import pytest

from lib.rl.benchmarks import SB3_UNMAPPED, sb3_dqn_kwargs
from lib.rl.dqn import CARTPOLE_DQN, DQNConfig


def _changed(value):
    """Another valid value of a DQNConfig field."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, tuple):
        return (*value, 8)
    if isinstance(value, str):
        return {"huber": "mse", "mse": "huber"}.get(value, "Acrobot-v1")
    return value * 2 if isinstance(value, int) else value / 2


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(DQNConfig)])
def test_every_field_reaches_sb3_or_is_listed(name):
    changed = dataclasses.replace(CARTPOLE_DQN, **{name: _changed(getattr(CARTPOLE_DQN, name))})
    assert (sb3_dqn_kwargs(changed) != sb3_dqn_kwargs(CARTPOLE_DQN)) == (
        name not in SB3_UNMAPPED
    ), name


def test_sb3_builds_our_network_and_schedule():
    sb3 = pytest.importorskip("stable_baselines3")
    torch = pytest.importorskip("torch")
    model = sb3.DQN(
        "MlpPolicy", CARTPOLE_DQN.env_id, seed=0, device="cpu", **sb3_dqn_kwargs(CARTPOLE_DQN)
    )
    widths = [m.out_features for m in model.q_net.modules() if isinstance(m, torch.nn.Linear)]
    assert widths == [*CARTPOLE_DQN.hidden, 2]
    assert (model.learning_rate, model.tau, model.gamma) == (
        CARTPOLE_DQN.lr,
        CARTPOLE_DQN.tau,
        CARTPOLE_DQN.gamma,
    )
    assert model.target_update_interval == CARTPOLE_DQN.target_update_interval
    assert model.exploration_schedule(1.0) == CARTPOLE_DQN.epsilon(0)
    assert model.exploration_schedule(0.0) == pytest.approx(
        CARTPOLE_DQN.epsilon(CARTPOLE_DQN.total_steps)
    )
