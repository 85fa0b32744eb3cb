"""Items with identical vote rows, fitted once and weighted by how many items share them.

A label model's only item-level unknown is the true class, and the posterior of an item depends
on its vote row alone: every item with the same votes (abstains included) has the same
posterior, contributes the same terms to the overlap matrix and the same counts to an M-step.
Labeling-function matrices repeat rows massively (20 rules over a million rows have a few
thousand distinct rows; three annotators over ten classes at most 11³), so the fit runs on the
distinct rows, each weighted by its count, and the result is expanded back by the inverse index.
Sums over items become weighted sums over rows: the same numbers, up to the order of the
floating-point additions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CompressedRows", "compress_rows"]


@dataclass(frozen=True)
class CompressedRows:
    """The distinct rows of a label matrix.

    Attributes
    ----------
    matrix : ndarray (n_distinct, m)
        The distinct rows, sorted (so the fit does not depend on the order of the items).
    weights : ndarray of float64 (n_distinct,)
        Number of items with each row; sums to ``n_items``.
    inverse : ndarray of int64 (n_items,)
        The distinct row of each item: ``matrix[inverse]`` is the original matrix.
    """

    matrix: np.ndarray
    weights: np.ndarray
    inverse: np.ndarray

    @property
    def n_items(self) -> int:
        """Number of items of the original matrix."""
        return int(self.inverse.shape[0])


def _words(matrix: np.ndarray, base: int) -> list[np.ndarray]:
    """The rows as a few int64 words: consecutive columns packed in base ``base`` (outcomes per
    column), as many per word as fit in 62 bits, the first column most significant, so that
    comparing the words in order compares the rows lexicographically."""
    per_word = max(1, int(62 / np.log2(base)))
    while per_word > 1 and base**per_word >= 2**62:
        per_word -= 1
    words = []
    for start in range(0, matrix.shape[1], per_word):
        code = np.zeros(matrix.shape[0], dtype=np.int64)
        for j in range(start, min(start + per_word, matrix.shape[1])):
            code *= base
            code += matrix[:, j] + 1
        words.append(code)
    return words


def _row_order(words: list[np.ndarray]) -> np.ndarray:
    """An order of the rows that sorts their words (:func:`_words`) lexicographically. Rows of equal words are one
    row (the words hold every column, votes -1..K-1), so their order among themselves changes none of
    :func:`compress_rows`' outputs, and an unstable sort serves (numpy's quicksort, ~3x its stable sort on int64). Several words are
    folded into one key, the dense rank of the words so far times the next word's range plus that word
    (both words ranked where that product could exceed 62 bits), then sorted once."""
    key = words[0]
    for word in words[1:]:
        rank = np.unique(key, return_inverse=True)[1].reshape(-1).astype(np.int64)
        size = int(word.max()) + 1
        if size * (int(rank.max()) + 1) >= 2**62:
            word = np.unique(word, return_inverse=True)[1].reshape(-1).astype(np.int64)
            size = int(word.max()) + 1
        if size * (int(rank.max()) + 1) >= 2**62:  # over 2**31 distinct words: numpy's lexicographic sort
            return np.lexsort(words[::-1])
        key = rank * size + word
    return np.argsort(key, kind="quicksort")


def compress_rows(matrix: np.ndarray, n_classes: int) -> CompressedRows:
    """The distinct rows of a (n, m) label matrix (-1 = abstain, classes ``0..K-1``), their counts
    and the inverse index: the rows packed into a few integers (:func:`_words`) and sorted by
    them (:func:`_row_order`)."""
    n = matrix.shape[0]
    words = _words(matrix, n_classes + 1)
    if n == 0 or not words:
        return CompressedRows(matrix[:1], np.full(min(n, 1), float(n)), np.zeros(n, dtype=np.int64))
    return _grouped(matrix, words, _row_order(words))


def _grouped(matrix: np.ndarray, words: list[np.ndarray], order: np.ndarray) -> CompressedRows:
    """:func:`compress_rows`' outputs from the rows' words and an ``order`` that sorts them."""
    n = matrix.shape[0]
    starts = np.zeros(n, dtype=bool)
    starts[0] = True
    for word in words:
        ordered = word[order]
        starts[1:] |= ordered[1:] != ordered[:-1]
    group = np.cumsum(starts) - 1
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = group
    counts = np.bincount(group).astype(np.float64)
    return CompressedRows(np.ascontiguousarray(matrix[order[starts]]), counts, inverse)
