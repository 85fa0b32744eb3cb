"""Training with noisy labels: :class:`CleanClassifier` (confident learning, then refit),
:class:`ImportanceReweighting` and :class:`ForwardCorrection` (loss correction with a noise
transition matrix, :func:`estimate_transition`), :class:`CrowdClassifier` (a classifier learned
from several annotators' answers, Raykar et al. 2010) and :class:`CleanMultilabelClassifier`
(confident learning per tag, for noisy tag sets)."""

from ._clean import ACTIONS, CleanClassifier
from .crowd_classifier import CrowdClassifier
from .forward import CORRECTIONS, ForwardCorrection
from .multilabel import MULTILABEL_ACTIONS, CleanMultilabelClassifier
from .reweighting import ImportanceReweighting
from .transition import TRANSITION_METHODS, estimate_transition

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
