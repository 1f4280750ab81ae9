"""Attribution maps from scratch: which input pixels a classifier's score depends on.

Every method takes a batch of images ``X`` ``(B, C, H, W)`` and the class ``target`` to explain
(an int for the whole batch or one label per image, ``(B,)``) and returns maps of the shape of
``X`` (Grad-CAM: ``(B, 1, H, W)``). The score explained is the logit ``f_c(x)`` of the target
class. Each is tested against its Captum counterpart (``tests/understanding/test_attribution.py``),
except for the trapezoid rule of integrated gradients, whose weights in Captum 0.9 sum to
``(n - 1)/n`` instead of 1 (see :func:`_riemann`); ours is tested for exactness on a quadratic.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

RIEMANN_METHODS = ("riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid")
"""The quadrature rules :func:`integrated_gradients` supports (Captum's names)."""


def check_batch(X: torch.Tensor, target: int | torch.Tensor, name: str = "target") -> torch.Tensor:
    """Validate a batch of images and return the target as one class index per image.

    Args:
        X: Float images ``(B, C, H, W)``.
        target: A class index for every image, or ``(B,)`` int64 indices.
        name: The target's argument name, for the messages.

    Returns:
        The targets ``(B,)`` int64 on the device of ``X``.
    """
    if not isinstance(X, torch.Tensor) or X.dim() != 4 or not X.is_floating_point():
        got = f"{X.dtype} {tuple(X.shape)}" if isinstance(X, torch.Tensor) else type(X).__name__
        raise ValueError(
            f"expected a float batch of images (B, C, H, W), got {got}; "
            "add the batch dimension with X[None] or X.unsqueeze(0)."
        )
    if isinstance(target, bool) or not isinstance(target, (int, torch.Tensor)):
        raise TypeError(f"{name} must be an int or a (B,) tensor, got {type(target).__name__}.")
    if isinstance(target, int):
        return torch.full((len(X),), target, dtype=torch.long, device=X.device)
    if target.shape != (len(X),) or target.is_floating_point():
        raise ValueError(
            f"{name} must hold one integer class per image, shape ({len(X)},), got "
            f"{target.dtype} {tuple(target.shape)}."
        )
    return target.long().to(X.device)


def check_target_classes(logits: torch.Tensor, target: torch.Tensor, name: str = "target") -> None:
    """Raise a ``ValueError`` unless ``logits`` are ``(B, C)`` and every target is a class
    index in ``0..C-1`` (the checked :func:`check_batch` targets, ``(B,)`` int64; ``name`` is
    the argument's name in the message)."""
    if logits.dim() != 2:
        raise ValueError(f"the model must return logits (B, classes), got {tuple(logits.shape)}.")
    low, high = (int(v) for v in torch.aminmax(target))
    if low < 0 or high >= logits.shape[1]:
        raise ValueError(
            f"{name} must be a class index in 0..{logits.shape[1] - 1} (the model has "
            f"{logits.shape[1]} classes), got {low}..{high}."
        )


def class_scores(model: nn.Module, X: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The logit of each image's target class, ``f_{y_i}(x_i)``; shapes ``(B, ...)`` -> ``(B,)``."""
    logits = model(X)
    if target.shape != (len(logits),):
        raise ValueError(
            f"target must hold one class index per image, shape ({len(logits)},), got "
            f"{tuple(target.shape)}; pass e.g. labels[:{len(logits)}]."
        )
    check_target_classes(logits, target)
    return logits.gather(1, target[:, None])[:, 0]


def input_gradient(model: nn.Module, X: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``d f_{y_i}(x_i) / d x_i`` for every image of the batch (images are independent, so the
    gradient of the summed scores is each image's own gradient). Shapes: ``(B, ...)`` both."""
    with torch.enable_grad():
        X = X.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(class_scores(model, X, target).sum(), X)
    return grad


def saliency(
    model: nn.Module, X: torch.Tensor, target: int | torch.Tensor, *, absolute: bool = True
) -> torch.Tensor:
    """Vanilla-gradient saliency (Simonyan, Vedaldi & Zisserman 2014, "Deep inside
    convolutional networks"): ``|d f_c(x) / d x|``.

    Args:
        model: Classifier returning logits ``(B, classes)``.
        X: Images ``(B, C, H, W)``.
        target: Class to explain, an int or ``(B,)``.
        absolute: Return the magnitude (the paper's map); ``False`` keeps the sign.

    Shapes:
        ``X`` ``(B, C, H, W)`` -> ``(B, C, H, W)``.
    """
    grad = input_gradient(model, X, check_batch(X, target))
    return grad.abs() if absolute else grad


def smoothgrad(
    model: nn.Module,
    X: torch.Tensor,
    target: int | torch.Tensor,
    *,
    num_samples: int = 25,
    sigma: float = 0.15,
    noise: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """SmoothGrad (Smilkov et al. 2017): the gradient averaged over noisy copies of the input,
    ``(1/n) sum_k d f_c(x + eps_k) / d x`` with ``eps_k ~ N(0, sigma^2 I)``.

    Args:
        model: Classifier returning logits.
        X: Images ``(B, C, H, W)``.
        target: Class to explain, an int or ``(B,)``.
        num_samples: Noisy copies per image ``n``.
        sigma: Standard deviation of the noise, in pixel units (the paper: 10-20 % of the
            input range).
        noise: Optional fixed noise ``(B, n, C, H, W)`` instead of drawing it (to compare with
            another implementation on the same noise).
        generator: Randomness of the noise when ``noise`` is ``None``.

    Shapes:
        ``X`` ``(B, C, H, W)`` -> the signed mean gradient ``(B, C, H, W)`` (take ``abs()`` or
        square it to display).
    """
    target = check_batch(X, target)
    if num_samples < 1 or sigma < 0:
        raise ValueError(f"need num_samples >= 1 and sigma >= 0, got {num_samples}, {sigma}.")
    shape = (len(X), num_samples, *X.shape[1:])
    if noise is None:
        noise = sigma * torch.randn(shape, generator=generator, device=X.device, dtype=X.dtype)
    elif noise.shape != shape:
        raise ValueError(f"noise must have shape {shape} (B, n, C, H, W), got {noise.shape}.")
    noisy = (X[:, None] + noise).flatten(0, 1)
    grad = input_gradient(model, noisy, target.repeat_interleave(num_samples))
    return grad.view(shape).mean(dim=1)


def integrated_gradients(
    model: nn.Module,
    X: torch.Tensor,
    target: int | torch.Tensor,
    *,
    baseline: torch.Tensor | float = 0.0,
    num_steps: int = 50,
    method: str = "riemann_trapezoid",
    internal_batch_size: int | None = None,
) -> torch.Tensor:
    """Integrated gradients (Sundararajan, Taly & Yan 2017, "Axiomatic attribution"):

    ``IG_i(x) = (x_i - x'_i) * int_0^1 d f_c(x' + a (x - x')) / d x_i da``,

    the integral approximated by a Riemann sum over ``num_steps`` points ``a_k`` with weights
    ``w_k``. Completeness: ``sum_i IG_i(x) = f_c(x) - f_c(x')`` up to the quadrature error.

    Args:
        model: Classifier returning logits.
        X: Images ``(B, C, H, W)``.
        target: Class to explain, an int or ``(B,)``.
        baseline: The reference input ``x'``: a number or a tensor broadcastable to ``X``
            (black image by default).
        num_steps: Points of the path, at least 2.
        method: One of :data:`RIEMANN_METHODS`.
        internal_batch_size: Path points per forward pass (all at once when ``None``).

    Shapes:
        ``X`` ``(B, C, H, W)`` -> ``(B, C, H, W)``.
    """
    target = check_batch(X, target)
    if method not in RIEMANN_METHODS:
        raise ValueError(f"method must be one of {RIEMANN_METHODS}, got {method!r}.")
    if num_steps < 2:
        raise ValueError(f"num_steps must be at least 2, got {num_steps}.")
    baseline = torch.as_tensor(baseline, dtype=X.dtype, device=X.device).expand_as(X)
    alphas, weights = _riemann(method, num_steps, X)
    chunk = num_steps if internal_batch_size is None else max(1, internal_batch_size)
    total = torch.zeros_like(X)
    for start in range(0, num_steps, chunk):
        part = slice(start, start + chunk)
        total += path_gradient_sum(model, X, target, baseline, alphas[part], weights[part])
    return (X - baseline) * total


def path_gradient_sum(
    model: nn.Module,
    X: torch.Tensor,
    target: torch.Tensor,
    baseline: torch.Tensor,
    alphas: torch.Tensor,
    weights: torch.Tensor,
) -> torch.Tensor:
    """The quadrature of the path integral of integrated gradients,
    ``sum_k w_k * d f_c(x' + a_k (x - x')) / d x``: the gradient at every point ``a_k`` of the
    straight path from the baseline ``x'`` to ``x``, weighted and summed (all points in one
    batch). :func:`integrated_gradients` multiplies it by ``x - x'``.

    Shapes:
        ``X`` and ``baseline`` ``(B, C, H, W)``, ``target`` ``(B,)``, ``alphas`` and ``weights``
        ``(k,)`` -> ``(B, C, H, W)``.
    """
    a = alphas.view(-1, 1, 1, 1, 1)  # (k, 1, 1, 1, 1)
    path = (baseline + a * (X - baseline)).flatten(0, 1)  # (k * B, C, H, W)
    grad = input_gradient(model, path, target.repeat(len(a))).view(len(a), *X.shape)
    return (weights.view(-1, 1, 1, 1, 1) * grad).sum(dim=0)


def _riemann(method: str, n: int, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The points ``a_k`` in [0, 1] and weights ``w_k`` (summing to 1) of a Riemann rule.

    The left, right and midpoint rules split [0, 1] into ``n`` intervals of width ``1/n`` and
    take one point in each. The trapezoid rule takes the ``n`` points ``k / (n - 1)``, the ends
    of ``n - 1`` intervals of width ``h = 1 / (n - 1)``, with weights ``h/2, h, ..., h, h/2``.
    (Captum 0.9 puts its trapezoid weights ``1/(2n), 1/n, ..., 1/n, 1/(2n)`` on the same points;
    they sum to ``(n - 1)/n``, so its attributions are ``(n - 1)/n`` of these.)

    Shapes:
        Both ``(n,)``, of the dtype and device of ``like``.
    """
    kind = method.split("_")[1]
    if kind == "trapezoid":
        weights = torch.full((n,), 1.0 / (n - 1), dtype=like.dtype, device=like.device)
        weights[0] /= 2
        weights[-1] /= 2
        return torch.linspace(0.0, 1.0, n, dtype=like.dtype, device=like.device), weights
    weights = torch.full((n,), 1.0 / n, dtype=like.dtype, device=like.device)
    start, end = {
        "left": (0.0, 1 - 1 / n),
        "right": (1 / n, 1.0),
        "middle": (1 / (2 * n), 1 - 1 / (2 * n)),
    }[kind]
    return torch.linspace(start, end, n, dtype=like.dtype, device=like.device), weights


@torch.no_grad()
def occlusion(
    model: nn.Module,
    X: torch.Tensor,
    target: int | torch.Tensor,
    *,
    window: int = 4,
    stride: int = 2,
    fill: float = 0.0,
) -> torch.Tensor:
    """Occlusion sensitivity (Zeiler & Fergus 2014): slide a ``window x window`` patch of
    ``fill`` over the image and record the drop of the class score,
    ``f_c(x) - f_c(x with the patch occluded)``; each pixel gets the mean drop over the patches
    that cover it (all channels at once).

    Windows start at ``0, stride, 2 stride, ...`` until one reaches the last row/column; a
    window that would cross the border is cut there (as Captum's ``Occlusion`` does).

    Args:
        model: Classifier returning logits.
        X: Images ``(B, C, H, W)``.
        target: Class to explain, an int or ``(B,)``.
        window: Side of the square patch in pixels.
        stride: Step between patches in pixels.
        fill: Value the patch is filled with (0: black, the Fashion-MNIST background).

    Shapes:
        ``X`` ``(B, C, H, W)`` -> ``(B, C, H, W)`` (the same map in every channel).
    """
    target = check_batch(X, target)
    B, C, H, W = X.shape
    if not (1 <= window <= min(H, W)) or stride < 1:
        raise ValueError(
            f"need 1 <= window <= {min(H, W)} and stride >= 1, got {window}, {stride}."
        )
    reference = class_scores(model, X, target)
    total = torch.zeros(B, 1, H, W, dtype=X.dtype, device=X.device)
    count = torch.zeros(1, 1, H, W, dtype=X.dtype, device=X.device)
    rows = range(0, H - window + stride, stride)
    for top in rows:
        for left in range(0, W - window + stride, stride):
            occluded = X.clone()
            occluded[:, :, top : top + window, left : left + window] = fill
            drop = reference - class_scores(model, occluded, target)
            total[:, :, top : top + window, left : left + window] += drop.view(B, 1, 1, 1)
            count[:, :, top : top + window, left : left + window] += 1
    return (total / count).expand(B, C, H, W).clone()


@contextmanager
def recorded_output(layer: nn.Module) -> Iterator[list[torch.Tensor]]:
    """``with recorded_output(layer) as outputs:`` appends ``layer``'s forward outputs to
    ``outputs`` while the block runs (a forward hook, removed on exit)."""
    if not isinstance(layer, nn.Module):
        raise TypeError(
            f"layer must be an nn.Module (a layer of the model), got {type(layer).__name__}; "
            "pass e.g. model.features[3], not its name or its output."
        )
    outputs: list[torch.Tensor] = []
    handle = layer.register_forward_hook(lambda _module, _inputs, output: outputs.append(output))
    try:
        yield outputs
    finally:
        handle.remove()


def grad_cam(
    model: nn.Module,
    X: torch.Tensor,
    target: int | torch.Tensor,
    layer: nn.Module,
    *,
    upsample: bool = True,
) -> torch.Tensor:
    """Grad-CAM (Selvaraju et al. 2017): weight each channel ``k`` of a convolutional layer's
    activation ``A^k`` by the spatial mean of the class score's gradient and keep the positive
    part,

    ``L_c = ReLU(sum_k alpha_k^c A^k)``, ``alpha_k^c = (1 / (h w)) sum_{ij} d f_c / d A^k_ij``.

    Args:
        model: Classifier returning logits.
        X: Images ``(B, C, H, W)``.
        target: Class to explain, an int or ``(B,)``.
        layer: The module whose output ``A`` ``(B, K, h, w)`` is used (the last convolutional
            block, e.g. ``model.body[5]`` of :class:`lib.models.SmallCNN`).
        upsample: Resize the map bilinearly to ``(H, W)``; ``False`` returns ``(B, 1, h, w)``.

    Shapes:
        ``X`` ``(B, C, H, W)`` -> ``(B, 1, H, W)`` (or ``(B, 1, h, w)``).
    """
    target = check_batch(X, target)
    with torch.enable_grad(), recorded_output(layer) as outputs:
        # the input requires grad, so the activation is in the graph even for frozen weights
        total_score = class_scores(model, X.detach().requires_grad_(True), target).sum()
    if len(outputs) != 1 or outputs[0].dim() != 4:
        raise ValueError(
            f"layer must run once per forward pass and return (B, K, h, w); it ran "
            f"{len(outputs)} times. Pass a convolutional block of the model."
        )
    (activation,) = outputs
    (grad,) = torch.autograd.grad(total_score, activation)
    alpha = grad.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((alpha * activation).sum(dim=1, keepdim=True)).detach()
    if upsample:
        cam = F.interpolate(cam, size=X.shape[2:], mode="bilinear", align_corners=False)
    return cam


@contextmanager
def guided_relus(model: nn.Module) -> Iterator[None]:
    """Inside the block, every ``nn.ReLU`` of ``model`` passes back only positive gradients
    (guided backpropagation's rule); the hooks are removed on exit."""
    relus = [m for m in model.modules() if isinstance(m, nn.ReLU)]
    if not relus:
        raise ValueError("guided backpropagation needs a model built from nn.ReLU modules.")
    if any(m.inplace for m in relus):
        raise ValueError(
            "guided backpropagation hooks every nn.ReLU, which fails on in-place ReLUs; build "
            "the model with nn.ReLU() (inplace=False), or set relu.inplace = False on each."
        )
    handles = [
        m.register_full_backward_hook(lambda _m, grad_input, _g: (F.relu(grad_input[0]),))
        for m in relus
    ]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def guided_backprop(model: nn.Module, X: torch.Tensor, target: int | torch.Tensor) -> torch.Tensor:
    """Guided backpropagation (Springenberg et al. 2015): the input gradient computed with every
    ReLU passing back only positive gradients, ``R^l = 1[a^l > 0] 1[R^{l+1} > 0] R^{l+1}``.

    Shapes:
        ``X`` ``(B, C, H, W)`` -> ``(B, C, H, W)``.
    """
    target = check_batch(X, target)
    with guided_relus(model):
        return input_gradient(model, X, target)
