"""The part on training and understanding networks (the cs231n topics of the deck's first slide):
data augmentation, hyper-parameter search, attribution and adversarial examples, attention.
"""
