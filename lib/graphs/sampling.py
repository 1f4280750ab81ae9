"""Neighbour-sampled mini-batches in plain PyTorch (GraphSAGE, Hamilton et al., NeurIPS 2017).

For a batch of seed nodes, hop ``l`` keeps at most ``fanouts[l]`` in-neighbours of every node
reached so far, drawn uniformly without replacement. Each hop gives a *block*: a row-normalised
``(n_dst, n_src)`` matrix whose rows average a node's sampled neighbours and itself, the sampled
counterpart of the full mean aggregation ``D̃^{-1}(A + I)`` (:func:`lib.graphs.mean_adjacency`).
It equals that mean when the fan-out ``k`` is at least the node's in-degree ``d``. When ``k < d`` it
is *biased towards the node itself*: the node keeps weight ``1 / (k + 1)`` instead of
``1 / (d + 1)``. The mean over the sampled neighbours alone is an unbiased estimate of the mean
over all neighbours.
The source nodes of a block list its destination nodes first, so a layer's output for the
destinations lines up with the first rows of its input.

PyTorch Geometric's ``NeighborLoader`` does the same but needs the optional compiled packages
``pyg-lib`` or ``torch-sparse``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from lib.graphs.sparse import SparseMatrix
from lib.graphs.validation import check_graph
from lib.training import ShuffledBatches, fit, model_device


@dataclass
class SampledBatch:
    """One mini-batch.

    Attributes:
        nodes: Global ids of every input node, seeds first. Shape ``(n_0,)``.
        blocks: One :class:`SparseMatrix` per layer in the order the model applies them; block
            ``l`` has shape ``(n_{l+1}, n_l)`` and the last one has ``num_seeds`` rows.
        num_seeds: Number of seed (output) nodes.
    """

    nodes: torch.Tensor
    blocks: list[SparseMatrix]
    num_seeds: int

    def to(self, device: torch.device | str) -> SampledBatch:
        """The blocks on ``device`` (the node ids stay where the sampler made them)."""
        return SampledBatch(self.nodes, [b.to(device) for b in self.blocks], self.num_seeds)


class NeighborSampler:
    """Uniform neighbour sampling with a fixed fan-out per hop.

    Args:
        edge_index: ``(source, target)`` pairs; a node samples among the sources of its
            incoming edges.
        num_nodes: Number of nodes.
        fanouts: Neighbours kept per node, first for the hop next to the seeds; one per layer.

    Shapes:
        ``edge_index (2, E)``.
    """

    def __init__(self, edge_index: torch.Tensor, num_nodes: int, fanouts: Sequence[int]) -> None:
        check_graph(edge_index, num_nodes)
        if not fanouts or any(int(k) < 1 for k in fanouts):
            raise ValueError(f"fanouts must be a non-empty list of positive ints, got {fanouts!r}.")
        self.num_nodes = num_nodes
        self.fanouts = [int(k) for k in fanouts]
        order = torch.argsort(edge_index[1], stable=True)
        self.sources = edge_index[0, order]
        counts = torch.bincount(edge_index[1], minlength=num_nodes)
        self.rowptr = torch.zeros(num_nodes + 1, dtype=torch.long)
        self.rowptr[1:] = torch.cumsum(counts, 0)

    def _sample_hop(
        self, targets: torch.Tensor, fanout: int, generator: torch.Generator | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Sampled ``(target position, source global id)`` pairs for the given targets."""
        starts = self.rowptr[targets]
        counts = self.rowptr[targets + 1] - starts
        total = int(counts.sum())
        if total == 0:
            empty = torch.empty(0, dtype=torch.long)
            return empty, empty
        segment = torch.repeat_interleave(torch.arange(len(targets)), counts)
        segment_start = torch.repeat_interleave(torch.cumsum(counts, 0) - counts, counts)
        offsets = torch.arange(total) - segment_start
        positions = starts[segment] + offsets
        keys = torch.rand(total, generator=generator, dtype=torch.float64) + segment.double()
        order = torch.argsort(keys)  # random order within each target's segment
        rank = torch.arange(total) - segment_start  # segment is sorted, order keeps it so
        keep = order[rank < fanout]
        return segment[keep], self.sources[positions[keep]]

    def sample(self, seeds: torch.Tensor, generator: torch.Generator | None = None) -> SampledBatch:
        """Sample the computation graph of ``seeds``.

        Shapes:
            ``seeds (B,)`` int64 unique node ids.
        """
        if seeds.dtype != torch.long or seeds.dim() != 1:
            raise ValueError("seeds must be a 1-D int64 tensor of node ids.")
        if seeds.numel() and (int(seeds.min()) < 0 or int(seeds.max()) >= self.num_nodes):
            raise ValueError(f"seeds must lie in 0..{self.num_nodes - 1}.")
        local = torch.full((self.num_nodes,), -1, dtype=torch.long)
        nodes = seeds.clone()
        local[nodes] = torch.arange(len(nodes))
        blocks = []
        for fanout in self.fanouts:
            n_dst = len(nodes)
            dst, src_global = self._sample_hop(nodes, fanout, generator)
            new = torch.unique(src_global[local[src_global] < 0])
            local[new] = torch.arange(n_dst, n_dst + len(new))
            nodes = torch.cat([nodes, new])
            src = local[src_global]
            self_loops = torch.arange(n_dst)
            rows = torch.cat([dst, self_loops])
            cols = torch.cat([src, self_loops])
            count = torch.bincount(rows, minlength=n_dst).float()
            blocks.append(
                SparseMatrix.from_coo(
                    torch.stack([rows, cols]), 1.0 / count[rows], (n_dst, len(nodes))
                )
            )
        return SampledBatch(nodes=nodes, blocks=blocks[::-1], num_seeds=len(seeds))


def saved_tensor_bytes(fn: Callable[[], torch.Tensor]) -> int:
    """Bytes of the dense tensors autograd keeps for the backward pass of ``fn()``.

    A deterministic stand-in for the peak activation memory of a training step.
    """
    if not callable(fn) or isinstance(fn, nn.Module):
        raise TypeError(
            f"fn must be a function of no arguments, got {type(fn).__name__}; pass "
            "lambda: model(x, adj)."
        )
    seen: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        if t.layout == torch.strided:
            seen[t.data_ptr()] = max(seen.get(t.data_ptr(), 0), t.numel() * t.element_size())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn()
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise ValueError(
            "fn() must return a tensor that requires grad, so that autograd saves tensors for "
            "its backward pass; call it outside torch.no_grad() on a model with parameters."
        )
    out.sum().backward()
    return sum(seen.values())


@dataclass
class SampledTrainingResult:
    """Outcome of :func:`train_sampled`."""

    seconds: float
    num_batches: int
    sampled_nodes: int
    sampling_seconds: float


def train_sampled(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    train_idx: torch.Tensor,
    sampler: NeighborSampler,
    *,
    batch_size: int,
    num_epochs: int,
    lr: float = 0.01,
    weight_decay: float = 5e-4,
    generator: torch.Generator | None = None,
) -> SampledTrainingResult:
    """Mini-batch training on sampled blocks: ``model(x[batch.nodes], batch.blocks)``.

    Args:
        model: A :class:`lib.graphs.GCN` with one layer per fan-out.
        x: Node features ``(N, F)``.
        y: Labels ``(N,)``.
        train_idx: Ids of labelled nodes ``(B_total,)``.
        sampler: The neighbour sampler.
        batch_size: Seeds per mini-batch.
        num_epochs: Passes over ``train_idx``.
        lr: Adam learning rate.
        weight_decay: Adam L2 penalty on all parameters.
        generator: Randomness of the shuffling and of the sampling.
    """
    if batch_size < 1 or num_epochs < 1:
        raise ValueError("batch_size and num_epochs must be positive.")
    x = x.to(model_device(model))
    start = time.perf_counter()
    counts = {"sampling": 0.0, "batches": 0, "nodes": 0}

    def take(indices: torch.Tensor) -> tuple[SampledBatch, torch.Tensor]:
        seeds = train_idx[indices]
        t0 = time.perf_counter()
        batch = sampler.sample(seeds, generator)
        counts["sampling"] += time.perf_counter() - t0
        counts["batches"] += 1
        counts["nodes"] += len(batch.nodes)
        return batch, y[seeds]

    fit(
        model,
        ShuffledBatches(len(train_idx), batch_size, take, generator=generator),
        num_epochs=num_epochs,
        optimizer=torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay),
        metric=None,
        forward=lambda batch: model(x[batch.nodes], batch.blocks),
        desc="sampled GCN",
    )
    return SampledTrainingResult(
        time.perf_counter() - start, counts["batches"], counts["nodes"], counts["sampling"]
    )
