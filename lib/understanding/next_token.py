r"""A causal (decoder-only) transformer trained to predict the next token, on sequences whose
second half repeats the first.

A sequence is ``half`` random digits followed by the same digits again,
``s = (a_0, ..., a_{h-1}, a_0, ..., a_{h-1})``. The model reads ``s_0 .. s_{2h-2}`` and predicts
at every position ``i`` the next token ``s_{i+1}``, attending under the causal mask (position
``i`` sees ``j <= i`` only), as a language model is trained. The next token of positions
``0 .. h-2`` is a fresh random digit that no model can predict (accuracy ``1 / vocab`` at best);
from position ``h - 1`` on it is a copy of the token at ``i - (h - 1)``, which the model can find
by attending ``h - 1`` positions back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from lib.checkpoints import train_or_load
from lib.checks import check_config, check_int
from lib.reproducibility import make_generator, seed_everything
from lib.training import ShuffledBatches, evaluate, fit
from lib.understanding.reversal import SequenceTransformer, random_sequences, token_cross_entropy


def next_token_pairs(sequences: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and next-token targets of sequences: ``s_0 .. s_{L-2}`` and ``s_1 .. s_{L-1}``.

    Shapes:
        sequences int64 ``(N, L)`` -> inputs ``(N, L - 1)`` and targets ``(N, L - 1)``.
    """
    if sequences.dim() != 2 or sequences.shape[1] < 2 or sequences.is_floating_point():
        raise ValueError(
            f"sequences must be int64 tokens of shape (N, L) with L >= 2, got "
            f"{sequences.dtype} {tuple(sequences.shape)}."
        )
    return sequences[:, :-1], sequences[:, 1:]


def copy_positions(half: int) -> torch.Tensor:
    """Which input positions' next token repeats an earlier token: ``i >= half - 1``.

    Shapes:
        -> bool ``(2 * half - 1,)``: ``False`` where the next token is a fresh random digit.
    """
    check_int(half, "half", minimum=2)
    return torch.arange(2 * half - 1) >= half - 1


@dataclass(frozen=True)
class NextTokenConfig:
    """Everything that determines the trained next-token model."""

    half: int = 8
    vocab: int = 10
    num_train: int = 10_000
    num_test: int = 2_000
    dim: int = 32
    num_heads: int = 1
    depth: int = 1
    num_epochs: int = 4
    batch_size: int = 128
    lr: float = 3e-3
    seed: int = 0

    def __post_init__(self) -> None:
        check_int(self.half, "half", minimum=2)
        check_int(self.vocab, "vocab", minimum=2)
        for name in ("num_train", "num_test", "dim", "num_heads", "depth", "num_epochs"):
            check_int(getattr(self, name), name)
        check_int(self.batch_size, "batch_size")
        if self.dim % self.num_heads:
            raise ValueError(
                f"num_heads must divide dim, got dim={self.dim}, num_heads={self.num_heads}; "
                "choose num_heads among the divisors of dim."
            )
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}.")

    def data(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Training and test sequences ``(N, 2 * half)``, int64: random first halves (no test
        first half occurs among the training ones), each followed by itself."""
        first_train, first_test = random_sequences(
            self.num_train, self.num_test, length=self.half, vocab=self.vocab, seed=self.seed
        )
        return first_train.repeat(1, 2), first_test.repeat(1, 2)


def load_or_train_next_token(
    config: NextTokenConfig = NextTokenConfig(), *, device: torch.device | str = "cpu"
) -> tuple[SequenceTransformer, dict]:
    """The causal :class:`~lib.understanding.reversal.SequenceTransformer` of ``config``, trained
    with Adam on next-token prediction at every position (or loaded from the cache).

    Returns:
        ``(model, metrics)``: the per-epoch training loss, the test loss (mean cross-entropy per
        token) and the training seconds.
    """
    check_config(config, NextTokenConfig)
    train_sequences, test_sequences = config.data()
    X_train, y_train = next_token_pairs(train_sequences)
    X_test, y_test = next_token_pairs(test_sequences)

    def build() -> SequenceTransformer:
        seed_everything(config.seed)
        return SequenceTransformer(
            config.vocab, 2 * config.half - 1, config.dim, config.num_heads, config.depth,
            causal=True,
        )  # fmt: skip

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
            metric=None,
            desc="next token",
        )
        test_loss, _ = evaluate(model, [(X_test, y_test)], loss_fn=token_cross_entropy, metric=None)
        return {
            "train_loss": history.train_loss,
            "test_loss": test_loss,
            "seconds": sum(history.seconds),
        }

    return train_or_load("understanding-next-token", asdict(config), build, train, device=device)
