"""Probability tables whose columns are named by class: read the names, put the columns in class order.

A CSV or DataFrame of probabilities often carries its classes as a header (``cat,dog,fox``), not
necessarily in the order labelwise sorts classes in. Taking such columns by position silently
scores the wrong class; these helpers match them by name instead. A table whose header is not made
of class names (``p0, p1``, or pandas' default ``0..K-1``) keeps its column order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._heavy import pandas as pd
from ..errors import ShapeMismatchError

__all__ = ["class_column_names", "classes_from_header", "columns_in_class_order"]


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


def classes_from_header(labels: Any, probs: Any, classes: Any, *, name: str = "probs") -> tuple[Any, Any]:
    """``probs`` and the class of each of its columns, read from its header where it names the classes.

    Beside labels, a DataFrame whose header names classes (``pd.DataFrame(p, columns=model.classes_)``,
    an aggregator's ``probas_`` in a categorical's order) is matched to the labels by name: with
    ``classes`` given, its columns are put in that order; without, the header is the classes, each
    name taking the value of the label it spells (an integer label ``3`` for a column ``"3"``). Arrays,
    pandas' default ``0..K-1`` header and headers naming no label (``p0, p1``) are returned as they are.

    Raises
    ------
    ShapeMismatchError
        If the header names some of the labels' values but not all of them (without ``classes``), or
        not exactly the set of ``classes``.
    """
    if classes is not None:
        return columns_in_class_order(probs, list(np.asarray(classes, dtype=object)), name=name), classes
    names = class_column_names(probs)
    if names is None:
        return probs, None
    try:
        seen = {str(v): v for v in pd.Series(np.asarray(labels, dtype=object).ravel()).dropna().unique().tolist()}
    except (TypeError, ValueError):  # unhashable or ragged labels: the labels' own check names them
        return probs, None
    if not set(seen) & set(names):
        return probs, None
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise ShapeMismatchError(f"{name}'s columns name classes, so each must be named once; {repeated[:10]} repeat")
    outside = [v for text, v in seen.items() if text not in names]
    if outside:
        raise ShapeMismatchError(
            f"{name}'s columns {names[:20]} name classes, but not every label's: labels hold {outside[:10]} that "
            "no column names; name one column per class, or pass classes= to say which class each column is"
        )
    header = [seen.get(text, column) for text, column in zip(names, probs.columns, strict=True)]
    return probs, np.array(header, dtype=object) if _mixed(header) else np.asarray(header)


def _mixed(values: list[Any]) -> bool:
    """Whether ``values`` are of several Python types (numpy would turn them all to text)."""
    return len({type(v) for v in values}) > 1
