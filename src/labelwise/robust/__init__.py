"""Training with noisy labels: :class:`CleanClassifier` (confident learning, then refit) and
:class:`CrowdClassifier` (a classifier learned from several annotators' answers, Raykar et al. 2010)."""

from ._clean import ACTIONS, CleanClassifier
from .crowd_classifier import CrowdClassifier

__all__ = ["ACTIONS", "CleanClassifier", "CrowdClassifier"]
