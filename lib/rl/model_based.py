"""Model-based deep RL on CartPole: a learnt dynamics model and random-shooting MPC.

The model ``f_phi(s, a) = s + Delta_phi(s, a)`` is an MLP that predicts the change of the state,
fitted by least squares on observed transitions (Nagabandi et al. 2018). Planning is random
shooting model-predictive control: sample ``N`` action sequences of length ``H``, roll each out
in the model, score it by the reward the task assigns, execute the first action of the best
sequence, observe the real next state and plan again:

.. math::

    a_t = \\Big[\\arg\\max_{(a_t, \\dots, a_{t+H-1})}
    \\sum_{k=0}^{H-1} r(\\hat s_{t+k}, a_{t+k})\\Big]_0,
    \\qquad \\hat s_{k+1} = f_\\phi(\\hat s_k, a_k),\\ \\hat s_t = s_t.

As in most model-based RL (e.g. PETS, Chua et al. 2018) the reward is known and the dynamics are
learnt: CartPole pays 1 per step until the pole passes 12 degrees or the cart leaves ``|x| > 2.4``.

How far ahead the model can be trusted is measured open loop along real trajectories
(:func:`episode_segments`, :func:`open_loop_errors`): its errors compound with the horizon.
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from lib.checks import check_config, check_int
from lib.reproducibility import make_generator
from lib.rl.evaluation import EVAL_SEED, evaluate_population
from lib.rl.networks import single_thread
from lib.training import ShuffledBatches, fit, model_device

X_LIMIT = 2.4
"""CartPole-v1 ends when the cart position leaves ``[-2.4, 2.4]``."""
THETA_LIMIT = 12 * 2 * np.pi / 360
"""... or when the pole angle leaves ``±12°`` (in radians)."""


def cartpole_alive(states: torch.Tensor) -> torch.Tensor:
    """CartPole-v1's known reward: 1 while the episode continues (the termination rule).

    Shapes:
        - states: ``(..., 4)`` as ``(x, x_dot, theta, theta_dot)``
        - returns: ``(...)`` bool
    """
    if states.shape[-1] != 4:
        raise ValueError(
            "CartPole states have 4 components (x, x_dot, theta, theta_dot), "
            f"got {states.shape[-1]}."
        )
    return (states[..., 0].abs() <= X_LIMIT) & (states[..., 2].abs() <= THETA_LIMIT)


class DynamicsModel(nn.Module):
    """``s' = s + Delta(s, a)``: an MLP on the normalised state and the one-hot action.

    Inputs and the predicted change are standardised with statistics of the training data
    (set by :func:`fit_dynamics`).

    Args:
        obs_dim: State size.
        num_actions: Number of discrete actions.
        hidden: Hidden layer width (two layers).

    Shapes:
        - obs: ``(B, obs_dim)``, action: ``(B,)`` ints
        - output: ``(B, obs_dim)``
    """

    def __init__(self, obs_dim: int = 4, num_actions: int = 2, hidden: int = 64) -> None:
        super().__init__()
        self.obs_dim, self.num_actions = obs_dim, num_actions
        self.net = nn.Sequential(
            nn.Linear(obs_dim + num_actions, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, obs_dim),
        )
        for name in ("obs_mean", "obs_std", "delta_mean", "delta_std"):
            self.register_buffer(
                name, torch.zeros(obs_dim) if "mean" in name else torch.ones(obs_dim)
            )

    def forward(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        if obs.shape[-1] != self.obs_dim or action.shape != obs.shape[:-1]:
            raise ValueError(
                f"expected obs (B, {self.obs_dim}) and action (B,), "
                f"got {tuple(obs.shape)} and {tuple(action.shape)}."
            )
        x = torch.cat(
            [
                (obs - self.obs_mean) / self.obs_std,
                nn.functional.one_hot(action, self.num_actions).float(),
            ],
            -1,
        )
        return obs + self.net(x) * self.delta_std + self.delta_mean


@dataclass
class Transitions:
    """Experience as arrays.

    Shapes:
        - obs, next_obs: ``(N, obs_dim)``; action: ``(N,)``; terminated: ``(N,)``
    """

    obs: np.ndarray
    action: np.ndarray
    next_obs: np.ndarray
    terminated: np.ndarray

    def __len__(self) -> int:
        return len(self.action)

    def __add__(self, other: Transitions) -> Transitions:
        return Transitions(
            *(np.concatenate([a, b]) for a, b in zip(self._fields(), other._fields(), strict=False))
        )

    def _fields(self) -> tuple[np.ndarray, ...]:
        return self.obs, self.action, self.next_obs, self.terminated


def collect(env: gym.Env, act, num_steps: int, *, seed: int) -> tuple[Transitions, list[float]]:
    """Run ``act(obs) -> action`` for ``num_steps`` environment steps (resetting as needed).

    Args:
        env: The environment.
        act: Maps one observation ``(obs_dim,)`` to an int action.
        num_steps: Environment steps.
        seed: Seed of the first reset.

    Returns:
        ``(transitions, episode_returns)`` (returns of the episodes that finished).
    """
    if not hasattr(env, "step"):
        raise TypeError(
            f"env must be a Gymnasium environment, got {type(env).__name__}; pass "
            "gym.make('CartPole-v1')."
        )
    if not callable(act):
        raise TypeError(
            f"act must map an observation to an action, got {type(act).__name__}; pass e.g. "
            "lambda obs: rng.integers(2)."
        )
    check_int(num_steps, "num_steps")
    check_int(seed, "seed", minimum=0)
    obs, _ = env.reset(seed=seed)
    data: list[tuple] = []
    returns, G = [], 0.0
    for _ in range(num_steps):
        a = int(act(obs))
        next_obs, r, term, trunc, _ = env.step(a)
        data.append((obs, a, next_obs, term))
        G += r
        if term or trunc:
            returns.append(G)
            G = 0.0
            next_obs, _ = env.reset()
        obs = next_obs
    o, a, o2, d = zip(*data, strict=False)
    return Transitions(
        np.asarray(o, np.float32), np.asarray(a), np.asarray(o2, np.float32), np.asarray(d, bool)
    ), returns


def squared_error(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error over every entry: ``((prediction - target) ** 2).mean()``.

    Shapes:
        prediction, target: ``(B, obs_dim)`` -> scalar.
    """
    return ((prediction - target) ** 2).mean()


def _check_model_and_data(model: DynamicsModel, data: Transitions) -> None:
    """Raise unless ``model`` is a :class:`DynamicsModel` and ``data`` :class:`Transitions` of its
    state size with integer actions among its actions."""
    if not isinstance(model, DynamicsModel):
        raise TypeError(f"model must be a DynamicsModel, got {type(model).__name__}.")
    if not isinstance(data, Transitions):
        raise TypeError(
            f"data must be Transitions, got {type(data).__name__}; collect returns "
            "(transitions, returns): pass its first element, e.g. data, _ = collect(...)."
        )
    if data.obs.ndim != 2 or data.obs.shape[1] != model.obs_dim:
        raise ValueError(
            f"data holds observations of shape {data.obs.shape} but the model predicts states of "
            f"size {model.obs_dim}; pass DynamicsModel(obs_dim={data.obs.shape[-1]})."
        )
    if len(data) and (
        not np.issubdtype(data.action.dtype, np.integer)
        or data.action.min() < 0
        or data.action.max() >= model.num_actions
    ):
        raise ValueError(
            f"data's actions must be integer action indices in 0..{model.num_actions - 1}, got "
            f"{data.action.dtype} values in [{data.action.min()}, {data.action.max()}]."
        )


def fit_dynamics(
    model: DynamicsModel,
    data: Transitions,
    *,
    num_epochs: int = 30,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
) -> list[float]:
    """Fit ``model`` to ``data`` by mean squared error on the standardised state change, on the
    model's device.

    Returns:
        Training loss of each epoch (standardised units).
    """
    _check_model_and_data(model, data)
    if len(data) < 2:
        raise ValueError(f"need at least 2 transitions to fit a model, got {len(data)}.")
    check_int(num_epochs, "num_epochs")
    check_int(batch_size, "batch_size")
    device = model_device(model)
    obs, next_obs = (
        torch.from_numpy(data.obs).to(device),
        torch.from_numpy(data.next_obs).to(device),
    )
    action = torch.from_numpy(data.action).long().to(device)
    delta = next_obs - obs
    with torch.no_grad():
        model.obs_mean.copy_(obs.mean(0))
        model.obs_std.copy_(obs.std(0) + 1e-6)
        model.delta_mean.copy_(delta.mean(0))
        model.delta_std.copy_(delta.std(0) + 1e-6)
    target = (delta - model.delta_mean) / model.delta_std
    inputs = torch.cat(
        [
            (obs - model.obs_mean) / model.obs_std,
            nn.functional.one_hot(action, model.num_actions).float(),
        ],
        -1,
    )
    history = fit(
        model.net,
        ShuffledBatches(
            len(data),
            batch_size,
            lambda idx: (inputs[idx], target[idx]),
            generator=make_generator(seed),
        ),
        num_epochs=num_epochs,
        optimizer=torch.optim.Adam(model.parameters(), lr=lr),
        loss_fn=squared_error,
        metric=None,
        desc=None,
    )
    model.eval()
    return history.train_loss


class RandomShootingMPC:
    """Random-shooting model-predictive control with a learnt model and CartPole's known reward.

    Args:
        model: The dynamics model.
        horizon: Planning horizon ``H``.
        num_sequences: Candidate action sequences ``N``.
        seed: Seed of the candidate sequences.

    Shapes:
        - __call__: obs ``(B, obs_dim)`` -> actions ``(B,)``
    """

    def __init__(
        self, model: DynamicsModel, *, horizon: int = 20, num_sequences: int = 200, seed: int = 0
    ) -> None:
        if not isinstance(model, DynamicsModel):
            raise TypeError(f"model must be a DynamicsModel, got {type(model).__name__}.")
        check_int(horizon, "horizon")
        check_int(num_sequences, "num_sequences")
        self.model, self.horizon, self.num_sequences = model, horizon, num_sequences
        self.gen = make_generator(seed)

    @torch.no_grad()
    def __call__(self, obs: torch.Tensor) -> torch.Tensor:
        obs = torch.as_tensor(obs, dtype=torch.float32)
        if obs.dim() not in (1, 2) or obs.shape[-1] != self.model.obs_dim:
            raise ValueError(
                f"obs must be one state ({self.model.obs_dim},) or a batch (B, "
                f"{self.model.obs_dim}), got {tuple(obs.shape)}."
            )
        if obs.dim() == 1:
            return self(obs[None])[0]
        B, N, H = obs.shape[0], self.num_sequences, self.horizon
        plans = torch.randint(0, self.model.num_actions, (B, N, H), generator=self.gen)
        states = obs[:, None, :].expand(B, N, obs.shape[-1]).reshape(B * N, -1)
        alive = torch.ones(B * N, dtype=torch.bool)
        score = torch.zeros(B * N)
        for k in range(H):
            states = self.model(states, plans[:, :, k].reshape(-1))
            alive &= cartpole_alive(states)
            score += alive.float()
        best = score.view(B, N).argmax(1)  # first of the best on ties
        return plans[torch.arange(B), best, 0]


@dataclass
class MBRLResult:
    """Output of :func:`train_mbrl` for one seed.

    Attributes:
        env_steps: Cumulative environment steps of data after each iteration, ``(I,)``.
        eval_returns: Mean MPC return on the evaluation episodes after each iteration, ``(I,)``.
        model_losses: Final training loss of the model after each iteration, ``(I,)``.
        model: The last model.
        wall_time: Seconds.
        config: The configuration.
    """

    env_steps: np.ndarray
    eval_returns: np.ndarray
    model_losses: np.ndarray
    model: DynamicsModel
    wall_time: float
    config: dict = field(default_factory=dict)


@dataclass(frozen=True)
class MBRLConfig:
    """Hyper-parameters of :func:`train_mbrl`.

    Attributes:
        random_steps: Steps of uniformly random actions before the first model.
        iterations: Rounds of (fit model, run MPC to collect ``mpc_steps`` more steps).
        mpc_steps: Steps collected with the MPC controller per iteration (data aggregation).
        horizon: Planning horizon.
        num_sequences: Candidate sequences per planning step.
        hidden: Model width.
        num_epochs: Model training epochs per iteration.
        eval_episodes: MPC episodes per evaluation.
    """

    random_steps: int = 1_000
    iterations: int = 3
    mpc_steps: int = 500
    horizon: int = 20
    num_sequences: int = 200
    hidden: int = 64
    num_epochs: int = 30
    eval_episodes: int = 5

    def __post_init__(self) -> None:
        for name in (
            "random_steps", "iterations", "mpc_steps", "horizon", "num_sequences", "hidden",
            "num_epochs", "eval_episodes",
        ):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}.")


def train_mbrl(seed: int, config: MBRLConfig = MBRLConfig()) -> MBRLResult:
    """Random data, then ``iterations`` of: fit the model, evaluate MPC, collect MPC data.

    Everything is seeded from ``seed`` (model init, minibatches, planner, environment).
    """
    check_int(seed, "seed", minimum=0)
    check_config(config, MBRLConfig)
    with single_thread():
        start = time.perf_counter()
        torch.manual_seed(seed)
        env = gym.make("CartPole-v1")
        rng = np.random.default_rng(seed)
        data, _ = collect(env, lambda _obs: rng.integers(2), config.random_steps, seed=seed)
        steps, evals, losses = [], [], []
        # Not dead code: these weights are never trained, but drawing them advances torch's global
        # generator, from which the models below are initialised (the stored results depend on it).
        model = DynamicsModel(hidden=config.hidden)
        for it in range(config.iterations):
            model = DynamicsModel(hidden=config.hidden)
            losses.append(
                fit_dynamics(model, data, num_epochs=config.num_epochs, seed=seed + it)[-1]
            )
            planner = RandomShootingMPC(
                model, horizon=config.horizon, num_sequences=config.num_sequences, seed=seed + it
            )
            returns = evaluate_population(
                lambda o: planner(o[0])[None], 1, num_episodes=config.eval_episodes, seed=EVAL_SEED
            )
            steps.append(len(data))
            evals.append(float(returns.mean()))
            if it < config.iterations - 1:
                new, _ = collect(
                    env,
                    lambda o: planner(torch.from_numpy(o)).item(),
                    config.mpc_steps,
                    seed=seed + 100 + it,
                )
                data = data + new
        env.close()
        return MBRLResult(
            np.asarray(steps),
            np.asarray(evals),
            np.asarray(losses),
            model,
            time.perf_counter() - start,
            asdict(config),
        )


def one_step_errors(model: DynamicsModel, data: Transitions) -> np.ndarray:
    """Absolute one-step prediction error per state component.

    Shapes:
        - returns: ``(N, obs_dim)``
    """
    _check_model_and_data(model, data)
    with torch.no_grad():
        pred = model(torch.from_numpy(data.obs), torch.from_numpy(data.action).long())
    return (pred - torch.from_numpy(data.next_obs)).abs().numpy()


def _roll_out(step: Callable, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """``s_0 = obs``, ``s_{k+1} = step(s_k, a_k)``: the open-loop prediction, with ``s_0``.

    Shapes:
        - obs: ``(B, obs_dim)``; actions: ``(B, H)`` -> ``(B, H + 1, obs_dim)``
    """
    states = [obs]
    with torch.no_grad():
        for k in range(actions.shape[1]):
            states.append(step(states[-1], actions[:, k]))
            if states[-1].shape != obs.shape:
                raise ValueError(
                    f"step must map states {tuple(obs.shape)} and actions ({obs.shape[0]},) to "
                    f"next states {tuple(obs.shape)}, got {tuple(states[-1].shape)}."
                )
    return torch.stack(states, 1)


def model_rollout(model: DynamicsModel, obs: np.ndarray, actions: Sequence[int]) -> np.ndarray:
    """Open-loop prediction of a state trajectory from ``obs`` under ``actions``.

    Shapes:
        - obs: ``(obs_dim,)``; returns: ``(len(actions) + 1, obs_dim)``
    """
    bad = [a for a in actions if not 0 <= int(a) < model.num_actions]
    if bad:
        raise ValueError(
            f"actions must be action indices in 0..{model.num_actions - 1}, got {bad[0]!r}."
        )
    obs = torch.as_tensor(obs, dtype=torch.float32)[None]
    return _roll_out(model, obs, torch.tensor([[int(a) for a in actions]]))[0].numpy()


def episode_segments(
    data: Transitions, horizon: int, *, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """One real trajectory segment of ``horizon`` steps from each episode that runs that long.

    An episode ends at a terminal transition, where the next transition does not start from this
    one's next state (a reset after a time limit), and at the end of ``data``. Each episode of at
    least ``horizon`` transitions gives one segment, starting at a step drawn uniformly (seeded)
    among those with ``horizon`` transitions of the episode still to come; so every segment lies
    inside one episode, and segments from different episodes are independent.

    Args:
        data: Consecutive transitions, as :func:`collect` returns them.
        horizon: Transitions per segment.
        seed: Seed of the start steps.

    Returns:
        ``(states, actions)``: the real states ``s_0, ..., s_H`` and actions ``a_0, ..., a_{H-1}``
        of each segment, episodes in the order of ``data``.

    Shapes:
        - states: ``(B, horizon + 1, obs_dim)``; actions: ``(B, horizon)``
    """
    if not isinstance(data, Transitions):
        raise TypeError(
            f"data must be Transitions, got {type(data).__name__}; collect returns "
            "(transitions, returns): pass its first element."
        )
    check_int(horizon, "horizon")
    check_int(seed, "seed", minimum=0)
    ends = data.terminated.astype(bool).copy()
    ends[:-1] |= np.any(data.next_obs[:-1] != data.obs[1:], axis=1)
    if len(ends):
        ends[-1] = True
    last = np.flatnonzero(ends)
    first = np.r_[0, last[:-1] + 1]
    lengths = last - first + 1
    long_enough = lengths >= horizon
    if not long_enough.any():
        raise ValueError(
            f"no episode of data lasts horizon={horizon} transitions (the longest lasts "
            f"{lengths.max(initial=0)}); collect more steps or pass a shorter horizon."
        )
    rng = np.random.default_rng(seed)
    starts = first[long_enough] + rng.integers(0, lengths[long_enough] - horizon + 1)
    steps = starts[:, None] + np.arange(horizon)
    states = np.concatenate([data.obs[steps], data.next_obs[steps[:, -1:]]], axis=1)
    return states, data.action[steps]


def open_loop_errors(step: Callable, states: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """Errors of open-loop predictions along real trajectories, at every horizon.

    From each trajectory's first state the predictor is applied to its own predictions under the
    actions the environment took, and the prediction ``k`` steps ahead is compared with the real
    state ``k`` steps later:

    .. math::

        e_k = \\hat s_k - s_k, \\qquad
        \\hat s_{k+1} = \\text{step}(\\hat s_k, a_k),\\ \\hat s_0 = s_0.

    A one-step error feeds into every later prediction: this is how model errors compound.

    Args:
        step: One-step predictor, next states ``(B, obs_dim)`` from states ``(B, obs_dim)`` and
            actions ``(B,)``: a :class:`DynamicsModel`, or ``lambda s, a: s`` ("no change").
        states: Real states ``s_0, ..., s_H`` of each trajectory, e.g. from
            :func:`episode_segments`.
        actions: The actions ``a_0, ..., a_{H-1}`` taken between them (integers).

    Returns:
        Prediction minus real state; entry ``[:, k - 1]`` is the error ``k`` steps ahead.

    Shapes:
        - states: ``(B, H + 1, obs_dim)``; actions: ``(B, H)``; returns: ``(B, H, obs_dim)``
    """
    if not callable(step):
        raise TypeError(
            f"step must map (states, actions) to next states, got {type(step).__name__}; pass "
            "a DynamicsModel or e.g. lambda s, a: s."
        )
    states, actions = np.asarray(states), np.asarray(actions)
    if (
        states.ndim != 3
        or actions.shape != (states.shape[0], states.shape[1] - 1)
        or actions.shape[1] < 1
    ):
        raise ValueError(
            "states must have shape (B, H + 1, obs_dim) and actions (B, H) with H >= 1, got "
            f"{states.shape} and {actions.shape}; episode_segments returns both."
        )
    if not np.issubdtype(actions.dtype, np.integer):
        raise ValueError(f"actions must be integer action indices, got {actions.dtype} values.")
    real = torch.as_tensor(states, dtype=torch.float32)
    predicted = _roll_out(step, real[:, 0], torch.as_tensor(actions).long())
    return (predicted[:, 1:] - real[:, 1:]).numpy()
