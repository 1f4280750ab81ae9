"""PixelCNN: masks, causality, shapes, likelihood and sampling determinism."""

import math

import pytest
import torch

from lib.generative.pixelcnn import (
    IndependentPixels,
    MaskedConv2d,
    PixelCNN,
    PixelCNNConfig,
    binarize,
    bits_per_dim,
    causal_mask,
    dependency_map,
    raster_after,
    sample,
    train_pixelcnn,
)


def test_masks_type_a_and_b():
    a, b = causal_mask(3, "A"), causal_mask(3, "B")
    assert a.tolist() == [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    assert b.tolist() == [[1, 1, 1], [1, 1, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="mask_type"):
        causal_mask(3, "C")
    with pytest.raises(ValueError, match="odd"):
        causal_mask(4, "A")


def test_masked_conv_ignores_future_pixels_even_after_an_update():
    torch.manual_seed(0)
    conv = MaskedConv2d(1, 4, 5, "A")
    torch.nn.init.normal_(conv.weight)  # the mask must act on every weight, not only at init
    X = torch.randn(1, 1, 9, 9)
    X2 = X.clone()
    X2[0, 0, 4, 4:] += 5.0  # change the centre and everything after it
    X2[0, 0, 5:, :] += 5.0
    assert torch.allclose(conv(X)[0, :, 4, 4], conv(X2)[0, :, 4, 4])


@pytest.mark.parametrize("num_layers", [0, 3])
def test_pixelcnn_is_causal_at_every_pixel(num_layers):
    """The output at pixel i has zero gradient with respect to every input pixel >= i."""
    torch.manual_seed(0)
    model = PixelCNN(channels=8, num_layers=num_layers)
    size = 8
    for row in range(size):
        for col in range(size):
            depends = dependency_map(model, row, col, image_size=size)
            assert not (depends & raster_after(row, col, size)).any(), (row, col)
    # and it is not trivially causal: the last pixel sees its left neighbour and the row above
    depends = dependency_map(model, size - 1, size - 1, image_size=size)
    assert depends[size - 1, size - 2] and depends[size - 2, size - 1]


def test_stacked_pixelcnn_has_a_blind_spot():
    torch.manual_seed(0)
    model = PixelCNN(channels=8, num_layers=4)
    depends = dependency_map(model, 10, 10, image_size=20)
    allowed = ~raster_after(10, 10, 20)
    # pixel (row - 1, col + 5) lies in the past and in the 3x3 stack's reach, but is never seen
    assert allowed[9, 15] and not depends[9, 15]
    assert depends[9, 10] and depends[10, 9]


def test_shapes_and_bad_input():
    model = PixelCNN(channels=8, num_layers=1)
    X = torch.zeros(2, 1, 28, 28)
    assert model(X).shape == (2, 1, 28, 28)
    with pytest.raises(ValueError, match="binarize"):
        model(torch.zeros(2, 28, 28))
    with pytest.raises(ValueError, match="uint8"):
        binarize(torch.zeros(2, 28, 28))
    assert binarize(torch.tensor([[[0, 127, 128, 255]]], dtype=torch.uint8)).tolist() == [
        [[[0, 0, 1, 1]]]
    ]


def test_bits_per_dim_known_values():
    X = torch.tensor([[[[0.0, 1.0]]]])
    assert bits_per_dim(torch.zeros_like(X), X) == pytest.approx(1.0)  # p = 1/2: one bit per pixel
    logit = math.log(3.0)  # p(1) = 3/4
    expected = -(math.log2(0.25) + math.log2(0.75)) / 2
    assert bits_per_dim(torch.full_like(X, logit), X) == pytest.approx(expected, rel=1e-6)


def test_independent_pixels_matches_frequencies():
    X = torch.zeros(4, 1, 2, 2)
    X[:3, 0, 0, 0] = 1.0
    model = IndependentPixels(X, pseudo_count=0.0 + 1e-9)
    assert torch.sigmoid(model(X[:1]))[0, 0, 0, 0].item() == pytest.approx(0.75, abs=1e-6)


def test_sampling_is_deterministic_under_a_seed():
    torch.manual_seed(0)
    model = PixelCNN(channels=8, num_layers=1)
    a = sample(model, 3, image_size=6, generator=torch.Generator().manual_seed(5))
    b = sample(model, 3, image_size=6, generator=torch.Generator().manual_seed(5))
    c = sample(model, 3, image_size=6, generator=torch.Generator().manual_seed(6))
    assert a.shape == (3, 1, 6, 6) and set(a.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_training_lowers_bits_per_dim():
    torch.manual_seed(0)
    X = torch.zeros(64, 1, 8, 8)
    X[:, :, :, ::2] = 1.0  # vertical stripes: easy to predict from the left neighbour
    model = PixelCNN(channels=8, num_layers=1)
    losses = train_pixelcnn(
        model, X, PixelCNNConfig(num_train=64, num_epochs=15, batch_size=16, lr=1e-2)
    )
    assert losses[-1] < 0.5 * losses[0]


def test_batched_dependency_maps_agree_with_one_by_one():
    torch.manual_seed(0)
    model = PixelCNN(channels=8, num_layers=2)
    from lib.generative.pixelcnn import all_dependency_maps, causality_violations

    maps = all_dependency_maps(model, image_size=7)
    for row, col in [(0, 0), (3, 4), (6, 6)]:
        assert torch.equal(maps[row * 7 + col], dependency_map(model, row, col, image_size=7))
    assert causality_violations(model, image_size=10) == 0
    leaky = PixelCNN(channels=8, num_layers=2)
    leaky.first.mask.fill_(1.0)  # break the mask: the model now sees the future
    assert causality_violations(leaky, image_size=10) > 0


def test_gated_pixelcnn_is_causal_and_has_no_blind_spot():
    from lib.generative.pixelcnn import (
        GatedPixelCNN,
        all_dependency_maps,
        causality_violations,
        stack_masks,
    )

    torch.manual_seed(0)
    gated = GatedPixelCNN(channels=8, num_layers=3)
    assert gated(torch.zeros(2, 1, 12, 12)).shape == (2, 1, 12, 12)
    assert causality_violations(gated, image_size=12) == 0
    # the pixel up and to the right that PixelCNN's stack never sees is seen by the gated model
    maps = all_dependency_maps(gated, image_size=20)
    depends = maps[10 * 20 + 10]
    assert depends[9, 15] and depends[10, 9] and depends[5, 10]
    assert stack_masks(3)["vertical_first"].tolist() == [[1, 1, 1], [0, 0, 0], [0, 0, 0]]
    assert stack_masks(3)["horizontal"].tolist() == [[0, 0, 0], [1, 1, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="odd"):
        stack_masks(2)


def test_training_and_sampling_on_the_model_device(device):
    torch.manual_seed(0)
    X = (torch.rand(8, 1, 6, 6, generator=torch.Generator().manual_seed(0)) < 0.5).float()
    model = PixelCNN(channels=4, num_layers=1).to(device)
    losses = train_pixelcnn(model, X, PixelCNNConfig(num_train=8, batch_size=4))
    assert len(losses) == 2
    images = sample(model, 2, image_size=6, generator=torch.Generator().manual_seed(1))
    assert images.device.type == "cpu" and images.shape == (2, 1, 6, 6)
    from lib.generative.pixelcnn import evaluate_bits_per_dim

    assert evaluate_bits_per_dim(model, X) > 0


def _assert_reach_is_exactly_the_window(model, size: int) -> None:
    """Every output pixel depends only on pixels inside its reach_mask, and the window is tight:
    an interior pixel sees the window's top row and both of its side columns."""
    from lib.generative.pixelcnn import all_dependency_maps, reach_mask

    c = model.context
    maps = all_dependency_maps(model, image_size=size)
    for i in range(size):
        for j in range(size):
            outside = maps[i * size + j] & ~reach_mask(i, j, c, size)
            assert not outside.any(), (i, j)  # nothing outside the window
    i, j = size - 1, size // 2
    assert c <= i and c <= j < size - c  # the window lies inside the image
    depends = maps[i * size + j]
    assert depends[i - c].any() and depends[:, j - c].any() and depends[:, j + c].any()


@pytest.mark.parametrize("kind", ["plain", "gated"])
def test_context_bounds_the_receptive_field_tightly(kind):
    from lib.generative.pixelcnn import GatedPixelCNN

    torch.manual_seed(0)
    model = (PixelCNN if kind == "plain" else GatedPixelCNN)(channels=4, num_layers=2)
    assert model.context == 3 + 2
    _assert_reach_is_exactly_the_window(model, 16)


def test_reach_box_clips_the_window_to_the_image():
    from lib.generative.pixelcnn import largest_window, reach_box, reach_mask

    assert reach_box(10, 8, 3, 28) == (slice(7, 11), slice(5, 12))
    assert reach_box(1, 26, 3, 28) == (slice(0, 2), slice(23, 28))
    mask = reach_mask(1, 0, 2, 6)
    assert mask.shape == (6, 6) and int(mask.sum()) == 2 * 3 and mask[0, 2] and not mask[2, 0]
    assert largest_window(7) == (8, 15) and largest_window(18) == (19, 28)
    with pytest.raises(ValueError, match="inside a 28"):
        reach_box(28, 0, 3)
    with pytest.raises(ValueError, match="context >= 0"):
        reach_mask(0, 0, -1)


@pytest.mark.parametrize("kind", ["plain", "gated"])
def test_windowed_sampling_draws_the_same_images_as_full_passes(kind):
    from lib.generative.pixelcnn import GatedPixelCNN

    torch.manual_seed(0)
    model = (PixelCNN if kind == "plain" else GatedPixelCNN)(channels=8, num_layers=2)
    for p in model.parameters():  # larger weights: logits far from 0, images far from uniform
        p.data.mul_(3.0)
    full = sample(
        model, 6, image_size=14, generator=torch.Generator().manual_seed(3), windowed=False
    )
    window = sample(model, 6, image_size=14, generator=torch.Generator().manual_seed(3))
    assert torch.equal(full, window)
    assert 0.05 < full.mean().item() < 0.95


def test_sampling_rejects_a_bad_context():
    model = PixelCNN(channels=4, num_layers=1)
    model.context = -1
    with pytest.raises(ValueError, match="context"):
        sample(model, 1, image_size=4)


def test_load_or_train_pixelcnn_trains_once_then_loads(tmp_data, monkeypatch):
    import lib.data
    from lib.generative.pixelcnn import GatedPixelCNN, build_pixelcnn, load_or_train_pixelcnn

    X = (torch.rand(32, 8, 8, generator=torch.Generator().manual_seed(0)) * 255).to(torch.uint8)
    calls = []

    def fake_load(split="train"):
        calls.append(split)
        return X, torch.zeros(len(X), dtype=torch.int64)

    monkeypatch.setattr(lib.data, "load_fashion_mnist", fake_load)
    config = PixelCNNConfig(kind="gated", channels=4, num_layers=1, num_train=32, batch_size=8)
    assert isinstance(build_pixelcnn(config), GatedPixelCNN)
    model, metrics = load_or_train_pixelcnn(config)
    assert len(metrics["losses"]) == 4 and metrics["cpu_seconds"] > 0 and calls == ["train"]
    again, metrics_again = load_or_train_pixelcnn(config)
    assert calls == ["train"] and metrics_again == metrics  # loaded, not retrained
    for a, b in zip(model.parameters(), again.parameters(), strict=True):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="kind"):
        PixelCNNConfig(kind="gatted")


@pytest.mark.parametrize("kind", ["plain", "gated"])
def test_dilated_models_are_causal_and_context_is_their_true_reach(kind):
    from lib.generative.pixelcnn import GatedPixelCNN, causality_violations

    torch.manual_seed(0)
    cls = PixelCNN if kind == "plain" else GatedPixelCNN
    model = cls(channels=4, num_layers=3, dilations=(1, 2, 4))
    assert model.context == 3 + 1 + 2 + 4
    size = 24
    assert causality_violations(model, image_size=size) == 0
    _assert_reach_is_exactly_the_window(model, size)  # context is exactly the reach
    assert cls(channels=4, num_layers=3).context == 3 + 3  # undilated: a shorter reach


def test_windowed_sampling_matches_full_passes_for_a_dilated_model():
    torch.manual_seed(0)
    model = PixelCNN(channels=8, num_layers=3, dilations=(1, 2, 4))
    for p in model.parameters():  # larger weights: logits far from 0, images far from uniform
        p.data.mul_(3.0)
    assert model.context == 3 + 7 and model.context < 14
    full = sample(
        model, 6, image_size=16, generator=torch.Generator().manual_seed(3), windowed=False
    )
    window = sample(model, 6, image_size=16, generator=torch.Generator().manual_seed(3))
    assert torch.equal(full, window)
    assert 0.05 < full.mean().item() < 0.95


@pytest.mark.parametrize("dilations", [(1, 2), (1, 0, 2), (1, 2.0, 4), (1, True, 2)])
def test_bad_dilations_are_rejected(dilations):
    from lib.generative.pixelcnn import GatedPixelCNN

    with pytest.raises(ValueError, match="dilations must be 3 positive ints"):
        PixelCNN(channels=4, num_layers=3, dilations=dilations)
    with pytest.raises(ValueError, match="dilations must be 3 positive ints"):
        GatedPixelCNN(channels=4, num_layers=3, dilations=dilations)
    with pytest.raises(ValueError, match="dilations must be 3 positive ints"):
        PixelCNNConfig(num_layers=3, dilations=dilations)
    with pytest.raises(ValueError, match="dilation must be a positive int"):
        MaskedConv2d(1, 1, 3, "B", dilation=0)
    assert PixelCNNConfig(num_layers=3, dilations=[1, 2, 4]).dilations == (1, 2, 4)
