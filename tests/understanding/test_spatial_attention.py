"""Garments in a canvas, attention pooling over a CNN's feature grid, and its box mass."""

import pytest
import torch

from lib.understanding.spatial_attention import (
    AttentionPooling,
    GridClassifier,
    MeanPooling,
    SpatialAttentionConfig,
    mass_in_boxes,
    place_on_canvas,
    predict_with_weights,
    random_corners,
)


def test_images_land_in_their_boxes_and_nowhere_else():
    X = torch.rand(5, 28, 28) + 0.1  # no zero pixel, so the box is where the canvas is non-zero
    corners = random_corners(5, seed=3)
    assert corners.shape == (5, 2) and int(corners.min()) >= 0 and int(corners.max()) <= 28
    canvases = place_on_canvas(X, corners)
    assert canvases.shape == (5, 56, 56)
    for canvas, image, (row, col) in zip(canvases, X, corners.tolist(), strict=True):
        assert torch.equal(canvas[row : row + 28, col : col + 28], image)
        assert int((canvas != 0).sum()) == 28 * 28
    assert torch.equal(random_corners(5, seed=3), corners)
    with pytest.raises(ValueError, match="leaves the 56 x 56 canvas"):
        place_on_canvas(X[:1], torch.tensor([[0, 29]]))
    with pytest.raises(ValueError, match="must fit in the canvas"):
        random_corners(3, image_size=60)


def test_attention_pooling_is_a_weighted_average_of_the_cells():
    torch.manual_seed(0)
    pool = AttentionPooling(8, key_dim=4)
    features = torch.randn(3, 8, 5, 6)
    pooled, weights = pool(features)
    assert pooled.shape == (3, 8) and weights.shape == (3, 5, 6)
    assert torch.allclose(weights.sum((1, 2)), torch.ones(3)) and bool((weights >= 0).all())
    expected = (features * weights[:, None]).sum((2, 3))
    assert torch.allclose(pooled, expected, atol=1e-6)
    with pytest.raises(ValueError, match=r"features must have shape \(N, 8, N, N\)"):
        pool(features.flatten(2))
    mean_pooled, uniform = MeanPooling()(features)
    assert torch.allclose(mean_pooled, features.mean((2, 3)))
    assert torch.allclose(uniform, torch.full((3, 5, 6), 1 / 30))


def test_grid_classifier_shapes_and_bad_input():
    for pooling in ("attention", "mean"):
        model = GridClassifier(pooling)
        logits = model(torch.rand(2, 1, 56, 56))
        assert logits.shape == (2, 10) and model.last_weights.shape == (2, 14, 14)
    with pytest.raises(ValueError, match="pooling must be one of"):
        GridClassifier("max")
    with pytest.raises(ValueError, match=r"canvases of shape \(B, 1, S, S\)"):
        GridClassifier()(torch.rand(2, 56, 56))


def test_box_mass_of_a_uniform_map_is_the_box_share_and_of_a_peaked_map_is_one():
    corners = torch.tensor([[0, 0], [28, 28], [10, 5]])
    uniform = torch.full((3, 14, 14), 1 / 196)
    assert torch.allclose(mass_in_boxes(uniform, corners), torch.full((3,), 0.25))
    peaked = torch.zeros(3, 14, 14)
    peaked[0, 0, 0] = peaked[1, 13, 13] = peaked[2, 13, 0] = 1.0
    assert torch.allclose(mass_in_boxes(peaked, corners), torch.tensor([1.0, 1.0, 0.0]))
    with pytest.raises(ValueError, match="must divide the 56-pixel canvas"):
        mass_in_boxes(torch.full((1, 5, 5), 0.04), corners[:1])
    with pytest.raises(ValueError, match=r"corners must have shape \(3, 2\)"):
        mass_in_boxes(uniform, corners[:2])


def test_predictions_in_batches_equal_one_pass():
    torch.manual_seed(0)
    model = GridClassifier().eval()
    canvases = torch.rand(5, 1, 56, 56)
    logits, weights = predict_with_weights(model, canvases, batch_size=2)
    with torch.no_grad():
        assert torch.allclose(logits, model(canvases), atol=1e-6)
    assert torch.allclose(weights, model.last_weights, atol=1e-6)
    with pytest.raises(ValueError, match=r"canvases must have shape \(N, 1, N, N\)"):
        predict_with_weights(model, canvases[:, 0])


def test_config_checks_its_settings():
    with pytest.raises(ValueError, match="pooling must be one of"):
        SpatialAttentionConfig(pooling="max")
    with pytest.raises(ValueError, match="divisible by 4"):
        SpatialAttentionConfig(canvas_size=50)
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        SpatialAttentionConfig().data("validation", 10)
