"""Name the first NaN of ``X`` when the user's estimator refuses missing values.

Whether NaN is allowed is the estimator's call (HistGradientBoostingClassifier and a Pipeline with
an imputer take it), so ``X`` is not checked up front: scikit-learn's ``ValueError`` about NaN,
raised inside a fit or a prediction, is re-raised as a labelwise error naming ``X``'s row and
column and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import is_regressor

from ..errors import InvalidParameterError, LabelwiseError

_SKLEARN_NAN = re.compile(r"Input (?:X )?contains NaN")
_REFUSER = re.compile(r"(\w+) does not accept missing values")


def first_nan(X: Any) -> tuple[int, Any, int] | None:
    """Position of the first NaN (or None) in ``X``: ``(row, column, rows with one)``; None if none.

    ``column`` is the DataFrame's column label, the column position of a 2-D array or sparse
    matrix, or None for 1-D input (e.g. a list of texts). Returns None for input it cannot read.
    """
    if sp.issparse(X):
        coo = sp.coo_matrix(X)
        bad = np.isnan(coo.data) if coo.data.dtype.kind in "fc" else np.zeros(coo.data.shape, bool)
        if not bad.any():
            return None
        rows, cols = coo.row[bad], coo.col[bad]
        first = int(np.lexsort((cols, rows))[0])
        return int(rows[first]), int(cols[first]), int(np.unique(rows).size)
    try:
        if isinstance(X, pd.DataFrame):
            missing = X.isna().to_numpy()
            labels: Any = X.columns
        else:
            missing = np.asarray(pd.isna(np.asarray(X, dtype=object) if isinstance(X, (list, tuple)) else X))
            labels = None
    except (TypeError, ValueError):
        return None
    if missing.ndim == 1:
        missing = missing[:, None]
    if missing.ndim != 2 or not missing.any():
        return None
    by_row = missing.any(axis=1)
    row = int(np.flatnonzero(by_row)[0])
    col = int(np.flatnonzero(missing[row])[0])
    if np.ndim(X) == 1:
        return row, None, int(by_row.sum())
    return row, (labels[col] if labels is not None else col), int(by_row.sum())


def nan_message(X: Any, estimator: Any, error: BaseException, *, name: str = "X") -> str:
    """The labelwise message for ``error`` (scikit-learn's NaN refusal) on ``X``."""
    refuser = _REFUSER.search(str(error))
    who = refuser.group(1) if refuser else type(estimator).__name__
    where = first_nan(X)
    if where is None:
        found = f"got NaN from a step of the estimator ({str(error).splitlines()[0]})"
    else:
        row, col, n_bad = where
        cell = f"row {row}" if col is None else f"row {row}, column {col!r}"
        found = f"got NaN at {cell} ({n_bad} row(s) with NaN)"
    accepting = "HistGradientBoostingRegressor" if is_regressor(estimator) else "HistGradientBoostingClassifier"
    return (
        f"{name} must have no missing values (NaN) for this estimator ({who} does not accept them), {found}; "
        "impute them first (e.g. a Pipeline of sklearn.impute.SimpleImputer and the model), drop those rows, or use "
        f"an estimator that accepts NaN, such as sklearn.ensemble.{accepting}"
    )


def nan_refusal(X: Any, estimator: Any, error: BaseException, *, name: str = "X") -> InvalidParameterError | None:
    """The labelwise error for ``error`` when it is scikit-learn's refusal of NaN in ``X``; else None.

    For code that catches scikit-learn's ``ValueError`` itself (e.g. around ``validate_data``):
    ``raise nan_refusal(...) from exc`` names ``X``'s first NaN as :func:`naming_nan_in` does.
    """
    if isinstance(error, LabelwiseError) or not isinstance(error, ValueError) or not _SKLEARN_NAN.search(str(error)):
        return None
    return InvalidParameterError(nan_message(X, estimator, error, name=name))


@contextmanager
def naming_nan_in(X: Any, estimator: Any, *, name: str = "X") -> Iterator[None]:
    """Re-raise scikit-learn's ``ValueError`` about NaN in the block as :class:`InvalidParameterError`.

    ``X`` is the whole feature matrix as the user gave it (rows and columns are named in its
    positions); other errors pass through unchanged, and the original is chained.
    """
    try:
        yield
    except LabelwiseError:
        raise
    except ValueError as exc:
        refusal = nan_refusal(X, estimator, exc, name=name)
        if refusal is None:
            raise
        raise refusal from exc
