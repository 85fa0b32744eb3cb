"""Adapt a fitted classifier to new class priors: estimate them, then reweight its posteriors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from .._arrays import n_rows
from .._validate.arguments import check_choice
from .._validate.estimators import check_estimator_method
from .._validate.labels import encode_labels_for_probs
from .._validate.nan_features import naming_nan_in
from .._validate.probabilities import check_probs
from .._validate.row_alignment import align_rows
from .._validate.row_order import RowOrderScore
from ..errors import EstimatorError, ShapeMismatchError, TooFewExamplesError
from .calibration import fit_calibrator
from .priors import CALIBRATIONS, DEFAULT_CALIBRATION, METHODS, estimate_priors

__all__ = ["PriorShiftAdjuster"]


def numbers_as_classes(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """``y`` as the values of ``classes`` where both are numbers (bool, int, float) of different dtypes and
    every label equals a class as a number (``True == 1.0``); else ``y`` unchanged (the encoding then
    names the first label that is no class)."""
    if y.dtype.kind not in "biuf" or classes.dtype.kind not in "biuf" or y.dtype == classes.dtype:
        return y
    where = pd.Index(classes.astype(np.float64)).get_indexer(y.astype(np.float64))
    return y if (where < 0).any() else classes[where]


class PriorShiftAdjuster(RowOrderScore, ClassifierMixin, BaseEstimator):
    """Wrap a fitted probabilistic classifier; re-weight its posteriors by estimated target priors.

    ``fit(X_val, y_val)`` fits the recalibration on labelled held-out source data;
    ``adapt(X_target)`` estimates the target priors with ``method``; then ``predict_proba`` returns
    ``p(y | x) ∝ p_cal(y | x) * q(y) / p(y)`` (Saerens et al. 2002, eq. 2.4) and ``predict`` its argmax.

    ``y_val`` is matched to the model's ``classes_`` by value. Where both are numbers of different
    kinds (scikit-learn gives float ``classes_`` ``0.0, 1.0`` to a model fitted on a pandas ``Int64`` or
    ``boolean`` Series, while ``y_val`` stays ``bool`` or ``int``), they are matched as numbers are
    compared, ``True == 1.0`` and ``2 == 2.0``: the model's classes came from those very values (scikit-learn
    turned ``True`` into ``1.0``), so the match names no class the model did not learn. A label equal
    to no class (``0.5``, or text ``"1"`` beside numbers) is still refused, naming its row.

    Parameters
    ----------
    model : fitted classifier with ``predict_proba`` and ``classes_``
    method : {"mlls", "bbse", "rlls"}
    calibration : {"auto", "bcts", "ts", "none"}

    Attributes
    ----------
    classes_ : ndarray
    y_val_ : ndarray
        ``y_val`` as the model's classes (a ``bool`` ``True`` becomes a float class ``1.0``).
    calibrator_ : Calibrator
    estimate_ : PriorShiftEstimate
        Set by :meth:`adapt`.
    priors_, weights_ : ndarray

    References
    ----------
    .. [1] M. Saerens, P. Latinne and C. Decaestecker, Neural Computation 14(1), 2002.
    .. [2] A. Alexandari, A. Kundaje and A. Shrikumar, ICML 2020.
    """

    def __init__(self, model: Any, method: str = "mlls", calibration: str = "auto") -> None:
        self.model = model
        self.method = method
        self.calibration = calibration

    def fit(self, X_val: Any, y_val: Any) -> PriorShiftAdjuster:
        """Store validation posteriors and fit the calibration on them.

        A Series ``y_val`` beside a DataFrame ``X_val`` is matched to its rows by index, as pandas
        matches two Series (other keys are an error; give ``.to_numpy()`` to pair rows by position).
        """
        check_estimator_method(self.model, "predict_proba", name="model")
        if not hasattr(self.model, "classes_"):
            raise EstimatorError("model must be fitted (it has no classes_); fit it on training data first")
        check_choice("method", self.method, list(METHODS))
        check_choice("calibration", self.calibration, CALIBRATIONS)
        self.classes_ = np.asarray(self.model.classes_)
        self.y_val_ = np.asarray(align_rows(X_val, "X_val", y_val, "y_val"))
        if self.y_val_.ndim != 1 or len(self.y_val_) != n_rows(X_val):
            raise ShapeMismatchError(
                f"y_val must hold one label per row of X_val ({n_rows(X_val)}), got shape {self.y_val_.shape}"
            )
        self.y_val_ = numbers_as_classes(self.y_val_, self.classes_)
        self.val_probs_ = np.asarray(self._model_probs(X_val, "X_val"), dtype=float)
        kind = DEFAULT_CALIBRATION[self.method] if self.calibration == "auto" else self.calibration
        codes, _ = encode_labels_for_probs(self.y_val_, len(self.classes_), classes=self.classes_, name="y_val")
        self.calibrator_ = fit_calibrator(self.val_probs_, codes, kind)
        return self

    def adapt(self, X_target: Any, **options: Any) -> PriorShiftAdjuster:
        """Estimate the class priors of ``X_target`` and switch predictions to them."""
        if not hasattr(self, "calibrator_"):
            raise EstimatorError("PriorShiftAdjuster must be fit on validation data before adapt")
        if n_rows(X_target) == 0:
            raise TooFewExamplesError("X_target must have at least one row (the target data whose priors to estimate)")
        self.estimate_ = estimate_priors(
            self.val_probs_,
            self.y_val_,
            self._model_probs(X_target, "X_target"),
            method=self.method,
            calibration=self.calibration,
            classes=self.classes_,
            **options,
        )
        self.priors_, self.weights_ = self.estimate_.priors, self.estimate_.weights
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posteriors under the target priors (calibrated source posteriors before :meth:`adapt`)."""
        if not hasattr(self, "calibrator_"):
            raise EstimatorError("PriorShiftAdjuster must be fit before predict_proba")
        p = self.calibrator_(np.asarray(self._model_probs(X, "X"), dtype=float))
        if hasattr(self, "weights_"):
            p = p * self.weights_[None, :]
            s = p.sum(axis=1, keepdims=True)
            p = np.divide(p, s, out=np.full_like(p, 1.0 / p.shape[1]), where=s > 0)
        return p

    def _model_probs(self, X: Any, name: str) -> Any:
        """``model.predict_proba(X)``, scikit-learn's refusal of NaN in ``X`` named by row and column; probabilities
        that are not (NaN, negative scores, rows not summing to 1) are refused here, naming the call, not later
        under ``val_probs`` (a name the caller never gave) or never (``predict_proba`` before ``adapt``)."""
        with naming_nan_in(X, self.model, name=name):
            probs = self.model.predict_proba(X)
        return check_probs(probs, name=f"model.predict_proba({name})")

    def predict(self, X: Any) -> np.ndarray:
        """The class with the highest adapted posterior."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
