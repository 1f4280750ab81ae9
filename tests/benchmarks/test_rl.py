"""The DQN, A2C and DDPG benchmarks give stable-baselines3 exactly our schedule."""

import dataclasses

import pytest

from benchmarks.rl import (
    SB3_UNMAPPED,
    SB3_UNMAPPED_A2C,
    SB3_UNMAPPED_DDPG,
    cartpole_a2c_config,
    sb3_a2c_kwargs,
    sb3_ddpg_kwargs,
    sb3_dqn_kwargs,
)
from lib.rl.actor_critic import A2CConfig
from lib.rl.ddpg import DDPGConfig
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


def _comparable(kwargs: dict) -> dict:
    """``kwargs`` with the action-noise object replaced by its parameters (it has no ``==``)."""
    noise = kwargs.get("action_noise")
    if noise is None:
        return kwargs
    return {
        **kwargs,
        "action_noise": (type(noise).__name__, noise._mu.tolist(), noise._sigma.tolist()),
    }


def _changed_value(value):
    """Another valid value of a config field (zero becomes a small positive value)."""
    if isinstance(value, float) and value == 0.0:
        return 0.01
    return _changed(value)


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(A2CConfig)])
def test_every_a2c_field_reaches_sb3_or_is_listed(name):
    base = cartpole_a2c_config()
    changed = dataclasses.replace(base, **{name: _changed_value(getattr(base, name))})
    assert (sb3_a2c_kwargs(changed) != sb3_a2c_kwargs(base)) == (name not in SB3_UNMAPPED_A2C), name


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(DDPGConfig)])
def test_every_ddpg_field_reaches_sb3_or_is_listed(name):
    pytest.importorskip("stable_baselines3")
    base = DDPGConfig()
    value = getattr(base, name)
    if name == "env_id":
        value = "MountainCarContinuous-v0"
    elif name == "learning_starts":
        value = 2 * value
    else:
        value = _changed_value(value)
    changed = dataclasses.replace(base, **{name: value})
    differs = _comparable(sb3_ddpg_kwargs(changed)) != _comparable(sb3_ddpg_kwargs(base))
    assert differs == (name not in SB3_UNMAPPED_DDPG), name


def test_sb3_builds_our_a2c_and_ddpg():
    sb3 = pytest.importorskip("stable_baselines3")
    torch = pytest.importorskip("torch")
    a2c_config = cartpole_a2c_config()
    assert a2c_config.total_steps == CARTPOLE_DQN.total_steps
    a2c = sb3.A2C("MlpPolicy", "CartPole-v1", seed=0, device="cpu", **sb3_a2c_kwargs(a2c_config))
    assert isinstance(a2c.policy.optimizer, torch.optim.Adam)
    assert a2c.policy.optimizer.defaults["lr"] == a2c_config.lr
    pi = [
        m.out_features
        for m in a2c.policy.mlp_extractor.policy_net.modules()
        if isinstance(m, torch.nn.Linear)
    ]
    vf = [
        m.out_features
        for m in a2c.policy.mlp_extractor.value_net.modules()
        if isinstance(m, torch.nn.Linear)
    ]
    assert pi == vf == list(a2c_config.hidden)
    assert (a2c.n_steps, a2c.gamma, a2c.gae_lambda) == (
        a2c_config.n_steps,
        a2c_config.gamma,
        a2c_config.gae_lambda,
    )
    assert a2c.normalize_advantage == a2c_config.normalize_advantages

    config = DDPGConfig()
    ddpg = sb3.DDPG("MlpPolicy", "Pendulum-v1", seed=0, device="cpu", **sb3_ddpg_kwargs(config))
    widths = [m.out_features for m in ddpg.actor.modules() if isinstance(m, torch.nn.Linear)]
    assert widths == [*config.hidden, 1]
    critic = [m.out_features for m in ddpg.critic.modules() if isinstance(m, torch.nn.Linear)]
    assert critic == [*config.hidden, 1]  # one critic, as DDPG (TD3 has two)
    assert (ddpg.tau, ddpg.gamma, ddpg.batch_size, ddpg.learning_starts) == (
        config.tau,
        config.gamma,
        config.batch_size,
        config.learning_starts,
    )
    # Our noise is action_noise * max_action in torque units; stable-baselines3 adds its noise in
    # [-1, 1] units before rescaling by max_action: the same distribution.
    assert ddpg.action_noise._sigma.tolist() == [config.action_noise]
