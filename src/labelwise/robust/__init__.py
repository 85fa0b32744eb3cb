"""Training with noisy labels: :class:`CleanClassifier` (confident learning, then refit) and
:class:`CleanMultilabelClassifier` (the same per tag, for noisy tag sets)."""

from ._clean import ACTIONS, CleanClassifier
from .multilabel import MULTILABEL_ACTIONS, CleanMultilabelClassifier

__all__ = ["ACTIONS", "MULTILABEL_ACTIONS", "CleanClassifier", "CleanMultilabelClassifier"]
