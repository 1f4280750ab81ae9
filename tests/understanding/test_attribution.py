"""Our attribution maps against Captum's on a small untrained SmallCNN (same inputs, same noise)."""

import pytest
import torch
from captum.attr import (
    GuidedBackprop,
    IntegratedGradients,
    LayerAttribution,
    LayerGradCam,
    NoiseTunnel,
    Occlusion,
    Saliency,
)

from lib.models import SmallCNN
from lib.understanding import attribution


@pytest.fixture(scope="module")
def model() -> SmallCNN:
    torch.manual_seed(0)
    return SmallCNN(channels=(4, 8), hidden=16).double().eval()


@pytest.fixture(scope="module")
def X() -> torch.Tensor:
    return torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(1), dtype=torch.float64)


TARGET = torch.tensor([0, 3, 7])


def close(ours: torch.Tensor, theirs: torch.Tensor, atol: float = 1e-10) -> None:
    assert ours.shape == theirs.shape
    assert (ours - theirs).abs().max().item() < atol, (ours - theirs).abs().max()


@pytest.mark.parametrize("absolute", [True, False])
def test_saliency_matches_captum(model, X, absolute):
    theirs = Saliency(model).attribute(X, target=TARGET, abs=absolute)
    close(attribution.saliency(model, X, TARGET, absolute=absolute), theirs)


def test_smoothgrad_matches_captum_noise_tunnel_on_the_same_noise(model, X):
    n, sigma = 5, 0.2
    torch.manual_seed(7)
    theirs = NoiseTunnel(Saliency(model)).attribute(
        X, nt_type="smoothgrad", nt_samples=n, stdevs=sigma, target=TARGET, abs=False
    )
    torch.manual_seed(7)  # Captum draws torch.normal over the batch repeated image by image
    noise = torch.normal(0, torch.full((3 * n, 1, 28, 28), sigma)).double()  # float32, as Captum
    ours = attribution.smoothgrad(
        model, X, TARGET, num_samples=n, noise=noise.view(3, n, 1, 28, 28)
    )
    close(ours, theirs)


def test_smoothgrad_with_zero_noise_is_the_gradient(model, X):
    ours = attribution.smoothgrad(model, X, TARGET, num_samples=3, sigma=0.0)
    close(ours, attribution.saliency(model, X, TARGET, absolute=False))


@pytest.mark.parametrize("method", attribution.RIEMANN_METHODS)
def test_integrated_gradients_matches_captum(model, X, method):
    n = 16
    theirs = IntegratedGradients(model).attribute(
        X, baselines=0.0, target=TARGET, n_steps=n, method=method
    )
    ours = attribution.integrated_gradients(
        model, X, TARGET, num_steps=n, method=method, internal_batch_size=5
    )
    if method == "riemann_trapezoid":  # Captum's trapezoid weights sum to (n - 1) / n, not 1
        ours = ours * (n - 1) / n
    close(ours, theirs, 1e-8)  # Captum's path points come from a float32 linspace


class Quadratic(torch.nn.Module):
    """``f_c(x) = sum_i a_ci x_i^2 + b_ci x_i``: a gradient linear along any straight path."""

    def __init__(self, classes: int = 3, features: int = 2 * 4 * 5) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(3)
        self.a = torch.randn(classes, features, generator=generator, dtype=torch.float64)
        self.b = torch.randn(classes, features, generator=generator, dtype=torch.float64)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        x = X.flatten(1)
        return x.pow(2) @ self.a.T + x @ self.b.T


@pytest.mark.parametrize("method", ["riemann_trapezoid", "riemann_middle"])
@pytest.mark.parametrize("num_steps", [2, 3, 16])
def test_integrated_gradients_is_exact_for_a_quadratic(method, num_steps):
    # The integrand is linear in alpha, so the trapezoid and midpoint rules are exact:
    # IG_i = (x_i - x'_i) * (a_ci (x_i + x'_i) + b_ci) and the sum is f_c(x) - f_c(x').
    f = Quadratic()
    generator = torch.Generator().manual_seed(4)
    X = torch.randn(3, 2, 4, 5, generator=generator, dtype=torch.float64)
    baseline = torch.randn(3, 2, 4, 5, generator=generator, dtype=torch.float64)
    target = torch.tensor([0, 2, 1])
    ig = attribution.integrated_gradients(
        f, X, target, baseline=baseline, num_steps=num_steps, method=method
    )
    x, x0 = X.flatten(1), baseline.flatten(1)
    expected = (x - x0) * (f.a[target] * (x + x0) + f.b[target])
    close(ig.flatten(1), expected, 1e-12)
    gap = attribution.class_scores(f, X, target) - attribution.class_scores(f, baseline, target)
    close(ig.sum(dim=(1, 2, 3)), gap, 1e-12)


def test_path_gradient_sum_is_the_weighted_gradient_along_the_path():
    # For the quadratic, d f_c / d x at x' + a (x - x') is 2 a_c (x' + a (x - x')) + b_c.
    f = Quadratic()
    generator = torch.Generator().manual_seed(5)
    X = torch.randn(2, 2, 4, 5, generator=generator, dtype=torch.float64)
    baseline = torch.randn(2, 2, 4, 5, generator=generator, dtype=torch.float64)
    target = torch.tensor([1, 2])
    alphas = torch.tensor([0.0, 0.3, 1.0], dtype=torch.float64)
    weights = torch.tensor([0.2, 0.5, 0.3], dtype=torch.float64)
    ours = attribution.path_gradient_sum(f, X, target, baseline, alphas, weights)
    x, x0 = X.flatten(1), baseline.flatten(1)
    expected = sum(
        w * (2 * f.a[target] * (x0 + a * (x - x0)) + f.b[target])
        for a, w in zip(alphas, weights, strict=True)
    )
    close(ours.flatten(1), expected, 1e-12)


def test_integrated_gradients_in_chunks_of_path_points_is_the_same(model, X):
    whole = attribution.integrated_gradients(model, X, TARGET, num_steps=10)
    chunked = attribution.integrated_gradients(
        model, X, TARGET, num_steps=10, internal_batch_size=3
    )
    close(chunked, whole, 1e-12)


def test_integrated_gradients_is_complete_up_to_quadrature_error(model, X):
    baseline = torch.full_like(X, 0.5)
    ig = attribution.integrated_gradients(model, X, TARGET, baseline=baseline, num_steps=300)
    scores = attribution.class_scores(model, X, TARGET) - attribution.class_scores(
        model, baseline, TARGET
    )
    assert torch.allclose(ig.sum(dim=(1, 2, 3)), scores.detach(), atol=1e-3)


@pytest.mark.parametrize(("window", "stride"), [(4, 2), (5, 3), (28, 1)])
def test_occlusion_matches_captum(model, X, window, stride):
    theirs = Occlusion(model).attribute(
        X,
        sliding_window_shapes=(1, window, window),
        strides=(1, stride, stride),
        target=TARGET,
        perturbations_per_eval=64,
    )  # Captum returns float32 maps
    close(attribution.occlusion(model, X, TARGET, window=window, stride=stride), theirs, 1e-6)


@pytest.mark.parametrize("upsample", [False, True])
def test_grad_cam_matches_captum_layer_grad_cam(model, X, upsample):
    layer = model.body[5]
    theirs = LayerGradCam(model, layer).attribute(X, target=TARGET, relu_attributions=True)
    if upsample:
        theirs = LayerAttribution.interpolate(theirs, (28, 28), interpolate_mode="bilinear")
    close(attribution.grad_cam(model, X, TARGET, layer, upsample=upsample), theirs.detach())


def test_maps_of_a_frozen_model_under_no_grad(X):
    torch.manual_seed(0)
    frozen = SmallCNN(channels=(4, 8), hidden=16).double().eval().requires_grad_(False)
    with torch.no_grad():
        cam = attribution.grad_cam(frozen, X, TARGET, frozen.body[5])
        grad = attribution.saliency(frozen, X, TARGET)
    assert cam.shape == (3, 1, 28, 28) and grad.shape == X.shape


def test_guided_backprop_matches_captum_and_removes_its_hooks(model, X):
    theirs = GuidedBackprop(model).attribute(X, target=TARGET)
    close(attribution.guided_backprop(model, X, TARGET), theirs)
    close(  # hooks are gone: the plain gradient again
        attribution.saliency(model, X, TARGET, absolute=False),
        Saliency(model).attribute(X, target=TARGET, abs=False),
    )


def test_an_int_target_explains_that_class_for_every_image(model, X):
    close(attribution.saliency(model, X, 3), attribution.saliency(model, X, torch.full((3,), 3)))


def test_bad_inputs_say_what_to_pass(model, X):
    with pytest.raises(ValueError, match="X.unsqueeze"):
        attribution.saliency(model, X[0], 0)
    with pytest.raises(ValueError, match="one integer class per image"):
        attribution.saliency(model, X, torch.tensor([0, 1]))
    with pytest.raises(TypeError, match="int or a"):
        attribution.saliency(model, X, 1.5)
    with pytest.raises(ValueError, match="method must be one of"):
        attribution.integrated_gradients(model, X, 0, method="gausslegendre")
    with pytest.raises(ValueError, match="noise must have shape"):
        attribution.smoothgrad(model, X, 0, num_samples=2, noise=torch.zeros(3, 1, 28, 28))
    with pytest.raises(ValueError, match="window"):
        attribution.occlusion(model, X, 0, window=29)
    with pytest.raises(ValueError, match="convolutional block"):
        attribution.grad_cam(model, X, 0, model.head[1])
