"""Shared pieces of meta-estimators that wrap a user's classifier (CleanClassifier, SelfTrainer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._validate.arguments import show
from ._validate.estimators import check_meta_X, sample_weight_fit_params
from ._validate.labels import encode_labels
from ._validate.nan_features import naming_nan_in
from .errors import EstimatorError, InvalidLabelsError


def base_estimator(meta: Any) -> Any:
    """``meta.estimator``, or the default classifier when None: the meta-estimator's own
    ``_default_estimator()`` where it has one, else LogisticRegression(max_iter=1000)."""
    if meta.estimator is not None:
        return meta.estimator
    own = getattr(meta, "_default_estimator", None)
    return own() if own is not None else LogisticRegression(max_iter=1000)


def accepts_sample_weight(estimator: Any) -> bool:
    """Whether ``estimator.fit`` (the last step's, for a pipeline) takes ``sample_weight``."""
    try:
        sample_weight_fit_params(estimator, np.ones(1))
    except EstimatorError:
        return False
    return True


def fit_clone(template: Any, X: Any, codes: np.ndarray, rows: np.ndarray, weights: np.ndarray | None = None) -> Any:
    """A clone of ``template`` fitted on ``X[rows]``, ``codes[rows]`` and, when given, ``weights[rows]``.

    The one fit-with-sample-weights step of the meta-estimators: the weights reach the estimator
    (or a pipeline's last step) through :func:`~labelwise._validate.estimators.sample_weight_fit_params`,
    which raises :class:`~labelwise.errors.EstimatorError` when it cannot take them.
    """
    model = clone(template)
    fit_params = sample_weight_fit_params(model, weights[rows], name="estimator") if weights is not None else {}
    model.fit(_safe_indexing(X, rows), codes[rows], **fit_params)
    return model


def checked_proba(model: Any, X_rows: Any, n_classes: int, name: str) -> np.ndarray:
    """``model.predict_proba(X_rows)`` as float64, checked to have one column per class code ``0..K-1``."""
    proba = np.asarray(model.predict_proba(X_rows), dtype=np.float64)
    model_classes = getattr(model, "classes_", np.arange(n_classes))
    if proba.ndim != 2 or proba.shape[1] != n_classes or not np.array_equal(model_classes, np.arange(n_classes)):
        raise EstimatorError(
            f"{name}.predict_proba must return one column per class ({n_classes}), got shape {proba.shape}"
        )
    return proba


def encode_class_targets(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``y`` (dtype recovered), its class codes ``0..K-1`` and the sorted classes, for a meta-estimator.

    An object array (e.g. ints that sat beside ``None`` markers) gets its values' own dtype back
    first; a target that is not class labels (continuous values) raises :class:`InvalidLabelsError`.
    """
    if y.dtype == object:
        y = pd.Series(y).infer_objects().to_numpy()
    missing = pd.isna(y) if y.dtype.kind in "Of" else None
    if missing is not None and missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InvalidLabelsError(
            f"y must hold a class label in every row, row {row} is {show(y[row])} ({int(missing.sum())} such row(s)); "
            "drop the unlabeled rows, or pseudo-label them with labelwise.semi.SelfTrainer"
        )
    if y.dtype == object and pd.api.types.infer_dtype(y, skipna=True).startswith("mixed"):
        kinds = sorted({type(v).__name__ for v in y})
        raise InvalidLabelsError(
            f"y must hold class labels of one kind, got a mix of {', '.join(kinds)} (e.g. -1 beside string "
            "labels: give only the labeled rows, or mark unlabeled rows with a value of the labels' kind)"
        )
    try:
        check_classification_targets(y)
    except ValueError as exc:
        raise InvalidLabelsError(f"y must hold class labels: {exc}") from None
    codes, classes = encode_labels(y, name="y")
    return y, codes, classes


def estimator_has(attr: str) -> Callable[[Any], bool]:
    """``available_if`` check: the fitted estimator (or the given one, before fit) has ``attr``."""

    def check(meta: Any) -> bool:
        if hasattr(meta, "estimator_"):
            return hasattr(meta.estimator_, attr)
        return hasattr(base_estimator(meta), attr)

    return check


def inherit_input_tags(tags: Any, meta: Any) -> Any:
    """Copy the wrapped estimator's sparse / NaN input tags onto the meta-estimator's ``tags``."""
    inner = get_tags(base_estimator(meta)).input_tags
    tags.input_tags.sparse = inner.sparse
    tags.input_tags.allow_nan = inner.allow_nan
    return tags


class PredictWithFittedEstimator:
    """Prediction methods of a meta-estimator that delegate to its fitted ``estimator_``.

    The wrapped model is fitted on class codes ``0..K-1``; ``predict`` maps them back to
    ``classes_``. Each method exists only when the wrapped estimator has it, and ``X`` is checked
    as at fit time: the wrapped estimator's refusal of NaN is named as fit names it
    (:func:`~labelwise._validate.nan_features.naming_nan_in`). Put this mixin first among the bases so that ``__sklearn_tags__`` adds the
    wrapped estimator's input tags to scikit-learn's.
    """

    classes_: np.ndarray  # set by the subclass's fit
    estimator_: Any

    @available_if(estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the fitted ``estimator_``, columns in the order of ``classes_``
        (0 for a class the final fit had no row of, e.g. every row of it dropped or weighted 0)."""
        check_is_fitted(self)
        return self._every_class(self._ask("predict_proba", X), 0.0)

    @available_if(estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities of the fitted ``estimator_`` (``-inf`` for an unseen class)."""
        check_is_fitted(self)
        return self._every_class(self._ask("predict_log_proba", X), -np.inf)

    def _ask(self, method: str, X: Any) -> Any:
        """``estimator_.<method>(X)`` on the checked ``X``, scikit-learn's NaN refusal named."""
        checked = check_meta_X(self, X, reset=False)
        with naming_nan_in(X, self.estimator_):
            return getattr(self.estimator_, method)(checked)

    def _every_class(self, values: Any, fill: float) -> Any:
        """``values``, one column per class code the fitted ``estimator_`` saw, as one column per
        class of ``classes_`` (``fill`` where it saw none); unchanged when it saw every class."""
        k = len(self.classes_)
        seen = getattr(self.estimator_, "classes_", None)
        values = np.asarray(values)
        if seen is None or values.ndim != 2 or np.array_equal(seen, np.arange(k)):
            return values
        out = np.full((values.shape[0], k), fill, dtype=np.float64)
        out[:, np.asarray(seen, dtype=np.int64)] = values
        return out

    @available_if(estimator_has("predict"))
    def predict(self, X):
        """Predicted class labels (values of ``classes_``)."""
        check_is_fitted(self)
        return self.classes_[np.asarray(self._ask("predict", X), dtype=np.int64)]

    @available_if(estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted ``estimator_``, as it returns it when its fit saw every class
        (one column per class of ``classes_``; for two classes, the score of ``classes_[1]``).

        When the final fit saw fewer classes than ``classes_`` (every row of one dropped or weighted
        0), one column per class of ``classes_``, so that the largest column is the class ``predict``
        returns: a class it saw none of gets the minimum finite float of the scores' dtype, the
        stand-in for negative infinity of scikit-learn's ``cross_val_predict`` for a class absent
        from a training fold; two classes seen, their one score ``s`` (of the second) is ``-s`` for
        the first and ``s`` for the second, as scikit-learn scores the first class of a binary problem.
        """
        check_is_fitted(self)
        values = self._ask("decision_function", X)
        k = len(self.classes_)
        seen = getattr(self.estimator_, "classes_", None)
        if seen is None or np.array_equal(seen, np.arange(k)):
            return values
        seen = np.asarray(seen, dtype=np.int64)
        values = np.asarray(values)
        if values.ndim == 1 and seen.size == 2:
            values = np.column_stack([-values, values])
        if values.ndim != 2 or values.shape[1] != seen.size:
            raise EstimatorError(
                f"estimator.decision_function must return one column per class its fit saw ({seen.size} of "
                f"{k}), got shape {values.shape} (a one-vs-one decision function cannot be given one column per class)"
            )
        scores = values if values.dtype.kind == "f" else values.astype(np.float64)
        out = np.full((scores.shape[0], k), np.finfo(scores.dtype).min, dtype=scores.dtype)
        out[:, seen] = scores
        return out

    def __sklearn_tags__(self):
        return inherit_input_tags(super().__sklearn_tags__(), self)
