"""A population of small MLPs evaluated as one batched matrix product.

Comparing RL agents needs several seeds, and on a CPU a tiny network spends most of its time in
Python and kernel-launch overhead, not in arithmetic. :class:`BatchedMLP` holds ``M`` independent
MLPs with stacked weights ``(M, d_in, d_out)``; one ``torch.baddbmm`` per layer runs all of them.
Member ``i`` is initialised from its own seed only, and since Adam is element-wise and the
losses are summed over members, training them together is training them independently.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import AbstractContextManager

import torch
from torch import nn

from lib.checks import check_tensor
from lib.reproducibility import make_generator, threads


class BatchedMLP(nn.Module):
    """``M`` independent ReLU MLPs ``in_dim -> hidden... -> out_dim``.

    Each member is initialised like ``torch.nn.Linear`` (uniform in ``±1/sqrt(fan_in)``), drawing
    from ``lib.reproducibility.make_generator(seeds[i])``.

    Args:
        seeds: One seed per member (``M = len(seeds)``).
        in_dim: Input size.
        hidden: Hidden layer sizes.
        out_dim: Output size.

    Shapes:
        - input: ``(M, B, in_dim)``
        - output: ``(M, B, out_dim)``
    """

    def __init__(
        self, seeds: Sequence[int], in_dim: int, hidden: Sequence[int], out_dim: int
    ) -> None:
        super().__init__()
        if len(seeds) == 0:
            raise ValueError("pass at least one seed (one per member network).")
        if min(in_dim, out_dim, *hidden) < 1:
            raise ValueError(
                f"layer sizes must be positive, got in={in_dim}, hidden={tuple(hidden)}, "
                f"out={out_dim}."
            )
        self.num_members, self.in_dim, self.out_dim = len(seeds), in_dim, out_dim
        dims = [in_dim, *hidden, out_dim]
        weights = [[] for _ in dims[:-1]]
        biases = [[] for _ in dims[:-1]]
        for seed in seeds:
            gen = make_generator(int(seed))
            for layer, (d_in, d_out) in enumerate(zip(dims[:-1], dims[1:], strict=False)):
                bound = 1.0 / math.sqrt(d_in)
                weights[layer].append((torch.rand(d_in, d_out, generator=gen) * 2 - 1) * bound)
                biases[layer].append((torch.rand(1, d_out, generator=gen) * 2 - 1) * bound)
        self.weights = nn.ParameterList([nn.Parameter(torch.stack(w)) for w in weights])
        self.biases = nn.ParameterList([nn.Parameter(torch.stack(b)) for b in biases])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor(x, "x")
        if x.dim() != 3 or x.shape[0] != self.num_members or x.shape[2] != self.in_dim:
            raise ValueError(
                f"expected input (M={self.num_members}, B, {self.in_dim}), got {tuple(x.shape)}."
            )
        if x.dtype != self.weights[0].dtype:
            raise ValueError(
                f"x is {x.dtype} but the networks' weights are {self.weights[0].dtype}; pass "
                "x.float() (or an array converted with np.float32)."
            )
        last = len(self.weights) - 1
        for layer, (W, b) in enumerate(zip(self.weights, self.biases, strict=False)):
            x = torch.baddbmm(b, x, W)
            if layer < last:
                x = torch.relu(x)
        return x

    @torch.no_grad()
    def copy_members_(self, source: BatchedMLP, mask: torch.Tensor | None = None) -> None:
        """Copy the parameters of ``source`` into this population (every member, or ``mask``'s)."""
        for dst, src in zip(self.parameters(), source.parameters(), strict=False):
            if mask is None:
                dst.copy_(src)
            else:
                dst[mask] = src[mask]

    @torch.no_grad()
    def member(self, i: int) -> list[torch.Tensor]:
        """Copies of member ``i``'s parameters (weights then biases, layer by layer)."""
        return [p[i].clone() for p in self.parameters()]


class BatchedDuelingMLP(BatchedMLP):
    """``M`` independent duelling Q-networks (Wang et al. 2016, "Dueling Network Architectures for
    Deep Reinforcement Learning").

    A shared ReLU trunk ``in_dim -> hidden...`` feeds two linear streams, a state value
    :math:`V(s)` and advantages :math:`A(s, a)`, combined as

    .. math::

        Q(s, a) = V(s) + A(s, a) - \\frac{1}{|\\mathcal{A}|} \\sum_{a'} A(s, a'),

    so that :math:`V` is the mean of :math:`Q` over actions and every update of :math:`V` moves
    all actions' values at once. The two streams are the last linear layer of a
    :class:`BatchedMLP` with ``1 + out_dim`` outputs (column 0 is :math:`V`), initialised from the
    member's seed in the same way.

    Args:
        seeds: One seed per member (``M = len(seeds)``).
        in_dim: Input size.
        hidden: Hidden layer sizes of the shared trunk (at least one).
        out_dim: Number of actions.

    Shapes:
        - input: ``(M, B, in_dim)``
        - output: ``(M, B, out_dim)``
    """

    def __init__(
        self, seeds: Sequence[int], in_dim: int, hidden: Sequence[int], out_dim: int
    ) -> None:
        if len(hidden) == 0:
            raise ValueError("a duelling network needs at least one hidden layer (pass hidden).")
        if out_dim < 1:
            raise ValueError(f"out_dim (the number of actions) must be positive, got {out_dim}.")
        super().__init__(seeds, in_dim, hidden, 1 + out_dim)
        self.out_dim = out_dim

    def streams(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The value and advantage streams before they are combined.

        Shapes:
            - x: ``(M, B, in_dim)``
            - returns: ``V (M, B, 1)`` and ``A (M, B, out_dim)``
        """
        out = super().forward(x)
        return out[..., :1], out[..., 1:]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        value, advantage = self.streams(x)
        return value + advantage - advantage.mean(-1, keepdim=True)


def clip_grad_norm_per_member_(module: BatchedMLP, max_norm: float) -> torch.Tensor:
    """Clip each member's gradient to global L2 norm ``max_norm``; return the norms before clipping.

    Shapes:
        - returns: ``(M,)``
    """
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    if not grads:
        raise ValueError("no gradients to clip; call backward() first.")
    norms = torch.sqrt(sum(g.pow(2).flatten(1).sum(1) for g in grads))
    scale = torch.clamp(max_norm / (norms + 1e-6), max=1.0)
    for g in grads:
        g.mul_(scale.view(-1, *([1] * (g.dim() - 1))))
    return norms


@torch.no_grad()
def soft_update_(target: nn.Module, online: nn.Module, tau: float) -> None:
    """Polyak averaging ``target <- (1 - tau) target + tau online``, parameter by parameter.

    ``tau = 1`` is a copy (Mnih et al. 2015's periodic target update); a small ``tau`` every step
    is the soft update of Lillicrap et al. (2016).
    """
    if not 0.0 < tau <= 1.0:
        raise ValueError(f"tau must be in (0, 1], got {tau}.")
    target_params, online_params = list(target.parameters()), list(online.parameters())
    if [p.shape for p in target_params] != [p.shape for p in online_params]:
        raise ValueError("target and online must have parameters of the same shapes.")
    for target_param, online_param in zip(target_params, online_params, strict=True):
        target_param.lerp_(online_param, tau)


def single_thread() -> AbstractContextManager[None]:
    """Run the block with one torch intra-op thread, then restore the caller's count.

    The RL networks are tiny (a few thousand weights, batches of 64): splitting such a matrix
    product over threads costs more in synchronisation than it saves, and on a busy 2-core
    machine it is many times slower. Fixing the count for the block also keeps results
    independent of the caller's thread setting. (:func:`lib.reproducibility.threads` with 1.)
    """
    return threads(1)
