"""The part on training and understanding networks (the cs231n topics of the deck's first slide):
data augmentation, hyper-parameter search, attribution and adversarial examples, attention.

Modules, in page order:
    :mod:`lib.understanding.augmentation`: batched flips, shifts and random erasing with
        per-image parameters.
    :mod:`lib.understanding.mixing`: mixup and CutMix for a batch, given lambda (and the box).
    :mod:`lib.understanding.augmented_training`: the augmentation page's cached SmallCNN runs
        (with and without augmentation, mixup, CutMix) and its MNIST digit classifier.
    :mod:`lib.understanding.table`: the cached table of MLP training runs over learning rate and
        weight decay that the tuning page's searches replay.
    :mod:`lib.understanding.babysitting`: the update-to-weight ratio of the first steps, and a
        learning-rate schedule with linear warm-up and cosine decay.
    :mod:`lib.understanding.search`: grid and random search, successive halving, Hyperband,
        regret.
    :mod:`lib.understanding.tuning`: Optuna objectives on the table and on the live model.
    :mod:`lib.understanding.lr_range`: the learning-rate range test.
    :mod:`lib.understanding.distributed_study`: a worker of a study shared through Optuna's
        journal storage.
    :mod:`lib.understanding.attribution`: saliency, SmoothGrad, integrated gradients, occlusion,
        Grad-CAM, guided backpropagation.
    :mod:`lib.understanding.faithfulness`: deletion curves and the weight-randomisation check.
    :mod:`lib.understanding.adversarial`: FGSM and PGD.
    :mod:`lib.understanding.attention`: scaled dot-product and multi-head attention, masks,
        positional encodings, a transformer encoder block.
    :mod:`lib.understanding.reversal`: the sequence-reversal task and its transformer (which
        also runs causally masked).
    :mod:`lib.understanding.next_token`: next-token prediction with a causal transformer, on
        sequences whose second half repeats the first.
    :mod:`lib.understanding.retrieval`: key-value retrieval by cross-attention, its data and
        model.
    :mod:`lib.understanding.spatial_attention`: attention pooling over a CNN's grid of features,
        on garments placed at random in a blank canvas.
    :mod:`lib.understanding.vit`: a small Vision Transformer and patch shuffling.
    :mod:`lib.understanding.vit_vs_cnn`: the ViT and the CNN trained at equal steps, cached.
    :mod:`lib.understanding.plotting`: the part's figures.
"""
