"""Pseudo-labelling: :class:`SelfTrainer` and its selection rules.

See :class:`SelfTrainer` for the rules (fixed threshold, k-best, class-balanced top-k,
curriculum, FlexMatch-style adaptive thresholds, LLKD teacher/student) and their references.
"""

from ._selection import (
    LLKDThresholds,
    curriculum_threshold,
    flexmatch_thresholds,
    llkd_thresholds,
    normalized_entropy,
    select_class_balanced,
    select_k_best,
    select_threshold,
)
from ._self_trainer import SELECTIONS, SafeguardResult, SelfTrainer

__all__ = [
    "SELECTIONS",
    "LLKDThresholds",
    "SafeguardResult",
    "SelfTrainer",
    "curriculum_threshold",
    "flexmatch_thresholds",
    "llkd_thresholds",
    "normalized_entropy",
    "select_class_balanced",
    "select_k_best",
    "select_threshold",
]
