"""Checks of estimators: a method they must have, ``sample_weight`` in ``fit``, a meta-estimator's ``X``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._heavy import pandas as pd
from ..errors import InvalidParameterError


def check_estimator_method(estimator: Any, method: str, *, name: str = "estimator") -> None:
    """Raise :class:`EstimatorError` unless ``estimator`` has ``method`` (e.g. ``predict_proba``)."""
    from ..errors import EstimatorError

    if not hasattr(estimator, "fit"):
        raise EstimatorError(f"{name} must be a scikit-learn estimator with fit(), got {type(estimator).__name__}")
    if not hasattr(estimator, method):
        hint = " (for SVC, pass probability=True)" if method == "predict_proba" else ""
        raise EstimatorError(f"{name} must implement {method}(){hint}, got {type(estimator).__name__} which does not")


def sample_weight_fit_params(estimator: Any, sample_weight: Any, *, name: str = "estimator") -> dict:
    """The ``fit`` keyword arguments that pass ``sample_weight`` to ``estimator``.

    A :class:`~sklearn.pipeline.Pipeline` gets ``<last step>__sample_weight``. Raises
    :class:`EstimatorError` when the estimator's ``fit`` cannot take sample weights.
    """
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import has_fit_parameter

    from ..errors import EstimatorError

    if sample_weight is None:
        return {}
    if isinstance(estimator, Pipeline):
        step, last = estimator.steps[-1]
        if last not in (None, "passthrough") and has_fit_parameter(last, "sample_weight"):
            return {f"{step}__sample_weight": sample_weight}
        raise EstimatorError(
            f"{name} must accept sample_weight in fit(), but the last step of the pipeline "
            f"({type(last).__name__}) does not"
        )
    if has_fit_parameter(estimator, "sample_weight"):
        return {"sample_weight": sample_weight}
    raise EstimatorError(f"{name} must accept sample_weight in fit(), {type(estimator).__name__}.fit does not")


def check_meta_X(estimator: Any, X: Any, *, reset: bool) -> Any:
    """Validate ``X`` for a meta-estimator: arrays are checked, tables and text pass through.

    DataFrames (for column transformers) and 1-D sequences of strings (for text vectorisers) go
    to the inner estimator unchanged; only the feature names/counts are recorded (``reset``) or
    checked. Arrays are validated by scikit-learn (2-D, non-empty; NaN left to the inner model).
    """
    from sklearn.utils.validation import validate_data

    is_frame = hasattr(X, "iloc") and getattr(X, "ndim", 1) == 2
    is_text = False
    if isinstance(X, (list, tuple, pd.Series, np.ndarray)) and np.ndim(X) == 1 and len(X) > 0:
        first = X.iloc[0] if isinstance(X, pd.Series) else X[0]
        is_text = isinstance(first, str)
    try:
        if is_frame or is_text:
            validate_data(estimator, X, skip_check_array=True, reset=reset)
            return X
        return validate_data(
            estimator, X, accept_sparse=["csr", "csc"], ensure_all_finite=False, dtype=None, reset=reset
        )
    except ValueError as exc:  # keep scikit-learn's message, raise a labelwise error naming X
        raise InvalidParameterError(f"X is not a valid feature matrix: {exc}") from None


def check_sample_weight(sample_weight: Any, n: int) -> np.ndarray | None:
    """``sample_weight`` as float64 of length ``n``: finite, not negative, some positive (``None``
    passes through); else :class:`~labelwise.errors.InvalidParameterError` naming it."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight.to_numpy() if hasattr(sample_weight, "to_numpy") else sample_weight)
    if w.ndim != 1 or w.shape[0] != n:
        raise InvalidParameterError(
            f"sample_weight must be a 1-D array of one weight per example ({n}), got shape {w.shape}"
        )
    if w.dtype.kind not in "iuf":
        raise InvalidParameterError(f"sample_weight must be numbers, got dtype {w.dtype}")
    w = w.astype(np.float64)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(f"sample_weight must be finite and not negative, row {row} is {w[row]}")
    if not (w > 0).any():
        raise InvalidParameterError("sample_weight must have a positive weight, got all zeros")
    return w


def fit_sample_weight(sample_weight: Any, n: int, estimator: Any) -> np.ndarray | None:
    """A meta-estimator's ``fit(..., sample_weight)``: the checked weights (:func:`check_sample_weight`),
    ``None`` for none or all ones (the unweighted fit, to the bit); an :class:`EstimatorError`
    when ``estimator`` cannot take them."""
    w = check_sample_weight(sample_weight, n)
    if w is None or np.all(w == 1):
        return None
    sample_weight_fit_params(estimator, np.ones(1), name="estimator (sample_weight was given)")
    return w
