from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from lib.reproducibility import NUM_THREADS, get_device, make_generator, seed_everything


def _draws() -> tuple:
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_same_seed_same_numbers_everywhere():
    seed_everything(3)
    first = _draws()
    seed_everything(3)
    assert _draws() == first
    seed_everything(4)
    assert _draws() != first


def test_sets_determinism_and_threads():
    generator = seed_everything(0)
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.get_num_threads() == NUM_THREADS
    assert torch.equal(torch.rand(3, generator=generator), torch.rand(3, generator=make_generator(0)))


def test_training_is_bitwise_reproducible():
    def train() -> torch.Tensor:
        seed_everything(1)
        model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 2))
        opt = torch.optim.Adam(model.parameters())
        X, y = torch.randn(16, 1, 8, 8), torch.randint(0, 2, (16,))
        for _ in range(5):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(X), y).backward()
            opt.step()
        return torch.cat([p.detach().flatten() for p in model.parameters()])

    assert torch.equal(train(), train())


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        seed_everything(seed)


def test_bad_thread_count():
    with pytest.raises(ValueError, match="num_threads"):
        seed_everything(0, num_threads=0)


def test_device_is_cpu_without_cuda():
    assert get_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
