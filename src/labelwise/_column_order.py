"""Constant and row-id columns of a numeric matrix, from facts that row blocks merge in order.

A column is *constant* when it holds one value, and a *row id* when it has at least
``IDENTIFIER_MIN_ROWS`` values, all integers (an integer dtype, or finite floats equal to their
rounding), strictly increasing or strictly decreasing. Both follow from a few numbers per column
and block of rows (:class:`ColumnOrder`): its range, its first and last value, whether its values
are integers and whether they rise or fall throughout. Blocks taken in row order merge exactly
(:meth:`ColumnOrder.then`: the blocks rise together when each rises and each starts above the
previous one's end), so a matrix held whole and the same matrix in row chunks on dask workers give
the same roles; only ``7 d`` numbers per block travel.

This is the one rule: :func:`labelwise.columns.infer_column_roles` (integer table columns) and
the ``identifier_column`` data check (in memory and per partition) both read it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ._validate.arguments import show
from .errors import InvalidParameterError

#: All-distinct values are an identifier only from this many rows on (tiny tables are left alone).
IDENTIFIER_MIN_ROWS = 20
ROW_ID_REASON = "distinct integers in monotone order (a row id)"
_HEAD = 1024  # rows looked at first: most float columns are not integers and stop there


@dataclass(frozen=True)
class ColumnOrder:
    """Per-column facts about ``n`` rows (arrays of one entry per column)."""

    n: int
    low: np.ndarray
    high: np.ndarray
    first: np.ndarray
    last: np.ndarray
    integral: np.ndarray
    increasing: np.ndarray
    decreasing: np.ndarray

    def then(self, other: ColumnOrder) -> ColumnOrder:
        """The facts about these rows followed by ``other``'s."""
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        return ColumnOrder(
            n=self.n + other.n,
            low=np.minimum(self.low, other.low),
            high=np.maximum(self.high, other.high),
            first=self.first,
            last=other.last,
            integral=self.integral & other.integral,
            increasing=self.increasing & other.increasing & (other.first > self.last),
            decreasing=self.decreasing & other.decreasing & (other.first < self.last),
        )


def column_order(X: np.ndarray) -> ColumnOrder:
    """The :class:`ColumnOrder` of a 2-D numeric block ``X``, one column at a time (no copy of ``X``)."""
    X = np.asarray(X)
    if X.ndim != 2:
        raise InvalidParameterError(f"X must be a 2-D matrix, got shape {X.shape}")
    n, d = X.shape
    if n == 0:
        empty = np.zeros(d)
        flags = np.zeros(d, dtype=bool)
        return ColumnOrder(0, empty, empty, empty, empty, flags, flags, flags)
    integral = np.ones(d, dtype=bool)
    increasing = np.zeros(d, dtype=bool)
    decreasing = np.zeros(d, dtype=bool)
    for c in range(d):
        col = X[:, c]
        if X.dtype.kind == "f":
            integral[c] = _whole(col[:_HEAD]) and _whole(col)
        elif X.dtype.kind not in "iu":
            integral[c] = False
        if integral[c]:
            step = np.diff(col)
            increasing[c], decreasing[c] = bool((step > 0).all()), bool((step < 0).all())
    return ColumnOrder(n, X.min(axis=0), X.max(axis=0), X[0].copy(), X[-1].copy(), integral, increasing, decreasing)


def _whole(values: np.ndarray) -> bool:
    return bool(np.isfinite(values).all() and (values == np.round(values)).all())


def merged(blocks: Iterable[ColumnOrder]) -> ColumnOrder:
    """The facts about blocks of rows taken in order."""
    return functools.reduce(ColumnOrder.then, blocks)


def roles_from_order(order: ColumnOrder) -> dict[int, tuple[str, str]]:
    """``{column: (role, reason)}`` for the constant and row-id columns; other columns left out."""
    out: dict[int, tuple[str, str]] = {}
    if order.n == 0:
        return out
    ids = order.integral & (order.increasing | order.decreasing) & (order.n >= IDENTIFIER_MIN_ROWS)
    for c in range(len(order.low)):
        if order.low[c] == order.high[c]:
            out[c] = ("constant", f"one value ({show(order.low[c].item())})")
        elif ids[c]:
            out[c] = ("identifier", ROW_ID_REASON)
    return out


def is_row_id(values: np.ndarray) -> bool:
    """Whether numbers look like a row id: at least ``IDENTIFIER_MIN_ROWS`` integers (integer dtype
    or integral floats), all distinct, in monotone order."""
    values = np.asarray(values)
    if values.ndim != 1 or values.size < IDENTIFIER_MIN_ROWS or values.dtype.kind not in "iuf":
        return False
    order = column_order(values[:, None])
    return bool(order.integral[0] and (order.increasing[0] or order.decreasing[0]))


def matrix_column_roles(X: np.ndarray) -> dict[int, tuple[str, str]]:
    """The columns of a finite numeric matrix that :func:`labelwise.columns.infer_column_roles`
    would drop, with reasons.

    Returns ``{column index: (role, reason)}`` for ``constant`` columns (one value) and
    ``identifier`` columns (:func:`is_row_id`); the other columns are left out.
    """
    return roles_from_order(column_order(X))
