"""The one check the model pipelines cannot recover from: infinite numbers in a feature column.

Missing values (NaN, None) are imputed by the pipelines (the median of numeric columns, a category
of their own for categorical ones); an infinite value is not missing, so no imputer touches it and
every scikit-learn estimator stops on it with ``Input X contains infinity``, naming neither the
column nor the row. This check names both, before any model is fitted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError


def check_no_infinity(features: Any, *, name: str = "features") -> None:
    """Raise when a numeric column of ``features`` holds ``inf`` or ``-inf``.

    Parameters
    ----------
    features : DataFrame or 2-D array
        The feature columns. Non-numeric columns are not looked at (text such as ``"inf"`` is a
        category or a word, not a number).
    name : str, default "features"
        The parameter's name in the message.

    Raises
    ------
    InvalidParameterError
        Naming the first such column, how many rows hold an infinite value in it, and the first
        rows (0-based positions), with the remedy.
    """
    if isinstance(features, pd.DataFrame):
        columns = [(col, features[col]) for col in features.columns if pd.api.types.is_float_dtype(features[col])]
    else:
        arr = np.asarray(features)
        if arr.ndim != 2 or arr.dtype.kind != "f":
            return
        columns = [(f"x{j}", arr[:, j]) for j in range(arr.shape[1])]
    for col, values in columns:
        numbers = np.asarray(values.to_numpy(dtype=float, na_value=np.nan) if hasattr(values, "to_numpy") else values)
        rows = np.flatnonzero(np.isinf(numbers))
        if rows.size:
            raise InvalidParameterError(
                f"{name} must be finite numbers or missing values (NaN is imputed); column {str(col)!r} holds "
                f"inf or -inf in {rows.size} row{'s' if rows.size > 1 else ''}, e.g. rows {rows[:5].tolist()}: "
                "replace them (by NaN to have them imputed, or by a large finite number) or drop those rows"
            )
