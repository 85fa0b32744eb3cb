"""The columns of a table that :func:`labelwise.columns.infer_column_roles` drops, from its statistics.

For a dask DataFrame, ``identifier_column`` reads the table's columns by their roles as it does in
memory (:func:`labelwise.checks.find._table_options`), but the roles are found from the
statistics the encoding gathered (:mod:`._table_stats`), not by reading the whole table here. The
dropped roles follow ``infer_column_roles``' rules: a column with one distinct value is
``constant``; an integer column of at least ``IDENTIFIER_MIN_ROWS`` distinct values in monotone
order (:mod:`labelwise._column_order`, its row blocks merged in order), or a string column (not a
``category``) whose values are all distinct and whose first values do not look like dates
(:func:`labelwise.columns.date_shape`), is an ``identifier``. Free text is refused before. The
columns kept are given the kind they are encoded as (``numeric``, ``date``, ``categorical``):
``identifier_column`` reads only the dropped ones.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._column_order import IDENTIFIER_MIN_ROWS, ROW_ID_REASON
from .._validate.arguments import show
from ..columns import DATE_LIKE_MIN, ColumnRoles, date_shape
from ._table_stats import TableStats

#: The reason given to the columns kept (their role is their encoding's kind).
KEPT = "a feature (its role is not inferred on dask: the column is kept)"


def table_roles(stats: TableStats, dtypes: pd.Series, kinds: dict[str, list[Any]]) -> ColumnRoles:
    """The roles of a table's columns (``dtypes``, in order): the dropped ones as
    ``infer_column_roles`` finds them, the others their encoding's kind (``kinds``)."""
    kind_of = {c: kind for kind, cols in kinds.items() for c in cols}
    roles: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for name, dtype in dtypes.items():
        role, why = _dropped(stats, name, dtype) or (kind_of[name], KEPT)
        roles[name], reasons[name] = role, why
    return ColumnRoles(roles=roles, reasons=reasons)


def _dropped(stats: TableStats, name: Any, dtype: Any) -> tuple[str, str] | None:
    """``("constant" or "identifier", why)`` for a column ``infer_column_roles`` drops, else None."""
    counts = stats.counts.get(name)
    distinct = sum(int((c > 0).sum()) for c in counts.values()) if counts is not None else None
    if distinct is None and name in stats.low:
        distinct = 1 if stats.low[name] == stats.high[name] else 2
    if distinct is not None and distinct <= 1:
        return "constant", f"one value ({show(stats.first[name])})"
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return None
    if pd.api.types.is_integer_dtype(dtype):
        order = stats.order.get(name)
        row_id = (
            order is not None and order.n >= IDENTIFIER_MIN_ROWS and bool(order.increasing[0] | order.decreasing[0])
        )
        return ("identifier", ROW_ID_REASON) if row_id else None
    head = stats.head.get(name)
    if head is None or distinct is None or date_shape(head)[0] >= DATE_LIKE_MIN:
        return None
    if distinct == stats.present[name] and distinct >= IDENTIFIER_MIN_ROWS:
        return "identifier", f"all {distinct} values are distinct strings"
    return None
