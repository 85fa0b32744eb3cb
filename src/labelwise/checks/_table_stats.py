"""What the data checks' table encoding learns from a table, as statistics that add up over row blocks.

:mod:`labelwise.checks._table_features` fits its encoder on these numbers only: a table in memory
is one block, a dask DataFrame one block per partition (:mod:`labelwise.checks._dask_table`), and
:func:`merged` adds the blocks' statistics up exactly (counts are summed, minima taken, the first
offending row kept), so the encoder, and every feature it makes, is the same for any partitioning.

Per column: its non-missing cells; for a column of categories, the count of each value as it is
written (``str(value)``) under the name of its type (``str``, ``int``: two values that read the
same, ``1`` and ``"1"``, stay two categories); whether its values are all booleans; for a date
column, its earliest date; the first cell that cannot be a category (a list, a dict). Per table:
its rows, the rows with a missing (or infinite) cell, the first five of them, and the missing cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._column_order import ColumnOrder, column_order
from .._column_transformers import to_datetime
from .._validate.arguments import show
from .._validate.labels import first_unhashable_row
from ..columns import DATE_SAMPLE

#: How many rows with a missing cell an error names.
FIRST_ROWS = 5
_EMPTY = column_order(np.zeros((0, 1), dtype=np.int64))


@dataclass
class TableStats:
    """The statistics of one block of rows (or of several, :func:`merged`).

    Attributes
    ----------
    rows : int
    present : dict
        Column name -> its non-missing cells.
    counts : dict
        Column of categories -> ``{type name: Series of counts indexed by the values as written}``.
    booleans : dict
        Column of objects -> whether every non-missing value is a boolean.
    earliest : dict
        Date column -> its earliest date (``NaT`` when none).
    unhashable : dict
        Column -> ``(row, type name, the value shown)`` of its first cell that is a container.
    first : dict
        Column -> its first non-missing value.
    low, high : dict
        Column of numbers or dates -> its least and greatest value (missing ones aside).
    order : dict
        Integer column -> its :class:`~labelwise._column_order.ColumnOrder` (None once a cell is
        missing): whether it is a row id.
    head : dict
        Column of strings (not ``category``) -> its first ``DATE_SAMPLE`` values as strings: whether
        they look like dates.
    missing_rows : int
        Rows with a missing (or infinite) cell.
    first_missing : list of int
        The first :data:`FIRST_ROWS` of them.
    missing_cells : int
    """

    rows: int
    present: dict[Any, int] = field(default_factory=dict)
    counts: dict[Any, dict[str, pd.Series]] = field(default_factory=dict)
    booleans: dict[Any, bool] = field(default_factory=dict)
    earliest: dict[Any, Any] = field(default_factory=dict)
    unhashable: dict[Any, tuple[int, str, str]] = field(default_factory=dict)
    first: dict[Any, Any] = field(default_factory=dict)
    low: dict[Any, Any] = field(default_factory=dict)
    high: dict[Any, Any] = field(default_factory=dict)
    order: dict[Any, ColumnOrder | None] = field(default_factory=dict)
    head: dict[Any, pd.Series] = field(default_factory=dict)
    missing_rows: int = 0
    first_missing: list[int] = field(default_factory=list)
    missing_cells: int = 0


def is_number_dtype(dtype: Any) -> bool:
    """Numbers and booleans by dtype: read as they are (a boolean as its own 0/1 indicator)."""
    return bool(pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))


def is_date_dtype(dtype: Any) -> bool:
    return bool(pd.api.types.is_datetime64_any_dtype(dtype))


def is_category_dtype(dtype: Any) -> bool:
    """Neither numbers, booleans, dates nor durations: categories (or free text, refused later)."""
    return not (is_number_dtype(dtype) or is_date_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype))


def block_stats(frame: pd.DataFrame) -> TableStats:
    """The statistics of ``frame``'s rows (row numbers counted from its first row)."""
    stats = TableStats(rows=len(frame))
    missing = np.zeros(len(frame), dtype=np.int64)
    for name in frame.columns:
        col = frame[name]
        absent = col.isna().to_numpy()
        stats.present[name] = int(len(col) - absent.sum())
        missing += absent
        kept = col[~absent]
        if len(kept):
            stats.first[name] = kept.iloc[0]
        if is_number_dtype(col.dtype):
            missing += np.isinf(col.to_numpy(dtype=np.float64, na_value=np.nan))
            if len(kept):
                stats.low[name], stats.high[name] = kept.min(), kept.max()
            if pd.api.types.is_integer_dtype(col.dtype):
                whole = not absent.any()
                stats.order[name] = column_order(kept.to_numpy().reshape(-1, 1)) if whole else None
        elif is_date_dtype(col.dtype):
            dates = to_datetime(col, None)
            stats.earliest[name] = stats.low[name] = dates.min()
            stats.high[name] = dates.max()
        elif is_category_dtype(col.dtype):
            _category_stats(stats, name, col, absent)
            if not isinstance(col.dtype, pd.CategoricalDtype):
                stats.head[name] = kept.iloc[:DATE_SAMPLE].astype(str)
    rows = np.flatnonzero(missing)
    stats.missing_rows, stats.first_missing = int(rows.size), rows[:FIRST_ROWS].tolist()
    stats.missing_cells = int(missing.sum())
    return stats


def _category_stats(stats: TableStats, name: Any, col: pd.Series, absent: np.ndarray) -> None:
    """A column of categories: the first container, or whether it holds booleans and its counts."""
    row = first_unhashable_row(col)
    if row is not None:
        value = col.iloc[row]
        stats.unhashable[name] = (row, type(value).__name__, show(value))
        return
    present = col.astype(object).to_numpy()[~absent]
    if col.dtype == object:
        stats.booleans[name] = all(isinstance(v, (bool, np.bool_)) for v in present)
    if all(isinstance(v, str) for v in present):
        stats.counts[name] = {"str": pd.Series(present, dtype=object).value_counts(sort=False)}
        return
    kinds = np.array(["str" if isinstance(v, str) else type(v).__name__ for v in present], dtype=object)
    texts = np.array([str(v) for v in present], dtype=object)
    stats.counts[name] = {
        kind: pd.Series(texts[kinds == kind], dtype=object).value_counts(sort=False) for kind in pd.unique(kinds)
    }


def merged(blocks: list[TableStats]) -> TableStats:
    """The statistics of the blocks' rows one after the other (in order: row numbers are offset)."""
    out = TableStats(rows=sum(b.rows for b in blocks))
    start = 0
    for b in blocks:
        for name, n in b.present.items():
            out.present[name] = out.present.get(name, 0) + n
        for name, flag in b.booleans.items():
            out.booleans[name] = out.booleans.get(name, True) and flag
        for name, day in b.earliest.items():
            before = out.earliest.get(name, pd.NaT)
            out.earliest[name] = day if pd.isna(before) or (not pd.isna(day) and day < before) else before
        for name, value in b.first.items():
            out.first.setdefault(name, value)
        for name, value in b.low.items():
            out.low[name] = value if name not in out.low or pd.isna(out.low[name]) else min(out.low[name], value)
        for name, value in b.high.items():
            out.high[name] = value if name not in out.high or pd.isna(out.high[name]) else max(out.high[name], value)
        for name, order in b.order.items():
            before = out.order.get(name, _EMPTY)
            out.order[name] = None if order is None or before is None else before.then(order)
        for name, head in b.head.items():
            before = out.head.get(name)
            out.head[name] = head if before is None else pd.concat([before, head]).iloc[:DATE_SAMPLE]
        for name, (row, kind, shown) in b.unhashable.items():
            out.unhashable.setdefault(name, (start + row, kind, shown))
        for name, by_kind in b.counts.items():
            into = out.counts.setdefault(name, {})
            for kind, counts in by_kind.items():
                into[kind] = counts if kind not in into else into[kind].add(counts, fill_value=0).astype(np.int64)
        out.first_missing += [start + r for r in b.first_missing][: FIRST_ROWS - len(out.first_missing)]
        out.missing_rows += b.missing_rows
        out.missing_cells += b.missing_cells
        start += b.rows
    return out
