"""Constant and row-id columns of a numeric matrix, from facts that row blocks merge in order.

A column is *constant* when it holds one value, and a *row id* when it has at least
``IDENTIFIER_MIN_ROWS`` values, all integers (an integer dtype, or finite floats equal to their
rounding), strictly increasing or strictly decreasing. Both follow from a few numbers per column
and block of rows (:class:`ColumnOrder`): its range, its first and last value, and whether its
values are integers that rise, or fall, throughout. Blocks taken in row order merge exactly
(:meth:`ColumnOrder.then`: the blocks rise together when each rises and each starts above the
previous one's end), so a matrix held whole and the same matrix in row chunks on dask workers give
the same roles; only ``6 d`` numbers per block travel.

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
    """Per-column facts about ``n`` rows (arrays of one entry per column): the range, the first and
    last value, and whether the values are all integers *and* strictly increasing (``increasing``)
    or strictly decreasing (``decreasing``)."""

    n: int
    low: np.ndarray
    high: np.ndarray
    first: np.ndarray
    last: np.ndarray
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
        return ColumnOrder(0, empty, empty, empty, empty, np.zeros(d, dtype=bool), np.zeros(d, dtype=bool))
    increasing = np.zeros(d, dtype=bool)
    decreasing = np.zeros(d, dtype=bool)
    if X.dtype.kind in "iuf":
        for c in range(d):
            col = X[:, c]
            head = _direction(col[:_HEAD])  # most columns are no row id and stop here
            if head != (False, False) and n > _HEAD:
                head = _direction(col)
            increasing[c], decreasing[c] = head
    return ColumnOrder(n, X.min(axis=0), X.max(axis=0), X[0].copy(), X[-1].copy(), increasing, decreasing)


def _direction(values: np.ndarray) -> tuple[bool, bool]:
    """Whether ``values`` are integers that strictly rise, and integers that strictly fall."""
    if values.dtype.kind == "f" and not (np.isfinite(values).all() and (values == np.round(values)).all()):
        return False, False
    before, after = values[:-1], values[1:]  # compared, not subtracted: unsigned or extreme integers do not wrap
    return bool((after > before).all()), bool((after < before).all())


def merged(blocks: Iterable[ColumnOrder]) -> ColumnOrder:
    """The facts about blocks of rows taken in order."""
    return functools.reduce(ColumnOrder.then, blocks)


def roles_from_order(order: ColumnOrder) -> dict[int, tuple[str, str]]:
    """``{column: (role, reason)}`` for the constant and row-id columns; other columns left out."""
    out: dict[int, tuple[str, str]] = {}
    if order.n == 0:
        return out
    ids = (order.increasing | order.decreasing) & (order.n >= IDENTIFIER_MIN_ROWS)
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
    return any(_direction(values))


def matrix_column_roles(X: np.ndarray) -> dict[int, tuple[str, str]]:
    """The columns of a finite numeric matrix that :func:`labelwise.columns.infer_column_roles`
    would drop, with reasons.

    Returns ``{column index: (role, reason)}`` for ``constant`` columns (one value) and
    ``identifier`` columns (:func:`is_row_id`); the other columns are left out.
    """
    return roles_from_order(column_order(X))
