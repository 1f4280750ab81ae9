"""The saturating generator loss against a frozen, confident discriminator."""

from lib.generative.saturation import fool_a_frozen_discriminator


def test_a_frozen_confident_discriminator_stalls_only_the_saturating_loss_under_sgd():
    result = fool_a_frozen_discriminator(0, pretrain_steps=100, steps=50, batch_size=64)
    assert result.start < 0.05  # the discriminator rejects the untrained generator
    # the saturating loss's gradient vanishes where D(G(z)) is near 0 ...
    assert result.gradient_norm["saturating"] < 0.05 * result.gradient_norm["nonsaturating"]
    # ... so plain SGD barely moves the generator, while the non-saturating loss fools D
    assert result.fooled[("sgd", "saturating")] < 0.1
    assert result.fooled[("sgd", "nonsaturating")] > 0.5
    # Adam rescales the small gradient and escapes with either loss
    assert result.fooled[("adam", "saturating")] > 0.5
