"""Rows of two pandas inputs matched by index, as pandas matches two Series (arrays: by position).

One rule decides whether two indexes can be matched key by key (:func:`unmatched`): each holds
every key of the other, once. :func:`align_rows` applies it to two inputs of a public function
(``labelwise.evaluate``, ``labelwise.shift``, ``labelwise.weak``'s probabilities and scores);
``weak._per_row.per_row`` applies it to what a vectorised labeling function returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import ShapeMismatchError
from .arguments import show

__all__ = ["Unmatched", "align_rows", "show_keys", "unmatched"]


@dataclass(frozen=True)
class Unmatched:
    """Why the rows of one index cannot be matched to another's key by key.

    Attributes
    ----------
    repeated_in : str
        ``"reference"`` or ``"value"``: whose index repeats a key; ``""`` when neither does.
    repeated : Any
        The first repeated key (None when ``repeated_in`` is ``""``).
    missing : pandas.Index
        Keys of the reference the value lacks (empty when a key is repeated).
    extra : pandas.Index
        Keys of the value the reference lacks (empty when a key is repeated).
    """

    repeated_in: str
    repeated: Any
    missing: pd.Index
    extra: pd.Index


def unmatched(reference: pd.Index, value: pd.Index) -> Unmatched | None:
    """None when ``value`` holds each key of ``reference`` once and no other (rows matched by index).

    A repeated key on either side is reported first (matching by index would then be ambiguous),
    then the keys one side has and the other lacks, each in its index's order.
    """
    for index, side in ((reference, "reference"), (value, "value")):
        if index.has_duplicates:
            return Unmatched(side, index[index.duplicated()][0], reference[:0], value[:0])
    missing, extra = reference.difference(value, sort=False), value.difference(reference, sort=False)
    if len(missing) or len(extra):
        return Unmatched("", None, missing, extra)
    return None


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
    problem = unmatched(ref, own)
    if problem is None:
        return value.loc[ref]
    if problem.repeated_in:
        who = reference_name if problem.repeated_in == "reference" else name
        raise ShapeMismatchError(
            f"{name} must be matched to {reference_name} by index (both are pandas objects), but {who}'s index "
            f"repeats the key {show(problem.repeated)}; give arrays (.to_numpy()) to pair rows by position"
        )
    said = (
        f"no row for {show_keys(problem.missing)}"
        if len(problem.missing)
        else f"rows for keys {reference_name} lacks: {show_keys(problem.extra)}"
    )
    raise ShapeMismatchError(
        f"{name} must have one row per index key of {reference_name} (pandas objects are matched by index, as "
        f"pandas does), got {said}; give arrays (.to_numpy()) to pair rows by position"
    )


def _row_index(value: Any) -> pd.Index | None:
    return value.index if isinstance(value, (pd.Series, pd.DataFrame)) else None


def show_keys(index: pd.Index) -> str:
    """The first five keys of ``index`` and how many there are, for a message."""
    shown = ", ".join(show(k) for k in index[:5])
    return f"{shown}" + (f" and {len(index) - 5} more ({len(index)} keys)" if len(index) > 5 else "")
