"""``make bench`` entries of the part on training and understanding networks.

* ``understanding/saliency``: vanilla-gradient saliency maps per second, ours
  (:func:`lib.understanding.attribution.saliency`) next to ``captum.attr.Saliency``, on the same
  untrained SmallCNN and the same 256 images; ``details`` records the largest absolute difference
  of the maps.
* ``understanding/integrated-gradients``: the same for integrated gradients (50 steps,
  trapezoid rule, black baseline) against ``captum.attr.IntegratedGradients``.

The weights do not change the cost, so the networks are untrained (seeded).
"""

from __future__ import annotations

import torch

from lib.benchmark_registry import Result, benchmark, best_time
from lib.models import SmallCNN
from lib.reproducibility import make_generator, seed_everything
from lib.understanding.attribution import integrated_gradients, saliency

NUM_IMAGES = 256
NUM_STEPS = 50


def _model_and_images() -> tuple[SmallCNN, torch.Tensor, torch.Tensor]:
    seed_everything(0)
    model = SmallCNN().eval()
    X = torch.rand(NUM_IMAGES, 1, 28, 28, generator=make_generator(0))
    target = torch.arange(NUM_IMAGES) % 10
    return model, X, target


def _rows(name: str, reference: str, ours, theirs, seconds: tuple[float, float], **details):
    difference = (ours - theirs).abs().max().item()
    return [
        Result(
            name=name,
            value=NUM_IMAGES / seconds[0],
            unit="images/s",
            reference=reference,
            reference_value=NUM_IMAGES / seconds[1],
            details={"images": NUM_IMAGES, "max_abs_difference": difference, **details},
        )
    ]


@benchmark("understanding/saliency")
def saliency_throughput() -> list[Result]:
    from captum.attr import Saliency

    model, X, target = _model_and_images()
    captum_saliency = Saliency(model)
    ours = saliency(model, X, target)
    theirs = captum_saliency.attribute(X.clone().requires_grad_(), target=target)
    seconds = (
        best_time(lambda: saliency(model, X, target), repeats=5),
        best_time(
            lambda: captum_saliency.attribute(X.clone().requires_grad_(), target=target), repeats=5
        ),
    )
    return _rows("understanding/saliency", "captum.attr.Saliency", ours, theirs, seconds)


@benchmark("understanding/integrated-gradients")
def integrated_gradients_throughput() -> list[Result]:
    from captum.attr import IntegratedGradients

    model, X, target = _model_and_images()
    ig = IntegratedGradients(model)

    def run_ours() -> torch.Tensor:
        return integrated_gradients(model, X, target, num_steps=NUM_STEPS, internal_batch_size=10)

    def run_captum() -> torch.Tensor:
        return ig.attribute(
            X,
            target=target,
            n_steps=NUM_STEPS,
            method="riemann_trapezoid",
            internal_batch_size=10 * NUM_IMAGES,
        )

    seconds = (best_time(run_ours, repeats=3), best_time(run_captum, repeats=3))
    return _rows(
        "understanding/integrated-gradients",
        "captum.attr.IntegratedGradients",
        run_ours(),
        run_captum(),
        seconds,
        steps=NUM_STEPS,
        method="riemann_trapezoid",
    )
