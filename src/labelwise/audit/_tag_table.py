"""A 0/1 tag table given as a pandas DataFrame (``pd.get_dummies``, a one-hot export): its matrix and its tags.

Its column names are the tags, as :class:`labelwise.robust.CleanMultilabelClassifier` reads a DataFrame
``y``; with ``classes`` (the tags of the columns of ``probs``) the columns are put in that order, by
name. Columns numbered ``0..K-1`` (a frame built from an array) are read by position, as the array.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from .._validate.row_alignment import show_keys
from ..errors import InvalidLabelsError, ShapeMismatchError

__all__ = ["frame_matrix"]


def frame_matrix(labels: pd.DataFrame, classes: Any) -> tuple[np.ndarray, Any]:
    """``labels``' values as a float matrix in the column order of ``classes``, and the tags of its columns.

    Raises
    ------
    ShapeMismatchError
        ``classes`` and the column names hold different tags.
    InvalidLabelsError
        A missing value (``<NA>``, NaN, None), named by row index and column.
    """
    columns = labels.columns
    numbered = columns.equals(pd.RangeIndex(len(columns)))
    if classes is not None and not numbered:
        wanted = pd.Index(list(classes))
        missing, extra = wanted.difference(columns, sort=False), columns.difference(wanted, sort=False)
        if len(missing) or len(extra) or not columns.is_unique:
            said = (
                f"no column for {show_keys(missing)}" if len(missing) else f"columns not in classes: {show_keys(extra)}"
            )
            raise ShapeMismatchError(
                f"labels' columns must be the tags of classes (a DataFrame's columns are matched to classes by "
                f"name), got {said}"
            )
        labels = labels.loc[:, list(wanted)]
    holes = labels.isna().to_numpy()
    if holes.any():
        row, col = (int(i[0]) for i in np.nonzero(holes))
        raise InvalidLabelsError(
            f"labels must not contain missing values in a 0/1 table; row {show(labels.index[row])} column "
            f"{show(labels.columns[col])} is {show(labels.iat[row, col])} (fill it with 0 or 1)"
        )
    try:
        values = labels.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        values = labels.to_numpy(dtype=object)  # the matrix check names the row that is not 0/1
    tags = classes if classes is not None or numbered else list(columns)
    return values, tags
