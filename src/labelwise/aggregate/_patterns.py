"""Items grouped by answer pattern, when grouping pays, and the item x (annotator, label) rows.

Models whose only item parameter is the true class (Dawid-Skene, one-coin) give items with the
same answers the same posterior, so they can iterate over distinct patterns, each weighted by its
number of items. Grouping costs one sort of every answer; it buys nothing when nearly every item
has its own pattern (many annotators, a few answers each), which a sample of items tells cheaply
(:func:`estimated_sharing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ._answers import EncodedAnswers

__all__ = ["AnswerPatterns", "answer_patterns", "estimated_sharing", "sorted_columns", "sorted_rows"]

#: Items sampled to decide whether grouping by pattern pays; smaller tables are always grouped.
PATTERN_SAMPLE_ITEMS = 50_000
#: Grouping is skipped when an item is estimated to share its pattern with fewer than this many
#: other items on average: it could then remove at most 1 - 1/(1 + 0.05), under 5%, of the rows.
MIN_SHARING = 0.05


@dataclass(frozen=True, eq=False)
class AnswerPatterns:
    """Distinct answer patterns of an :class:`~labelwise.aggregate._answers.EncodedAnswers` table.

    Attributes
    ----------
    answers : EncodedAnswers
        The answers of one representative item per pattern: its "items" are the patterns, in order
        of first occurrence by item code (the full table itself when not ``grouped``).
    item_pattern : ndarray of int64, shape (n_items,)
        The pattern of each item of the full table.
    weights : ndarray of float64, shape (n_patterns,)
        Number of items with each pattern (sums to the full table's ``n_items``).
    grouped : bool
        False when grouping was skipped: one pattern per item, ``item_pattern`` is the identity.
    """

    answers: EncodedAnswers
    item_pattern: np.ndarray
    weights: np.ndarray
    grouped: bool = True

    @property
    def n_patterns(self) -> int:
        """Number of distinct patterns."""
        return int(self.weights.shape[0])

    @cached_property
    def answers_per_annotator(self) -> np.ndarray:
        """Answers per annotator in the full table, float64 of shape (n_annotators,)."""
        enc = self.answers
        if not self.grouped:
            return enc.answers_per_annotator.astype(np.float64)
        return enc.annotator_sum(self.weights[enc.item_idx])


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (Steele, Lea and Flood, OOPSLA 2014): a well-mixed 64-bit hash of
    each (unsigned) integer, with wrapping arithmetic; no table, whatever the number of columns."""
    z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _row_hash(cols_sorted: np.ndarray, indptr: np.ndarray, n_cols: int) -> np.ndarray:
    """A 64-bit hash of each row's multiset of columns: the wrapping sum of a 64-bit hash of each
    column, plus the row length times an odd constant (``n_cols``: the number of columns)."""
    row_hash = np.add.reduceat(_mix64(cols_sorted), indptr[:-1])
    with np.errstate(over="ignore"):
        row_hash += np.diff(indptr).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return row_hash


def sorted_rows(
    item_idx: np.ndarray, cols: np.ndarray, n_cols: int, presorted: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The answers sorted by (item, column), as (item of each, column of each).

    One ``np.sort`` of a single int64 key ``item * n_cols + column`` (several times cheaper than
    an ``argsort``), or ``presorted``, those keys already sorted (``EncodedAnswers.row_keys``); the
    result is the canonical CSR order of the item x column count matrix.
    """
    if presorted is None:
        key = np.multiply(item_idx, n_cols, dtype=np.int64)  # int32 codes widened before the product
        key += cols
        key.sort()
    else:
        key = presorted
    item_sorted = key // n_cols
    cols_sorted = np.subtract(key, item_sorted * n_cols, out=key if presorted is None else None)
    return item_sorted, cols_sorted


def sorted_columns(enc: EncodedAnswers) -> np.ndarray:
    """Each answer's column ``annotator * K + label``, the answers sorted by (item, column): the
    ``indices`` of the canonical item x column CSR matrix (its ``indptr`` is the cumulative sum
    of ``answers_per_item``). Reuses ``enc.row_keys`` when the encoding sorted them."""
    n_cols = enc.n_annotators * enc.n_classes
    if enc.row_keys is not None:
        return enc.row_keys % n_cols
    key = np.multiply(enc.item_idx, n_cols, dtype=np.int64)  # int32 codes widened before the products
    key += np.multiply(enc.annotator_idx, enc.n_classes, dtype=np.int64)
    key += enc.label_idx
    key.sort()
    return np.remainder(key, n_cols, out=key)


def estimated_sharing(enc: EncodedAnswers, n_sample: int) -> float:
    """Estimated mean number of other items that share an item's answer pattern.

    ``n_sample`` items (drawn with a fixed seed, by item code, so the row order does not matter)
    are grouped by pattern; with ``c_p`` items of pattern ``p`` among ``N``, the expected number of
    sampled pairs with one pattern is ``C(n, 2) Σ_p c_p (c_p - 1) / (N (N - 1))``, and
    ``Σ_p c_p (c_p - 1) / N`` is the quantity estimated. Patterns are compared by hash only (a
    collision only changes this estimate, never a result).
    """
    n_items, n_cols = enc.n_items, enc.n_annotators * enc.n_classes
    chosen = np.zeros(n_items, dtype=bool)
    chosen[np.random.default_rng(0x5A3B1E).choice(n_items, n_sample, replace=False)] = True
    rows = np.flatnonzero(chosen[enc.item_idx])
    cols = np.multiply(enc.annotator_idx[rows], enc.n_classes, dtype=np.int64) + enc.label_idx[rows]
    item_sorted, cols_sorted = sorted_rows(enc.item_idx[rows], cols, n_cols)
    starts = np.flatnonzero(np.r_[True, item_sorted[1:] != item_sorted[:-1]])
    _, counts = np.unique(_row_hash(cols_sorted, np.r_[starts, len(rows)], n_cols), return_counts=True)
    pairs = float((counts * (counts - 1.0)).sum() / 2.0)
    return pairs * (n_items - 1) / (n_sample * (n_sample - 1) / 2.0)


def answer_patterns(enc: EncodedAnswers) -> AnswerPatterns:
    """Group the items of ``enc`` by answer pattern, unless a sample says it would not compress
    (see :data:`PATTERN_SAMPLE_ITEMS`, :data:`MIN_SHARING`); then one pattern per item."""
    n_items = enc.n_items
    if n_items > PATTERN_SAMPLE_ITEMS and estimated_sharing(enc, PATTERN_SAMPLE_ITEMS) < MIN_SHARING:
        ones = np.ones(n_items)
        return AnswerPatterns(answers=enc, item_pattern=np.arange(n_items, dtype=np.int64), weights=ones, grouped=False)
    return _grouped_patterns(enc)


def _grouped_patterns(enc: EncodedAnswers) -> AnswerPatterns:
    """Group the items of ``enc`` by answer pattern (the multiset of their (annotator, label) answers)."""
    from ._answers import EncodedAnswers  # a lower module of the same package, imported at use

    n_items, n_cols = enc.n_items, enc.n_annotators * enc.n_classes
    # Canonical rows: the answers sorted by (item, annotator * K + label).
    cols = np.multiply(enc.annotator_idx, enc.n_classes, dtype=np.int64)
    cols += enc.label_idx
    item_sorted, cols_sorted = sorted_rows(enc.item_idx, cols, n_cols, enc.row_keys)
    lengths = enc.answers_per_item
    indptr = np.zeros(n_items + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    # Candidate groups from a hash of each row, then an exact check of every row against its
    # group's first row; a hash collision (never seen) only costs the compression.
    item_pattern = pd.factorize(_row_hash(cols_sorted, indptr, n_cols))[0].astype(np.int64, copy=False)
    # factorize numbers patterns in order of first appearance: a pattern starts where the code
    # exceeds every earlier one
    seen = np.maximum.accumulate(item_pattern)
    first = np.flatnonzero(np.r_[True, item_pattern[1:] > seen[:-1]])
    rep = first[item_pattern]
    exact = np.array_equal(lengths, lengths[rep])
    if exact:  # entry e of item i's sorted row must equal entry e of its representative's row
        pos = (indptr[rep] - indptr[:-1])[item_sorted]
        pos += np.arange(len(cols_sorted))
        exact = np.array_equal(cols_sorted, cols_sorted[pos])
    if not exact:
        item_pattern = first = np.arange(n_items, dtype=np.int64)
    weights = np.bincount(item_pattern, minlength=len(first)).astype(np.float64)
    is_first = np.zeros(n_items, dtype=bool)
    is_first[first] = True
    keep = is_first[item_sorted]  # already grouped by pattern, in pattern order
    sub = EncodedAnswers(
        item_idx=item_pattern[item_sorted[keep]],
        annotator_idx=cols_sorted[keep] // enc.n_classes,
        label_idx=cols_sorted[keep] % enc.n_classes,
        item_values=pd.RangeIndex(len(first)),
        annotator_values=enc.annotator_values,
        classes=enc.classes,
        item_name=enc.item_name,
        annotator_name=enc.annotator_name,
        label_name=enc.label_name,
        class_values=enc.class_values,
        owns_item_idx=True,  # a gather made here
    )
    return AnswerPatterns(answers=sub, item_pattern=item_pattern, weights=weights)
