"""Above 165 dimensions, rows with a common offset are searched by products of the shifted rows.

Distances do not change under a common shift, but the float32 products' proven error bound grows
with the rows' norms; the exact searches subtract the column mean first
(``_exact_select.search_shift``), widen ``tol`` by the shift's rounding (``shifted=True``) and
re-score the rows as given, so the graphs stay float64 brute force's while ``tol`` stays narrow.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

from labelwise.checks import _cells, _dask_graph, _exact_select, _scaling, graph

from .test_exact_select import _brute_force

U = 2.0**-24


def _offset_rows(n: int, d: int, seed: int, *, outlier: bool = True) -> np.ndarray:
    """Float32 rows with a large common offset (30), near-duplicates of one row, exact copies of
    another and (``outlier``) one row of huge norm, which sets ``max |b|^2``."""
    rng = np.random.default_rng(seed)
    X = 30.0 + rng.normal(size=(n, d))
    X[: n // 4] = X[n // 4] + 1e-4 * rng.normal(size=(n // 4, d))
    X[n // 4 : n // 4 + 5] = X[n // 2]
    if outlier:
        X[-1] = 1e3 * rng.normal(size=d)
    return X.astype(np.float32)


def _unshifted_tol(Q: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Session 27's ``1e-5 (|a|^2 + M)`` of the query rows ``Q`` over the rows ``Z`` as given."""
    top = np.einsum("ij,ij->i", Z, Z, dtype=np.float64).max()
    return 1e-5 * (np.einsum("ij,ij->i", Q, Q, dtype=np.float64) + top)


def _ordinary(Q: np.ndarray) -> np.ndarray:
    """The query rows other than the huge-norm one (whose own norm the shift does not change)."""
    return np.einsum("ij,ij->i", Q, Q, dtype=np.float64) < 1e4 * Q.shape[1]


class TestSearchShift:
    def test_rows_of_at_most_165_dimensions_are_searched_as_given(self):
        assert _exact_select.search_shift(_offset_rows(50, 165, 0)) is None

    def test_centred_rows_are_searched_as_given(self):
        Z = np.random.default_rng(0).normal(size=(200, 784)).astype(np.float32)
        assert _exact_select.search_shift(Z) is None

    def test_one_huge_row_is_no_common_offset(self):
        """It pulls the mean its way: shifting by it would widen every other row's norm."""
        Z = np.random.default_rng(0).normal(size=(1500, 784))
        Z[7] *= 1e4
        assert _exact_select.search_shift(Z.astype(np.float32)) is None

    @pytest.mark.parametrize("outlier", [False, True])
    def test_rows_with_a_common_offset_are_shifted_by_their_column_mean(self, outlier):
        """One huge row does not hide the offset of all the others (the median squared norm); the
        mean of every row here (200, fewer than the sample's 256)."""
        Z = _offset_rows(200, 784, 0, outlier=outlier)
        shift = _exact_select.search_shift(Z)
        assert shift is not None and shift.dtype == np.float32
        np.testing.assert_array_equal(shift, Z.astype(np.float64).mean(axis=0).astype(np.float32))
        assert _exact_select.shifted_rows(Z, None) is Z
        np.testing.assert_array_equal(_exact_select.shifted_rows(Z, shift), Z - shift)


class TestShiftedTol:
    @pytest.mark.parametrize("d", [784, 2048])
    def test_the_shift_adds_its_rounding_to_the_bound(self, d):
        a2 = np.float32([0.0, 1.0, 784.0, 1e6])
        plain = _exact_select.float32_product_tol(a2, 784.0, d)
        shifted = _exact_select.float32_product_tol(a2, 784.0, d, shifted=True)
        extra = 8 * U * (a2.astype(np.float64) + 784.0)
        assert np.all(shifted >= plain + extra)
        assert np.all(shifted <= (plain + extra) * (1 + 1e-6))

    @pytest.mark.parametrize("d", [784, 2048])
    def test_the_shifted_bound_holds_against_the_distances_of_the_rows_as_given(self, d):
        """``|v - (||a - b||^2 - ||a'||^2)| <= tol``: ``v`` the float32 slab of the shifted rows,
        the distance re-scored in float64 from the rows as given, as ``exact_best`` compares them;
        and, but for the huge row's, narrower than the unshifted rows' ``1e-5 (|a|^2 + M)``."""
        Z = _offset_rows(200, d, 1)
        shift = _exact_select.search_shift(Z)
        Y = _exact_select.shifted_rows(Z, shift)
        sq_y = np.einsum("ij,ij->i", Y, Y, dtype=np.float64)
        slab = Y @ Y.T
        slab *= -2.0
        slab += sq_y.astype(np.float32)[None, :]
        Z64 = Z.astype(np.float64)
        dist = np.stack([np.einsum("ij,ij->i", Z64 - z, Z64 - z) for z in Z64])
        tol = _exact_select.float32_product_tol(
            sq_y.astype(np.float32), float(sq_y.astype(np.float32).max()), d, shifted=True
        )
        assert np.all(np.abs(slab - (dist - sq_y[:, None])) <= tol[:, None])
        assert np.all((tol < _unshifted_tol(Z, Z) / 4)[_ordinary(Z)])


def _exact_knn(Z: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    return graph.exact_knn(Z, k, block_size=70)


def _sharded(Z: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The dask search's (query block, shard) pairs and their merge, without dask."""
    starts = [0, 90, 200, len(Z)]
    m = min(len(Z) - 1, 2 * k)
    top = float(np.einsum("ij,ij->i", Z, Z, dtype=np.float64).astype(np.float32).max())
    rows = []
    for q0, q1 in zip(starts[:-1], starts[1:], strict=True):
        parts = [
            _dask_graph._pair_best(Z[q0:q1], Z[s0:s1], q0, s0, k, m, top)
            for s0, s1 in zip(starts[:-1], starts[1:], strict=True)
        ]
        rows.append(_dask_graph._merge_best(parts))
    return np.vstack([r[0] for r in rows]), np.vstack([r[1] for r in rows])


def _pool(Z: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(len(Z))
    return _cells.pool_best(Z, rows, Z, rows, k, min(len(Z) - 1, 2 * k))


def _lists(Z: np.ndarray, k: int) -> tuple[np.ndarray, None]:
    return _scaling.neighbour_lists(Z, k), None


class TestShiftedSearches:
    """Every exact search takes its products of the shifted rows: a narrow ``tol`` (narrower still
    without the huge row that sets ``M``), brute force's graph."""

    @pytest.mark.parametrize(("outlier", "narrower"), [(False, 30), (True, 2)])
    @pytest.mark.parametrize(
        ("module", "search"),
        # the module whose exact_best the search calls (the blocked searches: through _exact_select.block_best)
        [(_exact_select, _exact_knn), (_exact_select, _sharded), (_cells, _pool), (_exact_select, _lists)],
        ids=["exact_knn", "dask_pairs", "pool_best", "neighbour_lists"],
    )
    @pytest.mark.parametrize("d", [784, 2048])
    def test_offset_rows_in_many_dimensions_give_brute_force_with_a_narrow_tol(
        self, module, search, d, outlier, narrower
    ):
        Z = _offset_rows(300, d, d, outlier=outlier)
        ratios = []
        inner = module.exact_best

        def spy(slab, Q, S, k, m, tol, **kwargs):
            tol = np.broadcast_to(tol, (len(Q), 1))
            ratios.append((tol[:, 0] / _unshifted_tol(Q, Z))[_ordinary(Q)])
            return inner(slab, Q, S, k, m, tol, **kwargs)

        with mock.patch.object(module, "exact_best", spy):
            idx, sq = search(Z, 6)
        want_idx, want_sq = _brute_force(Z, 6)
        np.testing.assert_array_equal(idx, want_idx)
        if sq is not None:
            np.testing.assert_array_equal(sq, want_sq)
        assert ratios  # near-duplicates: neighbour_lists sends rows to exact_best too
        assert np.concatenate(ratios).max() < 1 / narrower

    def test_offset_rows_in_2048_dimensions_are_settled_by_their_m_smallest(self, monkeypatch):
        """Without near-duplicates no row goes past the first step (the unshifted bound sent them all)."""
        passed = []
        near = _exact_select._near_ties_best
        monkeypatch.setattr(
            _exact_select, "_near_ties_best", lambda slab, *a: passed.append(len(slab)) or near(slab, *a)
        )
        Z = (30.0 + np.random.default_rng(3).normal(size=(1000, 2048))).astype(np.float32)
        idx, sq = graph.exact_knn(Z, 10)
        assert passed == []
        want_idx, want_sq = _brute_force(Z, 10)
        np.testing.assert_array_equal(idx, want_idx)
        np.testing.assert_array_equal(sq, want_sq)

    def test_the_dask_sharded_graph_of_offset_rows_is_brute_forces(self):
        """Through dask (ragged chunks, rows as given): each shard pair shifted by its own shard's
        mean, the merged graph brute force's, every pair's ``tol`` narrow."""
        da = pytest.importorskip("dask.array")
        dask = pytest.importorskip("dask")
        Z = _offset_rows(300, 784, 5, outlier=False)
        ratios = []
        inner = _exact_select.exact_best

        def spy(slab, Q, S, k, m, tol, **kwargs):
            ratios.append(np.broadcast_to(tol, (len(Q), 1))[:, 0] / _unshifted_tol(Q, Z))
            return inner(slab, Q, S, k, m, tol, **kwargs)

        with dask.config.set(scheduler="synchronous"), mock.patch.object(_exact_select, "exact_best", spy):
            Xd = da.from_array(Z, chunks=((90, 110, 100), 784))
            mean, scale = _dask_graph.column_fit(Xd, standardize=False)
            got = _dask_graph.sharded_exact_graph(
                Xd, mean, scale, k=6, metric="euclidean", standardized=False
            ).compute()
        want_idx, want_sq = _brute_force(Z, 6)
        np.testing.assert_array_equal(got.indices, want_idx)
        np.testing.assert_array_equal(got.distances, np.sqrt(want_sq).astype(np.float32))
        assert len(ratios) == 9 and np.concatenate(ratios).max() < 1 / 30
