"""Training with noisy labels: :class:`CleanClassifier` (confident learning, then refit)."""

from ._clean import ACTIONS, CleanClassifier

__all__ = ["ACTIONS", "CleanClassifier"]
