"""Benchmarks of the training-and-understanding part, registered with
:mod:`lib.benchmark_registry`.

* ``understanding/attention``: our :func:`~lib.understanding.attention.scaled_dot_product_attention`
  against :func:`torch.nn.functional.scaled_dot_product_attention`, time per call (forward, float32,
  batch 8, 4 heads of 32 features) for a few sequence lengths, and the largest absolute
  difference between the two outputs.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lib.benchmark_registry import Result, benchmark, best_time
from lib.reproducibility import make_generator
from lib.understanding.attention import causal_mask, scaled_dot_product_attention

SEQUENCE_LENGTHS = (64, 256, 1024)


@benchmark("understanding/attention")
def attention() -> list[Result]:
    results = []
    generator = make_generator(0)
    for length in SEQUENCE_LENGTHS:
        q, k, v = (torch.randn(8, 4, length, 32, generator=generator) for _ in range(3))
        mask = causal_mask(length)
        repeats = max(3, 2048 // length)

        def call_ours(q=q, k=k, v=v, mask=mask):
            return scaled_dot_product_attention(q, k, v, mask)[0]

        def call_torch(q=q, k=k, v=v, mask=mask):
            return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)

        with torch.no_grad():
            ours = best_time(call_ours, repeats=repeats)
            theirs = best_time(call_torch, repeats=repeats)
            difference = (call_ours() - call_torch()).abs().max().item()
        results.append(
            Result(
                name=f"understanding/attention/length-{length}",
                value=ours * 1e3,
                unit="ms per call",
                reference="torch.nn.functional.scaled_dot_product_attention, same causal mask",
                reference_value=theirs * 1e3,
                details={
                    "shape": [8, 4, length, 32],
                    "slowdown": ours / theirs,
                    "max_abs_difference": difference,
                },
            )
        )
    return results
