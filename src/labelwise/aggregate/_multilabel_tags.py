"""Multi-label answers read once: each answer's tag set as flat (answer, tag) code pairs.

:class:`~labelwise.aggregate.multilabel.MultiLabelAggregator` parses the tag column here, one pass
over the answers, and then builds every tag's binary answers by indexing these pairs (never by
parsing the table again per tag).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from .._validate.labels import row_label
from ..errors import AnnotationError, InvalidParameterError

__all__ = ["TagPairs", "check_separator", "parse_tags"]


@dataclass(frozen=True)
class TagPairs:
    """Every answer's tags as code pairs.

    Attributes
    ----------
    rows : ndarray of int64
        The answer (position in the table) of each (answer, tag) pair, sorted by tag, then answer;
        a tag repeated within one answer's set appears once.
    bounds : ndarray of int64, shape (n_tags + 1,)
        ``rows[bounds[t]:bounds[t + 1]]`` are the answers that chose tag ``t``.
    tags : pandas.Index
        The distinct tags, sorted (first-seen order when they cannot be sorted).
    n_empty : int
        Answers with the empty set (no tag chosen).
    """

    rows: np.ndarray
    bounds: np.ndarray
    tags: pd.Index
    n_empty: int

    def chosen(self, tag: int) -> np.ndarray:
        """The answers (positions) that chose tag code ``tag``."""
        return self.rows[self.bounds[tag] : self.bounds[tag + 1]]


def check_separator(tag_separator: Any) -> str | None:
    """``tag_separator``: a non-empty string without surrounding whitespace, or None."""
    if tag_separator is None:
        return None
    if not isinstance(tag_separator, str) or not tag_separator.strip() or tag_separator != tag_separator.strip():
        raise InvalidParameterError(
            f"tag_separator must be a non-empty string without surrounding spaces (e.g. '|') or None, "
            f"got {tag_separator!r}"
        )
    return tag_separator


def _is_missing(cell: Any) -> bool:
    if cell is None or cell is pd.NA or cell is pd.NaT:
        return True
    return isinstance(cell, (float, np.floating)) and bool(np.isnan(cell))


def _cell_tags(cell: Any, separator: str | None, where: str) -> list[Any]:
    """One answer's tags: a string split on ``separator`` (blanks dropped, each tag stripped), a
    missing cell as the empty set, a list / tuple / set / array as its elements."""
    if _is_missing(cell):
        return []
    if isinstance(cell, str):
        if separator is None:
            return [cell] if cell.strip() else []
        return [t.strip() for t in cell.split(separator) if t.strip()]
    if isinstance(cell, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        values = list(cell.tolist() if isinstance(cell, (np.ndarray, pd.Series)) else cell)
        for tag in values:
            if _is_missing(tag):
                raise AnnotationError(f"{where} holds a missing tag {show(tag)}; leave it out of the set")
            try:
                hash(tag)
            except TypeError:
                raise AnnotationError(
                    f"{where} must hold hashable tags (text, numbers), got {type(tag).__name__} {show(tag)}"
                ) from None
            if separator is not None and isinstance(tag, str) and separator in tag:
                raise AnnotationError(
                    f"{where} holds the tag {show(tag)}, which contains tag_separator {separator!r}: "
                    "its output could not be read back; rename the tag or pass another tag_separator"
                )
        return values
    if isinstance(cell, dict):
        raise AnnotationError(
            f"{where} must be a list, tuple or set of tags or a separated string, got dict {show(cell)}"
        )
    return [cell.item() if isinstance(cell, np.generic) else cell]  # a lone number or other scalar: one tag


def parse_tags(column: pd.Series, separator: str | None, *, name: str, col: str) -> TagPairs:
    """Parse the tag column of an answer table (one pass) into :class:`TagPairs`.

    Raises
    ------
    AnnotationError
        If a cell holds an unhashable tag, a missing tag inside a list, a tag containing
        ``separator``, or a dict (the row is named).
    """
    index = column.index
    owners: list[int] = []
    flat: list[Any] = []
    n_empty = 0
    for pos, cell in enumerate(column.array):
        tags = _cell_tags(cell, separator, f"{name} column {col!r} {row_label(index, pos)}")
        if not tags:
            n_empty += 1
            continue
        owners.extend([pos] * len(tags))
        flat.extend(tags)
    values = pd.Series(flat, dtype=object)
    codes, uniques = pd.factorize(values, sort=False)
    try:
        order = np.argsort(np.asarray(uniques, dtype=object), kind="stable")
        uniques = uniques.take(order)
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        codes = rank[codes] if codes.size else codes
    except TypeError:  # tags of mixed types: first-seen order
        pass
    n_tags = len(uniques)
    rows = np.asarray(owners, dtype=np.int64)
    tag_codes = np.asarray(codes, dtype=np.int64)
    n = max(len(column), 1)
    keys = np.unique(tag_codes * n + rows)  # sorted by tag, then answer; a tag repeated in one set once
    tag_of = keys // n
    bounds = np.zeros(n_tags + 1, dtype=np.int64)
    np.cumsum(np.bincount(tag_of, minlength=n_tags), out=bounds[1:])
    tags = pd.Index(_infer(uniques), name=col)
    return TagPairs(rows=keys - tag_of * n, bounds=bounds, tags=tags, n_empty=n_empty)


def _infer(uniques: Any) -> Any:
    """The tags as a list pandas infers a dtype for (strings stay strings, ints stay ints)."""
    return [u.item() if isinstance(u, np.generic) else u for u in list(uniques)]
