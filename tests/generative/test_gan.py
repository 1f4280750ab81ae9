"""GAN losses on known inputs, the gradient penalty, the toy and its coverage metric."""

import math

import pytest
import torch
from torch import nn

from lib.generative import gan


def test_gan_losses_at_d_one_half():
    zero = torch.zeros(5)  # logit 0: D = 1/2 everywhere
    assert gan.gan_discriminator_loss(zero, zero).item() == pytest.approx(2 * math.log(2))
    assert gan.generator_loss_saturating(zero).item() == pytest.approx(-math.log(2))
    assert gan.generator_loss_nonsaturating(zero).item() == pytest.approx(math.log(2))


def test_gan_losses_match_their_probability_formulas():
    torch.manual_seed(0)
    real, fake = torch.randn(7, 1), torch.randn(9, 1)
    d_real, d_fake = torch.sigmoid(real), torch.sigmoid(fake)
    expected_d = -(torch.log(d_real).mean() + torch.log(1 - d_fake).mean())
    assert gan.gan_discriminator_loss(real, fake).item() == pytest.approx(
        expected_d.item(), rel=1e-5
    )
    assert gan.generator_loss_saturating(fake).item() == pytest.approx(
        torch.log(1 - d_fake).mean().item(), rel=1e-5
    )
    assert gan.generator_loss_nonsaturating(fake).item() == pytest.approx(
        -torch.log(d_fake).mean().item(), rel=1e-5
    )
    bce = nn.BCEWithLogitsLoss()
    assert gan.gan_discriminator_loss(real, fake).item() == pytest.approx(
        (bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake))).item(), rel=1e-6
    )


def test_wgan_and_lsgan_known_values():
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([-1.0, 0.0])
    assert gan.wgan_critic_loss(real, fake).item() == pytest.approx(-0.5 - 2.0)
    assert gan.wgan_generator_loss(fake).item() == pytest.approx(0.5)
    # 0.5 * mean((1-1)^2, (3-1)^2) + 0.5 * mean(1, 0) = 1 + 0.25
    assert gan.lsgan_discriminator_loss(real, fake).item() == pytest.approx(1.25)
    # 0.5 * mean(4, 1)
    assert gan.lsgan_generator_loss(fake).item() == pytest.approx(1.25)


def test_saturating_gradient_vanishes_where_the_generator_starts():
    d = torch.tensor([1e-3, 0.5, 0.999])
    curves = gan.generator_loss_curves(d)
    sat_grad, nonsat_grad = curves["saturating"][1], curves["nonsaturating"][1]
    assert torch.allclose(sat_grad, -d, atol=1e-6)
    assert torch.allclose(nonsat_grad, -(1 - d), atol=1e-6)
    assert abs(sat_grad[0]) < 0.01 < abs(nonsat_grad[0])
    with pytest.raises(ValueError, match="between 0 and 1"):
        gan.generator_loss_curves(torch.tensor([0.0, 0.5]))


def test_gradient_penalty_of_a_linear_critic():
    critic = nn.Linear(3, 1)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[3.0, 0.0, 4.0]]))  # gradient norm 5 everywhere
    real, fake = torch.randn(6, 3), torch.randn(6, 3)
    gp = gan.gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(0))
    assert gp.item() == pytest.approx(16.0)
    gp.backward()  # differentiable w.r.t. the critic's weights
    assert critic.weight.grad is not None and critic.weight.grad.abs().sum() > 0
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[0.6, 0.8, 0.0]]))
    assert gan.gradient_penalty(critic, real, fake).item() == pytest.approx(0.0, abs=1e-10)


def test_dispatch_and_bad_input():
    r, f = torch.randn(4, 1), torch.randn(4, 1)
    assert gan.discriminator_loss("lsgan", r, f).item() == gan.lsgan_discriminator_loss(r, f).item()
    assert gan.generator_loss("wgan-gp", f).item() == gan.wgan_generator_loss(f).item()
    with pytest.raises(ValueError, match="unknown GAN loss"):
        gan.generator_loss("hinge", f)
    with pytest.raises(ValueError, match=r"\(B,\) or \(B, 1\)"):
        gan.generator_loss_nonsaturating(torch.randn(4, 2))
    with pytest.raises(ValueError, match="same shape"):
        gan.gradient_penalty(nn.Linear(3, 1), torch.randn(2, 3), torch.randn(3, 3))


def test_ring_and_mode_coverage():
    centres = gan.ring_centres(8, 2.0)
    assert centres.shape == (8, 2) and torch.allclose(centres.norm(dim=1), torch.full((8,), 2.0))
    X = gan.sample_ring(4000, std=0.05, generator=torch.Generator().manual_seed(0))
    full = gan.mode_coverage(X, centres, 0.05)
    assert full.modes_covered == 8 and full.high_quality > 0.98  # 3-sigma disc in 2-D holds 98.9 %
    collapsed = gan.mode_coverage(
        X[X[:, 0] > 1.0], centres, 0.05
    )  # only the modes at angle 0, ±45°
    assert collapsed.modes_covered == 3
    assert gan.mode_coverage(torch.zeros(10, 2), centres, 0.05).modes_covered == 0


def test_toy_training_is_deterministic_and_records_snapshots():
    cfg = gan.ToyConfig(loss="wgan-gp", num_steps=6, batch_size=32, hidden=16)
    a = gan.train_toy_gan(cfg, snapshot_steps=(3,))
    b = gan.train_toy_gan(cfg, snapshot_steps=(3,))
    assert sorted(a.snapshots) == [3, 6] and a.snapshots[6].shape == (512, 2)
    assert torch.equal(a.snapshots[6], b.snapshots[6]) and a.d_loss == b.d_loss
    with pytest.raises(ValueError, match="unknown GAN loss"):
        gan.ToyConfig(loss="nope")


def _players(loss: str):
    torch.manual_seed(0)
    config = gan.ToyConfig(loss=loss, num_steps=1)
    G, D = gan.mlp(config.latent_dim, 2, 16), gan.mlp(2, 1, 16)
    return config, G, D


@pytest.mark.parametrize("loss", ["nonsaturating", "wgan", "wgan-gp", "lsgan"])
def test_each_step_moves_only_its_own_player(loss):
    config, G, D = _players(loss)
    real, z = torch.randn(8, 2), torch.randn(8, config.latent_dim)
    before_g = [p.clone() for p in G.parameters()]
    before_d = [p.clone() for p in D.parameters()]
    opt_d = torch.optim.SGD(D.parameters(), lr=0.1)
    d_loss = gan.discriminator_step(config, G, D, opt_d, real, z, torch.Generator().manual_seed(0))
    assert d_loss.shape == () and not d_loss.requires_grad
    assert all(torch.equal(a, b) for a, b in zip(before_g, G.parameters(), strict=True))
    assert any(not torch.equal(a, b) for a, b in zip(before_d, D.parameters(), strict=True))
    before_d = [p.clone() for p in D.parameters()]
    gan.generator_step(config, G, D, torch.optim.SGD(G.parameters(), lr=0.1), z)
    assert all(torch.equal(a, b) for a, b in zip(before_d, D.parameters(), strict=True))
    assert any(not torch.equal(a, b) for a, b in zip(before_g, G.parameters(), strict=True))


def test_the_wgan_critic_is_clipped_after_its_step():
    config, G, D = _players("wgan")
    opt_d = torch.optim.SGD(D.parameters(), lr=100.0)  # a huge step, then the clip
    gan.discriminator_step(
        config, G, D, opt_d, torch.randn(8, 2), torch.randn(8, config.latent_dim)
    )
    assert max(p.abs().max().item() for p in D.parameters()) <= config.clip


def test_discriminator_landscape_shapes_layout_and_scale():
    D = nn.Linear(2, 1)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[1.0, 0.0]]))  # output = x_1
        D.bias.zero_()
    grid, values = gan.discriminator_landscape(D, "wgan", limit=2.0, num=5)
    assert grid.shape == (5,) and values.shape == (5, 5)
    assert torch.allclose(grid, torch.linspace(-2, 2, 5))
    assert torch.allclose(values, grid.expand(5, 5))  # values[i, j] at x_1 = grid[j]
    with torch.no_grad():
        D.bias.fill_(3.0)  # a critic's level is arbitrary: the landscape is centred
    assert torch.allclose(gan.discriminator_landscape(D, "wgan", limit=2.0, num=5)[1], values)
    _, lsgan = gan.discriminator_landscape(D, "lsgan", limit=2.0, num=5)
    assert torch.allclose(lsgan, values + 3.0)  # LSGAN's score keeps its targets 0 and 1
    with torch.no_grad():
        D.bias.zero_()
    _, probabilities = gan.discriminator_landscape(D, "nonsaturating", limit=2.0, num=5)
    assert torch.allclose(probabilities, torch.sigmoid(values))
    with pytest.raises(ValueError, match="unknown GAN loss"):
        gan.discriminator_landscape(D, "hinge")
    with pytest.raises(ValueError, match="num >= 2"):
        gan.discriminator_landscape(D, "wgan", num=1)
