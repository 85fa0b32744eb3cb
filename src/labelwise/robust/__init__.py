"""Training with noisy labels: :class:`CleanClassifier` (confident learning, then refit),
:class:`ImportanceReweighting` and :class:`ForwardCorrection` (loss correction with a noise
transition matrix, :func:`estimate_transition`), :class:`CrowdClassifier` (a classifier learned
from several annotators' answers, Raykar et al. 2010) and :class:`CleanMultilabelClassifier`
(confident learning per tag, for noisy tag sets)."""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the re-exports: read by mypy and the docs, imported on first use at run time
    from ._clean import ACTIONS, CleanClassifier
    from .crowd_classifier import CrowdClassifier
    from .forward import CORRECTIONS, ForwardCorrection
    from .multilabel import MULTILABEL_ACTIONS, CleanMultilabelClassifier
    from .reweighting import ImportanceReweighting
    from .transition import TRANSITION_METHODS, estimate_transition

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)

__all__ = [
    "ACTIONS",
    "CORRECTIONS",
    "MULTILABEL_ACTIONS",
    "TRANSITION_METHODS",
    "CleanClassifier",
    "CleanMultilabelClassifier",
    "CrowdClassifier",
    "ForwardCorrection",
    "ImportanceReweighting",
    "estimate_transition",
]
