"""Bad inputs a student plausibly passes to the core's public functions: each raises an error
that names the argument, what it received and what to pass (none silent, none hangs)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lib import data
from lib.baselines import load_or_train_baseline
from lib.calibration import reliability_bins
from lib.checks import check_image_range
from lib.corruptions import CLEAN, accuracy_under_corruption, by_severity, corruption_suite
from lib.counting import multiply_adds_of
from lib.models import MLP, SmallCNN
from lib.notebook import show_source
from lib.training import accuracy, evaluate, fit, make_loader, predict_logits
from tests.clear_errors import clear_error_test

torch.manual_seed(0)
CNN = SmallCNN()
X = torch.rand(8, 1, 28, 28)
Y = torch.randint(0, 10, (8,))


def fit_once(model=CNN, batches=None, **kwargs):
    kwargs.setdefault("optimizer", torch.optim.SGD(model.parameters(), lr=0.0))
    return fit(model, [(X, Y)] if batches is None else batches, num_epochs=1, desc=None, **kwargs)


CASES = [
    pytest.param(
        lambda: CNN(X * 255), ValueError, "found values up to 255.*images_to_float", id="cnn-0..255"
    ),
    pytest.param(
        lambda: CNN((X * 255).round()),
        ValueError,
        "found values up to 255: they look like 0..255 intensities",
        id="cnn-uint8-as-float",
    ),
    pytest.param(
        lambda: CNN((X * 20).round()),
        ValueError,
        "found values up to 20",
        id="cnn-dark-uint8-as-float",
    ),
    pytest.param(
        lambda: MLP()(X * 255), ValueError, "0..255 intensities; divide by 255", id="mlp-0..255"
    ),
    pytest.param(
        lambda: predict_logits(CNN, X * 255),
        ValueError,
        "divide by 255",
        id="predict_logits-0..255",
    ),
    pytest.param(
        lambda: fit_once(optimizer=torch.optim.SGD(SmallCNN().parameters(), lr=0.1)),
        ValueError,
        "optimizer holds none of the model's parameters.*model.parameters",
        id="fit-optimizer-of-another-model",
    ),
    pytest.param(
        lambda: fit_once(batches=(X, Y)),
        ValueError,
        r"train_batches must be an iterable of \(X, y\) batches, got a tuple.*\[\(X, y\)\]",
        id="fit-pair-not-list",
    ),
    pytest.param(
        lambda: fit_once(test_batches=(X, Y)),
        ValueError,
        "test_batches must be an iterable",
        id="fit-test-pair",
    ),
    pytest.param(
        lambda: evaluate(CNN, (X, Y)),
        ValueError,
        "batches must be an iterable.*make_loader",
        id="evaluate-pair",
    ),
    pytest.param(
        lambda: fit_once(batches=[(X, Y.float())]),
        ValueError,
        r"y must hold class indices.*got torch.float32 \(8,\); pass y.long\(\)",
        id="fit-float-labels",
    ),
    pytest.param(
        lambda: fit_once(batches=[(X, torch.full((8,), 10))]),
        ValueError,
        r"class indices in 0..9 \(the model outputs 10 classes\), found 10..10",
        id="fit-label-equals-class-count",
    ),
    pytest.param(
        lambda: fit_once(batches=[(X, Y[:, None])]),
        ValueError,
        r"y must hold class indices \(int64\) of shape \(8,\), got torch.int64 \(8, 1\)",
        id="fit-labels-(N,1)",
    ),
    pytest.param(
        lambda: fit(CNN, [(X, Y)], num_epochs=2.5, optimizer=torch.optim.SGD(CNN.parameters())),
        ValueError,
        "num_epochs must be an int of at least 1, got 2.5",
        id="fit-float-epochs",
    ),
    pytest.param(
        lambda: predict_logits(CNN, X[:0]),
        ValueError,
        r"X holds no examples \(shape \(0, 1, 28, 28\)\)",
        id="predict_logits-empty",
    ),
    pytest.param(
        lambda: predict_logits(CNN, X.numpy()),
        ValueError,
        "got ndarray; convert numpy arrays",
        id="predict_logits-numpy",
    ),
    pytest.param(
        lambda: predict_logits(CNN, X, batch_size=0),
        ValueError,
        "batch_size must be positive, got 0",
        id="predict_logits-batch-size-0",
    ),
    pytest.param(
        lambda: make_loader(X.numpy(), Y.numpy(), batch_size=4, shuffle=False),
        ValueError,
        "X and y must be torch tensors, got ndarray and ndarray; convert numpy",
        id="make_loader-numpy",
    ),
    pytest.param(
        lambda: check_image_range(X * 2 - 1, "samples"),
        ValueError,
        r"samples must hold pixel intensities in \[0, 1\].*pass \(samples \+ 1\) / 2",
        id="check_image_range-[-1,1]",
    ),
]


def test_fit_takes_one_hot_targets() -> None:
    """The loss takes class probabilities, so the default metric does too (their arg-max)."""
    one_hot = F.one_hot(Y, 10).float()
    with torch.no_grad():
        logits = CNN(X)
    assert torch.equal(accuracy(logits, one_hot), accuracy(logits, Y))
    history = fit_once(batches=[(X, one_hot)])
    assert history.train_metric == pytest.approx([accuracy(logits, Y).mean().item()])


def test_inputs_outside_the_unit_range_on_purpose_still_pass_the_forward_check() -> None:
    """The forward check is loose on purpose: SmoothGrad's noisy copies (sigma 0.15) and
    class-model visualisation (signed, unbounded: about -10..6 on the page) pass."""
    noise = torch.randn(X.shape, generator=torch.Generator().manual_seed(0))
    assert CNN(X + 0.15 * noise).shape == (8, 10)
    assert CNN(50 * noise).shape == (8, 10)
    assert CNN(1.5 * X).shape == (8, 10)


@pytest.mark.parametrize("cut", ["gzip-stream", "idx-payload"])
def test_truncated_data_file_names_the_file_and_the_fix(tmp_data: Path, cut: str) -> None:
    folder = tmp_data / "fashion-mnist" / "raw"
    folder.mkdir(parents=True)
    images = np.zeros((3, 28, 28), np.uint8)
    raw = bytes([0, 0, 8, 3]) + b"".join(n.to_bytes(4, "big") for n in images.shape)
    raw += images.tobytes()
    labels = bytes([0, 0, 8, 1]) + (3).to_bytes(4, "big") + bytes([1, 2, 3])
    for split in ("train", "t10k"):
        (folder / f"{split}-images-idx3-ubyte.gz").write_bytes(gzip.compress(raw))
        (folder / f"{split}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(labels))
    if cut == "gzip-stream":  # the download stopped half-way
        blob = gzip.compress(raw)[: len(gzip.compress(raw)) // 2]
    else:  # a valid gzip stream of fewer bytes than the IDX header announces
        blob = gzip.compress(raw[:-100])
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(blob)
    with pytest.raises(data.ChecksumError, match=r"t10k-images.*truncated or corrupt.*lib.data"):
        data.load_fashion_mnist("test")
    assert data.load_fashion_mnist("train")[0].shape == (3, 28, 28)


@pytest.mark.parametrize("seed", [0.5, None, "0"])
def test_make_generator_needs_an_int_seed(seed: object) -> None:
    from lib.reproducibility import make_generator

    with pytest.raises(TypeError, match=r"seed must be an int, got .*make_generator\(0\)"):
        make_generator(seed)  # type: ignore[arg-type]


def test_make_generator_takes_numpy_ints() -> None:
    from lib.reproducibility import make_generator

    assert make_generator(np.int64(3)).initial_seed() == 3


CASES += [
    pytest.param(
        lambda: corruption_suite(X, names="contrast"),
        ValueError,
        r"names must be a tuple, got 'contrast'; pass a one-element tuple such as "
        r"\('gaussian_noise',\)",
        id="suite-names-str",
    ),
    pytest.param(
        lambda: corruption_suite(X, severities=3),
        ValueError,
        r"severities must be a tuple, got 3; pass a one-element tuple such as \(3,\)",
        id="suite-severity-int",
    ),
    pytest.param(
        lambda: multiply_adds_of(CNN(X)),
        TypeError,
        r"compute must be a function of no arguments, got Tensor; pass lambda: model\(X\)",
        id="multiply-adds-of-result",
    ),
    pytest.param(
        lambda: load_or_train_baseline("cnn"),
        TypeError,
        "config must be a BaselineConfig, got str",
        id="load-baseline-str",
    ),
    pytest.param(
        lambda: show_source("fit"),
        TypeError,
        "show_source takes a function, method or class, got str",
        id="show-source-name",
    ),
    pytest.param(
        lambda: reliability_bins(torch.randn(8, 10), Y),
        ValueError,
        r"probs must be finite and lie in \[0, 1\].*pass softmax\(logits, dim=1\), not logits",
        id="reliability_bins-logits",
    ),
    pytest.param(
        lambda: reliability_bins(torch.softmax(CNN(X), 1), Y, n_bins=0),
        ValueError,
        "n_bins must be a positive int, got 0",
        id="reliability_bins-zero-bins",
    ),
    pytest.param(
        lambda: reliability_bins(torch.softmax(CNN(X), 1), Y).calibration_error("L1"),
        ValueError,
        "norm must be 'l1', 'l2' or 'max', got 'L1'",
        id="ReliabilityBins-norm-case",
    ),
    pytest.param(
        lambda: accuracy_under_corruption({"cnn": CNN}, X, F.one_hot(Y, 10)),
        ValueError,
        r"y must be integer labels of shape \(8,\), one per image, got torch.Size\(\[8, 10\]\)",
        id="accuracy_under_corruption-one-hot",
    ),
    pytest.param(
        lambda: accuracy_under_corruption(CNN, X, Y),
        ValueError,
        r"predictors must be a non-empty dict \{label: predict\}",
        id="accuracy_under_corruption-one-model",
    ),
    pytest.param(
        lambda: accuracy_under_corruption({"cnn": CNN}, X[:, 0], Y),
        ValueError,
        r"X must be float images \(N, 1, H, W\) in \[0, 1\]",
        id="accuracy_under_corruption-missing-channel",
    ),
    pytest.param(
        lambda: by_severity({"plain": {CLEAN: 0.9, ("contrast", 1): 0.8}}),
        ValueError,
        r"table maps labels \['plain'\] to tables; pass one of them, e.g. "
        r"by_severity\(tables\['plain'\]\)",
        id="by_severity-all-tables",
    ),
    pytest.param(
        lambda: by_severity({CLEAN: 0.9, ("contrast", 1): 0.8}, severities=1),
        ValueError,
        r"severities must be a tuple, got 1; pass a one-element tuple such as \(3,\)",
        id="by_severity-severity-int",
    ),
    pytest.param(
        lambda: by_severity([0.9, 0.8]),
        ValueError,
        r"table must map \(name, severity\) to a value, got list",
        id="by_severity-list",
    ),
    pytest.param(
        lambda: data.load_mnist_test("train"),
        TypeError,
        r"load_mnist_test\(\) takes 0 positional arguments but 1 was given",
        id="load_mnist_test-split",
    ),
    pytest.param(
        lambda: data.load_karate_club("karate"),
        TypeError,
        r"load_karate_club\(\) takes 0 positional arguments but 1 was given",
        id="load_karate_club-name",
    ),
]


test_bad_input_raises_a_clear_error = clear_error_test(CASES)
