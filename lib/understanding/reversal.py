"""The sequence-reversal task and the small transformer that solves it.

Input: ``L`` random digits; target: the same digits in reverse order. Output position ``i``
must copy input position ``L - 1 - i``, a lookup by position that one attention layer can do
when the tokens carry positional encodings (its attention map is the anti-diagonal).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from lib.checkpoints import train_or_load
from lib.checks import check_config
from lib.reproducibility import make_generator, seed_everything
from lib.training import ShuffledBatches, evaluate, fit
from lib.understanding.attention import (
    TransformerEncoderBlock,
    causal_mask,
    sinusoidal_positional_encoding,
)


def random_sequences(
    num_train: int, num_test: int, *, length: int = 8, vocab: int = 10, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random digit sequences, split so that no test sequence occurs in the training set.

    Returns:
        ``(X_train, X_test)``, int64 of shapes ``(num_train, length)`` and
        ``(num_test, length)``, digits in ``0..vocab - 1``.
    """
    generator = make_generator(seed)
    X = torch.randint(0, vocab, (num_train + 2 * num_test, length), generator=generator)
    X_train = X[:num_train]
    seen = {tuple(row) for row in X_train.tolist()}
    fresh = [i for i, row in enumerate(X[num_train:].tolist()) if tuple(row) not in seen]
    if len(fresh) < num_test:
        raise ValueError(
            f"only {len(fresh)} unseen sequences for {num_test} test sequences; use longer "
            "sequences, a larger vocabulary or fewer training sequences."
        )
    return X_train, X[num_train:][fresh[:num_test]]


def reversal_data(
    num_train: int, num_test: int, *, length: int = 8, vocab: int = 10, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Random digit sequences and their reversals; no test sequence occurs in the training set.

    Returns:
        ``(X_train, y_train, X_test, y_test)``, int64 of shapes ``(num_train, length)`` and
        ``(num_test, length)``, with ``y = X.flip(1)``.
    """
    X_train, X_test = random_sequences(num_train, num_test, length=length, vocab=vocab, seed=seed)
    return X_train, X_train.flip(1), X_test, X_test.flip(1)


class SequenceTransformer(nn.Module):
    """Token embedding plus sinusoidal positions, encoder blocks, and a classifier per position.

    With ``causal=True`` every block attends under :func:`~lib.understanding.attention.causal_mask`
    (position ``i`` sees positions ``j <= i`` only): a decoder-only model, whose output at
    position ``i`` can predict the token at ``i + 1``.

    Shapes:
        X int64 ``(B, L)`` -> logits ``(B, L, vocab)``; the blocks' :attr:`last_weights` hold
        the attention weights of the last call.
    """

    def __init__(
        self,
        vocab: int = 10,
        length: int = 8,
        dim: int = 32,
        num_heads: int = 1,
        depth: int = 1,
        *,
        causal: bool = False,
    ) -> None:
        super().__init__()
        self.causal = causal
        self.embedding = nn.Embedding(vocab, dim)
        self.register_buffer("positions", sinusoidal_positional_encoding(length, dim))
        self.blocks = nn.ModuleList(
            TransformerEncoderBlock(dim, num_heads, 2 * dim) for _ in range(depth)
        )
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if X.dim() != 2 or X.shape[1] != len(self.positions) or X.is_floating_point():
            raise ValueError(
                f"expected int64 tokens of shape (B, {len(self.positions)}), got {X.dtype} "
                f"{tuple(X.shape)}."
            )
        tokens = self.embedding(X) + self.positions
        mask = causal_mask(X.shape[1], device=X.device) if self.causal else None
        for block in self.blocks:
            tokens = block(tokens, mask)
        return self.head(self.norm(tokens))


def token_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over every position.

    Shapes:
        logits ``(B, L, V)``, y ``(B, L)`` -> ``()``.
    """
    return F.cross_entropy(logits.flatten(0, 1), y.flatten())


def sequence_correct(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """1.0 for a sequence whose every token is right.

    Shapes:
        logits ``(B, L, V)``, y ``(B, L)`` -> ``(B,)``.
    """
    return (logits.argmax(-1) == y).all(dim=1).float()


@dataclass(frozen=True)
class ReversalConfig:
    """Everything that determines the trained reversal model."""

    length: int = 8
    vocab: int = 10
    num_train: int = 10_000
    num_test: int = 2_000
    dim: int = 32
    num_heads: int = 1
    depth: int = 1
    num_epochs: int = 8
    batch_size: int = 128
    lr: float = 3e-3
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("length", "num_train", "num_test", "dim", "num_heads", "depth", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}.")
        if self.vocab < 2:
            raise ValueError(f"vocab must be >= 2 symbols, got {self.vocab}.")
        if self.dim % self.num_heads:
            raise ValueError(
                f"num_heads must divide dim, got dim={self.dim}, num_heads={self.num_heads}; "
                "choose num_heads among the divisors of dim."
            )
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}.")


def load_or_train_reversal(
    config: ReversalConfig = ReversalConfig(), *, device: torch.device | str = "cpu"
) -> tuple[SequenceTransformer, dict]:
    """The reversal model of ``config``, trained with Adam (or loaded from the cache).

    Returns:
        ``(model, metrics)``: metrics hold the per-epoch training loss, the held-out sequence
        accuracy and the training seconds.
    """
    check_config(config, ReversalConfig)
    X_train, y_train, X_test, y_test = reversal_data(
        config.num_train, config.num_test, length=config.length, vocab=config.vocab,
        seed=config.seed,
    )  # fmt: skip

    def build() -> SequenceTransformer:
        seed_everything(config.seed)
        return SequenceTransformer(
            config.vocab, config.length, config.dim, config.num_heads, config.depth
        )

    def train(model: nn.Module) -> dict:
        batches = ShuffledBatches(
            len(X_train),
            config.batch_size,
            lambda i: (X_train[i], y_train[i]),
            generator=make_generator(config.seed),
        )
        history = fit(
            model,
            batches,
            num_epochs=config.num_epochs,
            optimizer=torch.optim.Adam(model.parameters(), lr=config.lr),
            loss_fn=token_cross_entropy,
            metric=sequence_correct,
            desc="reversal",
        )
        _, test_accuracy = evaluate(
            model, [(X_test, y_test)], loss_fn=token_cross_entropy, metric=sequence_correct
        )
        return {
            "train_loss": history.train_loss,
            "test_sequence_accuracy": test_accuracy,
            "seconds": sum(history.seconds),
        }

    return train_or_load("understanding-reversal", asdict(config), build, train, device=device)
