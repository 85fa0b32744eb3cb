"""Id and label columns read as text, turned into numbers only where no two texts become one number.

A CSV parser (and pandas' JSON reader) turns ``"01"`` and ``"1"`` into the number ``1``, and
``"1.0"`` and ``"1"`` into ``1.0``: two classes (or two items) the user wrote differently become one
and nothing says so. :func:`numbers_unless_merged` keeps such a column as the text of the file;
a column of canonical integers (``"0"``, ``"17"``, ``"-3"``) or of floats that no two texts
share becomes numbers, as the parser would have made it.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import numpy as np
import pandas as pd

__all__ = ["numbers_unless_merged", "text_dtypes"]

_CANONICAL_INT = re.compile(r"0|-?[1-9][0-9]*")
_INT = re.compile(r"[+-]?[0-9]+")
_BOOLS = {"True": True, "False": False, "true": True, "false": False, "TRUE": True, "FALSE": False}


def text_dtypes(columns: Collection[str], *, dtype: type = str) -> dict[str, type]:
    """The ``dtype`` argument of ``pd.read_csv`` / ``pd.read_json`` that reads ``columns`` as text."""
    return dict.fromkeys(columns, dtype)


def numbers_unless_merged(values: pd.Series) -> pd.Series:
    """``values`` (text read verbatim from a file) as numbers when that loses no distinction.

    Parameters
    ----------
    values : Series
        One column read as text (missing cells NaN); a column holding anything but strings and
        missing values (JSON numbers or booleans) is returned as pandas types it (``infer_objects``).

    Returns
    -------
    Series
        int64 (float64 with missing cells) when every text is a canonical integer; float64 when
        every text is a number and no two distinct texts give the same number; bool when every
        text is ``True``/``False``; otherwise the text itself (``"01"`` next to ``"1"``, ``"1.0"``
        next to ``"1"``, ``"007"`` among integer ids: kept as written).
    """
    present = values.dropna()
    if present.empty or not present.map(lambda v: isinstance(v, str)).all():
        return values.infer_objects()
    distinct = pd.unique(present.to_numpy(dtype=object))
    if set(distinct) <= _BOOLS.keys() and len(present) == len(values):
        return values.map(_BOOLS).astype(bool)
    if all(_CANONICAL_INT.fullmatch(t) for t in distinct):
        return pd.to_numeric(values)
    if any(_INT.fullmatch(t) and not _CANONICAL_INT.fullmatch(t) for t in distinct):
        return values  # a zero-padded or signed integer ("007", "+1"): the text is the id
    numbers = pd.to_numeric(pd.Series(distinct, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    if np.isnan(numbers).any() or np.unique(numbers).size < distinct.size:
        return values
    return pd.to_numeric(values).astype(np.float64)
