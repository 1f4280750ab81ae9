"""Bad inputs to the public functions of part 1 (attention, attribution, adversarial examples):
each raises an error that names the argument, what it received and what to pass."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from lib.models import SmallCNN
from lib.understanding import attribution, faithfulness, search, table, tuning, vit, vit_vs_cnn
from lib.understanding import plotting as uplot
from lib.understanding.adversarial import fgsm, pgd
from lib.understanding.attention import (
    MultiHeadAttention,
    TransformerEncoderBlock,
    scaled_dot_product_attention,
)
from lib.understanding.augmentation import random_erasing, random_flip, translate
from lib.understanding.augmented_training import (
    AugmentedRunConfig,
    load_or_train_digit_classifier,
    load_or_train_run,
    mnist_split,
    validation_split,
)
from lib.understanding.babysitting import update_ratios, warmup_cosine_lrs
from lib.understanding.lr_range import lr_range_test
from lib.understanding.mixing import cutmix, cutmix_box, mix
from lib.understanding.reversal import load_or_train_reversal
from tests.clear_errors import clear_error_test

torch.manual_seed(0)
CNN = SmallCNN()
X = torch.rand(4, 1, 28, 28)
Y = torch.randint(0, 10, (4,))
Q = torch.randn(2, 5, 8)
KV = torch.randn(2, 6, 8)


def in_place_relu_model() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 20), nn.ReLU(inplace=True), nn.Linear(20, 10))


CASES = [
    pytest.param(
        lambda: scaled_dot_product_attention(Q, torch.randn(2, 6, 7), KV),
        ValueError,
        "queries and keys must have the same size d, got 8 and 7",
        id="sdpa-key-width",
    ),
    pytest.param(
        lambda: scaled_dot_product_attention(torch.randn(8), KV[0], KV[0]),
        ValueError,
        r"query must have shape \(..., L, d\), got \(8,\).*pass query\[None\]",
        id="sdpa-1d-query",
    ),
    pytest.param(
        lambda: scaled_dot_product_attention(Q, KV, KV, torch.ones(5, 5, dtype=torch.bool)),
        ValueError,
        r"mask \(5, 5\) must broadcast to the scores .* = \(2, 5, 6\); build it for 5 queries "
        "and 6 keys",
        id="sdpa-mask-length",
    ),
    pytest.param(
        lambda: scaled_dot_product_attention(Q, torch.randn(3, 6, 8), torch.randn(3, 6, 8)),
        ValueError,
        "leading .* dimensions of query .* must match or broadcast",
        id="sdpa-batch-mismatch",
    ),
    pytest.param(
        lambda: MultiHeadAttention(8, 2)(Q, torch.randn(2, 6, 7)),
        ValueError,
        r"expected key of shape \(2, L_k, 8\).*got \(2, 6, 7\)",
        id="mha-key-width",
    ),
    pytest.param(
        lambda: MultiHeadAttention(8, 2)(Q, torch.randn(3, 6, 8)),
        ValueError,
        r"expected key of shape \(2, L_k, 8\) \(the query's batch size",
        id="mha-key-batch",
    ),
    pytest.param(
        lambda: MultiHeadAttention(8, 2)(Q, KV, torch.randn(2, 5, 8)),
        ValueError,
        "expected one value per key, got 6 keys and 5 values",
        id="mha-value-length",
    ),
    pytest.param(
        lambda: MultiHeadAttention(8, 2)(Q, mask=torch.ones(6, 6, dtype=torch.bool)),
        ValueError,
        r"mask \(6, 6\) must broadcast to the scores .* = \(2, 2, 5, 5\)",
        id="mha-mask-length",
    ),
    pytest.param(
        lambda: attribution.saliency(CNN, X, 10),
        ValueError,
        r"target must be a class index in 0..9 \(the model has 10 classes\), got 10..10",
        id="saliency-target-equals-class-count",
    ),
    pytest.param(
        lambda: attribution.integrated_gradients(CNN, X, torch.full((4,), -1)),
        ValueError,
        "target must be a class index in 0..9",
        id="integrated-gradients-negative-target",
    ),
    pytest.param(
        lambda: attribution.guided_backprop(in_place_relu_model(), X, 1),
        ValueError,
        r"fails on in-place ReLUs; build the model with nn.ReLU\(\) \(inplace=False\)",
        id="guided-backprop-in-place-relu",
    ),
    pytest.param(
        lambda: fgsm(CNN, X, torch.full((4,), 10), 0.1),
        ValueError,
        "y must be a class index in 0..9",
        id="fgsm-label-equals-class-count",
    ),
    pytest.param(
        lambda: pgd(CNN, X, torch.zeros(4, 1, dtype=torch.long), 0.1),
        ValueError,
        r"y must hold one integer class per image, shape \(4,\), got torch.int64 \(4, 1\)",
        id="pgd-labels-(B,1)",
    ),
    pytest.param(
        lambda: fgsm(CNN, X, torch.zeros(4, dtype=torch.long), 8),
        ValueError,
        r"epsilon is a pixel distance in \[0, 1\].*got 8; .*8 / 255",
        id="fgsm-epsilon-0..255",
    ),
    pytest.param(
        lambda: lr_range_test(CNN, (X, Y), torch.optim.SGD(CNN.parameters()), num_steps=3),
        ValueError,
        r"batches must be an iterable of \(X, y\) batches, got a tuple",
        id="lr_range_test-pair-not-list",
    ),
    pytest.param(
        lambda: lr_range_test(CNN, [(X, Y)], torch.optim.SGD(SmallCNN().parameters()), num_steps=3),
        ValueError,
        "optimizer holds none of the model's parameters",
        id="lr_range_test-optimizer-of-another-model",
    ),
    pytest.param(
        lambda: update_ratios(CNN, [(X, Y)], torch.optim.SGD(CNN.parameters()), num_steps=0),
        ValueError,
        "num_steps must be an int of at least 1, got 0",
        id="update_ratios-no-steps",
    ),
    pytest.param(
        lambda: update_ratios(CNN, [(X, Y)], torch.optim.SGD(SmallCNN().parameters()), num_steps=2),
        ValueError,
        "optimizer holds none of the model's parameters",
        id="update_ratios-optimizer-of-another-model",
    ),
    pytest.param(
        lambda: warmup_cosine_lrs(10, 10, 0.1),
        ValueError,
        r"need warmup_steps < num_steps.*got 10, 10",
        id="warmup_cosine-warmup-too-long",
    ),
    pytest.param(
        lambda: warmup_cosine_lrs(10, 2, 0.1, start_factor=0.0),
        ValueError,
        "0 < start_factor <= 1",
        id="warmup_cosine-zero-start",
    ),
]


def test_masks_that_broadcast_are_accepted() -> None:
    """Padding masks ``(B, 1, 1, L)`` and ``(B, 1, L)`` broadcast over heads and queries."""
    lengths = torch.tensor([5, 3])
    padding = torch.arange(5)[None, :] < lengths[:, None]
    out, weights = MultiHeadAttention(8, 2)(Q, mask=padding[:, None, None, :])
    assert out.shape == (2, 5, 8) and weights[1, :, :, 3:].abs().max() == 0
    out, _ = scaled_dot_product_attention(Q, Q, Q, padding[:, None, :])
    assert out.shape == (2, 5, 8)


def test_class_scores_needs_one_target_per_image() -> None:
    with pytest.raises(
        ValueError, match=r"target must hold one class index per image, shape \(4,\)"
    ):
        attribution.class_scores(CNN, X, Y[:2])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"flip_p": 2.0}, r"flip_p is a probability in \[0, 1\] \(0 for none\), got 2.0"),
        ({"erase_p": -0.1}, r"erase_p is a probability in \[0, 1\] \(0 for none\), got -0.1"),
        ({"padding": -1}, r"padding is the largest shift in pixels, >= 0 .*got -1"),
    ],
)
def test_batch_augment_checks_its_settings(kwargs: dict, message: str) -> None:
    from lib.understanding.augmentation import BatchAugment

    with pytest.raises(ValueError, match=message):
        BatchAugment(**kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_heads": 3}, "num_heads must divide dim, got dim=32, num_heads=3"),
        ({"length": 0}, "length must be >= 1, got 0"),
        ({"vocab": 1}, "vocab must be >= 2 symbols, got 1"),
        ({"lr": 0.0}, "lr must be positive, got 0.0"),
    ],
)
def test_reversal_config_checks_its_settings(kwargs: dict, message: str) -> None:
    from lib.understanding.reversal import ReversalConfig

    with pytest.raises(ValueError, match=message):
        ReversalConfig(**kwargs)


@pytest.mark.parametrize("num_train, num_val", [(0, 10), (10, 0), (50_000, 20_000)])
def test_training_subsets_checks_sizes_before_loading(num_train: int, num_val: int) -> None:
    from lib.understanding.table import training_subsets

    with pytest.raises(ValueError, match=r"need num_train >= 1, num_val >= 1 and num_train \+"):
        training_subsets(num_train, num_val)


CURVES = np.random.default_rng(0).random((4, 3, 9))
LRS, WDS = [1e-4, 1e-3, 1e-2, 1e-1], [1e-5, 1e-4, 1e-3]
CASES += [
    pytest.param(
        lambda: TransformerEncoderBlock(0, 1, 16),
        ValueError,
        "dim must be an int of at least 1, got 0",
        id="block-dim-0",
    ),
    pytest.param(
        lambda: TransformerEncoderBlock(8, 2, 0),
        ValueError,
        "mlp_dim must be an int of at least 1, got 0",
        id="block-mlp-0",
    ),
    pytest.param(
        lambda: TransformerEncoderBlock(8, 2, 16)(torch.rand(2, 5, 6)),
        ValueError,
        r"X must be float tokens of shape \(B, L, 8\) \(batch first\), got \(2, 5, 6\)",
        id="block-token-width",
    ),
    pytest.param(
        lambda: TransformerEncoderBlock(8, 2, 16)(torch.ones(2, 5, 8, dtype=torch.long)),
        ValueError,
        r"got \(2, 5, 8\) torch.int64; embed integer tokens first",
        id="block-int-tokens",
    ),
    pytest.param(
        lambda: vit.shuffle_patches(torch.rand(1, 1, 28, 28), 0),
        ValueError,
        "patch_size must be an int of at least 1, got 0",
        id="shuffle-patch-0",
    ),
    pytest.param(
        lambda: vit.shuffle_patches(np.random.rand(1, 1, 28, 28), 7),
        TypeError,
        "X must be a torch.Tensor, got ndarray",
        id="shuffle-numpy",
    ),
    pytest.param(
        lambda: faithfulness.area_under_curve(np.zeros((2, 3))),
        TypeError,
        "curve must be a torch.Tensor, got ndarray",
        id="auc-numpy",
    ),
    pytest.param(
        lambda: faithfulness.saliency_order(np.zeros((2, 1, 3, 3))),
        TypeError,
        "maps must be a torch.Tensor, got ndarray",
        id="saliency-order-numpy",
    ),
    pytest.param(
        lambda: attribution.recorded_output("features.3").__enter__(),
        TypeError,
        "layer must be an nn.Module .*got str",
        id="recorded-output-name",
    ),
    pytest.param(
        lambda: search.hyperband(CURVES, 0),
        TypeError,
        r"rng must be a numpy Generator, got int; pass np.random.default_rng\(seed\)",
        id="hyperband-int-rng",
    ),
    pytest.param(
        lambda: search.hyperband_brackets(9.0, 3),
        ValueError,
        "max_epochs must be an int of at least 1, got 9.0",
        id="brackets-float-epochs",
    ),
    pytest.param(
        lambda: search.regret(CURVES, search.Study()),
        ValueError,
        "study.best must index one of the 12 configurations, got -1",
        id="regret-empty-study",
    ),
    pytest.param(
        lambda: search.replay(lambda rng: search.Study(), 2.0),
        ValueError,
        "num_studies must be an int of at least 1, got 2.0",
        id="replay-float-count",
    ),
    pytest.param(
        lambda: search.replay(search.Study(), 2),
        TypeError,
        "method must be a function of a numpy Generator, got Study",
        id="replay-not-callable",
    ),
    pytest.param(
        lambda: vit_vs_cnn.build_image_model("cnn"),
        TypeError,
        r"config must be a ImageModelConfig, got str; pass ImageModelConfig\(\.\.\.\)",
        id="build-image-model-str",
    ),
    pytest.param(
        lambda: vit_vs_cnn.load_or_train_image_model("vit"),
        TypeError,
        "config must be a ImageModelConfig, got str",
        id="load-image-model-str",
    ),
    pytest.param(
        lambda: load_or_train_reversal({"length": 8}),
        TypeError,
        "config must be a ReversalConfig, got dict",
        id="load-reversal-dict",
    ),
    pytest.param(
        lambda: load_or_train_run({"augmentation": "flip"}),
        TypeError,
        "config must be a AugmentedRunConfig, got dict",
        id="load-run-dict",
    ),
    pytest.param(
        lambda: AugmentedRunConfig(num_epochs=0),
        ValueError,
        "num_epochs must be an int of at least 1, got 0",
        id="augmented-epochs-0",
    ),
    pytest.param(
        lambda: AugmentedRunConfig(num_train=1e3),
        ValueError,
        "num_train must be an int of at least 1, got 1000.0",
        id="augmented-float-num-train",
    ),
    pytest.param(
        lambda: AugmentedRunConfig(batch_size=0),
        ValueError,
        "batch_size must be an int of at least 1, got 0",
        id="augmented-batch-0",
    ),
    pytest.param(
        lambda: AugmentedRunConfig(lr=0),
        ValueError,
        r"need lr > 0 and alpha > 0 .*got lr=0, alpha=1.0",
        id="augmented-lr-0",
    ),
    pytest.param(
        lambda: AugmentedRunConfig(augmentation="mixup", alpha=-1.0),
        ValueError,
        r"need lr > 0 and alpha > 0 .*alpha=-1.0",
        id="augmented-negative-alpha",
    ),
    pytest.param(
        lambda: table.load_or_train_table({"num_train": 100}),
        TypeError,
        "config must be a TableConfig, got dict",
        id="load-table-dict",
    ),
    pytest.param(
        lambda: table.load_or_train_table(workers=0),
        ValueError,
        "workers must be an int of at least 1, got 0",
        id="load-table-workers-0",
    ),
    pytest.param(
        lambda: table.train_run(table.TableConfig(), 0.0, 0.0, 0),
        ValueError,
        "need lr > 0 and weight_decay >= 0, got lr=0.0",
        id="train-run-lr-0",
    ),
    pytest.param(
        lambda: tuning.live_objective(table.TableConfig(), (0.0, 0.1), (1e-6, 1e-2)),
        ValueError,
        r"lr_range must be a pair \(low, high\) of positive numbers .*got \(0.0, 0.1\)",
        id="live-objective-zero-bound",
    ),
    pytest.param(
        lambda: tuning.live_objective(table.TableConfig(), (1e-3, 0.1), 1e-4),
        ValueError,
        "weight_decay_range must be a pair",
        id="live-objective-scalar",
    ),
]

CASES += [
    pytest.param(
        lambda: uplot.accuracy_bars({"cnn": {"clean": 90.0, "shuffled": 50.0}}),
        ValueError,
        "accuracies must be fractions in \\[0, 1\\].*divide percentages by 100",
        id="accuracy-bars-percent",
    ),
    pytest.param(
        lambda: uplot.accuracy_bars({"cnn": {"clean": 0.9}, "vit": {"clean": 0.8, "new": 0.7}}),
        ValueError,
        r"accuracies\['vit'\] must map the same conditions \['clean'\]",
        id="accuracy-bars-conditions",
    ),
    pytest.param(
        lambda: uplot.attention_maps({"a": torch.rand(2, 5, 5)}),
        ValueError,
        r"maps\['a'\] must have shape \(N, N\), got \(2, 5, 5\)",
        id="attention-maps-batch",
    ),
    pytest.param(
        lambda: uplot.attention_maps({"a": torch.rand(5, 5)}, xticklabels=list("abc")),
        ValueError,
        "xticklabels has 3 names for 5 positions",
        id="attention-maps-ticks",
    ),
    pytest.param(
        lambda: uplot.kernel_regression_plot(
            torch.rand(20),
            torch.rand(20),
            torch.rand(30),
            {"nw": torch.rand(30)},
            torch.rand(20, 30),
        ),
        ValueError,
        r"weights \(queries x keys\) must have shape \(30, 20\), got \(20, 30\)",
        id="kernel-weights-transposed",
    ),
    pytest.param(
        lambda: uplot.positional_encoding_plot(torch.rand(1, 50, 16)),
        ValueError,
        r"encoding must have shape \(N, N\), got \(1, 50, 16\)",
        id="positional-encoding-batch",
    ),
    pytest.param(
        lambda: uplot.range_test_plot([1e-3, 1e-2], [2.0, 1.0, 3.0], [2.0, 1.5, 2.0], {}),
        ValueError,
        r"curves\['losses'\] has 3 values for 2 x values",
        id="range-test-lengths",
    ),
    pytest.param(
        lambda: uplot.range_test_plot([0.0, 1e-2], [2.0, 1.0], [2.0, 1.5], {}),
        ValueError,
        "lrs and marks must be positive learning rates",
        id="range-test-zero-lr",
    ),
    pytest.param(
        lambda: uplot.update_ratio_plot({"lr": np.ones((5, 3))}, ["W1", "W2"]),
        ValueError,
        r"ratios\['lr'\] must have shape \(steps, 2\) for 2 layers, got \(5, 3\)",
        id="update-ratio-plot-layers",
    ),
    pytest.param(
        lambda: uplot.regret_vs_budget({"r": [1, 2, 3]}, {"s": [0.1, 0.05, 0.0]}),
        ValueError,
        "budgets and regrets must have the same methods",
        id="regret-methods",
    ),
    pytest.param(
        lambda: uplot.regret_vs_budget({"r": [1, 2, 3]}, {"r": [0.1, 0.05]}),
        ValueError,
        r"regrets\['r'\] has 2 values for 3 x values",
        id="regret-lengths",
    ),
    pytest.param(
        lambda: uplot.sample_layouts({"grid": np.random.rand(9, 2)}, "lr", "wd"),
        ValueError,
        r"layouts\['grid'\] must be a pair \(x, y\)",
        id="layouts-not-pair",
    ),
    pytest.param(
        lambda: uplot.softmax_saturation_plot([4, 16, 64], {"a": [0.5, 0.8]}, {"a": [1, 0.5, 0.1]}),
        ValueError,
        r"max_weight\['a'\] has 2 values for 3 x values",
        id="softmax-lengths",
    ),
    pytest.param(
        lambda: random_flip(X[:, 0]),
        ValueError,
        r"expected a float batch of images \(B, C, H, W\), got \(4, 28, 28\)",
        id="random_flip-missing-channel",
    ),
    pytest.param(
        lambda: random_flip(X, generator=0),
        TypeError,
        r"generator must be a torch.Generator or None, got int; pass "
        r"torch.Generator\(\).manual_seed\(seed\)",
        id="random_flip-int-generator",
    ),
    pytest.param(
        lambda: random_erasing(X, scale=0.1),
        ValueError,
        r"scale must be a pair \(low, high\), got 0.1",
        id="random_erasing-scale-number",
    ),
    pytest.param(
        lambda: random_erasing(X, p=50),
        ValueError,
        r"p must be a probability in \[0, 1\], got 50",
        id="random_erasing-percent",
    ),
    pytest.param(
        lambda: translate(X, torch.full((4,), 5), torch.zeros(4, dtype=torch.long), 2),
        ValueError,
        "top and left must lie in 0..4 for padding 2",
        id="translate-offset-beyond-padding",
    ),
    pytest.param(
        lambda: cutmix_box(28, 28, 2.0),
        ValueError,
        r"lam must lie in \[0, 1\] \(a draw of Beta\(alpha, alpha\)\), got 2.0",
        id="cutmix_box-lam",
    ),
    pytest.param(
        lambda: cutmix(X, torch.full((4,), 10), (0, 0, 5, 5), num_classes=10),
        ValueError,
        "targets must be class indices in 0..9 for num_classes=10, found 10..10",
        id="cutmix-label-equals-class-count",
    ),
    pytest.param(
        lambda: cutmix(X, Y.float(), (0, 0, 5, 5), num_classes=10),
        ValueError,
        r"targets of shape \(B,\) must be integer class indices, got torch.float32; pass "
        r"y.long\(\)",
        id="cutmix-float-labels",
    ),
    pytest.param(
        lambda: cutmix(X, Y.numpy(), (0, 0, 5, 5), num_classes=10),
        TypeError,
        r"targets must be a torch.Tensor, got ndarray; .*torch.from_numpy\(targets\)",
        id="cutmix-numpy-labels",
    ),
    pytest.param(
        lambda: cutmix(X, Y[:2], (0, 0, 5, 5), num_classes=10),
        ValueError,
        "4 images but 2 targets; pass one per image",
        id="cutmix-label-count",
    ),
    pytest.param(
        lambda: load_or_train_digit_classifier(num_epochs=0),
        ValueError,
        "num_epochs must be an int of at least 1, got 0",
        id="load_or_train_digit_classifier-zero-epochs",
    ),
    pytest.param(
        lambda: mnist_split(100),
        TypeError,
        r"mnist_split\(\) takes 0 positional arguments but 1 was given",
        id="mnist_split-size",
    ),
    pytest.param(
        lambda: validation_split(100),
        TypeError,
        r"validation_split\(\) takes 0 positional arguments but 1 was given",
        id="validation_split-size",
    ),
    pytest.param(
        lambda: tuning.tpe_table_study(CURVES, LRS, WDS, 2.5, 0),
        ValueError,
        "num_trials must be an int of at least 1, got 2.5",
        id="tpe_table_study-float-trials",
    ),
    pytest.param(
        lambda: tuning.tpe_table_study(CURVES[..., -1], LRS, WDS, 5, 0),
        ValueError,
        r"curves must have shape \(L, W, E\).*got \(4, 3\); pass the table's val_curves",
        id="tpe_table_study-final-accuracies",
    ),
    pytest.param(
        lambda: tuning.tpe_table_study(CURVES, [0.0, 1e-3, 1e-2, 1e-1], WDS, 5, 0),
        ValueError,
        r"lrs must be positive \(the search is on a log scale\), got \[0.0, 0.001, 0.01, 0.1\]",
        id="tpe_table_study-zero-lr",
    ),
    pytest.param(
        lambda: tuning.tpe_table_study(CURVES, LRS, WDS, 5, None),
        ValueError,
        "seed must be an int of at least 0, got None",
        id="tpe_table_study-no-seed",
    ),
    pytest.param(
        lambda: mix(Y, 0.3),
        ValueError,
        r"values must be floating point .*got torch.int64; mix one-hot labels",
        id="mix-class-indices",
    ),
    pytest.param(
        lambda: mix(X, 1.5),
        ValueError,
        r"lam must lie in \[0, 1\]",
        id="mix-lam",
    ),
    pytest.param(
        lambda: cutmix_box(28.0, 28, 0.5),
        ValueError,
        "height must be an int of at least 1, got 28.0",
        id="cutmix_box-float-height",
    ),
    pytest.param(
        lambda: cutmix_box(28, 28, 0.5, generator=0),
        TypeError,
        "generator must be a torch.Generator or None, got int",
        id="cutmix_box-int-generator",
    ),
    pytest.param(
        lambda: cutmix(X, Y, 0.5, num_classes=10),
        ValueError,
        r"box must be \(x1, y1, x2, y2\), e.g. from cutmix_box, got 0.5",
        id="cutmix-lam-for-box",
    ),
    pytest.param(
        lambda: translate(X, torch.zeros(4), torch.zeros(4), 2),
        ValueError,
        r"top must be an integer tensor \(4,\) of pixel offsets",
        id="translate-float-offsets",
    ),
]


test_bad_input_raises_a_clear_error = clear_error_test(CASES)
