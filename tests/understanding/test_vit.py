"""The ViT's patches, and its invariance to shuffling them when it has no position embeddings."""

import pytest
import torch

from lib.models import SmallCNN
from lib.understanding.vit import VisionTransformer, patchify, shuffle_patches, unpatchify


def _images(n=4, seed=0):
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


def test_patchify_is_row_major_and_unpatchify_inverts_it():
    X = _images()
    patches = patchify(X, 7)
    assert patches.shape == (4, 16, 49)
    assert torch.equal(patches[:, 5].view(4, 7, 7), X[:, 0, 7:14, 7:14])  # row 1, column 1
    assert torch.equal(unpatchify(patches, 7, (1, 28, 28)), X)


def test_shuffle_patches_moves_whole_patches():
    X = _images()
    shuffled = shuffle_patches(X, 7, generator=torch.Generator().manual_seed(1))
    assert not torch.equal(shuffled, X)
    before, after = patchify(X, 7), patchify(shuffled, 7)
    for b in range(len(X)):  # the same set of patches, in another order
        assert torch.equal(before[b].sort(dim=0).values, after[b].sort(dim=0).values)


def test_vit_without_positions_is_invariant_to_shuffled_patches_and_with_them_is_not():
    X = _images()
    shuffled = shuffle_patches(X, 7, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(0)
    no_positions = VisionTransformer(position_embeddings=False).eval()
    assert torch.allclose(no_positions(X), no_positions(shuffled), atol=1e-5)
    torch.manual_seed(0)
    with_positions = VisionTransformer().eval()
    with torch.no_grad():
        with_positions.position_embedding.normal_()  # a trained model's embeddings are not ~0
    assert not torch.allclose(with_positions(X), with_positions(shuffled), atol=1e-3)
    torch.manual_seed(0)
    cnn = SmallCNN().eval()
    assert not torch.allclose(cnn(X), cnn(shuffled), atol=1e-3)


def test_vit_shapes_and_errors():
    assert VisionTransformer(patch_size=4)(_images(2)).shape == (2, 10)
    with pytest.raises(ValueError, match="divide 28"):
        VisionTransformer(patch_size=5)
    with pytest.raises(ValueError, match="images_to_float"):
        VisionTransformer()(torch.zeros(2, 28, 28, dtype=torch.uint8))
    with pytest.raises(ValueError, match="multiples"):
        patchify(torch.rand(1, 1, 10, 10), 7)


def test_narrow_cnn_has_the_vits_parameter_count():
    from lib.understanding.vit_vs_cnn import ImageModelConfig, build_image_model

    def count(kind):
        return sum(p.numel() for p in build_image_model(ImageModelConfig(kind=kind)).parameters())

    assert abs(count("cnn-narrow") / count("vit") - 1) < 0.01
    assert count("cnn") > 2.5 * count("vit")
