"""The exact search is float64 brute force's on tightly packed rows too, and unchanged on ordinary rows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import NeighborGraph
from labelwise.checks import _scaling as scaling
from labelwise.checks.graph import StandardizedRows, exact_knn, refine_candidates


def _brute_force(Z: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Every row's ``k`` nearest other rows by (float64 squared distance from the float32 rows, row)."""
    Z64 = Z.astype(np.float64)
    idx = np.empty((len(Z), k), dtype=np.int64)
    sq = np.empty((len(Z), k))
    for r in range(len(Z)):
        diff = Z64 - Z64[r]
        d = np.einsum("ij,ij->i", diff, diff)
        d[r] = np.inf
        order = np.lexsort((np.arange(len(Z)), d))[:k]
        idx[r], sq[r] = order, d[order]
    return idx, sq


def _packed(seed: int, n: int = 600, d: int = 6, centres: int = 3, spread: float = 1e-6, copies: int = 40):
    """Rows within ``spread`` of a few centres (each cluster far more than the candidates' cap) and
    ``copies`` exact copies of one row, standardised to float32 as the graph does."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(centres, d))[rng.integers(0, centres, n)] + spread * rng.normal(size=(n, d))
    X[rng.choice(n, copies, replace=False)] = X[n // 3]
    return StandardizedRows.fit(X, metric="euclidean", standardize=True).materialize()


def _main_exact_knn(Z: np.ndarray, k: int, block_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Session 26's exact search: the capped float32 candidates re-scored, nothing settled after."""
    from labelwise.checks._exact_select import smallest_by_value_then_index

    n = Z.shape[0]
    sq_norm = np.einsum("ij,ij->i", Z, Z, dtype=np.float64).astype(np.float32)
    m, top = min(n - 1, 2 * k), float(sq_norm.max())
    out = []
    for s in range(0, n, block_size):
        e = min(n, s + block_size)
        slab = Z[s:e] @ Z.T
        slab *= -2.0
        slab += sq_norm[None, :]
        slab[np.arange(e - s), np.arange(s, e)] = np.inf
        tol = 1e-5 * (sq_norm[s:e, None].astype(np.float64) + top)
        out.append(refine_candidates(Z, np.arange(s, e), smallest_by_value_then_index(slab, m, tol), k))
    return np.vstack([o[0] for o in out]), np.vstack([o[1] for o in out])


class TestTightlyPackedRows:
    @pytest.mark.parametrize("seed", [0, 1])
    def test_exact_search_equals_float64_brute_force(self, seed):
        """Clusters of ~200 rows within 1e-6 (all within the float32 error bound) and 40 copies."""
        Z = _packed(seed)
        idx, sq = exact_knn(Z, 5)
        want_idx, want_sq = _brute_force(Z, 5)
        np.testing.assert_array_equal(idx, want_idx)
        np.testing.assert_array_equal(sq, want_sq)

    def test_the_graph_of_the_rows_equals_brute_force_on_its_standardised_rows(self):
        rng = np.random.default_rng(3)
        X = np.eye(4)[rng.integers(0, 4, 500)] * (1 - 1e-7 * rng.random((500, 1)))  # near one-hot rows
        X[::7] = X[1]
        graph = NeighborGraph.build(X, k=10, method="exact")
        want_idx, want_sq = _brute_force(
            StandardizedRows.fit(X, metric="euclidean", standardize=True).materialize(), 10
        )
        np.testing.assert_array_equal(graph.indices, want_idx)
        np.testing.assert_array_equal(graph.distances, np.sqrt(want_sq).astype(np.float32))

    def test_copies_are_the_lowest_numbered_copies(self):
        """A row with more than k copies numbered after 250 rows within 1e-6 of it (all near-tied in
        float32): its k lowest-numbered other copies, at distance 0."""
        rng = np.random.default_rng(4)
        X = rng.normal(size=(1, 6)) + 1e-6 * rng.normal(size=(300, 6))
        X[250:] = X[250]
        X = np.vstack([X, rng.normal(size=(100, 6))])
        Z = StandardizedRows.fit(X, metric="euclidean", standardize=True).materialize()
        idx, sq = exact_knn(Z, 5, block_size=37)
        twin = np.flatnonzero((Z == Z[250]).all(axis=1))
        assert twin.size >= 50
        for r in twin:
            np.testing.assert_array_equal(idx[r], twin[twin != r][:5])
            np.testing.assert_array_equal(sq[r], 0.0)

    @pytest.mark.parametrize("seed", [0, 8])
    def test_bands_re_scored_in_many_chunks_give_brute_force(self, monkeypatch, seed):
        """First chunks of 4m columns: the bands (clusters of ~200 rows, 40 copies) take several
        chunks, dropping columns past the k-th best and stopping at k copies."""
        from labelwise.checks import _exact_select

        monkeypatch.setattr(_exact_select, "FIRST_COLUMNS", 1)
        Z = _packed(seed)
        idx, sq = exact_knn(Z, 5, block_size=100)
        want_idx, want_sq = _brute_force(Z, 5)
        np.testing.assert_array_equal(idx, want_idx)
        np.testing.assert_array_equal(sq, want_sq)

    @settings(max_examples=25, deadline=None)
    @given(
        st.integers(0, 2**32 - 1),
        st.integers(30, 140),
        st.integers(1, 8),
        st.sampled_from([0.0, 1e-7, 1e-6, 1e-3]),
        st.integers(1, 140),
    )
    def test_any_block_size_gives_brute_force(self, seed, n, k, spread, block):
        """Packed rows, copies (spread 0: every cluster is copies), any n, k and block size."""
        Z = _packed(seed, n=n, d=3, centres=2, spread=spread, copies=n // 4)
        idx, sq = exact_knn(Z, k, block_size=block)
        want_idx, want_sq = _brute_force(Z, k)
        np.testing.assert_array_equal(idx, want_idx)
        np.testing.assert_array_equal(sq, want_sq)

    def test_the_scaling_choice_lists_are_the_exact_lists(self):
        Z = _packed(5)
        np.testing.assert_array_equal(scaling.neighbour_lists(Z, 10), _brute_force(Z, 10)[0])


class TestOrdinaryRows:
    @pytest.mark.parametrize(("n", "d", "seed"), [(3000, 32, 0), (1500, 8, 1), (800, 64, 2)])
    def test_the_graph_is_bit_identical_to_session_26s(self, n, d, seed):
        """Gaussian rows: no row's candidates are in doubt, so nothing changes, bit for bit."""
        Z = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
        idx, sq = exact_knn(Z, 10, block_size=64)
        old_idx, old_sq = _main_exact_knn(Z, 10)
        np.testing.assert_array_equal(idx, old_idx)
        np.testing.assert_array_equal(sq, old_sq)


class TestQueriesOutsideTheRows:
    def test_rows_of_another_shard_get_their_brute_force_neighbours(self):
        """``exact_best`` with queries not among the searched rows (a dask shard pair)."""
        from labelwise.checks._exact_select import exact_best

        Z = _packed(6, n=400)
        Q, S = Z[:150], Z[150:]
        sq_s = np.einsum("ij,ij->i", S, S, dtype=np.float64).astype(np.float32)
        sq_q = np.einsum("ij,ij->i", Q, Q, dtype=np.float64)
        slab = Q @ S.T
        slab *= -2.0
        slab += sq_s[None, :]
        tol = 1e-5 * (sq_q[:, None] + float(sq_s.max()))
        idx, sq = exact_best(slab, Q, S, 6, 12, tol)
        for r in range(len(Q)):
            diff = S.astype(np.float64) - Q[r].astype(np.float64)
            d = np.einsum("ij,ij->i", diff, diff)
            order = np.lexsort((np.arange(len(S)), d))[:6]
            np.testing.assert_array_equal(idx[r], order)
            np.testing.assert_array_equal(sq[r], d[order])


def _slab(Q: np.ndarray, S: np.ndarray, own: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The float32 ``||b||^2 - 2ab`` slab of a search (own columns ``inf``) and its error bound."""
    from labelwise.checks._exact_select import float32_product_tol

    sq_s = np.einsum("ij,ij->i", S, S, dtype=np.float64).astype(np.float32)
    slab = Q @ S.T
    slab *= -2.0
    slab += sq_s[None, :]
    if own is not None:
        slab[np.arange(len(Q)), own] = np.inf
    tol = float32_product_tol(np.einsum("ij,ij->i", Q, Q, dtype=np.float64)[:, None], float(sq_s.max()), Q.shape[1])
    return slab, tol


class TestSettledRows:
    def test_ordinary_rows_are_settled_by_their_m_smallest(self, monkeypatch):
        """Gaussian rows: the near-tie passes over the whole slab never run."""
        from labelwise.checks import _exact_select

        calls = []
        select = _exact_select._select
        monkeypatch.setattr(
            _exact_select, "_select", lambda slab, *a, **kw: calls.append(len(slab)) or select(slab, *a, **kw)
        )
        Z = np.random.default_rng(0).normal(size=(2000, 16)).astype(np.float32)
        idx, sq = exact_knn(Z, 10, block_size=300)
        assert calls == []
        old_idx, old_sq = _main_exact_knn(Z, 10)
        np.testing.assert_array_equal(idx, old_idx)
        np.testing.assert_array_equal(sq, old_sq)

    @pytest.mark.parametrize(("seed", "packed", "ordinary"), [(0, 200, 400), (1, 300, 300), (2, 450, 150)])
    def test_settled_and_unsettled_rows_together_give_brute_force(self, monkeypatch, seed, packed, ordinary):
        """One slab of ordinary rows and clusters of about 12 rows within 1e-6 (just past ``m`` = 10:
        the cut falls inside a cluster, within the float32 error of its ``k``-th best) and copies,
        the packed rows a minority or most of the slab: the rows the ``m`` smallest settle and the
        others, each put back in its place."""
        from labelwise.checks import _exact_select

        passed_on = []
        near = _exact_select._near_ties_best
        monkeypatch.setattr(
            _exact_select, "_near_ties_best", lambda slab, *a: passed_on.append(len(slab)) or near(slab, *a)
        )
        rng = np.random.default_rng(seed)
        clusters = packed // 12
        Z = np.vstack(
            [
                _packed(seed, n=packed, d=6, centres=clusters, copies=6),
                rng.normal(size=(ordinary, 6)).astype(np.float32),
            ]
        )
        Z = Z[rng.permutation(len(Z))]
        own = np.arange(len(Z))
        slab, tol = _slab(Z, Z, own)
        idx, sq = _exact_select.exact_best(slab, Z, Z, 5, 10, tol, self_cols=own)
        assert passed_on
        want_idx, want_sq = _brute_force(Z, 5)
        np.testing.assert_array_equal(idx, want_idx)
        np.testing.assert_array_equal(sq, want_sq)


def _offset_rows(n: int, d: int, seed: int) -> np.ndarray:
    """Adversarial float32 rows in ``d`` dimensions: a large common offset (the products cancel to
    the small differences), near-duplicates, exact copies and one row of huge norm."""
    rng = np.random.default_rng(seed)
    X = 30.0 + rng.normal(size=(n, d))
    X[: n // 4] = X[n // 4] + 1e-4 * rng.normal(size=(n // 4, d))  # near-duplicates of one row
    X[n // 4 : n // 4 + 5] = X[n // 2]  # exact copies
    X[-1] = 1e3 * rng.normal(size=d)  # a huge-norm outlier (it sets max |b|^2)
    return X.astype(np.float32)


class TestFloat32ProductTol:
    """The slab's error bound: session 27's ``1e-5 (|a|^2 + M)`` up to 165 dimensions, a proven one above."""

    NORMS = np.array([0.0, 1e-3, 0.5, 1.0, 2.0, 64.0, 784.0, 1e4, 1e8], dtype=np.float32)

    @staticmethod
    def _proven(a2: np.ndarray, top: float, d: int) -> np.ndarray:
        """Higham's ``gamma_d`` bound of ``fl(N - 2 fl(a.b))`` (the docstring's derivation), leading terms."""
        u = 2.0**-24
        gamma = d * u / (1 - d * u)
        return 2 * u * top + 2 * (gamma + u) * np.sqrt(a2.astype(np.float64) * top)

    @pytest.mark.parametrize("d", [1, 10, 164, 165])
    def test_up_to_165_dimensions_the_tol_is_session_27s(self, d):
        from labelwise.checks._exact_select import float32_product_tol

        for top in (1e-3, 1.0, 784.0, 1e8):
            got = float32_product_tol(self.NORMS[:, None], top, d)
            want = 1e-5 * (self.NORMS[:, None].astype(np.float64) + top)
            np.testing.assert_array_equal(got, want)  # bit for bit: the same graphs as before
            assert np.all(got >= self._proven(self.NORMS[:, None], top, d))

    @pytest.mark.parametrize("d", [166, 784, 2048, 100_000])
    def test_above_165_dimensions_the_tol_covers_the_proven_bound(self, d):
        from labelwise.checks._exact_select import float32_product_tol

        a2 = np.float32([784.0])
        got = float32_product_tol(a2, 784.0, d)
        proven = self._proven(a2, 784.0, d)
        assert np.all(got >= proven)
        assert np.all(got > 1e-5 * (784.0 + 784.0))  # wider than session 27's bound
        assert np.all(got <= proven * (1 + 1e-4))  # and not much wider than needed

    def test_the_tol_grows_with_the_dimension(self):
        """Up to 165 dimensions and above (where session 27's floor ``1e-5 (|a|^2 + M)`` is dropped:
        the proven bound alone, narrower for a small ``|a|``)."""
        from labelwise.checks._exact_select import float32_product_tol

        a2 = self.NORMS[:, None]
        for dims in ((10, 164, 165), (166, 784, 2048, 4096)):
            tols = [float32_product_tol(a2, 784.0, d) for d in dims]
            for low, high in zip(tols[:-1], tols[1:], strict=True):
                assert np.all(low <= high)
        tols = [float32_product_tol(a2, 784.0, d) for d in (10, 4096)]
        assert tols[-1][6, 0] > tols[0][6, 0]  # |a|^2 = M = 784: wider at 4,096 dimensions
        assert np.all(np.isinf(float32_product_tol(a2, 784.0, 2**23)))  # gamma_d's d u < 1/2 fails

    @pytest.mark.parametrize("d", [784, 2048])
    def test_the_tol_bounds_the_slabs_measured_error(self, d):
        from labelwise.checks._exact_select import float32_product_tol

        Z = _offset_rows(200, d, 0)
        sq = np.einsum("ij,ij->i", Z, Z, dtype=np.float64)
        slab = Z @ Z.T
        slab *= -2.0
        slab += sq.astype(np.float32)[None, :]
        exact = sq[None, :] - 2.0 * (Z.astype(np.float64) @ Z.T.astype(np.float64))
        tol = float32_product_tol(sq.astype(np.float32)[:, None], float(sq.astype(np.float32).max()), d)
        assert np.all(np.abs(slab - exact) <= tol)

    @pytest.mark.parametrize("d", [784, 2048])
    def test_exact_knn_equals_brute_force_on_offset_rows_in_many_dimensions(self, d):
        Z = _offset_rows(300, d, d)
        idx, sq = exact_knn(Z, 6, block_size=70)
        want_idx, want_sq = _brute_force(Z, 6)
        np.testing.assert_array_equal(idx, want_idx)
        np.testing.assert_array_equal(sq, want_sq)
