"""Pseudo-labelling: :class:`SelfTrainer` and its selection rules.

See :class:`SelfTrainer` for the rules (fixed threshold, k-best, class-balanced top-k,
curriculum, FlexMatch-, FreeMatch- or SoftMatch-style adaptive thresholds, LLKD teacher/student)
and their references. Each rule is one class in ``labelwise.semi._rules`` listed in its ``RULES``
registry; the functions below are the rules themselves, public to apply one to probabilities you
already have. :func:`normalized_entropy` is :func:`labelwise.audit.scores.normalized_entropy`.
"""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the re-exports: read by mypy and the docs, imported on first use at run time
    from ..audit.scores import normalized_entropy
    from ._rules import ADAPTIVE_THRESHOLDS, RULES
    from ._selection import (
        FreeMatchThresholds,
        LLKDThresholds,
        SoftMatchWeights,
        curriculum_threshold,
        flexmatch_thresholds,
        freematch_thresholds,
        llkd_thresholds,
        select_class_balanced,
        select_k_best,
        select_threshold,
        softmatch_weights,
    )
    from ._self_trainer import SELECTIONS, SafeguardResult, SelfTrainer

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)

__all__ = [
    "ADAPTIVE_THRESHOLDS",
    "RULES",
    "SELECTIONS",
    "FreeMatchThresholds",
    "LLKDThresholds",
    "SafeguardResult",
    "SelfTrainer",
    "SoftMatchWeights",
    "curriculum_threshold",
    "flexmatch_thresholds",
    "freematch_thresholds",
    "llkd_thresholds",
    "normalized_entropy",
    "select_class_balanced",
    "select_k_best",
    "select_threshold",
    "softmatch_weights",
]
