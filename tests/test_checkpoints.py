from __future__ import annotations

import torch
from torch import nn

from lib.checkpoints import train_or_load


def test_trains_once_then_loads(tmp_data):
    calls = []

    def train(model: nn.Module) -> dict:
        calls.append(1)
        with torch.no_grad():
            model.weight.fill_(1.5)
        return {"score": 0.75}

    model, metrics = train_or_load("toy", {"lr": 0.1}, lambda: nn.Linear(2, 1), train)
    again, metrics_again = train_or_load("toy", {"lr": 0.1}, lambda: nn.Linear(2, 1), train)
    assert calls == [1] and metrics == metrics_again == {"score": 0.75}
    assert torch.equal(again.weight, torch.full((1, 2), 1.5)) and not again.training
    train_or_load("toy", {"lr": 0.1}, lambda: nn.Linear(2, 1), train, retrain=True)
    assert calls == [1, 1]
    train_or_load("toy", {"lr": 0.2}, lambda: nn.Linear(2, 1), train)  # another config trains
    assert calls == [1, 1, 1]


def test_trains_and_loads_on_the_requested_device(tmp_data, device):
    def train(model: nn.Module) -> dict:
        assert model.weight.device.type == device.type
        with torch.no_grad():
            model.weight.fill_(0.5)
        return {}

    build = lambda: nn.Linear(2, 1)  # noqa: E731
    trained, _ = train_or_load("toy-device", {}, build, train, device=device)
    loaded, _ = train_or_load("toy-device", {}, build, train, device=device)
    assert trained.weight.device.type == loaded.weight.device.type == device.type
    on_cpu, _ = train_or_load("toy-device", {}, build, train)  # cached on any device, loads here
    assert on_cpu.weight.device.type == "cpu" and torch.equal(
        on_cpu.weight.detach().cpu(), loaded.weight.detach().cpu()
    )
