"""Flow matching: noising marginals, the loss's minimiser; Euler and Heun on a known flow."""

import pytest
import torch

from lib.generative.flow_matching import (
    ddpm_alpha_bars,
    ddpm_noisy_images,
    ddpm_to_flow_time,
    denoised_from_velocity,
    euler_sample,
    flow_matching_loss,
    heun_sample,
    noisy_images,
    to_image_range,
    to_model_range,
    velocity_target,
)


def test_flow_marginals_mean_and_variance():
    # x_t | x_0 ~ N((1 - t) x_0, t² I)
    gen = torch.Generator().manual_seed(0)
    x0 = torch.tensor([0.7, -0.3]).repeat(200_000, 1)
    eps = torch.randn(x0.shape, generator=gen)
    for t in (0.0, 0.25, 0.5, 0.9, 1.0):
        x_t = noisy_images(x0, eps, torch.full((len(x0),), t))
        torch.testing.assert_close(x_t.mean(0), (1 - t) * x0[0], atol=0.01, rtol=0)
        torch.testing.assert_close(x_t.var(0), torch.full((2,), t**2), atol=0.01, rtol=0)


def test_ddpm_marginals_and_the_change_of_clock():
    gen = torch.Generator().manual_seed(1)
    alpha_bars = ddpm_alpha_bars()
    assert alpha_bars.shape == (1000,) and (alpha_bars.diff() < 0).all()
    assert alpha_bars[0] == pytest.approx(1 - 1e-4) and alpha_bars[-1] < 1e-4
    x0 = torch.full((200_000, 1), 0.5, dtype=torch.float64)
    eps = torch.randn(x0.shape, generator=gen, dtype=torch.float64)
    for k in (0, 100, 500, 999):
        a = alpha_bars[k].expand(len(x0))
        x = ddpm_noisy_images(x0, eps, a)  # variance preserving: mean sqrt(ᾱ) x0, var 1 - ᾱ
        assert x.mean().item() == pytest.approx(a[0].sqrt().item() * 0.5, abs=0.01)
        assert x.var().item() == pytest.approx(1 - a[0].item(), abs=0.01)
        t, c = ddpm_to_flow_time(a)  # the same point on the straight line, rescaled
        torch.testing.assert_close(c[:, None] * noisy_images(x0, eps, t), x)
    t, _ = ddpm_to_flow_time(alpha_bars)
    assert (t.diff() > 0).all() and 0 < t[0] < 0.02 and t[-1] > 0.99


def test_velocity_gives_back_clean_image_and_noise():
    gen = torch.Generator().manual_seed(2)
    x0, eps = torch.randn(6, 1, 28, 28, generator=gen), torch.randn(6, 1, 28, 28, generator=gen)
    t = torch.rand(6, generator=gen)
    x0_hat, eps_hat = denoised_from_velocity(noisy_images(x0, eps, t), velocity_target(x0, eps), t)
    torch.testing.assert_close(x0_hat, x0)
    torch.testing.assert_close(eps_hat, eps)


def test_ranges_round_trip():
    X = torch.rand(3, 1, 28, 28)
    assert to_model_range(X).min() >= -1 and to_model_range(X).max() <= 1
    torch.testing.assert_close(to_image_range(to_model_range(X)), X)
    assert to_image_range(torch.tensor([-3.0, 3.0])).tolist() == [0.0, 1.0]


def gaussian_velocity(m: float, s: float):
    """The exact E[ε - x_0 | x_t] for x_0 ~ N(m, s²), ε ~ N(0, 1) (per coordinate)."""

    def v(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        t = t.reshape(-1, *([1] * (x.dim() - 1)))
        var = (1 - t) ** 2 * s**2 + t**2
        centred = x - (1 - t) * m
        e_x0 = m + (1 - t) * s**2 / var * centred
        e_eps = t / var * centred
        return e_eps - e_x0

    return v


def test_euler_on_the_exact_field_of_a_gaussian_converges_to_it():
    m, s = 1.5, 0.4
    z = torch.randn(100_000, 1, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    noise = (z - z.mean()) / z.std()  # exactly mean 0, std 1: only the integration errs
    v = gaussian_velocity(m, s)
    one_step = euler_sample(v, noise, 1)  # one step lands on E[x_0] = m: the blurry average
    torch.testing.assert_close(one_step, torch.full_like(noise, m))
    errors = []
    for num_steps in (1, 2, 4, 8, 16, 64, 256):
        x = euler_sample(v, noise, num_steps)
        errors.append(abs(x.mean().item() - m) + abs(x.std().item() - s))
    assert all(b < a for a, b in zip(errors, errors[1:], strict=False)), errors
    assert errors[-1] < 0.003, errors  # Euler is first order: the error shrinks like 1 / steps


def test_heun_is_second_order_and_beats_euler_at_equal_evaluations():
    m, s = 1.5, 0.4
    z = torch.randn(100_000, 1, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    noise = (z - z.mean()) / z.std()
    v = gaussian_velocity(m, s)

    exact = m + s * noise  # in one dimension the ODE's flow keeps quantiles: z -> m + s z

    def error(x):
        return (x - exact).abs().max().item()

    heun = [error(heun_sample(v, noise, n)) for n in (2, 4, 8, 16, 32)]
    euler = [error(euler_sample(v, noise, 2 * n)) for n in (2, 4, 8, 16, 32)]  # same evaluations
    assert all(h < e for h, e in zip(heun, euler, strict=True)), (heun, euler)
    # second order: once the steps are small, halving them divides the error by about 4
    # (Euler's by about 2); coarse steps are not yet in that regime
    assert 3.3 < heun[-2] / heun[-1] < 4.7, heun
    assert 1.7 < euler[-2] / euler[-1] < 2.3, euler
    with pytest.raises(ValueError, match="num_steps must be a positive int"):
        heun_sample(v, noise, 0)


def discrete_velocity(points: torch.Tensor):
    """The exact minimiser E[ε - x_0 | x_t] for x_0 uniform on ``points`` (K, d)."""

    def v(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        t = t[:, None]
        log_w = -((x[:, None, :] - (1 - t[:, :, None]) * points[None]) ** 2).sum(-1) / (2 * t**2)
        w = torch.softmax(log_w, dim=1)  # (B, K) posterior over the data points
        e_x0 = w @ points
        e_eps = (x - (1 - t) * e_x0) / t
        return e_eps - e_x0

    return v


def test_loss_is_minimised_by_the_conditional_expectation():
    points = torch.tensor([[-1.0, 0.5], [0.8, 0.2], [0.3, -0.9]], dtype=torch.float64)
    x0 = points[torch.arange(60_000) % 3]
    v_star = discrete_velocity(points)

    def loss_of(model):
        gen = torch.Generator().manual_seed(4)  # the same t and ε for every candidate
        t = torch.rand(len(x0), generator=gen, dtype=torch.float64).clamp(1e-3, 1)
        eps = torch.randn(x0.shape, generator=gen, dtype=torch.float64)
        x_t = noisy_images(x0, eps, t)
        return (model(x_t, t) - velocity_target(x0, eps)).pow(2).mean().item()

    best = loss_of(v_star)
    for other in (
        lambda x, t: v_star(x, t) + 0.1,
        lambda x, t: 0.9 * v_star(x, t),
        lambda x, t: (x - (1 - t[:, None]) * x0.mean(0)) / t[:, None] - x0.mean(0),
    ):
        assert best < loss_of(other) - 1e-3
    # Euler on the exact minimiser of a finite data set returns the data points themselves
    noise = torch.randn(300, 2, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    x = euler_sample(lambda x, t: v_star(x, t.clamp_min(1e-3)), noise, 200)
    assert torch.cdist(x, points).min(dim=1).values.max() < 0.05


def test_flow_matching_loss_shapes_and_gradient():
    from lib.generative.unet import UNet

    torch.manual_seed(0)
    model = UNet((4, 8, 8), emb_dim=8)
    gen = torch.Generator().manual_seed(0)
    loss = flow_matching_loss(model, torch.rand(5, 1, 28, 28) * 2 - 1, generator=gen)
    assert loss.shape == () and loss.item() > 0
    loss.backward()
    assert model.out[-1].weight.grad.abs().sum() > 0  # the zero-initialised output layer learns


def test_errors_name_the_argument():
    x0 = torch.zeros(4, 1, 28, 28)
    with pytest.raises(ValueError, match=r"x0 \(4, 1, 28, 28\) and eps \(4, 28, 28\).*randn_like"):
        noisy_images(x0, torch.zeros(4, 28, 28), torch.zeros(4))
    with pytest.raises(ValueError, match=r"t must hold one time per example, shape \(4,\)"):
        noisy_images(x0, x0, torch.zeros(4, 1))
    with pytest.raises(ValueError, match=r"t must lie in \[0, 1\].*got values in \[0, 2\]"):
        noisy_images(x0, x0, torch.tensor([0.0, 1.0, 2.0, 0.5]))
    with pytest.raises(ValueError, match="alpha_bar must lie in"):
        ddpm_noisy_images(x0, x0, torch.full((4,), 1.5))
    with pytest.raises(ValueError, match=r"num_steps must be a positive int.*got 0"):
        euler_sample(lambda x, t: x, x0, 0)
    with pytest.raises(ValueError, match=r"num_steps must be a positive int.*got 2.0"):
        euler_sample(lambda x, t: x, x0, 2.0)
    with pytest.raises(ValueError, match="beta_start < beta_end"):
        ddpm_alpha_bars(beta_start=0.02, beta_end=1e-4)
    with pytest.raises(ValueError, match="t must hold one time per example"):
        denoised_from_velocity(x0, x0, torch.zeros(3))
