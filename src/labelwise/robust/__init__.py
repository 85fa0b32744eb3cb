"""Training with noisy labels: :class:`CleanClassifier` (confident learning, then refit),
:class:`ImportanceReweighting` and :class:`ForwardCorrection` (loss correction with a noise
transition matrix, :func:`estimate_transition`)."""

from ._clean import ACTIONS, CleanClassifier
from .forward import CORRECTIONS, ForwardCorrection
from .reweighting import ImportanceReweighting
from .transition import TRANSITION_METHODS, estimate_transition

__all__ = [
    "ACTIONS",
    "CORRECTIONS",
    "TRANSITION_METHODS",
    "CleanClassifier",
    "ForwardCorrection",
    "ImportanceReweighting",
    "estimate_transition",
]
