"""Validate a long table of pairwise comparisons and encode it to integer codes once.

One row is one comparison: a ``left`` and a ``right`` item, the ``winner`` (one of the two) and,
optionally, the ``annotator`` who answered. :func:`encode_pairs` checks every row (a missing
field, an item compared with itself, a winner that is neither item of its pair: each refused
naming the row), codes the items (one vocabulary for both columns) and the annotators in sorted
order, and finds the connected components of the comparison graph. :func:`ford_condition`
tells whether the Bradley-Terry maximum-likelihood strengths exist (Ford 1957).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .._validate.arguments import show
from .._validate.labels import row_label
from ..errors import AnnotationError, InvalidParameterError
from ._column_params import check_named_columns
from ._factorize import _factorize

__all__ = ["EncodedPairs", "encode_pairs", "ford_condition", "never_lost_or_won"]

#: Rows per block for the passes over the comparisons (row checks, pair keys).
BLOCK = 1 << 18


@dataclass(frozen=True, eq=False)
class EncodedPairs:
    """Comparisons as integer codes.

    Attributes
    ----------
    left, right : ndarray of int64, shape (n_comparisons,)
        Codes of each comparison's items into ``items``.
    left_won : ndarray of bool, shape (n_comparisons,)
        Whether the left item won.
    annotator : ndarray of int64 or None
        Codes into ``annotators`` (``None`` when the table has no annotator column).
    items, annotators : pandas.Index
        The distinct items (of both item columns) and annotators, sorted when comparable.
    component : ndarray of int64, shape (n_items,)
        The connected component of each item in the comparison graph (items linked when compared),
        numbered by decreasing size (0 is the largest; ties by the smallest item).
    """

    left: np.ndarray
    right: np.ndarray
    left_won: np.ndarray
    annotator: np.ndarray | None
    items: pd.Index
    annotators: pd.Index | None
    component: np.ndarray

    @property
    def n_items(self) -> int:
        """Number of distinct items."""
        return len(self.items)

    @property
    def n_components(self) -> int:
        """Number of connected components of the comparison graph."""
        return int(self.component.max()) + 1 if len(self.component) else 0

    @property
    def winner(self) -> np.ndarray:
        """Code of each comparison's winner."""
        return np.where(self.left_won, self.left, self.right)

    @property
    def loser(self) -> np.ndarray:
        """Code of each comparison's loser."""
        return np.where(self.left_won, self.right, self.left)


def check_column_names(pairs: Any, columns: dict[str, str | None]) -> None:
    """Each named column (parameter -> column; ``annotator_col`` may be ``None``, not used) is a non-empty
    string and a column of ``pairs`` (a pandas or dask DataFrame), or an error naming the parameter."""
    optional = {"annotator_col"}
    check_named_columns(pairs, {p: c for p, c in columns.items() if p not in optional}, "pairs")
    check_named_columns(pairs, {p: c for p, c in columns.items() if p in optional}, "pairs", none_unused=True)


def _check_columns(pairs: Any, columns: dict[str, str | None]) -> pd.DataFrame:
    if not isinstance(pairs, pd.DataFrame):
        raise AnnotationError(f"pairs must be a pandas DataFrame of comparisons, got {type(pairs).__name__}")
    check_column_names(pairs, columns)
    if len(pairs) == 0:
        raise AnnotationError("pairs must hold at least one comparison, got an empty table")
    return pairs


def _first_missing(pairs: pd.DataFrame, column: str, param: str) -> None:
    missing = pairs[column].isna().to_numpy(dtype=bool)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        extra = (
            " (a tie, or a comparison left unanswered? ties are not supported: drop those rows)"
            if param == "winner_col"
            else ""
        )
        raise AnnotationError(
            f"{param} column {column!r} must not contain missing values, "
            f"{row_label(pairs.index, row)} is {show(pairs[column].iloc[row])}{extra}"
        )


def _equal(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise ``a == b`` of two columns as a bool array (object comparison where dtypes clash)."""
    try:
        return np.asarray(a.to_numpy() == b.to_numpy(), dtype=bool)
    except (TypeError, ValueError):
        return np.asarray(a.astype(object).to_numpy() == b.astype(object).to_numpy(), dtype=bool)


def encode_pairs(
    pairs: Any,
    *,
    left_col: str = "left",
    right_col: str = "right",
    winner_col: str = "winner",
    annotator_col: str | None = None,
) -> EncodedPairs:
    """Check the comparison table and encode it (see :class:`EncodedPairs`).

    Raises
    ------
    MissingColumnError
        A named column is not in the table.
    AnnotationError
        The table is empty, a field is missing, an item is compared with itself, or a winner is
        neither item of its row (each naming the first such row).
    """
    columns = {"left_col": left_col, "right_col": right_col, "winner_col": winner_col, "annotator_col": annotator_col}
    pairs = _check_columns(pairs, columns)
    named = {p: c for p, c in columns.items() if c is not None}
    if len(set(named.values())) < len(named):
        raise InvalidParameterError(f"the columns must be different columns, got {named}")
    for param, column in named.items():
        _first_missing(pairs, column, param)
    left_v, right_v, win_v = pairs[left_col], pairs[right_col], pairs[winner_col]
    n = len(pairs)
    same, left_won, right_won = (np.empty(n, dtype=bool) for _ in range(3))
    for start in range(0, n, BLOCK):  # row checks in blocks: three bool temporaries of one block each
        s = slice(start, start + BLOCK)
        same[s] = _equal(left_v.iloc[s], right_v.iloc[s])
        left_won[s] = _equal(win_v.iloc[s], left_v.iloc[s])
        right_won[s] = _equal(win_v.iloc[s], right_v.iloc[s])
    if same.any():
        row = int(np.flatnonzero(same)[0])
        raise AnnotationError(
            f"left_col {left_col!r} and right_col {right_col!r} must be two different items, "
            f"{row_label(pairs.index, row)} compares "
            f"{show(left_v.iloc[row])} with itself"
        )
    bad = ~(left_won | right_won)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        sides = {"left", "right", str(left_col).lower(), str(right_col).lower()}
        named_sides = all(isinstance(v, str) and v.strip().lower() in sides for v in pd.unique(win_v[bad]))
        hint = (
            f"; column {winner_col!r} names a side, not the winning item: write the item instead (the item of "
            f"column {left_col!r} where it says left, of column {right_col!r} where it says right)"
            if named_sides
            else " (ties are not supported: drop those rows)"
        )
        raise AnnotationError(
            f"winner_col {winner_col!r} must be the left or the right item of its row, {row_label(pairs.index, row)} "
            f"has {show(win_v.iloc[row])} for the pair ({show(left_v.iloc[row])}, {show(right_v.iloc[row])}){hint}"
        )
    both = pd.concat([left_v, right_v], ignore_index=True)
    codes, items = _factorize(both)
    codes = np.asarray(codes, dtype=np.int64)
    left, right = codes[:n], codes[n:]
    annotator = annotators = None
    if annotator_col is not None:
        raw, annotators = _factorize(pairs[annotator_col])
        annotator = np.asarray(raw, dtype=np.int64)
    component = _components(left, right, len(items))
    return EncodedPairs(left, right, left_won, annotator, pd.Index(items), annotators, component)


def _components(left: np.ndarray, right: np.ndarray, n_items: int) -> np.ndarray:
    """Connected components of the undirected comparison graph, the largest first."""
    graph = sp.coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n_items, n_items))
    _, raw = connected_components(graph, directed=False)
    sizes = np.bincount(raw)
    first = np.full(len(sizes), n_items, dtype=np.int64)
    np.minimum.at(first, raw, np.arange(n_items))
    order = np.lexsort((first, -sizes))  # by size descending, then by the smallest item code
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[raw].astype(np.int64)


def ford_condition(enc: EncodedPairs) -> bool:
    """Whether the maximum-likelihood Bradley-Terry strengths exist in every component.

    Ford (1957): they exist (and are unique up to a factor per component) if and only if, for every
    split of a component's items into two non-empty groups, some item of each group beats some item
    of the other, i.e. the directed graph "winner -> loser" is strongly connected within each
    connected component of the comparison graph.
    """
    graph = sp.coo_matrix(
        (np.ones(len(enc.left), dtype=np.int8), (enc.winner, enc.loser)), shape=(enc.n_items, enc.n_items)
    )
    n_strong, _ = connected_components(graph, directed=True, connection="strong")
    return int(n_strong) == enc.n_components


def never_lost_or_won(enc: EncodedPairs) -> tuple[list[Any], list[Any]]:
    """The items that never lose and those that never win (up to 5 of each, for messages)."""
    won = np.bincount(enc.winner, minlength=enc.n_items)
    lost = np.bincount(enc.loser, minlength=enc.n_items)
    return [enc.items[i] for i in np.flatnonzero(lost == 0)[:5]], [enc.items[i] for i in np.flatnonzero(won == 0)[:5]]
