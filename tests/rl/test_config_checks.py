"""The agents' configuration dataclasses refuse bad values, each error naming the class and the
field, the value received and what to pass."""

import pytest

from lib.rl.actor_critic import A2CConfig
from lib.rl.ddpg import DDPGConfig
from lib.rl.dqn import DQNConfig
from lib.rl.reinforce import ReinforceConfig

CONFIGS = (DQNConfig, ReinforceConfig, A2CConfig, DDPGConfig)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"max_grad_norm": 0.0},
            r"DQNConfig\.max_grad_norm must be > 0, got 0\.0; pass e\.g\. the default 10\.0",
        ),
        ({"max_grad_norm": -1.0}, r"max_grad_norm must be > 0, got -1\.0"),
        (
            {"eps_start": 1.5},
            r"DQNConfig\.eps_start must be in \[0, 1\], got 1\.5; pass e\.g\. the default 1\.0",
        ),
        ({"eps_end": -0.1}, r"eps_end must be in \[0, 1\], got -0\.1"),
        ({"eps_fraction": 0.0}, r"eps_fraction must be in \(0, 1\], got 0\.0"),
        (
            {"total_steps": 500},
            r"DQNConfig\.learning_starts must be <= total_steps \(500\), got 1000: the agent would "
            r"never learn; pass at most 500, or a larger total_steps",
        ),
        (
            {"batch_size": 64, "learning_starts": 10},
            r"learning_starts must be >= batch_size \(64\), got 10: .*pass at least 64",
        ),
        ({"lr": 0.0}, r"DQNConfig\.lr must be > 0, got 0\.0"),
        ({"gamma": 1.1}, r"DQNConfig\.gamma must be in \[0, 1\], got 1\.1"),
        (
            {"tau": 0.0},
            r"DQNConfig\.tau must be in \(0, 1\], got 0\.0; pass e\.g\. the default 1\.0",
        ),
        (
            {"train_freq": 0},
            r"DQNConfig\.train_freq must be >= 1, got 0; pass e\.g\. the default 1",
        ),
        ({"eval_every": -1}, r"DQNConfig\.eval_every must be >= 0, got -1"),
        ({"eval_episodes": 0}, r"DQNConfig\.eval_episodes must be >= 1, got 0"),
        (
            {"hidden": ()},
            r"DQNConfig\.hidden must be a non-empty tuple of layer sizes >= 1, got \(\)",
        ),
        (
            {"hidden": (64, 0)},
            r"hidden must be .*, got \(64, 0\); pass e\.g\. the default \(64, 64\)",
        ),
        (
            {"loss": "l1"},
            r"DQNConfig\.loss must be 'huber' or 'mse', got 'l1'; pass e\.g\. the default",
        ),
    ],
)
def test_dqn_config_refuses(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DQNConfig(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"rollout_steps": 0},
            r"ReinforceConfig\.rollout_steps must be >= 1, got 0; pass e\.g\. the default 500",
        ),
        ({"lr_baseline": 0.0}, r"ReinforceConfig\.lr_baseline must be > 0, got 0\.0"),
        ({"gamma": -0.5}, r"ReinforceConfig\.gamma must be in \[0, 1\], got -0\.5"),
        ({"eval_episodes": 0}, r"ReinforceConfig\.eval_episodes must be >= 1"),
        ({"hidden": (32.0,)}, r"ReinforceConfig\.hidden must be a non-empty tuple"),
    ],
)
def test_reinforce_config_refuses(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ReinforceConfig(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"max_grad_norm": 0.0},
            r"A2CConfig\.max_grad_norm must be > 0, got 0\.0; pass e\.g\. the default 0\.5",
        ),
        ({"n_steps": 0}, r"A2CConfig\.n_steps must be >= 1, got 0"),
        ({"gae_lambda": -0.1}, r"A2CConfig\.gae_lambda must be in \[0, 1\], got -0\.1"),
        ({"ent_coef": -0.01}, r"A2CConfig\.ent_coef must be >= 0, got -0\.01"),
        ({"vf_coef": -1.0}, r"A2CConfig\.vf_coef must be >= 0"),
        ({"lr": -3e-3}, r"A2CConfig\.lr must be > 0"),
    ],
)
def test_a2c_config_refuses(kwargs, match):
    with pytest.raises(ValueError, match=match):
        A2CConfig(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"total_steps": 100},
            r"DDPGConfig\.learning_starts must be <= total_steps \(100\), got 500: .*at most 100",
        ),
        (
            {"batch_size": 256, "learning_starts": 100},
            r"DDPGConfig\.learning_starts must be >= batch_size \(256\)",
        ),
        (
            {"tau": 1.5},
            r"DDPGConfig\.tau must be in \(0, 1\], got 1\.5; pass e\.g\. the default 0\.005",
        ),
        ({"action_noise": -0.1}, r"DDPGConfig\.action_noise must be >= 0, got -0\.1"),
        ({"lr": 0.0}, r"DDPGConfig\.lr must be > 0"),
        ({"buffer_size": 0}, r"DDPGConfig\.buffer_size must be >= 1"),
    ],
)
def test_ddpg_config_refuses(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DDPGConfig(**kwargs)


@pytest.mark.parametrize("config", CONFIGS)
def test_defaults_and_edge_values_are_accepted(config):
    config()
    config(gamma=0.0)
    config(gamma=1.0, eval_every=0)
