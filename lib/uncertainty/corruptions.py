"""ImageNet-C style corruptions of Fashion-MNIST images (Hendrycks & Dietterich 2019).

They live in the core, :mod:`lib.corruptions` (the augmentation page uses them too), and are
re-exported here unchanged, so the chapter's pages import them from their own part.
"""

from lib.corruptions import CORRUPTIONS, SEVERITIES, corrupt, corruption_suite

__all__ = ["CORRUPTIONS", "SEVERITIES", "corrupt", "corruption_suite"]
