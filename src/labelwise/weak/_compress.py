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


def _packed(matrix: np.ndarray, n_outcomes: int) -> np.ndarray | None:
    """Each row as one int64, ``Σ_j (x_j + 1)·B^(m-1-j)`` (base ``B`` = outcomes per column), when it fits."""
    m = matrix.shape[1]
    if m == 0 or m * np.log2(max(n_outcomes, 2)) > 62:
        return None
    codes = np.zeros(matrix.shape[0], dtype=np.int64)
    for j in range(m):  # column 0 most significant: numeric order = lexicographic row order
        codes *= n_outcomes
        codes += matrix[:, j] + 1
    return codes


def compress_rows(matrix: np.ndarray, n_classes: int) -> CompressedRows:
    """The distinct rows of a (n, m) label matrix (-1 = abstain, classes ``0..K-1``), their counts
    and the inverse index. Rows are packed into one integer when ``(K+1)^m`` fits in 62 bits (one
    1-D sort), and sorted lexicographically otherwise."""
    packed = _packed(matrix, n_classes + 1)
    if packed is None:
        rows, inverse, counts = np.unique(matrix, axis=0, return_inverse=True, return_counts=True)
    else:
        _, first, inverse, counts = np.unique(packed, return_index=True, return_inverse=True, return_counts=True)
        rows = matrix[first]
    return CompressedRows(
        np.ascontiguousarray(rows), counts.astype(np.float64), np.asarray(inverse, dtype=np.int64).ravel()
    )
