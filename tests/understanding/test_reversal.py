"""The reversal task's data and model, and the fixed-step batches of the ViT-vs-CNN runs."""

import pytest
import torch

from lib.understanding.reversal import (
    SequenceTransformer,
    reversal_data,
    sequence_correct,
    token_cross_entropy,
)
from lib.understanding.vit_vs_cnn import ImageModelConfig, StepBatches


def test_reversal_data_targets_and_held_out_sequences():
    X_train, y_train, X_test, y_test = reversal_data(500, 100, length=3, vocab=10)
    assert torch.equal(y_train, X_train.flip(1)) and torch.equal(y_test, X_test.flip(1))
    assert not {tuple(r) for r in X_test.tolist()} & {tuple(r) for r in X_train.tolist()}
    with pytest.raises(ValueError, match="unseen"):
        reversal_data(1000, 100, length=2, vocab=3)


def test_sequence_model_shapes_losses_and_metric():
    model = SequenceTransformer(vocab=10, length=8, dim=16, num_heads=2)
    X = torch.randint(0, 10, (4, 8))
    logits = model(X)
    assert logits.shape == (4, 8, 10) and model.blocks[0].last_weights.shape == (4, 2, 8, 8)
    assert token_cross_entropy(logits, X).shape == ()
    perfect = torch.nn.functional.one_hot(X, 10).float()
    assert torch.equal(sequence_correct(perfect, X), torch.ones(4))
    with pytest.raises(ValueError, match="int64 tokens"):
        model(torch.rand(4, 8))


def test_step_batches_yield_exactly_num_steps_and_cover_each_pass_once():
    X, y = torch.arange(10).float(), torch.arange(10)
    batches = list(StepBatches(X, y, num_steps=7, batch_size=3, seed=0))
    assert len(batches) == 7 and all(len(b[1]) == 3 for b in batches)
    first_pass = torch.cat([b[1] for b in batches[:3]])
    assert len(set(first_pass.tolist())) == 9  # no repeats within a pass
    again = list(StepBatches(X, y, num_steps=7, batch_size=3, seed=0))
    assert all(torch.equal(a[1], b[1]) for a, b in zip(batches, again, strict=True))
    with pytest.raises(ValueError, match="batch_size"):
        StepBatches(X, y, num_steps=1, batch_size=11, seed=0)
    with pytest.raises(ValueError, match="kind"):
        ImageModelConfig(kind="mlp")
