"""Attention from scratch against PyTorch's: F.scaled_dot_product_attention,
nn.MultiheadAttention (weights copied in) and nn.TransformerEncoderLayer."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lib.understanding.attention import (
    MultiHeadAttention,
    TransformerEncoderBlock,
    causal_mask,
    masked_softmax,
    padding_mask,
    scaled_dot_product_attention,
    sinusoidal_positional_encoding,
)

TOL = 1e-5


def _qkv(B=3, H=2, L_q=5, L_k=7, d=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(B, H, L, d, generator=g) for L in (L_q, L_k, L_k))


def test_scaled_dot_product_attention_matches_torch_without_a_mask():
    q, k, v = _qkv()
    ours, weights = scaled_dot_product_attention(q, k, v)
    assert torch.allclose(ours, F.scaled_dot_product_attention(q, k, v), atol=TOL)
    assert torch.allclose(weights.sum(-1), torch.ones(3, 2, 5), atol=TOL)


@pytest.mark.parametrize("kind", ["causal", "padding", "float"])
def test_scaled_dot_product_attention_matches_torch_with_masks(kind):
    q, k, v = _qkv(L_q=7)
    if kind == "causal":
        mask = causal_mask(7)
    elif kind == "padding":
        mask = padding_mask(torch.tensor([7, 3, 1]), 7)
    else:
        mask = torch.randn(3, 1, 7, 7, generator=torch.Generator().manual_seed(1))
    ours, weights = scaled_dot_product_attention(q, k, v, mask)
    reference = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert torch.allclose(ours, reference, atol=TOL)
    if mask.dtype == torch.bool:
        assert (weights[~mask.expand_as(weights)] == 0).all()


def test_causal_mask_matches_is_causal():
    q, k, v = _qkv(L_q=7)
    ours, _ = scaled_dot_product_attention(q, k, v, causal_mask(7))
    assert torch.allclose(ours, F.scaled_dot_product_attention(q, k, v, is_causal=True), atol=TOL)


def test_a_fully_masked_row_gets_zero_weights_not_nan():
    weights = masked_softmax(torch.randn(2, 3), torch.tensor([[True, False, True], [False] * 3]))
    assert torch.equal(weights[1], torch.zeros(3))
    assert torch.allclose(weights[0].sum(), torch.tensor(1.0))


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_a_fully_masked_row_has_finite_gradients_like_torch(kind):
    # Query 2 may look at no key (a row of -inf in the float mask); the loss ignores it.
    allowed = torch.ones(1, 1, 4, 4, dtype=torch.bool)
    allowed[..., 2, :] = False
    allowed[..., 0, 3:] = False
    mask = (
        allowed if kind == "bool" else torch.zeros(allowed.shape).masked_fill(~allowed, -torch.inf)
    )
    torch.manual_seed(0)
    ours = MultiHeadAttention(8, 2)
    X = torch.randn(2, 4, 8, generator=torch.Generator().manual_seed(3))
    out, weights = ours(X, mask=mask)
    assert torch.equal(weights[:, :, 2], torch.zeros(2, 2, 4))
    out[:, [0, 1, 3]].square().sum().backward()
    grads = {name: p.grad for name, p in ours.named_parameters()}
    assert all(torch.isfinite(g).all() for g in grads.values())
    ours.zero_grad()
    q, k, v = (ours._split_heads(proj(X)) for proj in (ours.q_proj, ours.k_proj, ours.v_proj))
    heads = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    expected = ours.out_proj(heads.transpose(1, 2).reshape(2, 4, 8))
    assert torch.allclose(out, expected, atol=TOL)  # torch also gives the empty row zeros
    expected[:, [0, 1, 3]].square().sum().backward()
    for name, p in ours.named_parameters():
        assert torch.allclose(grads[name], p.grad, atol=TOL), name


def test_bad_inputs_raise_clear_errors():
    q, k, v = _qkv()
    with pytest.raises(ValueError, match="same size d"):
        scaled_dot_product_attention(q, k[..., :4], v)
    with pytest.raises(ValueError, match="one value per key"):
        scaled_dot_product_attention(q, k, v[..., :3, :])
    with pytest.raises(TypeError, match="bool"):
        masked_softmax(torch.randn(2, 2), torch.ones(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(10, 3)
    with pytest.raises(ValueError, match="batch first"):
        MultiHeadAttention(8, 2)(torch.randn(4, 8))
    with pytest.raises(ValueError, match="even"):
        sinusoidal_positional_encoding(4, 5)
    with pytest.raises(ValueError, match="lie in"):
        padding_mask(torch.tensor([9]), 4)


def _torch_mha(embed_dim=16, num_heads=4, bias=True):
    torch.manual_seed(0)
    reference = nn.MultiheadAttention(embed_dim, num_heads, bias=bias, batch_first=True)
    with torch.no_grad():  # non-zero biases, so that copying them is tested
        for name, p in reference.named_parameters():
            if "bias" in name:
                p.normal_()
    return reference.eval()


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("mask", ["none", "causal", "padding"])
def test_multi_head_attention_matches_torch_with_copied_weights(bias, mask):
    reference = _torch_mha(bias=bias)
    ours = MultiHeadAttention(16, 4, bias=bias).load_from_torch(reference)
    g = torch.Generator().manual_seed(2)
    X, memory = torch.randn(3, 6, 16, generator=g), torch.randn(3, 6, 16, generator=g)
    lengths = torch.tensor([6, 4, 2])
    ours_mask = {"none": None, "causal": causal_mask(6), "padding": padding_mask(lengths, 6)}[mask]
    kwargs = {
        "none": {},
        "causal": {"attn_mask": ~causal_mask(6)},  # torch: True = may NOT attend
        "padding": {"key_padding_mask": ~padding_mask(lengths, 6)[:, 0, 0]},
    }[mask]
    out, weights = ours(X, memory, memory, mask=ours_mask)
    expected, expected_weights = reference(X, memory, memory, average_attn_weights=False, **kwargs)
    assert torch.allclose(out, expected, atol=TOL)
    assert torch.allclose(weights, expected_weights, atol=TOL)


def test_cross_attention_matches_torch_with_a_shorter_decoder_and_padded_encoder():
    """Queries from one sequence (3 decoder tokens), keys and values from another (7 encoder
    tokens, some padding): output (B, n_dec, D), weights (B, h, n_dec, n_enc)."""
    reference = _torch_mha()
    ours = MultiHeadAttention(16, 4).load_from_torch(reference)
    g = torch.Generator().manual_seed(4)
    X_dec, X_enc = torch.randn(2, 3, 16, generator=g), torch.randn(2, 7, 16, generator=g)
    mask = padding_mask(torch.tensor([7, 4]), 7)
    out, weights = ours(X_dec, X_enc, X_enc, mask=mask)
    expected, expected_weights = reference(
        X_dec, X_enc, X_enc, key_padding_mask=~mask[:, 0, 0], average_attn_weights=False
    )
    assert out.shape == (2, 3, 16) and weights.shape == (2, 4, 3, 7)
    assert torch.allclose(out, expected, atol=TOL)
    assert torch.allclose(weights, expected_weights, atol=TOL)
    assert torch.equal(weights[1, :, :, 4:], torch.zeros(4, 3, 3))  # no weight on the padding


def test_load_from_torch_refuses_another_size():
    with pytest.raises(ValueError, match="sizes differ"):
        MultiHeadAttention(16, 2).load_from_torch(_torch_mha())


def test_sinusoidal_positional_encoding_formula():
    P = sinusoidal_positional_encoding(50, 16)
    t, i = 7, 3
    angle = torch.tensor(t / 10000 ** (2 * i / 16))
    assert torch.allclose(P[t, 2 * i], angle.sin()) and torch.allclose(P[t, 2 * i + 1], angle.cos())
    assert P.shape == (50, 16) and torch.allclose(P[0, 1::2], torch.ones(8))


def test_encoder_block_matches_torch_transformer_encoder_layer():
    torch.manual_seed(0)
    reference = nn.TransformerEncoderLayer(
        16, 4, dim_feedforward=32, dropout=0.0, activation="gelu", batch_first=True,
        norm_first=True,
    ).eval()  # fmt: skip
    ours = TransformerEncoderBlock(16, 4, 32).load_from_torch(reference).eval()
    X = torch.randn(2, 5, 16, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(ours(X), reference(X), atol=TOL)
    mask = causal_mask(5)
    assert torch.allclose(ours(X, mask), reference(X, src_mask=~mask), atol=TOL)
    assert ours.last_weights.shape == (2, 4, 5, 5)
    post_ln = nn.TransformerEncoderLayer(16, 4, 32, batch_first=True)
    with pytest.raises(ValueError, match="norm_first"):
        ours.load_from_torch(post_ln)
