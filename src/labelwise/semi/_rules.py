"""Pseudo-label selection rules of :class:`~labelwise.semi.SelfTrainer`, one small class per rule.

A rule is built once per fit from the trainer's settings (:class:`RuleSettings`), keeps its own
state between rounds (moving averages, for example) and has one method, :meth:`Rule.select`, that
receives what the current round measured on the unlabeled pool (:class:`RoundInput`) and returns
what to admit, with weights and thresholds (:class:`Selection`). The trainer's ``fit`` is only the
loop around it.

Adding a rule = one subclass of :class:`IncrementalRule` (adds to a growing pseudo-labelled set)
or :class:`ReselectingRule` (chooses the whole set afresh each round) with its ``key``, plus one
entry in :data:`RULES`. The key is the ``selection`` string, or for ``selection="adaptive"`` the
``adaptive_thresholds`` string.

The rules themselves are the vectorised functions of :mod:`labelwise.semi._selection`; see there
and :class:`~labelwise.semi.SelfTrainer` for the references.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..audit.scores import normalized_entropy
from ._selection import (
    FreeMatchThresholds,
    LLKDThresholds,
    curriculum_threshold,
    flexmatch_thresholds,
    freematch_thresholds,
    llkd_thresholds,
    select_class_balanced,
    select_k_best,
    select_threshold,
    softmatch_weights,
)

__all__ = [
    "ADAPTIVE_THRESHOLDS",
    "RULES",
    "SELECTIONS",
    "IncrementalRule",
    "ReselectingRule",
    "RoundInput",
    "Rule",
    "RuleSettings",
    "Selection",
    "rule_key",
]


@dataclass(frozen=True)
class RuleSettings:
    """The trainer's checked parameters that rules read, fixed for one fit."""

    n_classes: int
    prior: np.ndarray
    threshold: float = 0.75
    k_best: int = 10
    step: float = 20.0
    warmup: bool = True
    mapping: str = "convex"
    prior_correction: bool = False
    momentum: float = 0.5
    recheck: bool = False
    base_weight: float = 1.0


@dataclass(frozen=True)
class RoundInput:
    """What one round measured on the unlabeled pool (arrays have one entry per pool example).

    Attributes
    ----------
    round : int
        The round number, from 1.
    proba : ndarray of shape (N, K)
        The student's predicted probabilities.
    teacher_proba : ndarray of shape (N, K) or None
        The teacher's, when there is a teacher.
    pred, conf : ndarray of shape (N,)
        The pseudo-label source's predicted class and confidence (the teacher's when there is one).
    codes, confidence : ndarray of shape (N,)
        The current pseudo-labels (``-1`` = none) and their confidences.
    weighted : bool
        Whether the fit uses sample weights (the student accepts ``sample_weight``).
    """

    round: int
    proba: np.ndarray
    teacher_proba: np.ndarray | None
    pred: np.ndarray
    conf: np.ndarray
    codes: np.ndarray
    confidence: np.ndarray
    weighted: bool

    @property
    def source_proba(self) -> np.ndarray:
        """The probabilities pseudo-labels come from: the teacher's when there is one, else the student's."""
        return self.proba if self.teacher_proba is None else self.teacher_proba


@dataclass(frozen=True)
class Selection:
    """A rule's answer for one round.

    Attributes
    ----------
    codes, confidence : ndarray of shape (N,)
        The pool's pseudo-labels after the round (``-1`` = none) and their confidences (NaN = none).
    thresholds : object
        Per-class thresholds (or the rule's cut-off) for the trainer's ``history_``; ``None`` if none.
    weights : ndarray of shape (N,) or None
        New sample weights of the pool examples; ``None`` keeps the current ones.
    soft : bool
        The weights are part of what is selected (a change of weight alone is a change).
    """

    codes: np.ndarray
    confidence: np.ndarray
    thresholds: Any = None
    weights: np.ndarray | None = None
    soft: bool = False


class Rule:
    """A pseudo-label selection rule: its settings, its state across rounds, one ``select``."""

    #: The ``selection`` string (or ``adaptive_thresholds`` string for ``selection="adaptive"``).
    key: ClassVar[str]
    #: The ``selection`` string that picks this rule.
    selection: ClassVar[str]
    #: True: adds to a growing pseudo-labelled set; False: chooses the set afresh every round.
    incremental: ClassVar[bool]
    #: The rule weights each pseudo-label itself (needs an estimator accepting ``sample_weight``).
    needs_weights: ClassVar[bool] = False

    def __init__(self, settings: RuleSettings) -> None:
        self.settings = settings

    def select(self, round_input: RoundInput) -> Selection:
        """What to admit after this round."""
        raise NotImplementedError

    def exhausted(self, round_: int) -> bool:
        """Whether the rule has nothing left to admit after round ``round_``."""
        return False


class IncrementalRule(Rule):
    """A rule that admits some of the not-yet-labelled candidates each round.

    With ``recheck`` the pseudo-labels the student no longer predicts are dropped first.
    Subclasses implement :meth:`choose` on the candidates.
    """

    incremental = True

    def choose(self, conf: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, Any]:
        """Mask of the candidates to admit, and the thresholds to record."""
        raise NotImplementedError

    def select(self, round_input: RoundInput) -> Selection:
        codes = round_input.codes.copy()
        confidence = round_input.confidence.copy()
        pseudo = round_input.codes >= 0
        if self.settings.recheck:
            flipped = pseudo & (round_input.proba.argmax(axis=1) != round_input.codes)
            codes[flipped] = -1
            confidence[flipped] = np.nan
        candidates = np.flatnonzero(~pseudo)
        thresholds = None
        if candidates.size:
            chosen, thresholds = self.choose(round_input.conf[candidates], round_input.pred[candidates])
            admitted = candidates[chosen]
            codes[admitted] = round_input.pred[admitted]
            confidence[admitted] = round_input.conf[admitted]
        return Selection(codes, confidence, thresholds)


class ThresholdRule(IncrementalRule):
    """Every candidate whose confidence exceeds ``threshold`` (:func:`~labelwise.semi.select_threshold`)."""

    key = selection = "threshold"

    def choose(self, conf: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, Any]:
        return select_threshold(conf, self.settings.threshold), self.settings.threshold


class KBestRule(IncrementalRule):
    """The ``k_best`` most confident candidates (:func:`~labelwise.semi.select_k_best`)."""

    key = selection = "k_best"

    def choose(self, conf: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, Any]:
        return select_k_best(conf, self.settings.k_best), None


class ClassBalancedRule(IncrementalRule):
    """The ``k_best // K`` most confident candidates per predicted class
    (:func:`~labelwise.semi.select_class_balanced`)."""

    key = selection = "class_balanced"

    def choose(self, conf: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, Any]:
        return select_class_balanced(conf, pred, self.settings.n_classes, self.settings.k_best), None


class ReselectingRule(Rule):
    """A rule that chooses the whole pseudo-labelled set afresh every round.

    Subclasses implement :meth:`choose` on the whole pool; the chosen examples get the source's
    predicted class and confidence, the others none.
    """

    incremental = False

    def choose(self, round_input: RoundInput) -> tuple[np.ndarray, Any, np.ndarray | None]:
        """Mask of the pool to pseudo-label, the thresholds to record, and new pool weights (or None)."""
        raise NotImplementedError

    def select(self, round_input: RoundInput) -> Selection:
        chosen, thresholds, weights = self.choose(round_input)
        codes = np.where(chosen, round_input.pred, -1)
        confidence = np.where(chosen, round_input.conf, np.nan)
        return Selection(codes, confidence, thresholds, weights, soft=self.needs_weights)


class CurriculumRule(ReselectingRule):
    """Curriculum Labeling: the top ``round * step`` percent of the pool
    (:func:`~labelwise.semi.curriculum_threshold`)."""

    key = selection = "curriculum"

    def choose(self, round_input: RoundInput) -> tuple[np.ndarray, Any, np.ndarray | None]:
        cut = curriculum_threshold(round_input.conf, round_input.round, self.settings.step)
        return round_input.conf >= cut, cut, None

    def exhausted(self, round_: int) -> bool:
        return round_ * self.settings.step >= 100


class FlexMatchRule(ReselectingRule):
    """FlexMatch's per-class flexible thresholds (:func:`~labelwise.semi.flexmatch_thresholds`)."""

    key = "flexmatch"
    selection = "adaptive"

    def choose(self, round_input: RoundInput) -> tuple[np.ndarray, Any, np.ndarray | None]:
        s = self.settings
        per_class = flexmatch_thresholds(
            round_input.conf,
            round_input.pred,
            s.n_classes,
            threshold=s.threshold,
            warmup=s.warmup,
            mapping=s.mapping,
            class_prior=s.prior if s.prior_correction else None,
        )
        return round_input.conf > per_class[round_input.pred], per_class.round(4).tolist(), None


class FreeMatchRule(ReselectingRule):
    """FreeMatch's self-adaptive thresholds, moving averages kept across rounds
    (:func:`~labelwise.semi.freematch_thresholds`)."""

    key = "freematch"
    selection = "adaptive"

    def __init__(self, settings: RuleSettings) -> None:
        super().__init__(settings)
        self.state: FreeMatchThresholds | None = None

    def choose(self, round_input: RoundInput) -> tuple[np.ndarray, Any, np.ndarray | None]:
        self.state = freematch_thresholds(
            round_input.source_proba, previous=self.state, momentum=self.settings.momentum
        )
        per_class = self.state.thresholds
        return round_input.conf > per_class[round_input.pred], per_class.round(4).tolist(), None


class SoftMatchRule(ReselectingRule):
    """SoftMatch's truncated-Gaussian weights on every pool example (:func:`~labelwise.semi.softmatch_weights`)."""

    key = "softmatch"
    selection = "adaptive"
    needs_weights = True

    def choose(self, round_input: RoundInput) -> tuple[np.ndarray, Any, np.ndarray | None]:
        s = self.settings
        soft = softmatch_weights(round_input.source_proba, target=s.prior if s.prior_correction else None)
        thresholds = {"mean": round(soft.mean, 4), "std": round(float(np.sqrt(soft.variance)), 4)}
        return soft.weights > 0, thresholds, s.base_weight * soft.weights


class LLKDRule(ReselectingRule):
    """LLKD's teacher-confidence and student-uncertainty thresholds (:func:`~labelwise.semi.llkd_thresholds`).

    Admitted examples are weighted by ``confidence * uncertainty`` (relative to its mean over the
    admitted ones) when the student accepts ``sample_weight``.
    """

    key = selection = "llkd"

    def __init__(self, settings: RuleSettings) -> None:
        super().__init__(settings)
        self.teacher_state: LLKDThresholds | None = None
        self.student_state: LLKDThresholds | None = None

    def choose(self, round_input: RoundInput) -> tuple[np.ndarray, Any, np.ndarray | None]:
        s = self.settings
        conf, pred = round_input.conf, round_input.pred
        uncertainty = normalized_entropy(round_input.proba)
        self.teacher_state = llkd_thresholds(conf, pred, s.n_classes, previous=self.teacher_state, momentum=s.momentum)
        self.student_state = llkd_thresholds(
            uncertainty, pred, s.n_classes, previous=self.student_state, momentum=s.momentum
        )
        chosen = (conf >= self.teacher_state.thresholds[pred]) & (uncertainty >= self.student_state.thresholds[pred])
        thresholds = {
            "teacher_confidence": self.teacher_state.thresholds.round(4).tolist(),
            "student_uncertainty": self.student_state.thresholds.round(4).tolist(),
        }
        weights = None
        if round_input.weighted:
            score = conf * uncertainty
            w = np.ones(conf.size)
            if chosen.any():
                mean = score[chosen].mean()
                w[chosen] = score[chosen] / mean if mean > 0 else 1.0
            weights = s.base_weight * w
        return chosen, thresholds, weights


#: Every rule, keyed by its ``selection`` string or, for ``selection="adaptive"``, its
#: ``adaptive_thresholds`` string. Incremental rules first, then the re-selecting ones.
RULES: dict[str, type[Rule]] = {
    rule.key: rule
    for rule in (
        ThresholdRule,
        KBestRule,
        ClassBalancedRule,
        CurriculumRule,
        FlexMatchRule,
        FreeMatchRule,
        SoftMatchRule,
        LLKDRule,
    )
}
#: The ``selection`` values, in the order of :data:`RULES`.
SELECTIONS: tuple[str, ...] = tuple(dict.fromkeys(rule.selection for rule in RULES.values()))
#: The ``adaptive_thresholds`` values of ``selection="adaptive"``.
ADAPTIVE_THRESHOLDS: tuple[str, ...] = tuple(key for key, rule in RULES.items() if rule.selection == "adaptive")


def rule_key(selection: str, adaptive_thresholds: str) -> str:
    """The :data:`RULES` key of a ``selection`` / ``adaptive_thresholds`` pair."""
    return adaptive_thresholds if selection == "adaptive" else selection
