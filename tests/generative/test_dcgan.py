"""DCGAN shapes, ranges, guidelines and a few training steps."""

import pytest
import torch
from torch import nn

from lib.generative.dcgan import (
    DCGAN,
    DCGANConfig,
    Discriminator,
    Generator,
    discriminator_step,
    generate,
    generator_step,
    most_confident_samples,
    train_dcgan,
)
from lib.generative.gan import discriminator_loss, generator_loss


def test_shapes_and_ranges():
    torch.manual_seed(0)
    G, D = Generator(latent_dim=16, width=8), Discriminator(width=8)
    X = G(torch.randn(5, 16) * 10)
    assert X.shape == (5, 1, 28, 28) and X.min() >= 0 and X.max() <= 1
    assert D(X).shape == (5, 1)
    with pytest.raises(ValueError, match=r"\(B, 16\)"):
        G(torch.randn(5, 8))
    with pytest.raises(ValueError, match=r"\(B, 1, 28, 28\)"):
        D(torch.rand(5, 28, 28))


def test_radford_guidelines():
    model = DCGAN(latent_dim=16, width=8)
    mods = list(model.modules())
    assert not any(isinstance(m, nn.MaxPool2d | nn.AvgPool2d) for m in mods)  # strided convs only
    d_layers = list(model.discriminator.net)
    assert isinstance(d_layers[0], nn.Conv2d) and not isinstance(
        d_layers[1], nn.BatchNorm2d
    )  # no BN at input
    assert isinstance(model.generator.up[-1], nn.Tanh)
    assert any(isinstance(m, nn.LeakyReLU) for m in model.discriminator.modules())
    conv = model.discriminator.net[2]
    assert conv.weight.std().item() == pytest.approx(0.02, rel=0.1)


def test_a_few_training_steps_are_deterministic():
    X = torch.rand(64, 1, 28, 28)
    cfg = DCGANConfig(latent_dim=8, width=4, num_train=64, batch_size=16, num_evals=1)
    outs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = DCGAN(8, 4)
        metrics = train_dcgan(model, X, cfg)
        outs.append(generate(model, torch.ones(2, 8)))
        assert metrics["images_per_second"] > 0 and not model.training
    assert torch.equal(outs[0], outs[1])
    with pytest.raises(ValueError, match="images_to_float"):
        train_dcgan(DCGAN(8, 4), torch.zeros(4, 28, 28, dtype=torch.uint8), cfg)


def _copy(module: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


def test_each_step_moves_only_its_own_network_and_returns_its_loss():
    torch.manual_seed(0)
    model = DCGAN(8, 4)
    G, D = model.generator, model.discriminator
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-2)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-2)
    real = torch.rand(6, 1, 28, 28)
    fake = G(torch.randn(6, 8))
    g_before, d_before = _copy(G), _copy(D)
    with torch.no_grad():
        expected_d = discriminator_loss("nonsaturating", D(real), D(fake))
    d_loss = discriminator_step(D, opt_d, real, fake)
    assert not d_loss.requires_grad
    assert torch.allclose(d_loss, expected_d)
    assert all(torch.equal(a, b) for a, b in zip(g_before, _copy(G), strict=True))
    assert all(not torch.equal(a, b) for a, b in zip(d_before, _copy(D), strict=True))
    d_after = _copy(D)
    with torch.no_grad():
        expected_g = generator_loss("nonsaturating", D(fake))
    g_loss = generator_step(D, opt_g, fake)
    assert torch.allclose(g_loss, expected_g)  # through the discriminator as just updated
    assert all(torch.equal(a, b) for a, b in zip(d_after, _copy(D), strict=True))
    assert any(not torch.equal(a, b) for a, b in zip(g_before, _copy(G), strict=True))


def test_the_training_loop_is_the_two_steps_on_one_generated_batch():
    # train_dcgan's first step equals one discriminator_step and one generator_step on G(z)
    X = torch.rand(16, 1, 28, 28)
    cfg = DCGANConfig(latent_dim=8, width=4, num_train=16, batch_size=16, num_evals=1)
    torch.manual_seed(0)
    trained = DCGAN(8, 4)
    train_dcgan(trained, X, cfg)
    torch.manual_seed(0)
    model = DCGAN(8, 4)
    G, D = model.generator, model.discriminator
    opt_g = torch.optim.Adam(G.parameters(), lr=cfg.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=cfg.lr, betas=(0.5, 0.999))
    from lib.reproducibility import make_generator

    rng = make_generator(cfg.seed)
    order = torch.randperm(16, generator=rng)
    z = torch.randn(16, 8, generator=rng)
    fake = G(z)
    discriminator_step(D, opt_d, X[order], fake)
    generator_step(D, opt_g, fake)
    for a, b in zip(trained.state_dict().values(), model.state_dict().values(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("loss", ["wgan", "wgan-gp"])
def test_config_refuses_losses_it_cannot_train(loss):
    with pytest.raises(ValueError, match="weight clipping or a gradient penalty"):
        DCGANConfig(loss=loss)
    DCGANConfig(loss="lsgan")  # the others are accepted


def test_most_confident_samples_picks_the_most_typical_sample_per_class():
    probs = torch.tensor(
        [[0.9, 0.05, 0.05], [0.2, 0.7, 0.1], [0.95, 0.0, 0.05], [0.1, 0.1, 0.8], [0.3, 0.6, 0.1]]
    )
    indices, best = most_confident_samples(probs, [1, 0, 2])
    assert indices.tolist() == [1, 2, 3]
    assert best.tolist() == pytest.approx([0.7, 0.95, 0.8])
    with pytest.raises(ValueError, match=r"indices in \[0, 3\)"):
        most_confident_samples(probs, [3])
    with pytest.raises(ValueError, match="non-empty"):
        most_confident_samples(probs, [])
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        most_confident_samples(probs[0], [0])
