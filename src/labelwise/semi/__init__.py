"""Pseudo-labelling: :class:`SelfTrainer` and its selection rules.

See :class:`SelfTrainer` for the rules (fixed threshold, k-best, class-balanced top-k,
curriculum, FlexMatch- or FreeMatch-style adaptive thresholds, LLKD teacher/student) and their references.
"""

from ._selection import (
    FreeMatchThresholds,
    LLKDThresholds,
    curriculum_threshold,
    flexmatch_thresholds,
    freematch_thresholds,
    llkd_thresholds,
    normalized_entropy,
    select_class_balanced,
    select_k_best,
    select_threshold,
)
from ._self_trainer import SELECTIONS, SafeguardResult, SelfTrainer

__all__ = [
    "SELECTIONS",
    "FreeMatchThresholds",
    "LLKDThresholds",
    "SafeguardResult",
    "SelfTrainer",
    "curriculum_threshold",
    "flexmatch_thresholds",
    "freematch_thresholds",
    "llkd_thresholds",
    "normalized_entropy",
    "select_class_balanced",
    "select_k_best",
    "select_threshold",
]
