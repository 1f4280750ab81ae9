"""FGSM and PGD: inside the ball and the pixel range, PGD at least as strong as FGSM."""

import pytest
import torch
import torch.nn.functional as F

from lib.baselines import BaselineConfig, build_baseline
from lib.training import fit, make_loader
from lib.understanding.adversarial import fgsm, pgd


@pytest.fixture(scope="module")
def data() -> tuple[torch.Tensor, torch.Tensor]:
    """Two classes a linear rule separates: bright left half (0) or bright right half (1)."""
    g = torch.Generator().manual_seed(0)
    X = 0.3 * torch.rand(256, 1, 28, 28, generator=g)
    y = torch.arange(256) % 2
    X[y == 0, :, :, :14] += 0.5
    X[y == 1, :, :, 14:] += 0.5
    return X, y


@pytest.fixture(scope="module")
def model(data):
    model = build_baseline(BaselineConfig())
    X, y = data
    fit(
        model,
        make_loader(X, y, batch_size=64, shuffle=True),
        num_epochs=2,
        optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
        desc=None,
    )
    return model.eval()


@pytest.mark.parametrize("attack", [fgsm, pgd])
@pytest.mark.parametrize("targeted", [False, True])
def test_attacks_stay_in_the_ball_and_the_pixel_range(model, data, attack, targeted):
    X, y = data
    eps = 0.1
    X_adv = attack(model, X[:32], y[:32], eps, targeted=targeted)
    assert X_adv.shape == X[:32].shape and not X_adv.requires_grad
    assert (X_adv - X[:32]).abs().max() <= eps + 1e-6
    assert X_adv.min() >= 0 and X_adv.max() <= 1


def test_fgsm_moves_every_pixel_by_epsilon_where_the_range_allows(model, data):
    X, y = data
    X_adv = fgsm(model, X[:8], y[:8], 0.05)
    inside = (X[:8] > 0.05) & (X[:8] < 0.95)
    moved = (X_adv - X[:8]).abs()[inside]
    assert torch.allclose(moved[moved > 0], torch.tensor(0.05), atol=1e-6)


def test_pgd_is_at_least_as_strong_as_fgsm(model, data):
    X, y = data
    model.requires_grad_(False)
    eps = 0.15
    with torch.no_grad():
        clean_loss = F.cross_entropy(model(X), y).item()
        loss_fgsm = F.cross_entropy(model(fgsm(model, X, y, eps)), y).item()
        gen = torch.Generator().manual_seed(0)
        loss_pgd = F.cross_entropy(
            model(pgd(model, X, y, eps, num_steps=20, generator=gen)), y
        ).item()
    assert clean_loss < loss_fgsm <= loss_pgd


def test_targeted_pgd_reaches_the_target(model, data):
    X, y = data
    target = 1 - y[:32]
    X_adv = pgd(model, X[:32], target, 0.5, num_steps=30, targeted=True, random_start=False)
    with torch.no_grad():
        assert (model(X_adv).argmax(1) == target).float().mean() > 0.9


def test_pgd_is_reproducible_with_a_generator(model, data):
    X, y = data
    a = pgd(model, X[:4], y[:4], 0.1, generator=torch.Generator().manual_seed(3))
    b = pgd(model, X[:4], y[:4], 0.1, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_bad_arguments_say_what_to_pass(model, data):
    X, y = data
    with pytest.raises(ValueError, match="pixel distance"):
        fgsm(model, X[:2], y[:2], 8.0)
    with pytest.raises(ValueError, match="num_steps"):
        pgd(model, X[:2], y[:2], 0.1, num_steps=0)
    with pytest.raises(ValueError, match="one integer class per image"):
        pgd(model, X[:2], y[:3], 0.1)
