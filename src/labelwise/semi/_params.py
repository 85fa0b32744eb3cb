"""Checking a :class:`~labelwise.semi.SelfTrainer`'s parameters and its ``X``, ``y`` before fitting."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.utils.validation import _num_samples

from .._meta import base_estimator, encode_class_targets
from .._validate.arguments import check_choice, check_fraction, check_positive_int, check_random_state, show
from .._validate.estimators import check_estimator_method, check_meta_X, sample_weight_fit_params
from .._validate.labels import check_same_length
from ..errors import InvalidLabelsError, InvalidParameterError
from ._labels import split_unlabeled
from ._rules import ADAPTIVE_THRESHOLDS, RULES, SELECTIONS, rule_key

__all__ = ["check_params", "encode_target"]


def check_params(trainer: Any) -> dict:
    """Check a :class:`~labelwise.semi.SelfTrainer`'s parameters; return the checked values and its rule class."""
    selection = check_choice("selection", trainer.selection, SELECTIONS)
    default_tau = 0.95 if selection == "adaptive" else 0.75
    threshold = default_tau if trainer.threshold is None else check_fraction("threshold", trainer.threshold)
    k_best = check_positive_int("k_best", trainer.k_best)
    try:
        step = float(trainer.percentile_step)
    except (TypeError, ValueError):
        step = float("nan")
    if not 0 < step <= 100:
        raise InvalidParameterError(f"percentile_step must be in (0, 100], got {trainer.percentile_step!r}")
    check_choice("mapping", trainer.mapping, ("convex", "linear"))
    check_choice("adaptive_thresholds", trainer.adaptive_thresholds, ADAPTIVE_THRESHOLDS)
    check_fraction("momentum", trainer.momentum)
    if trainer.max_iter is not None:
        check_positive_int("max_iter", trainer.max_iter, minimum=0)
    unlabeled_weight = trainer.unlabeled_weight
    if unlabeled_weight is None:
        unlabeled_weight = 1.0 if selection == "adaptive" else None
    elif (
        isinstance(unlabeled_weight, bool)
        or not isinstance(unlabeled_weight, numbers.Real)
        or not (0 < float(unlabeled_weight) < np.inf)
    ):
        raise InvalidParameterError(f"unlabeled_weight must be a positive number or None, got {unlabeled_weight!r}")
    if trainer.safeguard is not None:
        check_choice("safeguard", trainer.safeguard, ("cv",))
    cv = check_positive_int("cv", trainer.cv, minimum=2)
    check_random_state(trainer.random_state)
    if selection == "llkd" and trainer.teacher is None:
        raise InvalidParameterError(
            "teacher must be an estimator when selection='llkd' (LLKD needs a separate teacher), got None"
        )
    estimator = base_estimator(trainer)
    check_estimator_method(estimator, "predict_proba", name="estimator")
    if trainer.teacher is not None:
        check_estimator_method(trainer.teacher, "predict_proba", name="teacher")
    if trainer.unlabeled_weight is not None:
        sample_weight_fit_params(estimator, np.ones(1), name="estimator (unlabeled_weight needs sample weights)")
    rule = RULES[rule_key(selection, trainer.adaptive_thresholds)]
    if rule.needs_weights:
        sample_weight_fit_params(
            estimator, np.ones(1), name=f"estimator (adaptive_thresholds={rule.key!r} weights each pseudo-label)"
        )
    return {
        "selection": selection,
        "rule": rule,
        "threshold": threshold,
        "k_best": k_best,
        "step": step,
        "estimator": estimator,
        "unlabeled_weight": unlabeled_weight,
        "cv": cv,
    }


def encode_target(trainer: Any, X: Any, y: Any) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    """Check ``X`` and ``y``; return ``X``, ``y`` as an array, the class codes (-1 = unlabeled), and
    the unlabeled mask. Sets ``classes_``."""
    if y is None:
        raise InvalidLabelsError(f"{type(trainer).__name__} requires y to be passed, but the target y is None")
    X = check_meta_X(trainer, X, reset=True)
    y_arr, unlabeled = split_unlabeled(y, trainer.unlabeled_value)
    check_same_length("X", range(_num_samples(X)), "y", y_arr)
    labeled_rows = np.flatnonzero(~unlabeled)
    if labeled_rows.size == 0:
        raise InvalidLabelsError(
            f"y must contain labeled examples, got none: all {y_arr.size} values are the unlabeled "
            f"marker (unlabeled_value={trainer.unlabeled_value!r}) or missing"
        )
    _, codes_given, classes = encode_class_targets(y_arr[labeled_rows])
    if len(classes) < 2:
        marker = trainer.unlabeled_value
        hint = ""
        if unlabeled.any() and marker is not None:
            hint = (
                f"; if {marker!r} is a real class (e.g. labels in {{-1, +1}}), it collides with the unlabeled "
                f"marker: mark unlabeled examples with another unlabeled_value (e.g. None)"
            )
        raise InvalidLabelsError(
            f"y must contain at least 2 classes among labeled examples, got 1 class ({show(classes[0])}){hint}"
        )
    trainer.classes_ = classes
    codes = np.full(y_arr.size, -1, dtype=np.int64)
    codes[labeled_rows] = codes_given
    return X, y_arr, codes, unlabeled
