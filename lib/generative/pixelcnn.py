"""PixelCNN on binarised images: masked convolutions, likelihood in bits/dim, sequential sampling.

A fully visible belief network factorises the image likelihood with the chain rule,

.. math::
    p(x) = \\prod_{i=1}^{n} p(x_i \\mid x_1, \\dots, x_{i-1}),

with pixels in raster order (row by row, left to right). PixelCNN (van den Oord et al. 2016,
"Pixel Recurrent Neural Networks") computes every conditional at once with convolutions whose
kernels are masked so that output pixel ``i`` never sees input pixels ``>= i`` (type A, first
layer) or ``> i`` (type B, later layers, which may see their own position because it already
only carries information about pixels ``< i``).

Images here have one channel with values in {0, 1}; each conditional is a Bernoulli given by one
logit per pixel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from lib.checks import check_config, check_int
from lib.reproducibility import make_generator
from lib.training import ShuffledBatches, fit, model_device


def binarize(X: torch.Tensor, threshold: int = 128) -> torch.Tensor:
    """uint8 images to float {0, 1} images by thresholding (deterministic, no sampling).

    Shapes:
        ``(N, H, W)`` uint8 → ``(N, 1, H, W)`` float32 in {0, 1}.
    """
    if X.dtype != torch.uint8 or X.dim() != 3:
        raise ValueError(
            f"expected uint8 images (N, H, W), got {X.dtype} {tuple(X.shape)}; "
            "pass the X returned by lib.data.load_fashion_mnist."
        )
    if not isinstance(threshold, int) or not 1 <= threshold <= 255:
        raise ValueError(
            f"threshold is an intensity on the uint8 scale, an int in 1..255, got {threshold!r}; "
            "for half-way pass 128, not 0.5."
        )
    return (X >= threshold).float().unsqueeze(1)


def _check_binary_images(X: torch.Tensor) -> None:
    if X.dim() != 4 or X.shape[1] != 1 or not X.is_floating_point():
        raise ValueError(
            f"expected float images (B, 1, H, W) with values in {{0, 1}}, got {X.dtype} "
            f"{tuple(X.shape)}; binarise uint8 data with lib.generative.pixelcnn.binarize."
        )
    if not ((X == 0) | (X == 1)).all():
        low, high = (float(v) for v in torch.aminmax(X.detach()))
        kind = "0..255 intensities" if high > 1 else "grey levels, as images_to_float returns"
        raise ValueError(
            f"X must hold binary pixels in {{0, 1}}, found values in [{low:.3g}, {high:.3g}] "
            f"({kind}); binarise the uint8 images of lib.data with "
            "lib.generative.pixelcnn.binarize."
        )


def causal_mask(kernel_size: int, mask_type: str) -> torch.Tensor:
    """The spatial mask of a PixelCNN kernel.

    Type ``"A"`` zeroes the centre and everything after it in raster order; type ``"B"`` keeps
    the centre.

    Shapes:
        returns ``(kernel_size, kernel_size)`` float of 0s and 1s.
    """
    if mask_type not in ("A", "B"):
        raise ValueError(f"mask_type must be 'A' or 'B', got {mask_type!r}.")
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f"kernel_size must be a positive odd int, got {kernel_size}.")
    mask = torch.ones(kernel_size, kernel_size)
    c = kernel_size // 2
    mask[c, c + (mask_type == "B") :] = 0.0
    mask[c + 1 :, :] = 0.0
    return mask


class _FixedMaskConv2d(nn.Conv2d):
    """A 'same'-padded, optionally dilated convolution with a fixed spatial mask ``(k, k)``."""

    def __init__(self, in_channels: int, out_channels: int, mask: torch.Tensor, dilation: int = 1):
        if dilation < 1:
            raise ValueError(f"dilation must be a positive int, got {dilation}.")
        k = mask.shape[0]
        super().__init__(
            in_channels, out_channels, k, padding=dilation * (k // 2), dilation=dilation
        )
        self.register_buffer("mask", mask[None, None].clone())

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return F.conv2d(
            X, self.weight * self.mask, self.bias, padding=self.padding, dilation=self.dilation
        )


class MaskedConv2d(_FixedMaskConv2d):
    """A 'same'-padded convolution whose kernel only sees pixels before the centre.

    Paper: van den Oord, Kalchbrenner & Kavukcuoglu (2016), Pixel Recurrent Neural Networks.

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        kernel_size: Odd kernel size.
        mask_type: ``"A"`` (excludes the centre, first layer) or ``"B"`` (includes it).
        dilation: Spacing of the kernel's taps; a dilated kernel keeps the same mask, so it stays
            causal and reaches ``dilation`` times further.

    Shapes:
        ``(B, in_channels, H, W)`` → ``(B, out_channels, H, W)``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        mask_type: str,
        dilation: int = 1,
    ):
        super().__init__(in_channels, out_channels, causal_mask(kernel_size, mask_type), dilation)
        self.mask_type = mask_type


class _ResidualBlock(nn.Module):
    def __init__(self, channels: int, kernel_size: int, dilation: int = 1):
        super().__init__()
        self.conv = MaskedConv2d(channels, channels, kernel_size, "B", dilation)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return X + self.conv(F.relu(X))


def _layer_dilations(num_layers: int, dilations: Sequence[int] | None) -> tuple[int, ...]:
    if dilations is None:
        return (1,) * num_layers
    dilations = tuple(dilations)
    if len(dilations) != num_layers or any(
        isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in dilations
    ):
        raise ValueError(
            f"dilations must be {num_layers} positive ints (one per layer), got {dilations}."
        )
    return dilations


def _reach(first_kernel: int, kernel_size: int, dilations: Sequence[int]) -> int:
    """Rows above (and columns either side) that a stack of masked layers sees.

    The first layer reaches ``first_kernel // 2``; each later layer adds
    ``dilation * (kernel_size // 2)``.
    """
    return first_kernel // 2 + sum(d * (kernel_size // 2) for d in dilations)


def reach_box(row: int, col: int, context: int, image_size: int = 28) -> tuple[slice, slice]:
    """Rows and columns of the window that the logit of pixel ``(row, col)`` can depend on.

    For a model whose ``context`` is its reach: rows ``row - context .. row`` and columns
    ``col - context .. col + context``, clipped to the image. The window also holds pixels the
    model must not see (the rest of row ``row``); the masks keep those out.

    Returns:
        ``(rows, cols)``, slices that index an ``(image_size, image_size)`` image.
    """
    if context < 0 or not (0 <= row < image_size and 0 <= col < image_size):
        raise ValueError(
            f"need context >= 0 and pixel ({row}, {col}) inside a {image_size}×{image_size} "
            f"image, got context {context}."
        )
    rows = slice(max(row - context, 0), row + 1)
    cols = slice(max(col - context, 0), min(col + context + 1, image_size))
    return rows, cols


def reach_mask(row: int, col: int, context: int, image_size: int = 28) -> torch.Tensor:
    """:func:`reach_box` as a mask.

    Shapes:
        returns ``(image_size, image_size)`` bool, True inside the window.
    """
    mask = torch.zeros(image_size, image_size, dtype=torch.bool)
    mask[reach_box(row, col, context, image_size)] = True
    return mask


def largest_window(context: int, image_size: int = 28) -> tuple[int, int]:
    """Rows and columns of the largest window a windowed sampling pass runs on."""
    if context < 1 or image_size < 1:
        raise ValueError(
            f"context and image_size must be positive ints, got {context} and {image_size}; "
            "pass the model's context (e.g. model.context)."
        )
    rows, cols = reach_box(image_size - 1, image_size // 2, context, image_size)
    return rows.stop - rows.start, cols.stop - cols.start


class PixelCNN(nn.Module):
    """A small PixelCNN for binary images: one type-A layer, residual type-B layers, 1×1 head.

    Far smaller than the paper's 15-layer, 128-feature-map network, so that it trains in a
    minute on a laptop CPU.

    ``context`` is the reach of the receptive field: the logit of pixel ``(i, j)`` depends only
    on rows ``i - context .. i`` and columns ``j - context .. j + context`` (each layer adds
    ``dilation * (kernel_size // 2)``), which :func:`sample` uses to run each sequential pass on
    a window.

    Args:
        channels: Feature maps of every hidden layer.
        num_layers: Number of residual type-B layers.
        first_kernel: Kernel size of the type-A layer (7 in the paper).
        kernel_size: Kernel size of the type-B layers.
        dilations: Dilation of each type-B layer (``None``: all 1); dilated layers widen the
            receptive field at the same cost per layer.

    Shapes:
        input ``(B, 1, H, W)`` in {0, 1} → logits ``(B, 1, H, W)`` of
        :math:`p(x_i = 1 \\mid x_{<i})`.
    """

    def __init__(
        self,
        channels: int = 32,
        num_layers: int = 4,
        first_kernel: int = 7,
        kernel_size: int = 3,
        dilations: Sequence[int] | None = None,
    ):
        super().__init__()
        if channels < 1 or num_layers < 0:
            raise ValueError(
                f"need channels >= 1 and num_layers >= 0, got {channels}, {num_layers}."
            )
        dilations = _layer_dilations(num_layers, dilations)
        self.first = MaskedConv2d(1, channels, first_kernel, "A")
        self.context = _reach(first_kernel, kernel_size, dilations)
        self.blocks = nn.Sequential(*[_ResidualBlock(channels, kernel_size, d) for d in dilations])
        self.head = nn.Sequential(
            nn.ReLU(), nn.Conv2d(channels, channels, 1), nn.ReLU(), nn.Conv2d(channels, 1, 1)
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        _check_binary_images(X)
        return self.head(self.blocks(self.first(2.0 * X - 1.0)))


def bits_per_dim(logits: torch.Tensor, X: torch.Tensor) -> float:
    """Mean negative log-likelihood of binary images in bits per pixel.

    .. math::
        \\mathrm{bits/dim} = -\\frac{1}{N D \\ln 2} \\sum_{n, i} \\log p(x_{n,i} \\mid x_{n,<i}).

    Shapes:
        ``logits`` and ``X``: ``(B, 1, H, W)`` (``X`` in {0, 1}).
    """
    if logits.shape != X.shape:
        raise ValueError(
            f"logits {tuple(logits.shape)} and X {tuple(X.shape)} must have the same shape."
        )
    _check_binary_images(X)
    nats = F.binary_cross_entropy_with_logits(logits, X, reduction="mean")
    return nats.item() / math.log(2.0)


@torch.no_grad()
def evaluate_bits_per_dim(model: nn.Module, X: torch.Tensor, *, batch_size: int = 500) -> float:
    """Test NLL of ``model`` over binary images ``X`` ``(N, 1, H, W)``, in bits/dim."""
    _check_binary_images(X)
    model.eval()
    device = model_device(model)
    total = 0.0
    for i in range(0, len(X), batch_size):
        batch = X[i : i + batch_size].to(device)
        total += bits_per_dim(model(batch), batch) * len(batch)
    return total / len(X)


class IndependentPixels(nn.Module):
    """The baseline: every pixel an independent Bernoulli with its training-set frequency.

    Its logits do not depend on the input, so it is trivially causal.

    Args:
        X: Binary training images ``(N, 1, H, W)``.
        pseudo_count: Laplace smoothing, so no pixel gets probability 0 or 1.

    Shapes:
        input ``(B, 1, H, W)`` → logits ``(B, 1, H, W)``.
    """

    def __init__(self, X: torch.Tensor, pseudo_count: float = 1.0):
        super().__init__()
        _check_binary_images(X)
        p = (X.sum(0) + pseudo_count) / (len(X) + 2 * pseudo_count)
        self.register_buffer("logit", torch.log(p) - torch.log1p(-p))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        _check_binary_images(X)
        return self.logit.expand_as(X)


@dataclass(frozen=True)
class PixelCNNConfig:
    """Everything that determines a trained :class:`PixelCNN`.

    Attributes:
        kind: ``"plain"`` (:class:`PixelCNN`) or ``"gated"`` (:class:`GatedPixelCNN`).
        channels: Hidden feature maps.
        num_layers: Residual type-B layers.
        dilations: Dilation of each of the ``num_layers`` later layers, e.g. ``(1, 2, 4, 8)``;
            ``None`` means all 1 (undilated).
        num_train: Training images used (the first ``num_train`` of the training set).
        num_epochs: Passes over them.
        batch_size: Images per step.
        lr: Adam learning rate.
        seed: Seed of initialisation and shuffling.
    """

    kind: str = "plain"
    channels: int = 32
    num_layers: int = 4
    dilations: tuple[int, ...] | None = None
    num_train: int = 12000
    num_epochs: int = 1
    batch_size: int = 64
    lr: float = 2e-3
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("plain", "gated"):
            raise ValueError(f"kind must be 'plain' or 'gated', got {self.kind!r}.")
        if self.dilations is not None:
            object.__setattr__(self, "dilations", tuple(self.dilations))
            _layer_dilations(self.num_layers, self.dilations)  # raises on bad values


def build_pixelcnn(config: PixelCNNConfig) -> nn.Module:
    """The untrained network of ``config`` (initialised from ``config.seed``)."""
    torch.manual_seed(config.seed)
    cls = PixelCNN if config.kind == "plain" else GatedPixelCNN
    return cls(channels=config.channels, num_layers=config.num_layers, dilations=config.dilations)


def load_or_train_pixelcnn(
    config: PixelCNNConfig, *, device: torch.device | str = "cpu"
) -> tuple[nn.Module, dict]:
    """The model of ``config`` trained on binarised Fashion-MNIST, from ``data/models/`` if cached.

    Trains on the first ``config.num_train`` binarised training images (:func:`binarize`) with
    :func:`train_pixelcnn`, and caches the weights keyed by the configuration and this code
    (:func:`lib.checkpoints.train_or_load`).

    Returns:
        ``(model, metrics)``: ``metrics["losses"]`` is the training bits/dim of every step;
        ``metrics["seconds"]`` and ``metrics["cpu_seconds"]`` the wall-clock and CPU time
        (all threads) of the run that trained the cached model.
    """
    check_config(config, PixelCNNConfig)
    import time

    from lib.checkpoints import train_or_load
    from lib.data import load_fashion_mnist

    def train(model: nn.Module) -> dict:
        X, _ = load_fashion_mnist("train")
        start, start_cpu = time.perf_counter(), time.process_time()
        losses = train_pixelcnn(model, binarize(X[: config.num_train]), config)
        return {
            "losses": losses,
            "seconds": time.perf_counter() - start,
            "cpu_seconds": time.process_time() - start_cpu,
        }

    return train_or_load(
        f"pixelcnn-{config.kind}",
        asdict(config),
        lambda: build_pixelcnn(config),
        train,
        device=device,
    )


def train_pixelcnn(model: nn.Module, X: torch.Tensor, config: PixelCNNConfig) -> list[float]:
    """Train ``model`` in place by maximum likelihood with Adam.

    Args:
        model: The network.
        X: Binary training images ``(N, 1, H, W)``; the first ``config.num_train`` are used.
        config: Hyper-parameters.

    Returns:
        Training bits/dim of every step.
    """
    _check_binary_images(X)
    X = X[: config.num_train].to(model_device(model))
    losses: list[float] = []

    def take(indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        batch = X[indices]
        return batch, batch  # the images are their own targets

    def loss_fn(logits: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
        loss = F.binary_cross_entropy_with_logits(logits, batch)
        losses.append(loss.item() / math.log(2.0))
        return loss

    fit(
        model,
        ShuffledBatches(len(X), config.batch_size, take, generator=make_generator(config.seed)),
        num_epochs=config.num_epochs,
        optimizer=torch.optim.Adam(model.parameters(), lr=config.lr),
        loss_fn=loss_fn,
        metric=None,
        desc="PixelCNN",
    )
    model.eval()
    return losses


@torch.no_grad()
def sample(
    model: nn.Module,
    num_samples: int,
    *,
    image_size: int = 28,
    generator: torch.Generator | None = None,
    windowed: bool = True,
) -> torch.Tensor:
    """Draw images pixel by pixel, one network pass per pixel (``image_size**2`` passes).

    The passes are sequential: pixel ``i`` is drawn from :math:`p(x_i \\mid x_{<i})`, written
    into the image, and only then can pixel ``i + 1`` be predicted. With ``windowed`` (the
    default) each pass runs on the window the next pixel's logit depends on (:func:`reach_box`:
    rows ``i - model.context .. i``, columns ``j - model.context .. j + model.context``) cut out
    of the image, instead of on the whole image; 'same' zero padding then only changes activations
    outside the receptive field, so the logit is the same function of the same pixels and the
    images are the same, at a fraction of the cost. ``windowed=False`` runs every pass on the
    whole image (a model without a ``context`` attribute is always run that way).

    Deterministic for a given ``generator`` state (a CPU generator, whose uniforms are moved to
    the model's device); the images are returned on the CPU.

    Shapes:
        returns ``(num_samples, 1, image_size, image_size)`` in {0, 1}.
    """
    if not isinstance(num_samples, int) or not isinstance(image_size, int):
        raise ValueError(
            f"num_samples and image_size must be ints, got {num_samples!r}, {image_size!r}."
        )
    if num_samples < 1 or image_size < 1:
        raise ValueError(
            f"num_samples and image_size must be positive, got {num_samples}, {image_size}."
        )
    context = getattr(model, "context", None) if windowed else None
    if context is not None and (not isinstance(context, int) or context < 0):
        raise ValueError(f"model.context must be a non-negative int, got {context!r}.")
    model.eval()
    device = model_device(model)
    X = torch.zeros(num_samples, 1, image_size, image_size, device=device)
    for i in range(image_size):
        for j in range(image_size):
            if context is None:
                logit = model(X)[:, 0, i, j]
            else:
                rows, cols = reach_box(i, j, context, image_size)
                logit = model(X[:, :, rows, cols])[:, 0, i - rows.start, j - cols.start]
            p = torch.sigmoid(logit)
            u = torch.rand(num_samples, generator=generator).to(device)  # CPU draws everywhere
            X[:, 0, i, j] = (u < p).float()
    return X.cpu()


def dependency_map(model: nn.Module, row: int, col: int, *, image_size: int = 28) -> torch.Tensor:
    """Which input pixels the output logit at ``(row, col)`` depends on (non-zero gradient).

    Evaluated at a random binary image, so a dependency is missed only if the gradient happens
    to vanish there exactly (it does not for ReLU networks at random inputs in practice).

    Shapes:
        returns ``(image_size, image_size)`` bool.
    """
    check_int(image_size, "image_size")
    check_int(row, "row", minimum=0)
    check_int(col, "col", minimum=0)
    if not (0 <= row < image_size and 0 <= col < image_size):
        raise ValueError(f"pixel ({row}, {col}) lies outside a {image_size}×{image_size} image.")
    X = (torch.rand(1, 1, image_size, image_size, generator=make_generator(0)) < 0.5).float()
    X.requires_grad_(True)
    model.eval()
    model(X)[0, 0, row, col].backward()
    return X.grad[0, 0] != 0


def raster_after(row: int, col: int, image_size: int) -> torch.Tensor:
    """Pixels at or after ``(row, col)`` in raster order: the ones a causal model must ignore.

    Shapes:
        returns ``(image_size, image_size)`` bool.
    """
    if not (0 <= row < image_size and 0 <= col < image_size):
        raise ValueError(
            f"pixel ({row}, {col}) lies outside a {image_size}×{image_size} image; pass row and "
            f"col in 0..{image_size - 1}."
        )
    index = torch.arange(image_size * image_size).reshape(image_size, image_size)
    return index >= row * image_size + col


def all_dependency_maps(model: nn.Module, *, image_size: int = 28) -> torch.Tensor:
    """:func:`dependency_map` of every output pixel at once, with one batched backward pass.

    Copy ``b`` of a random binary image back-propagates only from output pixel ``b``; because
    the model treats batch entries independently (no batch normalisation), the input gradient
    of copy ``b`` is the dependency map of pixel ``b``.

    Shapes:
        returns ``(image_size**2, image_size, image_size)`` bool, indexed by raster position.
    """
    check_int(image_size, "image_size")
    n = image_size * image_size
    X = (torch.rand(1, 1, image_size, image_size, generator=make_generator(0)) < 0.5).float()
    X = X.repeat(n, 1, 1, 1).requires_grad_(True)
    model.eval()
    out = model(X).reshape(n, n)
    out[torch.arange(n), torch.arange(n)].sum().backward()
    return X.grad[:, 0] != 0


def causality_violations(model: nn.Module, *, image_size: int = 28) -> int:
    """Number of (output pixel, input pixel at or after it) pairs with a non-zero gradient.

    Zero for a causal model.
    """
    maps = all_dependency_maps(model, image_size=image_size)
    n = image_size * image_size
    future = torch.arange(n)[None, :] >= torch.arange(n)[:, None]  # [output, input]
    return int((maps.reshape(n, n) & future).sum())


def stack_masks(kernel_size: int) -> dict[str, torch.Tensor]:
    """Masks of the gated PixelCNN's two stacks (van den Oord et al. 2016, Conditional PixelCNN).

    ``"vertical_first"``: rows strictly above the centre; ``"vertical"``: rows up to and
    including the centre row (its input already only sees rows above); ``"horizontal_first"``:
    the centre row left of the centre; ``"horizontal"``: the centre row up to the centre.

    Shapes:
        each ``(kernel_size, kernel_size)``.
    """
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f"kernel_size must be a positive odd int, got {kernel_size}.")
    c = kernel_size // 2
    masks = {
        name: torch.zeros(kernel_size, kernel_size)
        for name in ("vertical_first", "vertical", "horizontal_first", "horizontal")
    }
    masks["vertical_first"][:c, :] = 1.0
    masks["vertical"][: c + 1, :] = 1.0
    masks["horizontal_first"][c, :c] = 1.0
    masks["horizontal"][c, : c + 1] = 1.0
    return masks


def _gate(X: torch.Tensor) -> torch.Tensor:
    a, b = X.chunk(2, dim=1)
    return torch.tanh(a) * torch.sigmoid(b)


class GatedPixelCNN(nn.Module):
    """Gated PixelCNN without blind spot: a vertical stack sees every row above, a horizontal
    stack the current row to the left, joined by 1×1 connections and gated units
    :math:`\\tanh(W_f * x) \\odot \\sigma(W_g * x)`.

    Paper: van den Oord et al. (2016), Conditional Image Generation with PixelCNN Decoders
    (without the class conditioning). Small version for binary images.

    ``context`` has the same meaning as for :class:`PixelCNN`: rows above and columns either
    side that the logit of a pixel can depend on.

    Args:
        channels: Feature maps of both stacks.
        num_layers: Gated layers after the first.
        first_kernel: Kernel size of the first layer.
        kernel_size: Kernel size of the later layers.
        dilations: Dilation of each later layer (``None``: all 1).

    Shapes:
        input ``(B, 1, H, W)`` in {0, 1} → logits ``(B, 1, H, W)``.
    """

    def __init__(
        self,
        channels: int = 32,
        num_layers: int = 4,
        first_kernel: int = 7,
        kernel_size: int = 3,
        dilations: Sequence[int] | None = None,
    ):
        super().__init__()
        if channels < 1 or num_layers < 0:
            raise ValueError(
                f"need channels >= 1 and num_layers >= 0, got {channels}, {num_layers}."
            )
        dilations = _layer_dilations(num_layers, dilations)
        first, later = stack_masks(first_kernel), stack_masks(kernel_size)
        self.context = _reach(first_kernel, kernel_size, dilations)
        self.v_first = _FixedMaskConv2d(1, 2 * channels, first["vertical_first"])
        self.h_first = _FixedMaskConv2d(1, 2 * channels, first["horizontal_first"])
        self.link_first = nn.Conv2d(2 * channels, 2 * channels, 1)
        self.v_convs = nn.ModuleList(
            [_FixedMaskConv2d(channels, 2 * channels, later["vertical"], d) for d in dilations]
        )
        self.h_convs = nn.ModuleList(
            [_FixedMaskConv2d(channels, 2 * channels, later["horizontal"], d) for d in dilations]
        )
        self.links = nn.ModuleList(
            [nn.Conv2d(2 * channels, 2 * channels, 1) for _ in range(num_layers)]
        )
        self.h_outs = nn.ModuleList([nn.Conv2d(channels, channels, 1) for _ in range(num_layers)])
        self.head = nn.Sequential(
            nn.ReLU(), nn.Conv2d(channels, channels, 1), nn.ReLU(), nn.Conv2d(channels, 1, 1)
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        _check_binary_images(X)
        X = 2.0 * X - 1.0
        v_pre = self.v_first(X)
        v = _gate(v_pre)
        h = _gate(self.h_first(X) + self.link_first(v_pre))
        for v_conv, h_conv, link, h_out in zip(
            self.v_convs, self.h_convs, self.links, self.h_outs, strict=True
        ):
            v_pre = v_conv(v)
            h = h + h_out(_gate(h_conv(h) + link(v_pre)))
            v = _gate(v_pre)
        return self.head(h)
