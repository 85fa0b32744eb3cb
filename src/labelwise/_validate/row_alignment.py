"""Rows of two pandas inputs matched by index, as pandas matches two Series (arrays: by position)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import ShapeMismatchError
from .arguments import show

__all__ = ["align_rows"]


def align_rows(reference: Any, reference_name: str, value: Any, name: str) -> Any:
    """``value`` with its rows in the order of ``reference``'s, when both are pandas objects (pandas' semantics).

    A Series or DataFrame beside labels given as a Series (or DataFrame) is matched to them by index,
    as pandas matches two Series; arrays, lists and a pandas object beside an array are paired by
    position. Indexes that hold different keys, or repeat one, are an error naming ``name`` and a few
    keys (pairing rows by position then would score each prediction against another item's label).
    """
    ref, own = _row_index(reference), _row_index(value)
    if ref is None or own is None or own.equals(ref):
        return value
    for index, who in ((ref, reference_name), (own, name)):
        if index.has_duplicates:
            raise ShapeMismatchError(
                f"{name} must be matched to {reference_name} by index (both are pandas objects), but {who}'s index "
                f"repeats the key {show(index[index.duplicated()][0])}; give arrays (.to_numpy()) to pair rows by position"
            )
    missing, extra = ref.difference(own, sort=False), own.difference(ref, sort=False)
    if len(missing) or len(extra):
        said = (
            f"no row for {_keys(missing)}" if len(missing) else f"rows for keys {reference_name} lacks: {_keys(extra)}"
        )
        raise ShapeMismatchError(
            f"{name} must have one row per index key of {reference_name} (pandas objects are matched by index, as "
            f"pandas does), got {said}; give arrays (.to_numpy()) to pair rows by position"
        )
    return value.loc[ref]


def _row_index(value: Any) -> pd.Index | None:
    return value.index if isinstance(value, (pd.Series, pd.DataFrame)) else None


def _keys(index: pd.Index) -> str:
    """The first five keys of ``index`` and how many there are, for a message."""
    shown = ", ".join(show(k) for k in index[:5])
    return f"{shown}" + (f" and {len(index) - 5} more ({len(index)} keys)" if len(index) > 5 else "")
