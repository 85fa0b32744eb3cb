"""``weighted_gram`` with whole weights takes the product from the indicator's CSR transpose, shared by the fits
(fast53, session 53): the same sparse arrays as session 52's ``λᵀ @ (W λ)``, to the bit."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak import _shared_steps
from labelwise.weak._moments import indicator, transposed, weighted_gram


def reference(lam: sp.csr_matrix, weights: np.ndarray) -> sp.csr_matrix:
    """Session 52's ``weighted_gram``."""
    lam = sp.csr_matrix(lam)
    rows = np.repeat(np.arange(lam.shape[0]), np.diff(lam.indptr))
    scaled = sp.csr_matrix(
        (lam.data * np.asarray(weights, dtype=np.float64)[rows], lam.indices, lam.indptr), shape=lam.shape
    )
    return sp.csr_matrix(lam.T @ scaled)


def assert_same(a: sp.csr_matrix, b: sp.csr_matrix) -> None:
    assert a.shape == b.shape
    for x, y in ((a.indptr, b.indptr), (a.indices, b.indices), (a.data, b.data)):
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes()


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    k=st.integers(1, 6),
    m=st.integers(1, 25),
    n=st.integers(1, 300),
    whole=st.booleans(),
    shared=st.booleans(),
)
def test_the_gram_is_session_52_s_to_the_bit(seed, k, m, n, whole, shared):
    """Random vote rows with whole weights (row counts, the fit's) or fractional ones, in a shared context or not:
    indptr, indices and data equal the reference's."""
    rng = np.random.default_rng(seed)
    matrix = np.where(rng.random((n, m)) < 0.5, rng.integers(0, k, (n, m)), -1)
    weights = rng.integers(1, 50, n).astype(np.float64) if whole else rng.uniform(0.1, 3.0, n)
    lam = indicator(matrix, k)
    token = _shared_steps.SHARED.set({} if shared else None)
    try:
        got = [weighted_gram(lam, weights) for _ in range(2)]
    finally:
        _shared_steps.SHARED.reset(token)
    for g in got:
        assert_same(g, reference(lam, weights))


def test_the_transpose_is_made_once_per_indicator_in_a_shared_context():
    """Within one shared context the same indicator's transpose is one object; another indicator gets its own."""
    lam = indicator(np.array([[0, -1], [1, 1]]), 2)
    token = _shared_steps.SHARED.set({})
    try:
        first, again = transposed(lam), transposed(lam)
        other = transposed(lam.copy())
    finally:
        _shared_steps.SHARED.reset(token)
    assert first is again and other is not first
    assert_same(first, lam.T.tocsr())
