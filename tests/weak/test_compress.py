"""Tests of weak._compress: distinct vote rows, their counts and the inverse index."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak._compress import compress_rows


def _check(matrix: np.ndarray, k: int) -> None:
    rows = compress_rows(matrix, k)
    np.testing.assert_array_equal(rows.matrix[rows.inverse], matrix)
    assert rows.weights.sum() == matrix.shape[0]
    assert len(np.unique(rows.matrix, axis=0)) == rows.matrix.shape[0]  # each row once
    np.testing.assert_array_equal(np.bincount(rows.inverse, minlength=len(rows.weights)), rows.weights)


class TestCompressRows:
    def test_repeated_rows_are_counted_and_expanded_back(self):
        """Three distinct rows of a 5-row matrix, counts 2/2/1, and matrix[inverse] rebuilds it."""
        matrix = np.array([[0, -1], [1, 1], [0, -1], [-1, -1], [1, 1]])
        rows = compress_rows(matrix, 2)
        assert rows.matrix.shape == (3, 2)
        np.testing.assert_array_equal(sorted(rows.weights), [1, 2, 2])
        _check(matrix, 2)

    def test_wide_matrix_without_packing_gives_the_same_rows(self):
        """Too many columns to pack into one integer: the row sort gives the same distinct rows."""
        rng = np.random.default_rng(0)
        base = rng.integers(-1, 3, size=(20, 70))  # 4^70 does not fit in 62 bits
        matrix = base[rng.integers(0, 20, 200)]
        _check(matrix, 3)
        assert compress_rows(matrix, 3).matrix.shape[0] == len(np.unique(matrix, axis=0))

    @settings(max_examples=25, deadline=None)
    @given(st.integers(0, 2**16), st.integers(1, 6), st.integers(2, 5))
    def test_distinct_rows_do_not_depend_on_row_order(self, seed, m, k):
        """Any row order gives the same distinct rows and counts, and the inverse rebuilds the input."""
        rng = np.random.default_rng(seed)
        matrix = rng.integers(-1, k, size=(int(rng.integers(1, 300)), m))
        order = rng.permutation(matrix.shape[0])
        a, b = compress_rows(matrix, k), compress_rows(matrix[order], k)
        np.testing.assert_array_equal(a.matrix, b.matrix)
        np.testing.assert_array_equal(a.weights, b.weights)
        _check(matrix[order], k)
