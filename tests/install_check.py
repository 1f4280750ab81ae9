"""Run by tests/test_install.py with the Python of a clean venv where lib was installed from
pyproject.toml alone: every module imports, and each part of the book runs a small computation.
Uses nothing but lib's declared dependencies (no pytest, no myst-nb)."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

import gymnasium as gym
import torch
import torch_geometric.nn

import lib
from lib.calibration import expected_calibration_error
from lib.generative.pixelcnn import PixelCNN, sample
from lib.graphs.gcn import GCNLayer
from lib.graphs.normalization import normalized_adjacency
from lib.models import SmallCNN
from lib.notebook import glue, setup, versions
from lib.rl.mdp import from_gymnasium, value_iteration
from lib.training import fit, make_loader
from lib.understanding.attention import causal_mask, scaled_dot_product_attention

modules = [info.name for info in pkgutil.walk_packages(lib.__path__, "lib.")]
for name in modules:
    importlib.import_module(name)
assert importlib.util.find_spec("myst_nb") is None, "myst-nb is not one of lib's dependencies"
assert importlib.util.find_spec("benchmarks") is None, "the benchmarks are not installed with lib"

# core: the set-up cell, glue without myst-nb, one epoch of the training loop
setup(0)
glue("answer", 42, display=False)
X, y = torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,))
history = fit(SmallCNN(), make_loader(X, y, batch_size=32, shuffle=True), num_epochs=1, lr=1e-3)
assert history.num_epochs == 1, history

# 0 training and understanding: our attention agrees with torch's fused kernel
q, k, v = (torch.randn(2, 3, 5, 4) for _ in range(3))
attended, _ = scaled_dot_product_attention(q, k, v, mask=causal_mask(5))
fused = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
assert torch.allclose(attended, fused, atol=1e-5)

# 1 uncertainty: ECE is 0 for one-hot predictions that are all correct
probs = torch.eye(10)
assert expected_calibration_error(probs, torch.arange(10)) == 0.0

# 2 generative: a PixelCNN samples binary images
images = sample(
    PixelCNN(channels=8, num_layers=2), 2, image_size=6, generator=torch.Generator().manual_seed(0)
)
assert images.shape == (2, 1, 6, 6) and set(images.unique().tolist()) <= {0.0, 1.0}

# 3 graphs: our GCN layer agrees with PyG's GCNConv given the same weights
edge_index = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
x = torch.randn(4, 3)
ours = GCNLayer(3, 2)
theirs = torch_geometric.nn.GCNConv(3, 2)
theirs.lin.weight.data.copy_(ours.lin.weight.data)
theirs.bias.data.copy_(ours.bias.data)
adj = normalized_adjacency(edge_index, 4, layout="dense")
assert torch.allclose(ours(x, adj), theirs(x, edge_index), atol=1e-5)

# 4 reinforcement learning: value iteration solves FrozenLake's model
result = value_iteration(from_gymnasium(gym.make("FrozenLake-v1")), 0.99)
assert 0.5 < result.V[0] < 1.0, result.V[0]

print(f"{len(modules)} modules imported, every part ran: {versions()}")
