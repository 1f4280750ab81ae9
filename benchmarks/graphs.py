"""Benchmarks of chapter 3, registered with :mod:`benchmarks.registry`.

* ``graphs/table2``: the Table 2 protocol of Kipf & Welling (2017) (Cora and CiteSeer, 10 seeds,
  at most 200 epochs) for our GCN, for the PyG ``GCNConv`` model as PyG's example runs it (its
  own random draws), and for ``GCNConv`` given our weights and dropout masks (which must match
  ours seed for seed), trained the same way in the same run; wall time of the whole protocol and
  mean test accuracy of each.
* ``graphs/scaling``: forward time of one cached sparse GCN layer against the number of edges,
  with the fitted log-log slope (1 means O(E)).
* ``graphs/sampler``: throughput of the plain-PyTorch neighbour sampler on Cora.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from benchmarks.registry import Result, benchmark
from lib.reproducibility import make_generator


@benchmark("graphs/table2")
def table2() -> list[Result]:
    from lib.data import load_planetoid
    from lib.graphs.node_classification import PAPER_TABLE2, run_table2

    results = []
    for name in ("cora", "citeseer"):
        data = load_planetoid(name)
        ours = run_table2(data, name, "ours")
        pyg = run_table2(data, name, "pyg")
        same = run_table2(data, name, "pyg-same-draws")
        results.append(
            Result(
                name=f"graphs/table2/{name}/seconds",
                value=ours.seconds,
                unit="s for 10 seeds",
                reference="torch_geometric.nn.GCNConv(cached=True) model, dense X, same protocol",
                reference_value=pyg.seconds,
                details={
                    "speedup": pyg.seconds / ours.seconds,
                    "same_draws_seconds": same.seconds,
                    "same_draws_speedup": same.seconds / ours.seconds,
                    "ours_epochs": [r.epochs for r in ours.runs],
                    "pyg_epochs": [r.epochs for r in pyg.runs],
                },
            )
        )
        results.append(
            Result(
                name=f"graphs/table2/{name}/accuracy",
                value=ours.mean,
                unit="mean test accuracy over 10 seeds",
                reference="torch_geometric.nn.GCNConv(cached=True) model, its own random draws",
                reference_value=pyg.mean,
                details={
                    "paper": PAPER_TABLE2[name] / 100,
                    "ours_std": ours.std,
                    "pyg_std": pyg.std,
                    "same_draws_mean": same.mean,
                    "same_draws_max_abs_difference": float(
                        np.abs(same.accuracies - ours.accuracies).max()
                    ),
                },
            )
        )
    return results


@benchmark("graphs/scaling")
def scaling() -> list[Result]:
    from lib.graphs.scaling import forward_time_vs_edges

    edges, ours, pyg = forward_time_vs_edges([10**4, 10**5, 10**6, 3 * 10**6], with_pyg=True)
    slope = float(np.polyfit(np.log(edges), np.log(ours), 1)[0])
    slope_pyg = float(np.polyfit(np.log(edges), np.log(pyg), 1)[0])
    return [
        Result(
            name="graphs/scaling/loglog-slope",
            value=slope,
            unit="d log(time) / d log(E)",
            reference="torch_geometric.nn.GCNConv(cached=True) forward",
            reference_value=slope_pyg,
            details={"edges": list(map(int, edges)), "ours_seconds": ours, "pyg_seconds": pyg},
        )
    ]


@benchmark("graphs/sampler")
def sampler() -> list[Result]:
    from lib.data import load_planetoid
    from lib.graphs.sampling import NeighborSampler

    data = load_planetoid("cora")
    s = NeighborSampler(data.edge_index, data.num_nodes, [10, 10])
    g = make_generator(0)
    seeds = torch.arange(data.num_nodes)
    start = time.perf_counter()
    count = 0
    for _ in range(5):
        order = seeds[torch.randperm(len(seeds), generator=g)]
        for i in range(0, len(order), 64):
            count += len(s.sample(order[i : i + 64], g).nodes)
    seconds = time.perf_counter() - start
    return [
        Result(
            name="graphs/sampler/throughput",
            value=5 * len(seeds) / seconds,
            unit="seed nodes/s (fan-out 10, 10; batch 64)",
            details={"sampled_nodes_per_second": count / seconds},
        )
    ]
