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

from .._tag_cells import check_separator as check_tag_separator
from .._tag_cells import split_tags
from .._validate.arguments import plain, show
from .._validate.labels import hashable, row_label
from ..errors import AnnotationError

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
    return check_tag_separator(tag_separator, "tag_separator", none=True)


def _is_missing(cell: Any) -> bool:
    if cell is None or cell is pd.NA or cell is pd.NaT:
        return True
    return isinstance(cell, (float, np.floating)) and bool(np.isnan(cell))


_SEQUENCES = (list, tuple, set, frozenset)


class _BadCell(Exception):
    """A cell that is no tag set (a dict); :func:`parse_tags` names its row."""


def _cell_tags(cell: Any, separator: str | None) -> list[Any]:
    """One answer's tags: a string split on ``separator`` (blanks dropped, each tag stripped), a
    missing cell as the empty set, a list / tuple / set / array as its elements (checked by
    :func:`parse_tags` on the distinct tags)."""
    kind = type(cell)
    if kind is str:
        return split_tags(cell, separator)
    if kind in _SEQUENCES:
        return list(cell)
    if _is_missing(cell):
        return []
    if isinstance(cell, str):  # a str subclass
        return _cell_tags(str(cell), separator)
    if isinstance(cell, (*_SEQUENCES, np.ndarray, pd.Series)):
        return list(cell.tolist() if isinstance(cell, (np.ndarray, pd.Series)) else cell)
    if isinstance(cell, dict):
        raise _BadCell(f"must be a list, tuple or set of tags or a separated string, got dict {show(cell)}")
    return [cell.item() if isinstance(cell, np.generic) else cell]  # a lone number or other scalar: one tag


def _place(name: str, col: str, index: pd.Index, pos: int) -> str:
    return f"{name} column {col!r} {row_label(index, pos)}"


def parse_tags(column: pd.Series, separator: str | None, *, name: str, col: str) -> TagPairs:
    """Parse the tag column of an answer table (one pass over the cells) into :class:`TagPairs`.

    The cells are split in Python (one call per cell); the tags are then coded by one
    ``pandas.factorize`` and checked on the distinct tags only (a missing tag, a tag containing
    ``separator``), so a table of millions of answers with a few hundred tags costs one pass.

    Raises
    ------
    AnnotationError
        If a cell holds an unhashable tag, a missing tag inside a list, a tag containing
        ``separator``, or a dict (the row is named).
    """
    index = column.index
    cells = column.to_numpy(dtype=object)
    flat: list[Any] = []
    counts: list[int] = []
    count, extend = counts.append, flat.extend
    try:
        for cell in cells:
            tags = _cell_tags(cell, separator)
            count(len(tags))
            extend(tags)
    except _BadCell as exc:
        raise AnnotationError(f"{_place(name, col, index, len(counts))} {exc}") from None
    sizes = np.asarray(counts, dtype=np.int64)
    owners = np.repeat(np.arange(len(cells), dtype=np.int64), sizes)

    def fail(at: int, what: str) -> AnnotationError:
        return AnnotationError(f"{_place(name, col, index, int(owners[at]))} {what}")

    try:
        codes, uniques = pd.factorize(pd.Series(flat, dtype=object), sort=False)
    except TypeError:  # an unhashable tag (a list inside the set): found only now, on the error path
        at = next(i for i, tag in enumerate(flat) if not hashable(tag))
        raise fail(
            at, f"must hold hashable tags (text, numbers), got {type(flat[at]).__name__} {show(flat[at])}"
        ) from None
    if (codes < 0).any():
        at = int(np.flatnonzero(codes < 0)[0])
        raise fail(at, f"holds a missing tag {show(flat[at])}; leave it out of the set")
    if separator is not None:
        for j, tag in enumerate(uniques):
            if isinstance(tag, str) and separator in tag:
                raise fail(
                    int(np.flatnonzero(codes == j)[0]),
                    f"holds the tag {show(tag)}, which contains tag_separator {separator!r}: its output could "
                    "not be read back; rename the tag or pass another tag_separator",
                )
    try:
        order = np.argsort(np.asarray(uniques, dtype=object), kind="stable")
        uniques = uniques.take(order)
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        codes = rank[codes] if codes.size else codes
    except TypeError:  # tags of mixed types: first-seen order
        pass
    n_tags = len(uniques)
    n = max(len(cells), 1)
    keys = np.sort(np.asarray(codes, dtype=np.int64) * n + owners)  # by tag, then answer
    if keys.size > 1:  # a tag repeated within one set counts once
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    tag_of = keys // n
    bounds = np.zeros(n_tags + 1, dtype=np.int64)
    np.cumsum(np.bincount(tag_of, minlength=n_tags), out=bounds[1:])
    tags = pd.Index([plain(u) for u in list(uniques)], name=col)  # pandas infers str or int tags
    return TagPairs(rows=keys - tag_of * n, bounds=bounds, tags=tags, n_empty=int((sizes == 0).sum()))
