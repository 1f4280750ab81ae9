r"""Attention from scratch: scaled dot-product attention with masks, multi-head attention,
sinusoidal positional encodings and a pre-LN transformer encoder block (Vaswani et al. 2017).

Masks follow :func:`torch.nn.functional.scaled_dot_product_attention`: a boolean mask is
``True`` where a query may look at a key; a float mask is added to the scores.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from lib.checks import check_int, check_tensor


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    r"""Softmax over the last dimension with the masked-out entries' weights set to zero.

    .. math:: \alpha_{ij} = \frac{m_{ij}\exp(s_{ij})}{\sum_{k} m_{ik}\exp(s_{ik})}

    A query whose every key is masked out gets all-zero weights (not NaN) and passes no gradient
    back (as in :func:`torch.nn.functional.scaled_dot_product_attention`).

    Args:
        scores: Scores ``s``, shape ``(..., L_q, L_k)``.
        mask: ``None``, a bool mask (``True`` = may attend) or a float mask added to the scores,
            broadcastable to ``scores``.

    Shapes:
        scores ``(..., L_q, L_k)`` -> weights ``(..., L_q, L_k)``, each row summing to 1 (or 0).
    """
    if mask is None:
        return torch.softmax(scores, dim=-1)
    if mask.dtype == torch.bool:
        scores = scores.masked_fill(~mask, float("-inf"))
    elif mask.is_floating_point():
        scores = scores + mask
    else:
        raise TypeError(
            f"mask must be bool (True = may attend) or float (added to the scores), got "
            f"{mask.dtype}; convert with mask.bool()."
        )
    # A row with every key masked would be exp(-inf) / 0: NaN forward, and NaN gradients that a
    # float mask passes back to the scores. Softmax a row of zeros there and zero its weights.
    empty = scores.isneginf().all(dim=-1, keepdim=True)
    weights = torch.softmax(scores.masked_fill(empty, 0.0), dim=-1)
    return weights.masked_fill(empty, 0.0)


def _check_attention_inputs(
    query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor | None
) -> None:
    """Raise a ``ValueError`` that says what to pass unless the shapes of
    :func:`scaled_dot_product_attention`'s arguments fit together."""
    for name, X in (("query", query), ("key", key), ("value", value)):
        if X.dim() < 2:
            raise ValueError(
                f"{name} must have shape (..., L, d), got {tuple(X.shape)}; a single vector is "
                f"a sequence of length 1: pass {name}[None]."
            )
    try:
        batch = torch.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except RuntimeError:
        raise ValueError(
            f"the leading (batch, head) dimensions of query {tuple(query.shape)}, key "
            f"{tuple(key.shape)} and value {tuple(value.shape)} must match or broadcast."
        ) from None
    scores_shape = (*batch, query.shape[-2], key.shape[-2])
    if mask is not None:
        try:
            fits = torch.broadcast_shapes(mask.shape, scores_shape) == scores_shape
        except RuntimeError:
            fits = False
        if not fits:
            raise ValueError(
                f"mask {tuple(mask.shape)} must broadcast to the scores (..., L_q, L_k) = "
                f"{scores_shape}; build it for {query.shape[-2]} queries and "
                f"{key.shape[-2]} keys, e.g. causal_mask(L) or padding_mask(lengths, L_k)."
            )
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            f"queries and keys must have the same size d, got {query.shape[-1]} and "
            f"{key.shape[-1]}; project them to a common size first."
        )
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"expected one value per key, got {key.shape[-2]} keys and {value.shape[-2]} values."
        )


def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Scaled dot-product attention (Vaswani et al. 2017, eq. 1).

    .. math:: \mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d}}\right)V

    Args:
        query: Queries ``Q``.
        key: Keys ``K``, the same last dimension ``d`` as the queries.
        value: Values ``V``, one per key.
        mask: See :func:`masked_softmax`; e.g. :func:`causal_mask` or :func:`padding_mask`.

    Shapes:
        query ``(..., L_q, d)``, key ``(..., L_k, d)``, value ``(..., L_k, d_v)`` ->
        output ``(..., L_q, d_v)`` and weights ``(..., L_q, L_k)``.
    """
    _check_attention_inputs(query, key, value, mask)
    scores = query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1])
    weights = masked_softmax(scores, mask)
    return weights @ value, weights


def causal_mask(length: int, *, device: torch.device | str | None = None) -> torch.Tensor:
    """Bool mask letting position ``i`` attend to positions ``j <= i`` only (a decoder's mask).

    Shapes:
        -> ``(length, length)``, lower-triangular ``True``.
    """
    return torch.ones(length, length, dtype=torch.bool, device=device).tril()


def padding_mask(lengths: torch.Tensor, max_length: int) -> torch.Tensor:
    """Bool key mask hiding the padding at the end of each sequence of a batch.

    Args:
        lengths: True length of each sequence, int ``(B,)``.
        max_length: The padded length ``L``.

    Shapes:
        lengths ``(B,)`` -> ``(B, 1, 1, L)``, ``True`` at real tokens: broadcasts over heads and
        queries of ``(B, H, L_q, L)`` scores.
    """
    if lengths.dim() != 1 or lengths.is_floating_point():
        raise ValueError(
            f"lengths must be integers of shape (B,), got {lengths.dtype} {tuple(lengths.shape)}."
        )
    if int(lengths.max()) > max_length or int(lengths.min()) < 0:
        raise ValueError(f"lengths must lie in 0..{max_length}, got {lengths.tolist()}.")
    positions = torch.arange(max_length, device=lengths.device)
    return (positions < lengths[:, None])[:, None, None, :]


class MultiHeadAttention(nn.Module):
    r"""Multi-head attention (Vaswani et al. 2017, section 3.2.2), batch first.

    .. math:: \mathrm{MultiHead}(Q, K, V) = [\mathrm{head}_1, \dots, \mathrm{head}_h] W^O,\quad
        \mathrm{head}_i = \mathrm{Attention}(Q W_i^Q, K W_i^K, V W_i^V)

    The parameters are those of :class:`torch.nn.MultiheadAttention` (same layout, see
    :meth:`load_from_torch`), so the two compute the same function.

    Args:
        embed_dim: Model width ``D``, split into ``num_heads`` heads of ``D / num_heads``.
        num_heads: Number of heads ``h``.
        bias: Whether the projections have biases.

    Shapes:
        query ``(B, L_q, D)``, key and value ``(B, L_k, D)`` -> output ``(B, L_q, D)`` and
        weights per head ``(B, h, L_q, L_k)``.
    """

    def __init__(self, embed_dim: int, num_heads: int, *, bias: bool = True) -> None:
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(
                f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}; choose "
                "num_heads among the divisors of embed_dim."
            )
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.v_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    def _split_heads(self, X: torch.Tensor) -> torch.Tensor:
        B, L, _ = X.shape
        return X.view(B, L, self.num_heads, -1).transpose(1, 2)  # (B, h, L, D / h)

    def _check_inputs(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor) -> None:
        """Raise a ``ValueError`` that says what to pass unless query, key and value are batch
        first, ``(B, L, D)``, with one value per key."""
        if query.dim() != 3 or query.shape[-1] != self.embed_dim:
            raise ValueError(
                f"expected query of shape (B, L, {self.embed_dim}) (batch first), got "
                f"{tuple(query.shape)}."
            )
        B = query.shape[0]
        for name, X in (("key", key), ("value", value)):
            if X.dim() != 3 or X.shape[0] != B or X.shape[-1] != self.embed_dim:
                raise ValueError(
                    f"expected {name} of shape ({B}, L_k, {self.embed_dim}) (the query's batch "
                    f"size and embed_dim, batch first), got {tuple(X.shape)}."
                )
        if key.shape[1] != value.shape[1]:
            raise ValueError(
                f"expected one value per key, got {key.shape[1]} keys and {value.shape[1]} values."
            )

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor | None = None,
        value: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Attend from ``query`` to ``key``/``value`` (both default to ``query``: self-attention).

        Cross-attention passes another sequence as ``key`` and ``value``, e.g. a decoder's tokens
        as ``query`` and the encoder's output as ``key`` and ``value`` (Vaswani et al. 2017,
        section 3.2.3): ``L_q`` and ``L_k`` may differ, the width ``D`` may not.

        Args:
            query: Tokens that ask, ``(B, L_q, D)``.
            key: Tokens that are looked up, ``(B, L_k, D)``; default ``query``.
            value: What the keys pass on, ``(B, L_k, D)``; default ``key``.
            mask: See :func:`masked_softmax`, broadcastable to ``(B, h, L_q, L_k)``.
        """
        key = query if key is None else key
        value = key if value is None else value
        self._check_inputs(query, key, value)
        q, k, v = (
            self._split_heads(proj(X))
            for proj, X in ((self.q_proj, query), (self.k_proj, key), (self.v_proj, value))
        )
        heads, weights = scaled_dot_product_attention(q, k, v, mask)
        B, _, L_q, _ = heads.shape
        return self.out_proj(heads.transpose(1, 2).reshape(B, L_q, self.embed_dim)), weights

    @torch.no_grad()
    def load_from_torch(self, reference: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy the weights of a :class:`torch.nn.MultiheadAttention` of the same size into
        this module (its ``in_proj_weight`` stacks ``W^Q, W^K, W^V``); return ``self``."""
        if (reference.embed_dim, reference.num_heads) != (self.embed_dim, self.num_heads):
            raise ValueError(
                f"sizes differ: reference has embed_dim {reference.embed_dim} and "
                f"{reference.num_heads} heads, this module {self.embed_dim} and {self.num_heads}."
            )
        if reference.in_proj_weight is None:
            raise ValueError("the reference has separate q/k/v sizes (kdim, vdim); not supported.")
        projections = (self.q_proj, self.k_proj, self.v_proj)
        for proj, weight in zip(projections, reference.in_proj_weight.chunk(3), strict=True):
            proj.weight.copy_(weight)
        if reference.in_proj_bias is not None:
            for proj, bias in zip(projections, reference.in_proj_bias.chunk(3), strict=True):
                proj.bias.copy_(bias)
        self.out_proj.load_state_dict(reference.out_proj.state_dict())
        return self


def sinusoidal_positional_encoding(length: int, dim: int) -> torch.Tensor:
    r"""The fixed positional encodings of Vaswani et al. (2017, section 3.5).

    .. math:: P_{t, 2i} = \sin\bigl(t / 10000^{2i/d}\bigr), \quad
        P_{t, 2i+1} = \cos\bigl(t / 10000^{2i/d}\bigr)

    Shapes:
        -> ``(length, dim)`` for positions ``t = 0..length-1`` (``dim`` even).
    """
    if dim % 2:
        raise ValueError(f"dim must be even (sine and cosine pairs), got {dim}.")
    positions = torch.arange(length, dtype=torch.float32)[:, None]
    frequencies = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float32) / dim)
    angles = positions * frequencies  # (length, dim / 2)
    return torch.stack([angles.sin(), angles.cos()], dim=-1).flatten(1)


class TransformerEncoderBlock(nn.Module):
    r"""A pre-LN transformer encoder block, the ordering ViT uses (Dosovitskiy et al. 2021):

    .. math:: X' = X + \mathrm{MHA}(\mathrm{LN}(X)), \qquad
        Y = X' + W_2\,\mathrm{GELU}(W_1\,\mathrm{LN}(X') + b_1) + b_2

    with layer normalisation (Ba et al. 2016) over the features of each token. The parameter
    layout matches ``torch.nn.TransformerEncoderLayer(..., norm_first=True,
    activation="gelu", batch_first=True)``.

    Args:
        dim: Model width ``D``.
        num_heads: Attention heads.
        mlp_dim: Hidden width of the feed-forward network.
        dropout: Dropout after the attention and the feed-forward network.

    Shapes:
        X ``(B, L, D)`` -> ``(B, L, D)``; :attr:`last_weights` keeps the attention weights of the
        last call, ``(B, h, L, L)``.
    """

    def __init__(self, dim: int, num_heads: int, mlp_dim: int, dropout: float = 0.0) -> None:
        super().__init__()
        for name, value in (("dim", dim), ("num_heads", num_heads), ("mlp_dim", mlp_dim)):
            check_int(value, name)
        self.dim = dim
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = MultiHeadAttention(dim, num_heads)
        self.mlp = nn.Sequential(
            nn.Linear(dim, mlp_dim), nn.GELU(), nn.Linear(mlp_dim, dim), nn.Dropout(dropout)
        )
        self.dropout = nn.Dropout(dropout)
        self.last_weights: torch.Tensor | None = None

    def forward(self, X: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        check_tensor(X, "X")
        if X.dim() != 3 or X.shape[-1] != self.dim or not X.is_floating_point():
            raise ValueError(
                f"X must be float tokens of shape (B, L, {self.dim}) (batch first), got "
                f"{tuple(X.shape)} {X.dtype}; embed integer tokens first (nn.Embedding)."
            )
        attended, weights = self.attention(self.norm1(X), mask=mask)
        self.last_weights = weights.detach()
        X = X + self.dropout(attended)
        return X + self.mlp(self.norm2(X))

    @torch.no_grad()
    def load_from_torch(self, reference: nn.TransformerEncoderLayer) -> TransformerEncoderBlock:
        """Copy a ``nn.TransformerEncoderLayer(norm_first=True, activation="gelu")`` of the same
        size into this block; return ``self``."""
        if not reference.norm_first:
            raise ValueError("the reference is post-LN; build it with norm_first=True.")
        self.attention.load_from_torch(reference.self_attn)
        self.norm1.load_state_dict(reference.norm1.state_dict())
        self.norm2.load_state_dict(reference.norm2.state_dict())
        self.mlp[0].load_state_dict(reference.linear1.state_dict())
        self.mlp[2].load_state_dict(reference.linear2.state_dict())
        return self
