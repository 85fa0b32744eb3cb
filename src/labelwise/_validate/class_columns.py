"""Probability tables whose columns are named by class: read the names, put the columns in class order.

A CSV or DataFrame of probabilities often carries its classes as a header (``cat,dog,fox``), not
necessarily in the order labelwise sorts classes in. Taking such columns by position silently
scores the wrong class; these helpers match them by name instead. A table whose header is not made
of class names (``p0, p1``, or pandas' default ``0..K-1``) keeps its column order.
"""

from __future__ import annotations

from typing import Any

from .._heavy import pandas as pd
from ..errors import ShapeMismatchError

__all__ = ["class_column_names", "columns_in_class_order"]


def class_column_names(probs: Any) -> list[str] | None:
    """The column names (as text) of a probability DataFrame; None for arrays and default 0..K-1 columns."""
    if not isinstance(probs, pd.DataFrame) or probs.shape[1] < 2 or isinstance(probs.columns, pd.RangeIndex):
        return None
    return [str(c) for c in probs.columns]


def columns_in_class_order(probs: Any, classes: Any, *, name: str) -> Any:
    """``probs`` with its columns reordered to ``classes`` when its header names the classes.

    Parameters
    ----------
    probs : DataFrame or array-like of shape (n, K)
    classes : sequence of length K
        The class of each column, in the order the caller works in; compared as text.
    name : str
        How the probabilities are named in an error.

    Raises
    ------
    ShapeMismatchError
        If the header names some classes but not exactly the set of ``classes`` (once each).
    """
    names = class_column_names(probs)
    wanted = [str(c) for c in classes]
    if names is None or not set(names) & set(wanted):
        return probs
    if len(set(names)) != len(names) or set(names) != set(wanted):
        missing = [w for w in wanted if w not in names]
        unknown = [n for n in names if n not in wanted]
        raise ShapeMismatchError(
            f"{name} must have one column per class {wanted[:20]}, named by class (any order) or in class "
            f"order; its columns {names[:20]} miss {missing[:10]} and add {unknown[:10]}"
            + (" (a name repeats)" if len(set(names)) != len(names) else "")
        )
    return probs.iloc[:, [names.index(w) for w in wanted]]
