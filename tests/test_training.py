from __future__ import annotations

import pytest
import torch
from torch import nn

from lib.reproducibility import seed_everything
from lib.training import (
    History,
    ShuffledBatches,
    accuracy,
    evaluate,
    fit,
    images_to_float,
    make_loader,
    predict_logits,
    progress_enabled,
    train_step,
)


def _blobs(n: int = 200) -> tuple[torch.Tensor, torch.Tensor]:
    """Two well-separated Gaussian blobs in 2-D."""
    generator = torch.Generator().manual_seed(0)
    y = torch.arange(n) % 2
    X = torch.randn(n, 2, generator=generator) + 4 * y[:, None].float() - 2
    return X, y


def test_fit_learns_separable_data_and_records_history():
    seed_everything(0)
    X, y = _blobs()
    model = nn.Linear(2, 2)
    loader = make_loader(X, y, batch_size=32, shuffle=True)
    history = fit(
        model,
        loader,
        num_epochs=5,
        optimizer=torch.optim.Adam(model.parameters(), lr=0.05),
        test_batches=make_loader(X, y, batch_size=50, shuffle=False),
    )
    assert isinstance(history, History) and history.num_epochs == 5
    assert len(history.test_metric) == len(history.seconds) == 5
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.test_metric[-1] > 0.95
    loss, acc = evaluate(model, make_loader(X, y, batch_size=64, shuffle=False))
    assert acc == history.test_metric[-1] and loss == pytest.approx(history.test_loss[-1])
    assert set(history.named("accuracy")) == {
        "train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds"
    }  # fmt: skip


def test_fit_matches_a_hand_written_loop():
    """Same batches, same optimizer, same order of zero_grad/backward/step: same weights."""
    X, y = _blobs()

    def model_and_optimizer() -> tuple[nn.Module, torch.optim.Optimizer]:
        seed_everything(1)
        model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 2))
        return model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    model, optimizer = model_and_optimizer()
    fit(model, make_loader(X, y, batch_size=32, shuffle=True), num_epochs=2, optimizer=optimizer)
    reference, optimizer = model_and_optimizer()
    reference.train()
    loader = make_loader(X, y, batch_size=32, shuffle=True)
    for _ in range(2):
        for X_batch, y_batch in loader:
            loss = torch.nn.functional.cross_entropy(reference(X_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        assert torch.equal(p, q)


def test_train_step_is_one_sgd_update_by_the_gradient():
    """With plain SGD the step moves every parameter by -lr times the loss's gradient."""
    X, y = _blobs(16)
    seed_everything(2)
    model = nn.Linear(2, 2)
    before = [p.detach().clone() for p in model.parameters()]
    loss = torch.nn.functional.cross_entropy(model(X), y)
    gradients = torch.autograd.grad(loss, list(model.parameters()))
    output, step_loss = train_step(model, X, y, torch.optim.SGD(model.parameters(), lr=0.5))
    assert output.shape == (16, 2) and step_loss.item() == pytest.approx(loss.item())
    for p, p0, g in zip(model.parameters(), before, gradients, strict=True):
        assert torch.allclose(p, p0 - 0.5 * g, atol=1e-7)
    with pytest.raises(ValueError, match=r"class indices in 0\.\.1"):
        train_step(model, X, y + 5, torch.optim.SGD(model.parameters(), lr=0.5))


def test_fit_with_a_loss_forward_metric_and_stop():
    """A regression on a one-batch list, a custom forward, no metric, early stopping."""
    seed_everything(0)
    X = torch.linspace(-1, 1, 50)[:, None]
    y = 3 * X + 1
    model = nn.Linear(1, 1)
    history = fit(
        model,
        [(X, y)],
        num_epochs=100,
        optimizer=torch.optim.Adam(model.parameters(), lr=0.1),
        loss_fn=torch.nn.functional.mse_loss,
        metric=None,
        forward=lambda inputs: model(2 * inputs) / 2 + 0 * inputs,
        stop=lambda h: h.train_loss[-1] < 1e-2,
        desc=None,
    )
    assert history.train_loss[-1] < 1e-2 and history.num_epochs < 100
    assert history.train_metric == [] and history.test_loss == []


def test_accuracy_is_per_example():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert torch.equal(accuracy(logits, torch.tensor([0, 0, 0])), torch.tensor([1.0, 0.0, 1.0]))


def test_shuffled_batches_reshuffle_each_pass_like_randperm():
    generator = torch.Generator().manual_seed(3)
    batches = ShuffledBatches(10, 4, lambda idx: (idx, idx), generator=generator)
    assert len(batches) == 3
    first, second = (torch.cat([X for X, _ in batches]) for _ in range(2))
    reference = torch.Generator().manual_seed(3)
    assert torch.equal(first, torch.randperm(10, generator=reference))
    assert torch.equal(second, torch.randperm(10, generator=reference))
    with pytest.raises(ValueError, match="positive"):
        ShuffledBatches(10, 0, lambda idx: (idx, idx), generator=None)


def test_fit_is_reproducible():
    def run() -> list[float]:
        seed_everything(2)
        X, y = _blobs()
        model = nn.Linear(2, 2)
        return fit(
            model,
            make_loader(X, y, batch_size=16, shuffle=True),
            num_epochs=2,
            optimizer=torch.optim.Adam(model.parameters(), lr=0.1),
        ).train_loss

    assert run() == run()


def test_predict_logits_batches_like_one_pass():
    seed_everything(0)
    model, X = nn.Linear(2, 3), torch.randn(25, 2)
    assert torch.allclose(predict_logits(model, X, batch_size=7), model(X))


def test_images_to_float():
    X = torch.tensor([[[0, 255], [51, 102]]], dtype=torch.uint8)
    out = images_to_float(X)
    assert out.shape == (1, 1, 2, 2) and out.dtype == torch.float32
    assert torch.allclose(out.flatten(), torch.tensor([0.0, 1.0, 0.2, 0.4]))
    with pytest.raises(ValueError, match="expected uint8 images"):
        images_to_float(X.float())


def test_bad_arguments():
    X, y = _blobs(10)
    with pytest.raises(ValueError, match="differ in length"):
        make_loader(X, y[:5], batch_size=2, shuffle=False)
    with pytest.raises(ValueError, match="batch_size"):
        make_loader(X, y, batch_size=0, shuffle=False)
    loader = make_loader(X, y, batch_size=2, shuffle=False)
    model = nn.Linear(2, 2)
    optimizer = torch.optim.Adam(model.parameters())
    with pytest.raises(ValueError, match="num_epochs"):
        fit(model, loader, num_epochs=0, optimizer=optimizer)
    with pytest.raises(ValueError, match="no batch"):
        fit(model, [], num_epochs=1, optimizer=optimizer)
    with pytest.raises(ValueError, match="no examples"):
        evaluate(model, [])


def test_progress_is_quiet_under_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("BOOK_PROGRESS", "1")
    assert progress_enabled()
    monkeypatch.setenv("BOOK_PROGRESS", "0")
    assert not progress_enabled()
    monkeypatch.setenv("BOOK_PROGRESS", "1")
    monkeypatch.setenv("CI", "true")
    assert not progress_enabled()


def test_fit_evaluate_and_predict_on_the_model_device(device):
    """Batches go to the model's device; predictions come back on the CPU."""
    seed_everything(0)
    X, y = _blobs()
    model = nn.Linear(2, 2).to(device)
    history = fit(
        model,
        make_loader(X, y, batch_size=32, shuffle=True),
        num_epochs=3,
        optimizer=torch.optim.Adam(model.parameters(), lr=0.05),
        test_batches=[(X, y)],
    )
    assert history.test_metric[-1] > 0.95 and model.weight.device.type == device.type
    logits = predict_logits(model, X)
    assert logits.device.type == "cpu" and logits.shape == (len(X), 2)
    assert evaluate(model, [(X, y)])[1] == history.test_metric[-1]
