"""A change log's entries matched to the test items by the data's id instead of by row number.

``labelwise export`` writes, right after a change log's ``row``, the audited data's id column
under its own name (``id``, ``sample_id``; an aggregation's log has ``item``): the row numbers the
log carries are those of the audited table, which is rarely the test set itself (the whole table was
audited, its ``split == "test"`` rows are scored) nor in its order (the table was sorted since).
When the test labels come with that column too, :func:`rows_by_id` puts each entry on the test
item of the same id, compared as text as the files write them (``007`` is not ``7``).

Entries whose id is no test item's are corrections of the audited rows outside the test set: they
are left out with a warning naming a few. A log none of whose ids is a test item's was made for
other data: it is refused, naming a few of its ids and of the test set's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from .._validate.arguments import show
from ..errors import InvalidLabelsError, LabelwiseWarning

__all__ = ["log_id_column", "rows_by_id", "test_ids"]

#: The change log's own columns (``labelwise export``), never an id column.
_LOG_OWN = ("row", "action", "given_label", "new_label", "changed", "reviewer", "decided_at", "version")


def log_id_column(columns: Sequence[Any]) -> str | None:
    """The id column of a change log with ``columns``: the one column between ``row`` and ``action``
    (what ``labelwise export`` writes there), else None."""
    names = [str(c) for c in columns]
    if "row" not in names or "action" not in names:
        return None
    between = names[names.index("row") + 1 : names.index("action")]
    return between[0] if len(between) == 1 and between[0] not in _LOG_OWN else None


def test_ids(ids: Any, column: str | None, n: int, source: str) -> pd.Series | None:
    """The test items' ids as text (one per item), from ``ids``: a Series or array of them, or a table
    (DataFrame) whose ``column`` holds them; None when there is nothing to match by (no ``ids``, no id
    column in the log, or a table without it).

    Raises
    ------
    InvalidLabelsError
        If the ids are not one per test item, or some id names two items.
    """
    if ids is None or column is None:
        return None
    if isinstance(ids, pd.DataFrame):
        if column not in ids.columns:
            return None
        ids = ids[column]
    texts = pd.Series(np.asarray(ids, dtype=object)).map(_text)
    if len(texts) != n:
        raise InvalidLabelsError(f"ids must give one id per test item ({n}), got {len(texts)}")
    repeated = texts[texts.duplicated(keep=False)]
    if len(repeated):
        first = repeated.iloc[0]
        at = np.flatnonzero((texts == first).to_numpy())[:2].tolist()
        raise InvalidLabelsError(
            f"the test items' ids (column {column!r}, matched to {source}'s) must be distinct, {first!r} names the "
            f"items {at[0]} and {at[1]} (counting from 0)"
        )
    return texts


def rows_by_id(log_ids: pd.Series, ids: pd.Series, column: str, source: str, lines: Callable[[], list[str]]) -> Any:
    """The test position of each log entry (by its id), and the entries to keep (a boolean mask): entries of
    ids outside the test set are dropped with a warning; a log with no id of the test set is refused."""
    where = pd.Index(ids.to_numpy(dtype=object)).get_indexer(log_ids.map(_text).to_numpy(dtype=object))
    known = where >= 0
    if len(where) and not known.any():
        raise InvalidLabelsError(
            f"{source} names its examples by the id column {column!r}, and none of its ids is a test item's: "
            f"{_few(log_ids.map(_text).tolist())} in {source}; {_few(ids.tolist())} in the test set. "
            "Were the corrections made for other data?"
        )
    if not known.all():
        out = np.flatnonzero(~known)
        listed = ", ".join(f"{_text(log_ids.iloc[i])!r} ({lines()[i]})" for i in out[:5])
        warn_at_caller(
            LabelwiseWarning(
                f"{source}: {len(out)} of {len(where)} corrections name ids that are not test items ({listed}"
                f"{', ...' if len(out) > 5 else ''}): left out (corrections of audited rows outside the test set)"
            )
        )
    return where, known


def _text(value: Any) -> str:
    """An id as the files write it (``9`` for a float ``9.0`` read from a column with a gap)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _few(values: list[Any]) -> str:
    """Up to five values, quoted, then how many more."""
    shown = ", ".join(show(v) for v in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")
