"""The image SNGP: configuration, and probabilities of images (untrained model, no data)."""

import torch

from lib.uncertainty.sngp import SNGP
from lib.uncertainty.sngp_images import IMAGE_SNGP, image_sngp_config, image_sngp_probs


def test_config_holds_the_architecture_and_the_training():
    config = image_sngp_config(3, num_epochs=2)
    assert {k: config[k] for k in IMAGE_SNGP} == IMAGE_SNGP
    assert (config["seed"], config["num_epochs"]) == (3, 2)


def test_probabilities_of_images_in_batches_equal_one_batch():
    model = SNGP(784, 10, hidden=16, num_features=32, seed=0)
    X = torch.rand(7, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    probs = image_sngp_probs(model, X, batch_size=3)
    assert probs.shape == (7, 10) and probs.dtype == torch.float64
    assert torch.allclose(probs.sum(1), torch.ones(7, dtype=torch.float64))
    whole = model.predict_proba(X.reshape(7, -1)).double()
    assert torch.allclose(probs, whole, atol=1e-6)
