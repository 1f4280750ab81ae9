"""A small time-conditioned U-Net for 28×28 grey images, the network of flow matching.

Ronneberger, Fischer & Brox (2015), U-Net: Convolutional Networks for Biomedical Image
Segmentation, give the shape: an encoder that halves the resolution, a decoder that doubles it
again, and skip connections that concatenate each encoder level to the decoder level of the same
size, so that the output keeps the input's fine detail. Ho, Jain & Abbeel (2020) condition it on
the noise level with a sinusoidal embedding of the time added inside every residual block; this
module does the same at a much smaller size (16, 32 and 64 feature maps at 28×28, 14×14 and
7×7, one residual block per level) so that it trains on a CPU.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn


def time_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal features of times ``t`` in [0, 1] (Vaswani et al. 2017, Ho et al. 2020).

    Frequencies are geometric from 1 to 1,000 (times are scaled by 1,000 as a step index of a
    1,000-step DDPM would be).

    Shapes:
        ``t``: ``(B,)`` → ``(B, dim)``, ``dim`` even.
    """
    if dim % 2:
        raise ValueError(f"dim must be even (sines and cosines), got {dim}.")
    half = dim // 2
    freqs = torch.exp(-math.log(1000.0) * torch.arange(half, dtype=torch.float32) / half)
    angles = 1000.0 * t.float()[:, None] * freqs[None, :]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class ResBlock(nn.Module):
    """GroupNorm → SiLU → 3×3 conv, plus the time embedding, twice; a residual connection.

    Shapes:
        ``X``: ``(B, in_channels, H, W)``, ``emb``: ``(B, emb_dim)`` → ``(B, out_channels, H, W)``.
    """

    def __init__(self, in_channels: int, out_channels: int, emb_dim: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(math.gcd(8, in_channels), in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.emb = nn.Linear(emb_dim, out_channels)
        self.norm2 = nn.GroupNorm(math.gcd(8, out_channels), out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.skip = (
            nn.Identity()
            if in_channels == out_channels
            else nn.Conv2d(in_channels, out_channels, 1)
        )
        self.act = nn.SiLU()

    def forward(self, X: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(self.act(self.norm1(X)))
        h = h + self.emb(emb)[:, :, None, None]
        h = self.conv2(self.act(self.norm2(h)))
        return self.skip(X) + h


class UNet(nn.Module):
    """A three-level U-Net ``v_θ(x_t, t)`` for ``(B, 1, 28, 28)`` images and times in [0, 1].

    Encoder: a residual block at 28×28, a strided convolution to 14×14, a block, a strided
    convolution to 7×7, a block. Decoder: nearest-neighbour up-sampling, concatenation with the
    encoder's output of the same size, a block, twice; a final 3×3 convolution, initialised to
    zero so that the untrained network predicts 0.

    Args:
        channels: Feature maps at 28×28, 14×14 and 7×7.
        emb_dim: Size of the sinusoidal time embedding (and of its MLP).

    Shapes:
        ``X``: ``(B, 1, 28, 28)``, ``t``: ``(B,)`` → ``(B, 1, 28, 28)``.
    """

    def __init__(self, channels: Sequence[int] = (16, 32, 64), emb_dim: int = 64):
        super().__init__()
        if len(channels) != 3 or min(channels) < 1:
            raise ValueError(
                f"channels must be three positive feature-map counts (28×28, 14×14, 7×7), "
                f"got {tuple(channels)}; pass e.g. (16, 32, 64)."
            )
        c1, c2, c3 = channels
        self.emb_dim = emb_dim
        self.time_mlp = nn.Sequential(
            nn.Linear(emb_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim)
        )
        self.inp = nn.Conv2d(1, c1, 3, padding=1)
        self.enc1 = ResBlock(c1, c1, emb_dim)
        self.down1 = nn.Conv2d(c1, c2, 3, stride=2, padding=1)
        self.enc2 = ResBlock(c2, c2, emb_dim)
        self.down2 = nn.Conv2d(c2, c3, 3, stride=2, padding=1)
        self.mid = ResBlock(c3, c3, emb_dim)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.dec2 = ResBlock(c3 + c2, c2, emb_dim)
        self.dec1 = ResBlock(c2 + c1, c1, emb_dim)
        self.out = nn.Sequential(
            nn.GroupNorm(math.gcd(8, c1), c1), nn.SiLU(), nn.Conv2d(c1, 1, 3, padding=1)
        )
        nn.init.zeros_(self.out[-1].weight)
        nn.init.zeros_(self.out[-1].bias)

    def forward(self, X: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        if X.dim() != 4 or X.shape[1:] != (1, 28, 28):
            raise ValueError(
                f"UNet: X must be images (B, 1, 28, 28) scaled to [-1, 1], got {tuple(X.shape)}."
            )
        if t.shape != (len(X),):
            raise ValueError(
                f"UNet: t must hold one time per image, shape ({len(X)},), got {tuple(t.shape)}; "
                "pass t.expand(len(X)) for a shared time."
            )
        emb = self.time_mlp(time_embedding(t, self.emb_dim))
        h1 = self.enc1(self.inp(X), emb)  # (B, c1, 28, 28)
        h2 = self.enc2(self.down1(h1), emb)  # (B, c2, 14, 14)
        h3 = self.mid(self.down2(h2), emb)  # (B, c3, 7, 7)
        h = self.dec2(torch.cat([self.up(h3), h2], dim=1), emb)
        h = self.dec1(torch.cat([self.up(h), h1], dim=1), emb)
        return self.out(h)
