from __future__ import annotations

import pytest
import torch
from torch import nn

from lib.reproducibility import seed_everything
from lib.training import (
    History,
    evaluate,
    fit,
    images_to_float,
    make_loader,
    predict_logits,
    progress_enabled,
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
        lr=0.05,
        test_loader=make_loader(X, y, batch_size=50, shuffle=False),
    )
    assert isinstance(history, History) and history.num_epochs == 5
    assert len(history.test_accuracy) == len(history.seconds) == 5
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.test_accuracy[-1] > 0.95
    loss, accuracy = evaluate(model, make_loader(X, y, batch_size=64, shuffle=False))
    assert accuracy == history.test_accuracy[-1] and loss == pytest.approx(history.test_loss[-1])


def test_fit_is_reproducible():
    def run() -> list[float]:
        seed_everything(2)
        X, y = _blobs()
        return fit(
            nn.Linear(2, 2), make_loader(X, y, batch_size=16, shuffle=True), num_epochs=2, lr=0.1
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
    with pytest.raises(ValueError, match="num_epochs"):
        fit(nn.Linear(2, 2), loader, num_epochs=0, lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        fit(nn.Linear(2, 2), loader, num_epochs=1, lr=-1.0)


def test_progress_is_quiet_under_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("BOOK_PROGRESS", "1")
    assert progress_enabled()
    monkeypatch.setenv("BOOK_PROGRESS", "0")
    assert not progress_enabled()
    monkeypatch.setenv("BOOK_PROGRESS", "1")
    monkeypatch.setenv("CI", "true")
    assert not progress_enabled()
