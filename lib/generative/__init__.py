"""Chapter 2, generative models: density estimation, PixelCNN, GANs and their evaluation.

Modules:
    :mod:`lib.generative.density`: k-means, PCA and kernel density estimates, from scratch.
    :mod:`lib.generative.pixelcnn`: masked convolutions, a small PixelCNN and a gated PixelCNN
        (van den Oord et al. 2016).
    :mod:`lib.generative.gan`: GAN losses (saturating, non-saturating, WGAN, WGAN-GP, LSGAN) and
        the ring-of-Gaussians toy with its modes-covered metric.
    :mod:`lib.generative.saturation`: the saturating generator loss against a frozen, confident
        discriminator, with SGD and with Adam.
    :mod:`lib.generative.dcgan`: a DCGAN generator and discriminator for 28×28 images
        (Radford et al. 2016) and its training loop.
    :mod:`lib.generative.flow_matching`: the straight-line noising process, the velocity loss and
        the Euler sampler of flow matching (Lipman et al. 2023, Liu et al. 2023), and the DDPM
        schedule (Ho et al. 2020) as the same process.
    :mod:`lib.generative.unet`: a small time-conditioned U-Net for 28×28 images.
    :mod:`lib.generative.flow_training`: its training loop, sampler and train-or-load cache.
    :mod:`lib.generative.metrics`: the Fréchet distance (Heusel et al. 2017) in the feature space
        of the book's own classifier.
    :mod:`lib.generative.plotting`: the chapter's figures.
"""
