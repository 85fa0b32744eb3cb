"""Label-noise generators: noise matrices (symmetric, pair, random) and label flipping.

``noise_matrix[i, j] = P(given = i | true = j)`` throughout (columns sum to one), the convention
of :func:`labelwise.find_label_issues`.

>>> import numpy as np, labelwise as lw
>>> m = lw.noise.noise_matrix(3, 0.2, kind="symmetric")
>>> noisy = lw.noise.flip_labels(np.repeat([0, 1, 2], 20), m, random_state=0)
>>> noisy.n_flipped
12
"""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the re-exports: read by mypy and the docs, imported on first use at run time
    from ._flip import FlippedLabels, flip_counts, flip_labels, instance_dependent_flips
    from ._matrix import KINDS, check_noise_matrix, noise_matrix
    from .detection import NoisyBoxes, corrupt_boxes
    from .multilabel import NoisyTags, flip_tags
    from .regression import OUTLIER_KINDS, NoisyTargets, corrupt_targets
    from .segmentation import MASK_NOISE_KINDS, NoisyMasks, corrupt_masks, kms_field
    from .token import NoisyTokenTags, flip_token_tags

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)

__all__ = [
    "KINDS",
    "MASK_NOISE_KINDS",
    "OUTLIER_KINDS",
    "FlippedLabels",
    "NoisyBoxes",
    "NoisyMasks",
    "NoisyTags",
    "NoisyTargets",
    "NoisyTokenTags",
    "check_noise_matrix",
    "corrupt_boxes",
    "corrupt_masks",
    "corrupt_targets",
    "flip_counts",
    "flip_labels",
    "flip_tags",
    "flip_token_tags",
    "instance_dependent_flips",
    "kms_field",
    "noise_matrix",
]
