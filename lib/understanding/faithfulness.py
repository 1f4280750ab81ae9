"""Are attribution maps faithful to the model? Deletion curves and the randomisation test.

- Deletion (Petsiuk, Das & Saenko 2018, RISE): remove pixels in the order a map ranks them and
  follow the probability of the explained class; a faithful map makes it fall fast, so the area
  under the curve is small.
- Model-parameter randomisation (Adebayo et al. 2018, "Sanity checks for saliency maps"):
  re-initialise the layers from the top down; a map that explains *this* model must change, so
  its rank correlation with the trained model's map must fall.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from scipy.stats import spearmanr
from torch import nn

from lib.checks import check_tensor
from lib.understanding.attribution import check_batch


@torch.no_grad()
def deletion_curve(
    model: nn.Module,
    X: torch.Tensor,
    target: int | torch.Tensor,
    order: torch.Tensor,
    *,
    num_steps: int = 28,
    fill: float = 0.0,
) -> torch.Tensor:
    """Probability of the target class as pixels are set to ``fill`` in the given order.

    Step ``k`` of ``num_steps`` has deleted the first ``round(k P / num_steps)`` of the ``P``
    pixel positions of ``order`` (all channels of a position at once).

    Args:
        model: Classifier returning logits.
        X: Images ``(B, C, H, W)``.
        target: Class followed, an int or ``(B,)``.
        order: Pixel positions to delete first, ``(B, H * W)``: e.g. the arg-sort of a map,
            descending, or a random permutation.
        num_steps: Deletion steps; the curve has ``num_steps + 1`` points.
        fill: Value of a deleted pixel (0: black, the Fashion-MNIST background).

    Returns:
        ``(B, num_steps + 1)``: the probability after deleting a fraction ``k / num_steps`` of
        the pixels, from the intact image (``k = 0``) to a blank one.
    """
    target = check_batch(X, target)
    B, C, H, W = X.shape
    if order.shape != (B, H * W):
        raise ValueError(
            f"order must rank the {H * W} pixel positions of each image, shape ({B}, {H * W}), "
            f"got {tuple(order.shape)}; pass map.flatten(1).argsort(1, descending=True)."
        )
    if num_steps < 1:
        raise ValueError(f"num_steps must be at least 1, got {num_steps}.")
    counts = [round(k * H * W / num_steps) for k in range(num_steps + 1)]
    rank = torch.empty_like(order).scatter_(
        1, order, torch.arange(H * W, device=order.device).expand(B, -1)
    )  # rank[b, p] = when pixel p is deleted
    batch = torch.stack([X.masked_fill((rank < n).view(B, 1, H, W), fill) for n in counts], 1)
    probs = torch.softmax(model(batch.flatten(0, 1)), dim=1).view(B, num_steps + 1, -1)
    return probs.gather(2, target.view(B, 1, 1).expand(B, num_steps + 1, 1))[..., 0]


def saliency_order(maps: torch.Tensor) -> torch.Tensor:
    """Pixel positions from the most to the least salient, ``(B, C, H, W)`` -> ``(B, H * W)``
    (channels summed)."""
    check_tensor(maps, "maps")
    if maps.dim() != 4:
        raise ValueError(f"expected maps (B, C, H, W), got {tuple(maps.shape)}.")
    return maps.sum(dim=1).flatten(1).argsort(dim=1, descending=True, stable=True)


def area_under_curve(curve: torch.Tensor) -> torch.Tensor:
    """Trapezoidal area under curves sampled at equal steps of [0, 1], ``(B, K)`` -> ``(B,)``."""
    check_tensor(curve, "curve")
    if curve.dim() != 2 or curve.shape[1] < 2:
        raise ValueError(f"expected curves (B, K) with K >= 2, got {tuple(curve.shape)}.")
    return torch.trapezoid(curve, dx=1.0 / (curve.shape[1] - 1), dim=1)


def randomized_copies(
    model: nn.Module, layers: list[str], *, seed: int = 0
) -> list[tuple[str, nn.Module]]:
    """Cascading randomisation: copies of ``model`` with ``layers[:k]`` re-initialised, k = 1..n.

    Args:
        model: The trained model (left unchanged).
        layers: Names of modules with parameters (``model.get_submodule(name)``), from the top
            (output) down, e.g. ``["head.1", "body.9", "body.4", "body.1"]`` for
            :class:`lib.models.SmallCNN`.
        seed: Seed of the re-initialisation (each layer by its ``reset_parameters``).

    Returns:
        ``[(name, copy)]``: the ``k``-th copy has every layer up to and including ``name``
        randomised, in evaluation mode.
    """
    if not layers:
        raise ValueError("pass at least one layer name to randomise.")
    generator = torch.Generator().manual_seed(seed)
    current = copy.deepcopy(model)
    copies = []
    for name in layers:
        layer = current.get_submodule(name)
        if not hasattr(layer, "reset_parameters"):
            raise ValueError(f"{name!r} has no reset_parameters; name a Linear or Conv layer.")
        with torch.random.fork_rng():
            torch.manual_seed(int(torch.randint(2**31, (1,), generator=generator)))
            layer.reset_parameters()
        copies.append((name, copy.deepcopy(current).eval()))
    return copies


def rank_correlation(maps_a: torch.Tensor, maps_b: torch.Tensor) -> torch.Tensor:
    """Spearman rank correlation between two maps of each image (ties get their mean rank).

    Shapes:
        ``(B, ...)`` twice -> ``(B,)``; a constant map (no ranking) gives 0.
    """
    if maps_a.shape != maps_b.shape:
        raise ValueError(f"maps differ in shape: {tuple(maps_a.shape)} vs {tuple(maps_b.shape)}.")
    a = maps_a.detach().flatten(1).double().cpu().numpy()
    b = maps_b.detach().flatten(1).double().cpu().numpy()
    rho = [
        0.0 if np.ptp(x) == 0 or np.ptp(z) == 0 else float(spearmanr(x, z).statistic)
        for x, z in zip(a, b, strict=True)
    ]
    return torch.tensor(rho, dtype=torch.float64)
