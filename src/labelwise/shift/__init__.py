"""Label shift: estimate new class priors and adapt a classifier; measure label-set familiarity.

- :func:`estimate_priors`: BBSE, RLLS and MLLS (EM with bias-corrected calibration), a registry
  of methods in :data:`~labelwise.shift.priors.METHODS`; bootstrap intervals.
- :class:`PriorShiftAdjuster`: wraps a fitted classifier, predicts under the estimated priors.
- :func:`familiarity`: semantic closeness of evaluation labels to the training labels.
"""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the re-exports: read by mypy and the docs, imported on first use at run time
    from ._common import SingularConfusionError
    from .adjuster import PriorShiftAdjuster
    from .familiarity import Familiarity, familiarity, tfidf_embed
    from .priors import METHODS, PriorShiftEstimate, estimate_priors

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)

__all__ = [
    "METHODS",
    "Familiarity",
    "PriorShiftAdjuster",
    "PriorShiftEstimate",
    "SingularConfusionError",
    "estimate_priors",
    "familiarity",
    "tfidf_embed",
]
