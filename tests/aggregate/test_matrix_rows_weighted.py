"""The triad gate on a label matrix's distinct rows, each weighted by its items (missfast53): the shared counts of
the items bit for bit, the ``z`` up to rounding, the same pairs kept."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate._pair_check import Entries
from labelwise.aggregate._pair_triad import MatrixRows, matrix_shared_pairs, matrix_triad_keep, model_z


def _votes(seed: int) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """A label matrix with repeated rows (few labelers, few classes), K, its distinct rows and their counts."""
    rng = np.random.default_rng(seed)
    n, m, k = int(rng.integers(20, 300)), int(rng.integers(2, 6)), int(rng.integers(2, 4))
    y = rng.integers(0, k, n)
    right = rng.random((n, m)) < rng.uniform(0.55, 0.9, m)
    matrix = np.where(right, y[:, None], (y[:, None] + rng.integers(1, k, (n, m))) % k)
    matrix[rng.random((n, m)) < rng.uniform(0.0, 0.6)] = -1
    if m > 2 and rng.random() < 0.5:  # a copy pair: the second often repeats the first
        copy = (rng.random(n) < 0.6) & (matrix[:, 0] >= 0)
        matrix[copy, 1] = matrix[copy, 0]
    distinct, counts = np.unique(matrix, axis=0, return_counts=True)
    return matrix, k, distinct, counts.astype(np.float64)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000), min_shared=st.sampled_from([0.0, 1.0, 5.0, 30.0]))
def test_weighted_rows_share_the_items_counts_bit_for_bit(seed, min_shared):
    """The pairs two labelers vote on together and their numbers of items: the items' own, from the rows."""
    matrix, _, distinct, counts = _votes(seed)
    for x, y in zip(
        matrix_shared_pairs(distinct, min_shared, counts), matrix_shared_pairs(matrix, min_shared), strict=True
    ):
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_weighted_rows_give_the_items_z_and_kept_pairs(seed):
    """Every pair's held-out agreement ``z`` on the weighted rows equals the items' up to rounding, and the gate
    keeps the same pairs at any threshold away from a ``z`` difference by more than that rounding."""
    matrix, k, distinct, counts = _votes(seed)
    m = matrix.shape[1]
    rng = np.random.default_rng(seed + 1)
    conf = rng.dirichlet(np.ones(k), (m, k)) * 0.5 + 0.5 * np.eye(k)[None]  # diagonal-leaning confusion
    prior = rng.dirichlet(np.ones(k))
    listed = [(a, b) for a in range(m) for b in range(a + 1, m)]
    on_items, on_rows = MatrixRows.build(matrix, k), MatrixRows.build(distinct, k, counts)
    z_items = model_z(on_items, Entries.build(on_items, m), prior, conf, listed)
    z_rows = model_z(on_rows, Entries.build(on_rows, m), prior, conf, listed)
    for a, b in listed:
        assert np.isclose(z_rows(a, b), z_items(a, b), rtol=1e-9, atol=1e-9)
    pairs = np.array(listed, dtype=np.float64).reshape(-1, 2)
    for threshold in (0.5, 2.0, 5.0):
        got = matrix_triad_keep(distinct, prior, conf, pairs, threshold, 5, counts)
        assert np.array_equal(got, matrix_triad_keep(matrix, prior, conf, pairs, threshold, 5))
