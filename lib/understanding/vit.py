r"""A small Vision Transformer (Dosovitskiy et al. 2021) for 28 x 28 grey images, and the
patch operations it rests on.

An image is cut into non-overlapping ``P x P`` patches, each flattened and mapped linearly to a
token; a learnt class token is prepended, learnt position embeddings are added (optionally), the
tokens go through pre-LN encoder blocks and the class token's output is classified:

.. math:: z_0 = [x_\mathrm{class};\, x_p^1 E;\, \dots;\, x_p^N E] + E_\mathrm{pos}, \qquad
    \hat y = \mathrm{head}(\mathrm{LN}(z_L^0)).
"""

from __future__ import annotations

import torch
from torch import nn

from lib.checks import check_int, check_tensor
from lib.models import Standardize
from lib.understanding.attention import TransformerEncoderBlock


def _check_patch_size(X: torch.Tensor, patch_size: int) -> None:
    check_tensor(X, "X")
    check_int(patch_size, "patch_size")
    if X.dim() != 4 or X.shape[-1] % patch_size or X.shape[-2] % patch_size:
        raise ValueError(
            f"expected images (B, C, H, W) with H and W multiples of patch_size {patch_size}, "
            f"got {tuple(X.shape)}."
        )


def patchify(X: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Cut images into non-overlapping square patches, in row-major order.

    Shapes:
        X ``(B, C, H, W)`` -> ``(B, N, C * P * P)`` with ``N = (H / P) * (W / P)``.
    """
    _check_patch_size(X, patch_size)
    B, C, H, W = X.shape
    P = patch_size
    patches = X.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return patches.reshape(B, (H // P) * (W // P), C * P * P)


def unpatchify(patches: torch.Tensor, patch_size: int, shape: tuple[int, int, int]) -> torch.Tensor:
    """Inverse of :func:`patchify`.

    Shapes:
        patches ``(B, N, C * P * P)``, shape ``(C, H, W)`` -> ``(B, C, H, W)``.
    """
    C, H, W = shape
    P = patch_size
    B = patches.shape[0]
    grid = patches.reshape(B, H // P, W // P, C, P, P).permute(0, 3, 1, 4, 2, 5)
    return grid.reshape(B, C, H, W)


def shuffle_patches(
    X: torch.Tensor, patch_size: int, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """The images with their patches put back in a random order, a new order for every image.

    Shapes:
        X ``(B, C, H, W)`` -> ``(B, C, H, W)``.
    """
    patches = patchify(X, patch_size)
    B, N, _ = patches.shape
    order = torch.rand(B, N, generator=generator).argsort(dim=1)
    shuffled = patches.gather(1, order[:, :, None].expand_as(patches))
    return unpatchify(shuffled, patch_size, tuple(X.shape[1:]))


class VisionTransformer(nn.Module):
    """ViT for ``(B, 1, 28, 28)`` float images in [0, 1] (standardised inside, as the book's CNN).

    Args:
        patch_size: Side ``P`` of the square patches (28 must be a multiple).
        dim: Token width ``D``.
        depth: Number of encoder blocks.
        num_heads: Attention heads per block.
        mlp_dim: Hidden width of each block's feed-forward network.
        num_classes: Outputs.
        position_embeddings: Add learnt position embeddings; without them the model cannot tell
            where a patch came from and is invariant to shuffling the patches.

    Shapes:
        X ``(B, 1, 28, 28)`` -> logits ``(B, num_classes)``.
    """

    def __init__(
        self,
        patch_size: int = 7,
        dim: int = 64,
        depth: int = 2,
        num_heads: int = 4,
        mlp_dim: int = 128,
        num_classes: int = 10,
        *,
        position_embeddings: bool = True,
    ) -> None:
        super().__init__()
        if 28 % patch_size:
            raise ValueError(f"patch_size must divide 28, got {patch_size}.")
        self.patch_size = patch_size
        num_patches = (28 // patch_size) ** 2
        self.standardize = Standardize()
        self.patch_embedding = nn.Linear(patch_size * patch_size, dim)
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.position_embedding = (
            nn.Parameter(0.02 * torch.randn(1, num_patches + 1, dim))
            if position_embeddings
            else None
        )
        self.blocks = nn.ModuleList(
            TransformerEncoderBlock(dim, num_heads, mlp_dim) for _ in range(depth)
        )
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if X.dim() != 4 or X.shape[1:] != (1, 28, 28) or not X.is_floating_point():
            raise ValueError(
                f"expected float images of shape (B, 1, 28, 28) in [0, 1], got {X.dtype} "
                f"{tuple(X.shape)}; convert uint8 data with lib.training.images_to_float."
            )
        tokens = self.patch_embedding(patchify(self.standardize(X), self.patch_size))
        tokens = torch.cat([self.class_token.expand(len(X), -1, -1), tokens], dim=1)
        if self.position_embedding is not None:
            tokens = tokens + self.position_embedding
        for block in self.blocks:
            tokens = block(tokens)
        return self.head(self.norm(tokens[:, 0]))
