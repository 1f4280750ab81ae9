r"""Key-value retrieval by cross-attention, the encoder-decoder attention of Vaswani et al. (2017).

The encoder sequence is a set of ``num_pairs`` (key, value) pairs, distinct keys out of
``num_keys`` symbols and values out of ``num_values``; the decoder sequence asks for the values
of ``num_queries`` of those keys. One cross-attention layer solves it when each query's weight
falls on the pair that holds its key:

.. math:: Q = X_\mathrm{dec} W_Q, \quad K = X_\mathrm{enc} W_K, \quad V = X_\mathrm{enc} W_V,
    \qquad \mathrm{softmax}\!\left(QK^\top / \sqrt d\right) V
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from lib.checkpoints import train_or_load
from lib.checks import check_config, check_int
from lib.reproducibility import make_generator, seed_everything
from lib.training import ShuffledBatches, evaluate, fit
from lib.understanding.attention import MultiHeadAttention
from lib.understanding.reversal import token_cross_entropy


def retrieval_data(
    num_examples: int,
    *,
    num_pairs: int = 8,
    num_queries: int = 3,
    num_keys: int = 16,
    num_values: int = 10,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Random key-value sets, queries for some of their keys, and the answers.

    Returns:
        ``(pairs, queries, y, positions)``, int64: ``pairs`` ``(N, num_pairs, 2)`` holds
        ``(key, value)`` with distinct keys per example; ``queries`` ``(N, num_queries)``
        distinct keys of that example; ``y`` ``(N, num_queries)`` their values; ``positions``
        ``(N, num_queries)`` the encoder position of the pair each query asks for.
    """
    for name, value in (("num_examples", num_examples), ("num_queries", num_queries)):
        check_int(value, name)
    check_int(num_values, "num_values", minimum=2)
    if not num_queries <= num_pairs <= num_keys:
        raise ValueError(
            f"need num_queries <= num_pairs <= num_keys (distinct keys, distinct queries), got "
            f"{num_queries}, {num_pairs} and {num_keys}."
        )
    generator = make_generator(seed)
    keys = torch.rand(num_examples, num_keys, generator=generator).argsort(1)[:, :num_pairs]
    values = torch.randint(0, num_values, (num_examples, num_pairs), generator=generator)
    positions = torch.rand(num_examples, num_pairs, generator=generator).argsort(1)
    positions = positions[:, :num_queries]
    pairs = torch.stack([keys, values], dim=-1)
    return pairs, keys.gather(1, positions), values.gather(1, positions), positions


class CrossAttentionRetriever(nn.Module):
    """Embeds the pairs (encoder) and the queried keys (decoder), lets the decoder attend to the
    encoder once, and classifies each decoder position's output into a value.

    Shapes:
        pairs int64 ``(B, n_enc, 2)``, queries int64 ``(B, n_dec)`` -> logits
        ``(B, n_dec, num_values)``; :attr:`last_weights` keeps the attention weights of the last
        call, ``(B, h, n_dec, n_enc)``.
    """

    def __init__(
        self, num_keys: int = 16, num_values: int = 10, dim: int = 32, num_heads: int = 1
    ) -> None:
        super().__init__()
        self.key_embedding = nn.Embedding(num_keys, dim)
        self.value_embedding = nn.Embedding(num_values, dim)
        self.query_embedding = nn.Embedding(num_keys, dim)
        self.attention = MultiHeadAttention(dim, num_heads)
        self.head = nn.Linear(dim, num_values)
        self.last_weights: torch.Tensor | None = None

    def forward(self, pairs: torch.Tensor, queries: torch.Tensor) -> torch.Tensor:
        if pairs.dim() != 3 or pairs.shape[-1] != 2 or queries.dim() != 2:
            raise ValueError(
                f"expected pairs (B, n_enc, 2) and queries (B, n_dec) of int64 tokens, got "
                f"{tuple(pairs.shape)} and {tuple(queries.shape)}."
            )
        X_enc = self.key_embedding(pairs[..., 0]) + self.value_embedding(pairs[..., 1])
        X_dec = self.query_embedding(queries)  # (B, n_dec, D)
        attended, weights = self.attention(X_dec, X_enc, X_enc)  # queries from the decoder
        self.last_weights = weights.detach()  # (B, h, n_dec, n_enc)
        return self.head(attended)


def query_accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Fraction of each example's queries answered right.

    Shapes:
        logits ``(B, n_dec, V)``, y ``(B, n_dec)`` -> ``(B,)``.
    """
    return (logits.argmax(-1) == y).float().mean(1)


@dataclass(frozen=True)
class RetrievalConfig:
    """Everything that determines the trained retrieval model."""

    num_pairs: int = 8
    num_queries: int = 3
    num_keys: int = 16
    num_values: int = 10
    num_train: int = 4_000
    num_test: int = 2_000
    dim: int = 32
    num_heads: int = 1
    num_epochs: int = 5
    batch_size: int = 128
    lr: float = 3e-3
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("num_train", "num_test", "dim", "num_heads", "num_epochs", "batch_size"):
            check_int(getattr(self, name), name)
        if self.dim % self.num_heads:
            raise ValueError(
                f"num_heads must divide dim, got dim={self.dim}, num_heads={self.num_heads}."
            )
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}.")

    def data(self) -> tuple[tuple[torch.Tensor, ...], tuple[torch.Tensor, ...]]:
        """The training and test examples, each ``(pairs, queries, y, positions)`` as in
        :func:`retrieval_data` (one draw, split: the test examples are the last ``num_test``)."""
        drawn = retrieval_data(
            self.num_train + self.num_test, num_pairs=self.num_pairs,
            num_queries=self.num_queries, num_keys=self.num_keys, num_values=self.num_values,
            seed=self.seed,
        )  # fmt: skip
        return tuple(t[: self.num_train] for t in drawn), tuple(t[self.num_train :] for t in drawn)


def load_or_train_retrieval(
    config: RetrievalConfig = RetrievalConfig(), *, device: torch.device | str = "cpu"
) -> tuple[CrossAttentionRetriever, dict]:
    """The retrieval model of ``config``, trained with Adam (or loaded from the cache).

    Returns:
        ``(model, metrics)``: the per-epoch training loss, the test accuracy per query and the
        training seconds.
    """
    check_config(config, RetrievalConfig)
    (pairs, queries, y, _), (pairs_test, queries_test, y_test, _) = config.data()

    def build() -> CrossAttentionRetriever:
        seed_everything(config.seed)
        return CrossAttentionRetriever(
            config.num_keys, config.num_values, config.dim, config.num_heads
        )

    def train(model: nn.Module) -> dict:
        batches = ShuffledBatches(
            len(y),
            config.batch_size,
            lambda i: ((pairs[i], queries[i]), y[i]),
            generator=make_generator(config.seed),
        )
        history = fit(
            model,
            batches,
            num_epochs=config.num_epochs,
            optimizer=torch.optim.Adam(model.parameters(), lr=config.lr),
            loss_fn=token_cross_entropy,
            metric=query_accuracy,
            forward=lambda X: model(*X),
            desc="retrieval",
        )
        _, test_accuracy = evaluate(
            model,
            [((pairs_test, queries_test), y_test)],
            loss_fn=token_cross_entropy,
            metric=query_accuracy,
            forward=lambda X: model(*X),
        )
        return {
            "train_loss": history.train_loss,
            "test_accuracy": test_accuracy,
            "seconds": sum(history.seconds),
        }

    return train_or_load("understanding-retrieval", asdict(config), build, train, device=device)
