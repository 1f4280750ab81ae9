"""The next-token task whose second half repeats the first, and the causal model."""

import pytest
import torch

from lib.understanding.next_token import NextTokenConfig, copy_positions, next_token_pairs
from lib.understanding.reversal import SequenceTransformer


def test_sequences_repeat_their_first_half_and_targets_are_the_next_tokens():
    config = NextTokenConfig(half=4, num_train=50, num_test=10)
    train, test = config.data()
    assert train.shape == (50, 8) and test.shape == (10, 8)
    assert torch.equal(train[:, :4], train[:, 4:]) and torch.equal(test[:, :4], test[:, 4:])
    assert not {tuple(r) for r in test[:, :4].tolist()} & {tuple(r) for r in train[:, :4].tolist()}
    X, y = next_token_pairs(train)
    assert torch.equal(X, train[:, :7]) and torch.equal(y, train[:, 1:])
    copies = copy_positions(4)
    assert copies.tolist() == [False, False, False, True, True, True, True]
    i = torch.arange(7)[copies]
    assert torch.equal(y[:, copies], X[:, i - 3])  # a copy of the token half - 1 positions back
    with pytest.raises(ValueError, match=r"shape \(N, L\) with L >= 2"):
        next_token_pairs(torch.zeros(3, 1, dtype=torch.long))
    with pytest.raises(ValueError, match="num_heads must divide dim"):
        NextTokenConfig(num_heads=3)


def test_causal_model_ignores_later_tokens_and_attends_only_backwards():
    torch.manual_seed(0)
    model = SequenceTransformer(vocab=10, length=7, dim=16, num_heads=2, causal=True).eval()
    X = torch.randint(0, 10, (4, 7))
    changed = X.clone()
    changed[:, 4] = (changed[:, 4] + 1) % 10
    with torch.no_grad():
        logits, weights = model(X), model.blocks[0].last_weights
        logits_changed = model(changed)
    assert torch.equal(logits[:, :4], logits_changed[:, :4])  # bit for bit
    assert not torch.allclose(logits[:, 4:], logits_changed[:, 4:])
    above_diagonal = ~torch.ones(7, 7, dtype=torch.bool).tril()
    assert float(weights[..., above_diagonal].abs().max()) == 0.0
    assert torch.allclose(weights.sum(-1), torch.ones(4, 2, 7))
    bidirectional = SequenceTransformer(vocab=10, length=7, dim=16, num_heads=2).eval()
    with torch.no_grad():
        bidirectional.load_state_dict(model.state_dict())
        assert not torch.allclose(bidirectional(X)[:, :4], bidirectional(changed)[:, :4])
