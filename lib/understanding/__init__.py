"""The part on training and understanding networks (the cs231n topics of the deck's first slide):
data augmentation, hyper-parameter search, attribution and adversarial examples, attention.

Modules:
    :mod:`lib.understanding.augmentation`: batched flips, shifts and random erasing with
        per-image parameters.
    :mod:`lib.understanding.augmented_training`: the augmentation page's cached SmallCNN runs
        (with and without augmentation, mixup, CutMix) and its MNIST digit classifier.
    :mod:`lib.understanding.plotting`: the part's figures.
    :mod:`lib.understanding.benchmarks`: ``make bench`` entries of the part.
"""
