"""Validate a long table of numeric answers (item, annotator, value) and encode it once.

:func:`encode_numbers` checks the columns, refuses a missing id, a value that is not a number and
an infinite value (each naming the first such row), and returns :class:`NumericAnswers`: integer
codes of each answer's item and annotator, the values as float64, the per-item and per-annotator
answer counts, and the connected component of each annotator in the bipartite item-annotator graph
(annotators linked through the items they both answered): annotator biases are comparable only
within one component.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .._validate.arguments import check_choice, show
from .._validate.labels import row_label
from ..errors import AnnotationError, InvalidParameterError
from ._column_params import check_named_columns
from ._factorize import _factorize, duplicate_pairs

__all__ = ["BLOCK_ROWS", "NUMERIC_DUPLICATES", "NumericAnswers", "encode_numbers", "item_sums", "annotator_sums"]

#: What to do with several answers of one annotator on one item: ``keep`` and ``last`` as in
#: :func:`labelwise.aggregate._answers.encode_answers`; ``mean``: their mean, as one answer.
NUMERIC_DUPLICATES = ("keep", "last", "mean")

#: Answers per block of the passes over the answer arrays (8 MB per float64 temporary).
BLOCK_ROWS = 1 << 20


@dataclass(frozen=True, eq=False)
class NumericAnswers:
    """A numeric answer table encoded to integer codes.

    Attributes
    ----------
    item, annotator : ndarray of int64, shape (n_answers,)
        Codes into ``items`` and ``annotators`` (sorted distinct values of the columns).
    value : ndarray of float64, shape (n_answers,)
        The answers, all finite.
    items, annotators : pandas.Index
    n_per_item, n_per_annotator : ndarray of int64
        Answers per item and per annotator.
    annotator_component : ndarray of int64
        Connected component of each annotator in the item-annotator graph (0..n_components-1).
    n_components : int
    n_duplicates : int
        Answers that repeat an annotator's answer on an item (rows beyond its first).
    rows : ndarray of int64 or None
        Row position in the table of each answer, when ``duplicates`` folded repeats (the last row
        of each item-annotator pair); None when every row is an answer, in order.
    """

    item: np.ndarray
    annotator: np.ndarray
    value: np.ndarray
    items: pd.Index
    annotators: pd.Index
    n_per_item: np.ndarray
    n_per_annotator: np.ndarray
    annotator_component: np.ndarray
    n_components: int
    n_duplicates: int = 0
    rows: np.ndarray | None = None

    @property
    def n_answers(self) -> int:
        return int(self.value.shape[0])

    def blocks(self, block_rows: int | None = None) -> list[slice]:
        """Row blocks of the answer arrays, in order (of :data:`BLOCK_ROWS` answers by default)."""
        block_rows = block_rows or BLOCK_ROWS
        return [slice(s, s + block_rows) for s in range(0, self.n_answers, block_rows)]


def shared_items_per_annotator(data: NumericAnswers) -> np.ndarray:
    """Per annotator, the distinct items it answered that hold at least two answers in all: the items its
    bias and noise are estimated from (an item's only answer says nothing about its annotator)."""
    n_annotators = len(data.annotators)
    pairs = np.unique(data.item.astype(np.int64) * n_annotators + data.annotator)
    item, annotator = np.divmod(pairs, n_annotators)
    shared = data.n_per_item[item] >= 2
    return np.bincount(annotator[shared], minlength=n_annotators).astype(np.int64)


def item_sums(data: NumericAnswers, weights: Any, block_rows: int | None = None) -> np.ndarray:
    """Sum ``weights(block)`` (a function of a row block, giving one float per answer) by item, block by block."""
    out = np.zeros(len(data.items))
    for s in data.blocks(block_rows):
        out += np.bincount(data.item[s], weights=weights(s), minlength=len(data.items))
    return out


def annotator_sums(data: NumericAnswers, weights: Any, block_rows: int | None = None) -> np.ndarray:
    """Sum ``weights(block)`` by annotator, block by block."""
    out = np.zeros(len(data.annotators))
    for s in data.blocks(block_rows):
        out += np.bincount(data.annotator[s], weights=weights(s), minlength=len(data.annotators))
    return out


def _check_columns(answers: Any, columns: dict[str, str]) -> pd.DataFrame:
    if not isinstance(answers, pd.DataFrame):
        raise AnnotationError(
            f"answers must be a pandas DataFrame with one numeric answer per row, got {type(answers).__name__}"
        )
    check_named_columns(answers, columns, "answers")
    names = list(columns.items())
    for k, (param, column) in enumerate(names):
        for other, other_column in names[:k]:
            if column == other_column:
                raise InvalidParameterError(f"{param} must name another column than {other}, got {column!r} for both")
    if len(answers) == 0:
        raise AnnotationError("answers must hold at least one answer, got an empty table")
    return answers


def _first_missing(answers: pd.DataFrame, column: str, param: str) -> None:
    missing = answers[column].isna().to_numpy(dtype=bool)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise AnnotationError(
            f"{param} column {column!r} must not contain missing values, "
            f"{row_label(answers.index, row)} is {show(answers[column].iloc[row])}"
        )


def numeric_values(answers: pd.DataFrame, column: str) -> np.ndarray:
    """The value column as finite float64, or an error naming the first row that is not a finite number."""
    col = answers[column]
    if col.dtype.kind == "b" or str(col.dtype) == "boolean":
        raise AnnotationError(f"value_col column {column!r} must hold numbers, got a column of booleans")
    if col.dtype.kind in "iuf":
        values = col.to_numpy(dtype=np.float64)
        bad_text = np.zeros(len(values), dtype=bool)
    else:
        values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        is_bool = col.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
        bad_text = (np.isnan(values) & col.notna().to_numpy(dtype=bool)) | is_bool
    if bad_text.any():
        row = int(np.flatnonzero(bad_text)[0])
        raise AnnotationError(
            f"value_col column {column!r} must hold numbers, {row_label(answers.index, row)} is {show(col.iloc[row])}"
        )
    finite = np.isfinite(values)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        what = "missing" if np.isnan(values[row]) else "infinite"
        raise AnnotationError(
            f"value_col column {column!r} must hold finite numbers, {row_label(answers.index, row)} is "
            f"{show(col.iloc[row])} ({what})"
        )
    return values


def _components(item: np.ndarray, annotator: np.ndarray, n_items: int, n_annotators: int) -> tuple[np.ndarray, int]:
    n = n_items + n_annotators
    graph = sp.coo_matrix((np.ones(len(item), dtype=np.int8), (item, annotator + n_items)), shape=(n, n)).tocsr()
    n_comp, labels = connected_components(graph, directed=False)
    ann = labels[n_items:]
    _, ann = np.unique(ann, return_inverse=True)  # renumber 0.. in order of the smallest annotator code
    return ann.astype(np.int64), int(ann.max()) + 1


def _fold_repeats(
    item: np.ndarray, annotator: np.ndarray, value: np.ndarray, n_items: int, n_annotators: int, duplicates: str
) -> tuple[int, np.ndarray | None, np.ndarray]:
    """Count the repeated (item, annotator) pairs; with ``last`` or ``mean``, the rows that stay
    (the last of each pair, in row order) and their values (the last one's, or the pair's mean)."""
    key = item * n_annotators + annotator
    n_dup, keep = duplicate_pairs(key, n_items * n_annotators, "keep" if duplicates == "keep" else "last")
    if keep is None:
        return n_dup, None, value
    if duplicates == "last":
        return n_dup, keep, value[keep]
    order = np.argsort(key, kind="stable")
    srt = key[order]
    starts = np.flatnonzero(np.r_[True, srt[1:] != srt[:-1]])
    means = np.add.reduceat(value[order], starts) / np.diff(np.r_[starts, len(srt)])
    last = order[np.r_[starts[1:], len(srt)] - 1]  # each pair's last row
    by_row = np.argsort(last)
    return n_dup, last[by_row], means[by_row]


def encode_numbers(
    answers: Any,
    *,
    item_col: str = "item",
    annotator_col: str = "annotator",
    value_col: str = "value",
    duplicates: str = "keep",
) -> NumericAnswers:
    """Check a numeric answer table and encode it (see :class:`NumericAnswers`).

    ``duplicates`` (one of :data:`NUMERIC_DUPLICATES`) says what several answers of one annotator
    on one item become: each an answer (``keep``), the last in row order (``last``), or one answer,
    their mean, in the place of the last (``mean``).

    Raises
    ------
    MissingColumnError
        A named column is not in the table.
    AnnotationError
        The table is empty, an id is missing, or a value is not a finite number (naming the first row).
    InvalidParameterError
        ``duplicates`` is not one of :data:`NUMERIC_DUPLICATES`.
    """
    check_choice("duplicates", duplicates, NUMERIC_DUPLICATES)
    columns = {"item_col": item_col, "annotator_col": annotator_col, "value_col": value_col}
    answers = _check_columns(answers, columns)
    _first_missing(answers, item_col, "item_col")
    _first_missing(answers, annotator_col, "annotator_col")
    value = numeric_values(answers, value_col)
    item, items = _factorize(answers[item_col])
    annotator, annotators = _factorize(answers[annotator_col])
    item = np.asarray(item, dtype=np.int64)
    annotator = np.asarray(annotator, dtype=np.int64)
    n_dup, rows, value = _fold_repeats(item, annotator, value, len(items), len(annotators), duplicates)
    if rows is not None:
        item, annotator = item[rows], annotator[rows]
    component, n_components = _components(item, annotator, len(items), len(annotators))
    return NumericAnswers(
        item=item,
        annotator=annotator,
        value=value,
        items=pd.Index(items, name="item"),
        annotators=pd.Index(annotators, name="annotator"),
        n_per_item=np.bincount(item, minlength=len(items)),
        n_per_annotator=np.bincount(annotator, minlength=len(annotators)),
        annotator_component=component,
        n_components=n_components,
        n_duplicates=n_dup,
        rows=rows,
    )
