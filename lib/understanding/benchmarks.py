"""``make bench`` entries of the training-and-understanding part.

* ``understanding/batched-augmentation``: images per second of
  :class:`lib.understanding.augmentation.BatchAugment` (flip, shift by up to 2 pixels, random
  erasing; one batched call per 4,096 images) next to the same three transforms of
  ``torchvision.transforms.v2`` applied image by image (the way a per-image Dataset applies
  them), on the same 4,096 Fashion-MNIST-sized images in the same run.
"""

from __future__ import annotations

import torch
from torchvision.transforms import v2

from lib.benchmark_registry import Result, benchmark, best_time
from lib.reproducibility import make_generator
from lib.understanding.augmentation import BatchAugment

NUM_IMAGES = 4096


@benchmark("understanding/batched-augmentation")
def batched_augmentation() -> list[Result]:
    X = torch.rand(NUM_IMAGES, 1, 28, 28, generator=make_generator(0))
    ours = BatchAugment(flip_p=0.5, padding=2, erase_p=0.5)
    reference = v2.Compose(
        [v2.RandomHorizontalFlip(0.5), v2.RandomCrop(28, padding=2), v2.RandomErasing(0.5)]
    )
    generator = make_generator(1)
    seconds_ours = best_time(lambda: ours(X, generator), repeats=5)
    seconds_ref = best_time(lambda: torch.stack([reference(x) for x in X]), repeats=3)
    return [
        Result(
            name="understanding/batched-augmentation",
            value=NUM_IMAGES / seconds_ours,
            unit="images/s",
            reference="torchvision.transforms.v2 (flip, RandomCrop, RandomErasing) per image",
            reference_value=NUM_IMAGES / seconds_ref,
            details={
                "images": NUM_IMAGES,
                "shape": [1, 28, 28],
                "speed-up": seconds_ref / seconds_ours,
            },
        )
    ]
