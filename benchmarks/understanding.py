"""``make bench`` entries of the training-and-understanding part, registered with
:mod:`benchmarks.registry`; ours next to the reference library in the same run.

* ``understanding/batched-augmentation``: images per second of
  :class:`lib.understanding.augmentation.BatchAugment` (flip, shift by up to 2 pixels, random
  erasing; one batched call per 4,096 images) next to the same three transforms of
  ``torchvision.transforms.v2`` applied image by image (the way a per-image Dataset applies
  them), on the same 4,096 Fashion-MNIST-sized images in the same run.
* ``understanding/hpo-epochs-to-target``: epochs of training that grid search, random search,
  successive halving, Hyperband and Optuna's TPE spend before a fully trained configuration
  reaches a target validation accuracy (the table's best minus 0.01), replayed over the cached
  table of :mod:`lib.understanding.table` (median over studies; grid search is one fixed order).
  Optuna's TPE is the reference, in the same run.
* ``understanding/shared-study-wall-time``: wall time of a 40-trial Optuna study shared by two
  worker processes through a journal file, against one worker (each trial sleeps 0.1 s, standing
  for training).
* ``understanding/saliency``: vanilla-gradient saliency maps per second, ours
  (:func:`lib.understanding.attribution.saliency`) next to ``captum.attr.Saliency``, on the same
  untrained SmallCNN and the same 256 images; ``details`` records the largest absolute difference
  of the maps.
* ``understanding/integrated-gradients``: the same for integrated gradients (50 steps,
  trapezoid rule, black baseline) against ``captum.attr.IntegratedGradients``, whose trapezoid
  weights sum to (m - 1)/m instead of 1: the difference is taken after scaling ours by that
  factor. The weights do not change the cost, so the networks are untrained (seeded).
* ``understanding/attention``: our :func:`~lib.understanding.attention.scaled_dot_product_attention`
  against :func:`torch.nn.functional.scaled_dot_product_attention`, time per call (forward, float32,
  batch 8, 4 heads of 32 features) for a few sequence lengths, and the largest absolute
  difference between the two outputs.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import optuna
import torch
import torch.nn.functional as F
from torchvision.transforms import v2

from benchmarks.registry import Result, benchmark
from lib.models import SmallCNN
from lib.reproducibility import make_generator, seed_everything
from lib.timing import best_time
from lib.understanding import search
from lib.understanding.attention import causal_mask, scaled_dot_product_attention
from lib.understanding.attribution import integrated_gradients, saliency
from lib.understanding.augmentation import BatchAugment
from lib.understanding.distributed_study import run_workers
from lib.understanding.table import load_or_train_table
from lib.understanding.tuning import table_objective

AUGMENTED_IMAGES = 4096


@benchmark("understanding/batched-augmentation")
def batched_augmentation() -> list[Result]:
    X = torch.rand(AUGMENTED_IMAGES, 1, 28, 28, generator=make_generator(0))
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
            value=AUGMENTED_IMAGES / seconds_ours,
            unit="images/s",
            reference="torchvision.transforms.v2 (flip, RandomCrop, RandomErasing) per image",
            reference_value=AUGMENTED_IMAGES / seconds_ref,
            details={
                "images": AUGMENTED_IMAGES,
                "shape": [1, 28, 28],
                "speed-up": seconds_ref / seconds_ours,
            },
        )
    ]


NUM_STUDIES = 200
TARGET_BELOW_BEST = 0.01


def _until_target(
    run: Callable[[np.random.Generator], search.Study],
    target: float,
    full_epochs: int,
    rng: np.random.Generator,
    max_rounds: int = 100,
) -> float:
    """Epochs spent by repeated independent runs of ``run`` until one reaches ``target``."""
    spent = 0.0
    for _ in range(max_rounds):
        study = run(rng)
        cost = search.epochs_to_target(study, target, full_epochs)
        if math.isfinite(cost):
            return spent + cost
        spent += study.total_epochs
    return math.inf


def _grid_order(shape: tuple[int, int]) -> list[int]:
    """Grid search refined step by step: 3 learning rates x every weight decay, then the
    sub-grids in between, until the whole table is covered."""
    step = shape[0] // 3
    offsets = [0, step // 2, *[o for o in range(1, step) if o != step // 2]]
    return [c for o in offsets for c in search.grid_cells(shape, (3, shape[1]), (o, 0))]


def _tpe_epochs_to_target(curves, lrs, wds, target: float, seed: int, max_trials: int) -> float:
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))

    def stop(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        if trial.value is not None and trial.value >= target:
            study.stop()

    study.optimize(table_objective(curves, lrs, wds), n_trials=max_trials, callbacks=[stop])
    values = [t.value for t in study.trials]
    hits = [k for k, v in enumerate(values) if v is not None and v >= target]
    return float((hits[0] + 1) * curves.shape[-1]) if hits else math.inf


@benchmark("understanding/hpo-epochs-to-target")
def hpo_epochs_to_target() -> list[Result]:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    table = load_or_train_table()
    curves = table.val_curves
    L, W, E = curves.shape
    target = float(table.final_val.max()) - TARGET_BELOW_BEST
    flat = curves.reshape(L * W, E)
    grid_costs = [E * (k + 1) for k, c in enumerate(_grid_order((L, W))) if flat[c, -1] >= target]
    methods = {
        "random": lambda rng: search.random_search(curves, L * W, rng),
        "successive-halving": lambda rng: search.successive_halving(curves, 27, rng, eta=3),
        "hyperband": lambda rng: search.hyperband(curves, rng, eta=3),
    }
    epochs = {
        name: [
            _until_target(run, target, E, np.random.default_rng(seed))
            for seed in range(NUM_STUDIES)
        ]
        for name, run in methods.items()
    }
    lrs, wds = table.lrs.tolist(), table.weight_decays.tolist()
    tpe = [
        _tpe_epochs_to_target(curves, lrs, wds, target, seed, max_trials=L * W)
        for seed in range(NUM_STUDIES // 4)
    ]
    tpe_median = float(np.median(tpe))
    details = {"target_validation_accuracy": target, "studies": NUM_STUDIES, "table": [L, W, E]}
    rows = [
        Result(
            "understanding/hpo-epochs-to-target/grid",
            float(grid_costs[0]),
            "epochs",
            "optuna TPESampler (median)",
            tpe_median,
            {**details, "studies": 1},
        )
    ]
    for name, values in epochs.items():
        rows.append(
            Result(
                f"understanding/hpo-epochs-to-target/{name}",
                float(np.median(values)),
                "epochs",
                "optuna TPESampler (median)",
                tpe_median,
                {**details, "mean": float(np.mean(values)), "tpe_studies": len(tpe)},
            )
        )
    return rows


@benchmark("understanding/shared-study-wall-time")
def shared_study_wall_time() -> list[Result]:
    table = load_or_train_table()
    with tempfile.TemporaryDirectory() as tmp:
        table_file = Path(tmp) / "table.json"
        table_file.write_text(
            json.dumps(
                {
                    "lrs": table.lrs.tolist(),
                    "weight_decays": table.weight_decays.tolist(),
                    "final_val": table.final_val.tolist(),
                }
            )
        )
        seconds = {
            n: run_workers(
                str(Path(tmp) / f"study-{n}.log"),
                "bench",
                table_file,
                num_workers=n,
                max_trials=40,
                cost_seconds=0.1,
            ).seconds
            for n in (1, 2)
        }
    return [
        Result(
            "understanding/shared-study-wall-time",
            seconds[2],
            "s",
            "the same study with one worker",
            seconds[1],
            {"trials": 40, "seconds_per_trial": 0.1, "storage": "JournalFileBackend"},
        )
    ]


SEQUENCE_LENGTHS = (64, 256, 1024)


@benchmark("understanding/attention")
def attention() -> list[Result]:
    results = []
    generator = make_generator(0)
    for length in SEQUENCE_LENGTHS:
        q, k, v = (torch.randn(8, 4, length, 32, generator=generator) for _ in range(3))
        mask = causal_mask(length)
        repeats = max(3, 2048 // length)

        def call_ours(q=q, k=k, v=v, mask=mask):
            return scaled_dot_product_attention(q, k, v, mask)[0]

        def call_torch(q=q, k=k, v=v, mask=mask):
            return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)

        with torch.no_grad():
            ours = best_time(call_ours, repeats=repeats)
            theirs = best_time(call_torch, repeats=repeats)
            difference = (call_ours() - call_torch()).abs().max().item()
        results.append(
            Result(
                name=f"understanding/attention/length-{length}",
                value=ours * 1e3,
                unit="ms per call",
                reference="torch.nn.functional.scaled_dot_product_attention, same causal mask",
                reference_value=theirs * 1e3,
                details={
                    "shape": [8, 4, length, 32],
                    "slowdown": ours / theirs,
                    "max_abs_difference": difference,
                },
            )
        )
    return results


ATTRIBUTED_IMAGES = 256
NUM_STEPS = 50


def _model_and_images() -> tuple[SmallCNN, torch.Tensor, torch.Tensor]:
    seed_everything(0)
    model = SmallCNN().eval()
    X = torch.rand(ATTRIBUTED_IMAGES, 1, 28, 28, generator=make_generator(0))
    target = torch.arange(ATTRIBUTED_IMAGES) % 10
    return model, X, target


def _rows(name: str, reference: str, ours, theirs, seconds: tuple[float, float], **details):
    difference = (ours - theirs).abs().max().item()
    return [
        Result(
            name=name,
            value=ATTRIBUTED_IMAGES / seconds[0],
            unit="images/s",
            reference=reference,
            reference_value=ATTRIBUTED_IMAGES / seconds[1],
            details={"images": ATTRIBUTED_IMAGES, "max_abs_difference": difference, **details},
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
            internal_batch_size=10 * ATTRIBUTED_IMAGES,
        )

    seconds = (best_time(run_ours, repeats=3), best_time(run_captum, repeats=3))
    return _rows(
        "understanding/integrated-gradients",
        "captum.attr.IntegratedGradients",
        run_ours() * (NUM_STEPS - 1) / NUM_STEPS,  # Captum's trapezoid weights sum to (m-1)/m
        run_captum(),
        seconds,
        steps=NUM_STEPS,
        method="riemann_trapezoid",
    )
