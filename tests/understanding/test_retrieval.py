"""The key-value retrieval task and its one-layer cross-attention model."""

import pytest
import torch

from lib.understanding.retrieval import (
    CrossAttentionRetriever,
    RetrievalConfig,
    query_accuracy,
    retrieval_data,
)


def test_retrieval_data_answers_are_the_values_stored_under_the_queried_keys():
    pairs, queries, y, positions = retrieval_data(200, num_pairs=5, num_queries=3, num_keys=7)
    assert pairs.shape == (200, 5, 2) and queries.shape == y.shape == positions.shape == (200, 3)
    for p, q, t, pos in zip(
        pairs.tolist(), queries.tolist(), y.tolist(), positions.tolist(), strict=True
    ):
        lookup = dict(map(tuple, p))
        assert len(lookup) == 5  # distinct keys
        assert len(set(q)) == 3 and [lookup[k] for k in q] == t
        assert [p[i][0] for i in pos] == q
    again = retrieval_data(200, num_pairs=5, num_queries=3, num_keys=7)
    assert all(
        torch.equal(a, b) for a, b in zip((pairs, queries, y, positions), again, strict=True)
    )
    with pytest.raises(ValueError, match="num_queries <= num_pairs <= num_keys"):
        retrieval_data(10, num_pairs=9, num_keys=8)


def test_config_splits_one_draw_into_training_and_test_examples():
    config = RetrievalConfig(num_train=30, num_test=10)
    train, test = config.data()
    assert len(train[0]) == 30 and len(test[0]) == 10
    assert torch.equal(torch.cat([train[0], test[0]]), retrieval_data(40)[0])
    with pytest.raises(ValueError, match="num_heads must divide dim"):
        RetrievalConfig(num_heads=3)


def test_retriever_shapes_and_cross_attention_weights():
    model = CrossAttentionRetriever(num_keys=16, num_values=10, dim=16, num_heads=2)
    pairs, queries, y, _ = retrieval_data(4)
    logits = model(pairs, queries)
    assert logits.shape == (4, 3, 10)
    assert model.last_weights.shape == (4, 2, 3, 8)  # (B, h, n_dec, n_enc)
    assert torch.allclose(model.last_weights.sum(-1), torch.ones(4, 2, 3))
    perfect = torch.nn.functional.one_hot(y, 10).float()
    assert torch.equal(query_accuracy(perfect, y), torch.ones(4))
    with pytest.raises(ValueError, match=r"pairs \(B, n_enc, 2\)"):
        model(pairs[..., 0], queries)


def test_the_decoder_sees_the_pairs_as_a_set():
    """No positions on the encoder side: permuting the pairs leaves the answers unchanged and
    permutes the attention weights' columns the same way."""
    model = CrossAttentionRetriever().eval()
    pairs, queries, _, _ = retrieval_data(5)
    permutation = torch.tensor([3, 0, 7, 1, 6, 2, 5, 4])
    with torch.no_grad():
        logits = model(pairs, queries)
        weights = model.last_weights
        logits_permuted = model(pairs[:, permutation], queries)
    assert torch.allclose(logits, logits_permuted, atol=1e-6)
    assert torch.allclose(weights[..., permutation], model.last_weights, atol=1e-6)
