"""Flow-matching training loop and sampler: a few steps, metrics, shapes, errors."""

import pytest
import torch

from lib.generative.flow_training import FlowMatchingConfig, generate, train_flow_matching
from lib.generative.unet import UNet
from lib.models import SmallCNN


def test_a_few_steps_lower_the_loss_and_record_metrics():
    torch.manual_seed(0)
    X = torch.zeros(64, 1, 28, 28)
    X[:, :, 8:20, 10:18] = 1.0  # one white rectangle: easy to learn
    model = UNet((4, 8, 8), emb_dim=8)
    config = FlowMatchingConfig(
        channels=(4, 8, 8),
        num_steps=100,
        batch_size=16,
        lr=5e-3,
        num_evals=2,
        eval_sampling_steps=2,
    )
    classifier = SmallCNN().eval()
    real_features = torch.randn(20, 128)
    metrics = train_flow_matching(
        model,
        X,
        config,
        feature_model=classifier,
        real_features=real_features,
        num_eval_samples=10,
    )
    assert metrics["eval_steps"] == [50, 100] and len(metrics["frechet"]) == 2
    assert len(metrics["losses"]) == 2 and metrics["losses"][1] < metrics["losses"][0]
    samples = generate(model, 5, 4, generator=torch.Generator().manual_seed(0), batch_size=2)
    assert samples.shape == (5, 1, 28, 28) and samples.min() >= 0 and samples.max() <= 1


def test_errors():
    with pytest.raises(ValueError, match=r"num_steps=0.*positive int"):
        FlowMatchingConfig(num_steps=0)
    with pytest.raises(ValueError, match=r"ema_decay=1.0.*\[0, 1\)"):
        FlowMatchingConfig(ema_decay=1.0)
    with pytest.raises(ValueError, match="images_to_float"):
        train_flow_matching(
            UNet((4, 8, 8), emb_dim=8),
            torch.zeros(4, 1, 28, 28, dtype=torch.uint8),
            FlowMatchingConfig(num_steps=1),
        )
