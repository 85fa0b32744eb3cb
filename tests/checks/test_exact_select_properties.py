"""Properties of the exact selections (``_exact_select.exact_best``, ``_cells.pool_best``) and of the
searches built on them (``cell_knn``, ``spill_knn``): on random, tightly packed and copied rows, for
any ``k``, ``m``, blocking, chunk sizes and rounding of the float32 products within their error
bound, the result is float64 brute force's, ``k`` best by (distance, column), bit for bit."""

from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import _cells, _exact_select, _spill
from labelwise.checks._exact_select import exact_best, float32_product_tol


def _rows(seed: int, n: int, d: int, centres: int, spread: float, copies: int, scale: float) -> np.ndarray:
    """float32 rows around a few centres (``spread`` 0: every cluster is copies), ``copies`` of row 0."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(centres, d))[rng.integers(0, centres, n)] + spread * rng.normal(size=(n, d))
    X[rng.choice(n, min(copies, n), replace=False)] = X[0]
    return (scale * X).astype(np.float32)


def _brute(Q: np.ndarray, S: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every query row's ``k`` best allowed columns of ``S`` by (float64 distance from the float32
    rows, column); ``-1``/``inf`` past the allowed ones."""
    S64 = S.astype(np.float64)
    idx = np.full((len(Q), k), -1, dtype=np.int64)
    sq = np.full((len(Q), k), np.inf)
    for r in range(len(Q)):
        diff = S64 - Q[r].astype(np.float64)
        d = np.einsum("ij,ij->i", diff, diff)
        d[~allowed[r]] = np.inf
        order = np.lexsort((np.arange(len(S)), d))[:k]
        order = order[np.isfinite(d[order])]
        idx[r, : order.size], sq[r, : order.size] = order, d[order]
    return idx, sq


def _slab(Q: np.ndarray, S: np.ndarray, jitter: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``||S_j||^2 - 2 Q_i . S_j`` in float32 as the searches compute it, each value then moved by up to
    ``jitter`` times the error bound (another BLAS's rounding), and the bound ``tol``."""
    sq_s = np.einsum("ij,ij->i", S, S, dtype=np.float64).astype(np.float32)
    slab = Q @ S.T
    slab *= -2.0
    slab += sq_s[None, :]
    tol = float32_product_tol(np.einsum("ij,ij->i", Q, Q, dtype=np.float64)[:, None], float(sq_s.max()), Q.shape[1])
    if jitter:
        move = np.random.default_rng(seed).uniform(-jitter, jitter, slab.shape) * tol
        slab = (slab.astype(np.float64) + move).astype(np.float32)
    return slab, tol


ROWS = {
    "seed": st.integers(0, 2**32 - 1),
    "d": st.integers(1, 6),
    "centres": st.integers(1, 4),
    "spread": st.sampled_from([0.0, 1e-8, 1e-6, 1e-4, 1.0]),
    "copies": st.integers(0, 60),
    "scale": st.sampled_from([1.0, 1e-3, 1e4]),
}


class TestExactBest:
    @settings(max_examples=80, deadline=None)
    @given(
        **ROWS,
        nq=st.integers(1, 40),
        ns=st.integers(1, 160),
        k=st.integers(1, 12),
        extra=st.integers(0, 12),
        shared=st.booleans(),
        jitter=st.sampled_from([0.0, 0.5]),
        first=st.sampled_from([1, 7, 1024]),
        rescore=st.sampled_from([1, 5, 512]),
        banned=st.sampled_from([0.0, 0.0, 0.3, 0.95]),
    )
    def test_the_k_best_are_brute_forces_for_any_rows_k_m_rounding_and_chunks(
        self, seed, d, centres, spread, copies, scale, nq, ns, k, extra, shared, jitter, first, rescore, banned
    ):
        """Queries among the searched rows (their own column excluded) or apart from them (a shard
        pair); other columns excluded by ``inf`` (as documented); ``m`` from ``k`` to the columns
        (``k`` above ``m`` when ``m`` is every column, as for a small shard); the slab rounded anyhow within ``tol``; first band
        chunks and re-scored row blocks of any size."""
        S = _rows(seed, ns, d, centres, spread, copies, scale)
        if shared:
            own = np.sort(np.random.default_rng(seed).choice(ns, min(nq, ns), replace=False))
            Q = S[own]
        else:
            own, Q = None, _rows(seed + 1, nq, d, centres, spread, copies, scale)
        m = min(k + extra, ns)
        k = k if m == ns else min(k, m)  # more neighbours than columns: a small dask shard's pair
        slab, tol = _slab(Q, S, jitter, seed)
        allowed = np.random.default_rng(seed + 2).random(slab.shape) >= banned  # inf: may not be a neighbour
        slab[~allowed] = np.inf
        if own is not None:
            slab[np.arange(own.size), own] = np.inf
            allowed[np.arange(own.size), own] = False
        with (
            mock.patch.object(_exact_select, "FIRST_COLUMNS", first),
            mock.patch.object(_exact_select, "BAND_ELEMENTS", 64),
            mock.patch.object(_exact_select, "RESCORE_ROWS", rescore),
        ):
            idx, sq = exact_best(slab, Q, S, k, m, tol, self_cols=own)
        want_idx, want_sq = _brute(Q, S, k, allowed)
        np.testing.assert_array_equal(idx, want_idx)
        np.testing.assert_array_equal(sq, want_sq)

    def test_a_column_excluded_by_inf_is_never_returned(self):
        """A row with fewer allowed columns than ``m``: the cut is ``inf`` and the excluded columns
        were candidates, re-scored to their finite distance and returned (before session 28)."""
        Q, S = np.zeros((1, 1), np.float32), np.ones((3, 1), np.float32)
        slab = np.array([[1.0, np.inf, 1.0]], np.float32)
        idx, sq = exact_best(slab, Q, S, 3, 3, np.array([[1e-5]]))
        np.testing.assert_array_equal(idx, [[0, 2, -1]])
        np.testing.assert_array_equal(sq, [[1.0, 1.0, np.inf]])

    @settings(max_examples=15, deadline=None)
    @given(**ROWS, ns=st.integers(2, 120), k=st.integers(1, 8), cut=st.integers(1, 119))
    def test_any_split_of_the_query_rows_gives_the_same_lists(
        self, seed, d, centres, spread, copies, scale, ns, k, cut
    ):
        """The candidates' width depends on the other rows of the block; the result does not."""
        S = _rows(seed, ns, d, centres, spread, copies, scale)
        k, m = min(k, ns - 1), min(2 * k, ns - 1)
        slab, tol = _slab(S, S, 0.0, seed)
        own = np.arange(ns)
        slab[own, own] = np.inf
        whole = exact_best(slab, S, S, k, m, tol, self_cols=own)
        c = min(cut, ns - 1)
        parts = [exact_best(slab[p], S[p], S, k, m, tol[p], self_cols=own[p]) for p in (own[:c], own[c:])]
        np.testing.assert_array_equal(whole[0], np.vstack([p[0] for p in parts]))
        np.testing.assert_array_equal(whole[1], np.vstack([p[1] for p in parts]))


class TestPoolBest:
    @settings(max_examples=60, deadline=None)
    @given(
        **ROWS,
        n=st.integers(3, 160),
        pool_share=st.floats(0.05, 1.0),
        query_share=st.floats(0.05, 1.0),
        k=st.integers(1, 10),
        extra=st.integers(0, 10),
    )
    def test_each_row_gets_the_k_best_of_its_pool(
        self, seed, d, centres, spread, copies, scale, n, pool_share, query_share, k, extra
    ):
        """Any pool (increasing rows), any queries among it, ``k <= m`` below the pool's size."""
        Z = _rows(seed, n, d, centres, spread, copies, scale)
        rng = np.random.default_rng(seed)
        pool = np.sort(rng.choice(n, max(2, int(pool_share * n)), replace=False))
        rows = np.sort(rng.choice(pool, max(1, int(query_share * pool.size)), replace=False))
        m = min(k + extra, pool.size - 1)
        k = min(k, m)
        idx, sq = _cells.pool_best(Z[rows], rows, Z[pool], pool, k, m)
        allowed = pool[None, :] != rows[:, None]
        want_idx, want_sq = _brute(Z[rows], Z[pool], k, allowed)
        np.testing.assert_array_equal(idx, np.where(want_idx >= 0, pool[want_idx], -1))
        np.testing.assert_array_equal(sq, want_sq)


class _PoolSpy:
    """``pool_best`` as the searches call it, each call's result checked against brute force of its pool."""

    def __init__(self) -> None:
        self.calls = 0
        self.original = _cells.pool_best

    def __call__(self, Q, rows, P, pool, k, m):
        idx, sq = self.original(Q, rows, P, pool, k, m)
        want_idx, want_sq = _brute(Q, P, k, pool[None, :] != rows[:, None])
        np.testing.assert_array_equal(idx, np.where(want_idx >= 0, pool[want_idx], -1))
        np.testing.assert_array_equal(sq, want_sq)
        self.calls += 1
        return idx, sq


class TestIndexes:
    @settings(max_examples=25, deadline=None)
    @given(
        **ROWS,
        n=st.integers(20, 400),
        k=st.integers(1, 8),
        cell_size=st.integers(5, 80),
        wide=st.integers(1, 6),
        index=st.sampled_from(["cells", "spill"]),
    )
    def test_every_pool_is_searched_exactly_and_threads_change_nothing(
        self, seed, d, centres, spread, copies, scale, n, k, cell_size, wide, index
    ):
        """``cell_knn`` (any probes) and ``spill_knn`` (any spill): every pool's rows get their pool's
        brute force, the lists are sorted, never the row itself, and 1 or 3 threads give the same arrays."""
        Z = _rows(seed, n, d, centres, spread, copies, scale)
        k = min(k, n - 1)
        spy = _PoolSpy()
        search = _cells.cell_knn if index == "cells" else _spill.spill_knn
        option = {"probes": wide} if index == "cells" else {"spill": wide}
        with mock.patch.object(_cells, "pool_best", spy):
            one = search(Z, k, cell_size=cell_size, random_state=seed % 7, **option)
        assert spy.calls >= 1
        three = search(Z, k, cell_size=cell_size, random_state=seed % 7, n_threads=3, **option)
        np.testing.assert_array_equal(one[0], three[0])
        np.testing.assert_array_equal(one[1], three[1])
        assert not (one[0] == np.arange(n)[:, None]).any()
        assert (np.diff(one[1].astype(np.float64), axis=1) >= 0).all()

    @settings(max_examples=10, deadline=None)
    @given(**ROWS, n=st.integers(10, 200), k=st.integers(1, 6), cell_size=st.integers(3, 50))
    def test_filing_every_row_in_every_cell_is_the_exact_search(
        self, seed, d, centres, spread, copies, scale, n, k, cell_size
    ):
        """``spill`` of every cell: each row's list is the whole data's float64 brute force."""
        Z = _rows(seed, n, d, centres, spread, copies, scale)
        k = min(k, n - 1)
        idx, sq = _spill.spill_knn(Z, k, cell_size=cell_size, spill=10_000, random_state=seed % 5)
        want_idx, want_sq = _brute(Z, Z, k, ~np.eye(n, dtype=bool))
        np.testing.assert_array_equal(idx, want_idx)
        np.testing.assert_array_equal(sq, want_sq.astype(np.float32))
