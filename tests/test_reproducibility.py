from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from lib.reproducibility import get_device, make_generator, seed_everything, set_threads, threads


def _draws() -> tuple:
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_same_seed_same_numbers_everywhere():
    seed_everything(3)
    first = _draws()
    seed_everything(3)
    assert _draws() == first
    seed_everything(4)
    assert _draws() != first


def test_sets_determinism_and_leaves_threads_alone():
    with threads(1):
        generator = seed_everything(0)
        assert torch.get_num_threads() == 1  # the caller's count survives re-seeding
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.equal(
        torch.rand(3, generator=generator), torch.rand(3, generator=make_generator(0))
    )


def test_training_is_bitwise_reproducible():
    def train() -> torch.Tensor:
        seed_everything(1)
        model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 4, 3), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 2)
        )
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


@pytest.mark.parametrize("num_threads", [0, 1.5, True])
def test_bad_thread_count(num_threads):
    with pytest.raises(ValueError, match="num_threads must be a positive int"):
        set_threads(num_threads)


def test_threads_restores_the_callers_count():
    previous = torch.get_num_threads()
    with pytest.raises(RuntimeError), threads(1):
        assert torch.get_num_threads() == 1
        raise RuntimeError  # restored even when the block fails
    assert torch.get_num_threads() == previous


def test_device_follows_cuda_availability(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device() == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert get_device() == torch.device("cpu")
