"""Properties of ``checks._exact_select.block_best`` (one block of every exact search): on random,
clustered, copied and offset rows (above 165 dimensions the products of shifted rows), for any
``k``, ``m``, query blocking and slab buffer, the graph is float64 brute force's over the float32
rows, ``k`` best by (distance, column), bit for bit; with the query rows among the searched rows
or apart from them."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks._exact_select import block_best, search_shift, shifted_rows, sq_norms32

SETTINGS = settings(max_examples=80, deadline=None)


def _rows(seed: int, n: int, d: int, centres: int, spread: float, copies: int, offset: float) -> np.ndarray:
    """float32 rows around a few centres (``spread`` 0: copies), ``copies`` of row 0, all moved by ``offset``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(centres, d))[rng.integers(0, centres, n)] + spread * rng.normal(size=(n, d))
    X[rng.choice(n, min(copies, n), replace=False)] = X[0]
    return (X + offset * rng.uniform(0.5, 1.5, size=d)).astype(np.float32)


def _brute(Q: np.ndarray, S: np.ndarray, k: int, self_cols: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Each query row's ``k`` nearest columns of ``S`` by (float64 distance, column), itself excluded."""
    S64 = S.astype(np.float64)
    idx = np.full((len(Q), k), -1, dtype=np.int64)
    sq = np.full((len(Q), k), np.inf)
    for r in range(len(Q)):
        diff = S64 - Q[r].astype(np.float64)
        dist = np.einsum("ij,ij->i", diff, diff)
        if self_cols is not None:
            dist[self_cols[r]] = np.inf
        order = np.lexsort((np.arange(len(S)), dist))[:k]
        order = order[np.isfinite(dist[order])]
        idx[r, : order.size], sq[r, : order.size] = order, dist[order]
    return idx, sq


def _search(Zq, Zs, k, m, step, self_cols, shift):
    """An exact search's blocks of ``step`` query rows, one slab buffer for all of them."""
    Ys, Yq = shifted_rows(Zs, shift), shifted_rows(Zq, shift)
    sq_s, sq_q = sq_norms32(Ys), sq_norms32(Yq)
    top = float(sq_s.max())
    idx = np.empty((len(Zq), k), dtype=np.int64)
    sq = np.empty((len(Zq), k))
    buffer = np.empty((min(step, len(Zq)), len(Zs)), dtype=np.float32)
    for s in range(0, len(Zq), step):
        e = min(len(Zq), s + step)
        own = None if self_cols is None else self_cols[s:e]
        idx[s:e], sq[s:e] = block_best(
            Yq[s:e], Ys, Zq[s:e], Zs, (sq_q[s:e], sq_s, top), k, m, own, shifted=shift is not None, out=buffer[: e - s]
        )
    return idx, sq


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 40),
    d=st.sampled_from([1, 2, 3, 8, 170, 300]),
    centres=st.integers(1, 4),
    spread=st.sampled_from([0.0, 1e-7, 1e-4, 1.0]),
    copies=st.integers(0, 6),
    offset=st.sampled_from([0.0, 1.0, 100.0, 1e4]),
    apart=st.booleans(),
    data=st.data(),
)
def test_block_best_is_brute_force_for_any_blocking(seed, n, d, centres, spread, copies, offset, apart, data):
    """Any block size, ``k`` and ``m``: float64 brute force's graph, bit for bit."""
    Z = _rows(seed, n, d, centres, spread, copies, offset)
    if apart:  # query rows apart from the searched ones (a dask shard pair)
        n_q = data.draw(st.integers(1, n - 1)) if n > 1 else 1
        Zq, Zs, self_cols = Z[:n_q], Z[n_q:] if n > n_q else Z, None
    else:
        Zq, Zs, self_cols = Z, Z, np.arange(n)
    valid = len(Zs) - (0 if self_cols is None else 1)
    if valid < 1:
        return
    k = data.draw(st.integers(1, valid))
    m = data.draw(st.integers(k, valid))
    step = data.draw(st.integers(1, len(Zq)))
    shift = search_shift(Zs) if data.draw(st.booleans()) else None
    idx, sq = _search(Zq, Zs, k, m, step, self_cols, shift)
    want_idx, want_sq = _brute(Zq, Zs, k, self_cols)
    np.testing.assert_array_equal(idx, want_idx)
    np.testing.assert_array_equal(sq, want_sq)
    whole = _search(Zq, Zs, k, m, len(Zq), self_cols, shift)
    np.testing.assert_array_equal(whole[0], idx)
