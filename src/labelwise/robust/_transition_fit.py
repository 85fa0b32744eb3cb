"""Shared steps of the loss-correction estimators: targets (also :class:`~labelwise.robust.CleanClassifier`'s
1-D check), out-of-fold probabilities, the transition."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import column_or_1d

from .._meta import checked_proba, encode_class_targets, fit_clone
from .._validate.arguments import check_fraction, check_positive_int, show
from .._validate.labels import check_rows_per_class_for_folds, label_values
from ..errors import InvalidLabelsError, InvalidParameterError
from ..noise._matrix import matrix_in_class_order
from .transition import TRANSITION_METHODS, check_transition, estimate_transition


def one_dim_targets(y: Any) -> np.ndarray:
    """``y`` (a Series, an Index or array-like) as a 1-D array; a column vector is raveled with
    scikit-learn's ``DataConversionWarning``, any other shape is an error. A pandas column is read by
    :func:`~labelwise._validate.labels.label_values`: an ``Int64`` / ``boolean`` column holding ``<NA>``
    keeps its values' type and ``<NA>`` (``to_numpy`` would give floats and ``nan``)."""
    arr = label_values(y) if isinstance(y, (pd.Series, pd.Index)) else np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = column_or_1d(arr, warn=True)
    if arr.ndim != 1:
        raise InvalidLabelsError(f"y must be one-dimensional (one label per example), got shape {arr.shape}")
    return arr


def class_targets(y: Any, *, owner: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes ``0..K-1`` and sorted classes of ``y`` (1-D, at least 2 classes) for the estimator ``owner``."""
    if y is None:
        raise InvalidLabelsError(f"{owner} requires y to be passed, but the target y is None")
    _, codes, classes = encode_class_targets(one_dim_targets(y))
    if len(classes) < 2:
        raise InvalidLabelsError(f"y must contain at least 2 classes, got 1 class ({show(classes[0])})")
    return codes, classes


def check_transition_param(transition: Any, percentile: Any, cv: Any) -> None:
    """Validate the ``transition`` / ``percentile`` / ``cv`` parameters before any fitting."""
    if isinstance(transition, str):
        if transition not in TRANSITION_METHODS:
            raise InvalidParameterError(
                f"transition must be one of {list(TRANSITION_METHODS)} or a (n_classes, n_classes) matrix, "
                f"got {transition!r}"
            )
        check_positive_int("cv", cv, minimum=2)
    elif transition is None:
        raise InvalidParameterError(
            f"transition must be one of {list(TRANSITION_METHODS)} or a (n_classes, n_classes) matrix, got None"
        )
    check_fraction("percentile", percentile, low=0.0, high=100.0, closed_low=False, closed_high=True)


def out_of_fold(
    template: Any, X: Any, codes: np.ndarray, classes: np.ndarray, cv: int, seed: Any, weights: Any
) -> np.ndarray:
    """Out-of-fold ``predict_proba`` of clones of ``template`` (stratified shuffled folds; sparse ``X`` works).

    ``classes`` are the labels behind ``codes``, so that a class too small for ``cv`` folds is named as the user wrote it.
    """
    n_classes = classes.size
    check_rows_per_class_for_folds(np.bincount(codes, minlength=n_classes), classes, cv)
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    probs = np.zeros((codes.size, n_classes))
    for train, test in folds.split(np.zeros(codes.size), codes):
        model = fit_clone(template, X, codes, train, weights)
        probs[test] = checked_proba(model, _safe_indexing(X, test), n_classes, "estimator")
    return probs / probs.sum(axis=1, keepdims=True)


def resolve_transition(
    transition: Any,
    classes: np.ndarray,
    *,
    probs_fn: Any,
    codes: np.ndarray,
    percentile: float,
    invertible: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """``(T, out-of-fold probabilities or None)``: a given matrix checked (a DataFrame naming the
    classes matched to ``classes`` by name), or one estimated by name."""
    n_classes = classes.size
    if not isinstance(transition, str):
        given = matrix_in_class_order(
            transition, classes, name="transition", rows="the true class", columns="the noisy class"
        )
        return check_transition(given, n_classes, invertible=invertible), None
    probs = probs_fn()
    T = estimate_transition(probs, codes, method=transition, percentile=percentile, classes=np.arange(n_classes))
    if invertible:
        T = check_transition(T, n_classes, name=f"transition (estimated by {transition!r})", invertible=True)
    return T, probs
