"""The label matrix's count rows and shared pairs (pairfast52): built directly, the same arrays as
the COO triplets and the sparse gram give."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate._pair_check import shared_pairs
from labelwise.aggregate._pair_triad import MatrixRows, matrix_shared_pairs


def _matrix(seed: int) -> tuple[np.ndarray, int]:
    rng = np.random.default_rng(seed)
    n, m, k = int(rng.integers(1, 120)), int(rng.integers(1, 10)), int(rng.integers(2, 6))
    matrix = rng.integers(0, k, (n, m))
    matrix[rng.random((n, m)) < rng.random()] = -1
    return (np.asfortranarray(matrix) if seed % 2 else matrix), k


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_matrix_rows_are_the_csr_of_the_votes_coo_triplets(seed):
    """MatrixRows.build's CSR has the indices, pointers, data and index dtypes of the matrix the
    votes' (row, labeler * K + class) triplets make."""
    matrix, k = _matrix(seed)
    rows, cols = np.nonzero(matrix >= 0)
    ref = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols * k + matrix[rows, cols])), shape=(len(matrix), matrix.shape[1] * k)
    )
    got = MatrixRows.build(matrix, k).m
    for name in ("indices", "indptr", "data"):
        x, y = getattr(got, name), getattr(ref, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000), min_shared=st.sampled_from([0.0, 1.0, 2.0, 5.0, 30.0]))
def test_matrix_shared_pairs_are_the_sparse_grams_bit_for_bit(seed, min_shared):
    """The dense count of items two labelers vote on gives shared_pairs' pairs, order, counts and dtypes."""
    matrix, k = _matrix(seed)
    obs = MatrixRows.build(matrix, k)
    ref = shared_pairs(obs.m, obs.weights, obs.annotator_of, matrix.shape[1], min_shared)
    got = matrix_shared_pairs(matrix, min_shared)
    for x, y in zip(got, ref, strict=True):
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes()
