"""The flow-matching U-Net: shapes, time conditioning, zero output at initialisation, errors."""

import pytest
import torch

from lib.generative.unet import UNet, time_embedding


def test_shapes_and_zero_initial_output():
    torch.manual_seed(0)
    model = UNet((4, 8, 8), emb_dim=8)
    X, t = torch.randn(3, 1, 28, 28), torch.rand(3)
    out = model(X, t)
    assert out.shape == (3, 1, 28, 28)
    assert out.abs().max() == 0  # the last convolution starts at zero


def test_output_depends_on_time():
    torch.manual_seed(0)
    model = UNet((4, 8, 8), emb_dim=8)
    torch.nn.init.normal_(model.out[-1].weight)
    X = torch.randn(1, 1, 28, 28)
    assert not torch.allclose(model(X, torch.tensor([0.1])), model(X, torch.tensor([0.9])))


def test_time_embedding():
    emb = time_embedding(torch.tensor([0.0, 0.5, 1.0]), 16)
    assert emb.shape == (3, 16)
    torch.testing.assert_close(emb[0], torch.cat([torch.zeros(8), torch.ones(8)]))
    with pytest.raises(ValueError, match="dim must be even.*got 7"):
        time_embedding(torch.zeros(2), 7)


def test_errors_say_what_to_pass():
    model = UNet((4, 8, 8), emb_dim=8)
    with pytest.raises(ValueError, match=r"X must be images \(B, 1, 28, 28\).*got \(2, 28, 28\)"):
        model(torch.zeros(2, 28, 28), torch.zeros(2))
    with pytest.raises(ValueError, match=r"t must hold one time per image, shape \(2,\).*expand"):
        model(torch.zeros(2, 1, 28, 28), torch.zeros(()))
    with pytest.raises(ValueError, match=r"channels must be three.*got \(4, 8\)"):
        UNet((4, 8))
