"""A warning for a feature table that still holds the label column (every fold would read it back)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._arrays import n_rows
from .._caller import warn_at_caller
from ..errors import LabelwiseWarning


def warn_label_in_features(X: Any, labels: Any) -> None:
    """Warn when a column of a DataFrame ``X`` holds the labels row for row (``frame`` passed where
    ``frame.drop(columns="y")`` was meant): every fold then reads the given label from it, so the
    probabilities agree with every given label and no label issue can be found."""
    if not isinstance(X, pd.DataFrame) or X.shape[1] == 0 or len(X) == 0 or n_rows(X) != n_rows(labels):
        return
    given = np.asarray(labels)
    numeric = given.dtype.kind in "iufb"  # only columns of the labels' kind are compared: one pass each
    same = [str(c) for c in X.columns if pd.api.types.is_numeric_dtype(X[c]) == numeric and _equal(X[c], given)]
    if same:
        warn_at_caller(
            LabelwiseWarning(
                f"X's column {same[0]!r} equals labels in every row: the model reads the given label from it, so "
                f"no label can look wrong; drop it from the features (X = frame.drop(columns={same[0]!r}))"
            )
        )


def _equal(column: pd.Series, given: np.ndarray) -> bool:
    values = column.to_numpy() if given.dtype.kind in "iufb" else column.to_numpy(dtype=object)
    return bool((values == given).all())
