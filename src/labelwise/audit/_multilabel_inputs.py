"""The multi-label audit's tables: the probabilities (a header naming the tags is matched to them by name) and a
0/1 tag table given as a pandas DataFrame (``pd.get_dummies``, a one-hot export), with its tags.

A tag table's column names are the tags, as :class:`labelwise.robust.CleanMultilabelClassifier` reads a DataFrame
``y``; with ``classes`` (the tags of the columns of ``probs``) the columns are put in that order, by
name. Columns numbered ``0..K-1`` (a frame built from an array) are read by position, as the array.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from .._validate.class_columns import class_column_names, columns_in_class_order
from .._validate.row_alignment import show_keys
from .._validate.row_order import check_row_order
from ..errors import InvalidLabelsError, InvalidProbabilitiesError, ShapeMismatchError
from ._multilabel_softmax import scale_hint

__all__ = ["check_tag_probs", "frame_matrix", "probs_in_tag_order"]


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


def check_tag_probs(probs: Any, labels: Any) -> np.ndarray:
    """``probs`` as a float array in [0, 1]; a pandas ``labels`` listing its rows in another order is refused."""
    check_row_order(probs, "probs", "the label audits", labels=labels)
    arr = np.asarray(probs)
    if arr.dtype.kind not in "fiu" or arr.ndim != 2:
        raise InvalidProbabilitiesError(
            f"probs must be a 2-D numeric array of shape (n_examples, n_classes), got shape {arr.shape} and dtype {arr.dtype}"
        )
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > 1)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InvalidProbabilitiesError(
            f"probs must hold per-class probabilities in [0, 1] (rows need not sum to 1), row {r} column {c} is "
            f"{show(arr[r, c])}{scale_hint(arr)}"
        )
    return arr


def probs_in_tag_order(probs: Any, arr: np.ndarray, tags: Any) -> np.ndarray:
    """``arr`` (``probs`` as checked) with its columns in the order of ``tags`` where ``probs``' header names them.

    A header of other names (``p0, p1``, pandas' ``0..K-1``) keeps the column order; one naming some tags but
    not exactly the tags is an error (:func:`labelwise._validate.class_columns.columns_in_class_order`).
    """
    names = class_column_names(probs)
    wanted = [str(t) for t in tags]
    if names is None or columns_in_class_order(probs, wanted, name="probs") is probs:
        return arr
    return arr[:, [names.index(w) for w in wanted]]
