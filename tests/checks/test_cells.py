"""The "cells" index: k-means cells compared by matrix products (``labelwise.checks._cells``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import NeighborGraph
from labelwise.checks._cells import cell_knn, kmeans
from labelwise.checks.graph import StandardizedRows
from labelwise.errors import LabelwiseError


def _clustered(n=3000, d=8, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=6.0, size=(12, d))
    return (centres[rng.integers(0, 12, n)] + rng.normal(size=(n, d))).astype(np.float32)


def _recall(found, exact):
    return np.mean([len(set(a) & set(b)) for a, b in zip(found.tolist(), exact.tolist(), strict=True)]) / exact.shape[1]


class TestCellSearch:
    def test_probing_every_cell_is_the_exact_search(self):
        """With every cell probed, the candidates are every row: the graph equals the exact one."""
        X = _clustered(600)
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        exact = NeighborGraph.build(X, k=6, method="exact")
        from labelwise.checks import _cells

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_cells, "SHARE", 0.0)  # every probed cell of every row in its group's pool
            idx, sq = cell_knn(view, 6, cell_size=100, probes=6)
        np.testing.assert_array_equal(idx, exact.indices)
        np.testing.assert_allclose(np.sqrt(sq), exact.distances, rtol=1e-6)

    def test_recall_on_clustered_data_is_high(self):
        """With the default cells and probes, nearly every neighbour is the exact one."""
        X = _clustered(20000, d=16)
        exact = NeighborGraph.build(X, k=10, method="exact").indices
        graph = NeighborGraph.build(X, k=10, method="approximate", index="cells")
        assert graph.method == "approximate"
        assert _recall(graph.indices, exact) > 0.98

    def test_the_result_does_not_depend_on_the_threads(self):
        """Cells are independent: one thread and two give the same arrays."""
        view = StandardizedRows.fit(_clustered(4000), metric="euclidean", standardize=True)
        one = cell_knn(view, 5, cell_size=256, n_threads=1)
        two = cell_knn(view, 5, cell_size=256, n_threads=2)
        np.testing.assert_array_equal(one[0], two[0])
        np.testing.assert_array_equal(one[1], two[1])

    def test_is_deterministic_and_sorted_without_self_matches(self):
        """Two runs agree; every row lists k distinct other rows, nearest first."""
        X = _clustered(3000)
        a = NeighborGraph.build(X, k=7, method="approximate", index="cells")
        b = NeighborGraph.build(X, k=7, method="approximate", index="cells")
        np.testing.assert_array_equal(a.indices, b.indices)
        assert not (a.indices == np.arange(len(X))[:, None]).any()
        assert all(len(set(row)) == 7 for row in a.indices.tolist())
        assert (np.diff(a.distances, axis=1) >= 0).all()

    @settings(max_examples=15, deadline=None)
    @given(n=st.integers(30, 300), cell_size=st.integers(1, 40), probes=st.integers(1, 5), seed=st.integers(0, 99))
    def test_tiny_cells_still_give_k_valid_neighbours(self, n, cell_size, probes, seed):
        """Cells with fewer rows than candidates are widened: every row still gets k other rows, and
        each listed distance is the true distance to that row."""
        X = np.random.default_rng(seed).normal(size=(n, 3)).astype(np.float32)
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        k = min(5, n - 1)
        idx, sq = cell_knn(view, k, cell_size=cell_size, probes=probes)
        assert ((idx >= 0) & (idx < n)).all()
        assert not (idx == np.arange(n)[:, None]).any()
        Z = view.materialize().astype(np.float64)
        true = ((Z[idx] - Z[:, None, :]) ** 2).sum(axis=2)
        np.testing.assert_allclose(sq, true, rtol=1e-5, atol=1e-6)

    def test_large_cells_are_split(self):
        """Tight clusters that k-means left in one cell are split into cells of about cell_size rows."""
        from labelwise.checks._cells import _nearest_cells, _split_large_cells

        rng = np.random.default_rng(3)
        wide = rng.normal(scale=20.0, size=(2000, 4))
        tight = rng.normal(scale=0.01, size=(2000, 4)) + rng.integers(0, 2, (2000, 1)) * 0.5
        Z = np.vstack([wide, tight]).astype(np.float32)
        centroids = kmeans(Z, 4)
        cell = _nearest_cells(Z, centroids, 1)[:, 0]
        split = _split_large_cells(Z, centroids.copy(), cell, 1000, 0)
        sizes = np.bincount(_nearest_cells(Z, split, 1)[:, 0], minlength=split.shape[0])
        assert split.shape[0] > 4 and sizes.max() < np.bincount(cell).max()


def test_cells_need_no_extra_and_unknown_indexes_are_errors():
    """``index="cells"`` is always available to method="auto"; an unknown index names the parameter."""
    from labelwise.checks.graph import _ann_available

    assert _ann_available("cells")
    with pytest.raises(LabelwiseError, match="index"):
        NeighborGraph.build(_clustered(100), k=3, index="kdtree")


class TestAutoIndex:
    def _spy(self, monkeypatch):
        from labelwise.checks import _ann

        used = []
        for name in ("cells", "hnswlib"):
            real = _ann.SEARCHES[name]

            def spy(*args, _real=real, _name=name):
                used.append(_name)
                return _real(*args)

            monkeypatch.setitem(_ann.SEARCHES, name, spy)
        return used

    def test_hnswlib_when_installed(self, monkeypatch):
        """index="auto" uses hnswlib below 100,000 rows when the ann extra is installed."""
        pytest.importorskip("hnswlib")
        used = self._spy(monkeypatch)
        NeighborGraph.build(_clustered(6000), k=5)
        assert used == ["hnswlib"]

    def test_cells_when_hnswlib_is_missing(self, monkeypatch):
        """Without the ann extra, "auto" still searches approximately above the exact limit, with the cells,
        and says so."""
        from labelwise.checks import graph
        from labelwise.errors import LabelwiseWarning

        used = self._spy(monkeypatch)
        real = graph._ann_available
        monkeypatch.setattr(
            graph, "_ann_available", lambda index="hnswlib": index == "cells" or (index != "hnswlib" and real(index))
        )
        with pytest.warns(LabelwiseWarning, match=r"picks hnswlib for 6000 rows.*k-means cells"):
            g = NeighborGraph.build(_clustered(6000), k=5)
        assert g.method == "approximate" and used == ["cells"]


def test_no_standardised_copy_of_the_features_is_held(monkeypatch):
    """Traced numpy memory of a cells build stays under a float32 copy of the features plus the
    O(n k) outputs: rows are standardised per group, products are bounded blocks."""
    import tracemalloc

    from labelwise.checks import _ann, _cells, graph

    one_thread = lambda Z, k, seed, threads: _cells.cell_knn(Z, k, random_state=seed, n_threads=1)  # noqa: E731
    monkeypatch.setitem(_ann.SEARCHES, "cells", one_thread)  # one group's temporaries at a time
    monkeypatch.setattr(_cells, "SLAB_ELEMENTS", 1 << 15)
    monkeypatch.setattr(_cells, "ASSIGN_ROWS", 256)
    monkeypatch.setattr(graph, "_row_step", lambda d: 1024)
    X = _clustered(n=60000, d=64)  # large against one group's pool of rows (a few cells)
    n, k = X.shape[0], 5
    outputs = n * k * (8 + 8 + 4)  # int64 indices, float64 squared distances, float32 distances
    tracemalloc.start()
    NeighborGraph.build(X, k=k, method="approximate", index="cells")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < outputs + 0.5 * X.nbytes, (peak, outputs, X.nbytes)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 300),
    n_centroids=st.integers(1, 40),
    probes=st.integers(1, 5),
    duplicate=st.booleans(),
    seed=st.integers(0, 99),
)
def test_nearest_cell_is_the_first_of_the_nearest_cells(n, n_centroids, probes, duplicate, seed):
    """The spill's split reads each row's nearest cell alone: the same cell as the first of its
    ``probes`` nearest, ties (a repeated centroid) to the lower centroid."""
    from labelwise.checks._cells import _nearest_cell, _nearest_cells

    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, 5)).astype(np.float32)
    centroids = rng.normal(size=(n_centroids, 5)).astype(np.float32)
    if duplicate and n_centroids > 1:
        centroids[-1] = centroids[0]
    probes = min(probes, n_centroids)
    assert np.array_equal(_nearest_cell(Z, centroids), _nearest_cells(Z, centroids, probes)[:, 0])


def _packed(n=600, d=6, copies=40, seed=0):
    """Rows within 1e-6 of 3 centres (closer than float32 products can order) and copies of row 0."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, d))
    X = centres[rng.integers(0, 3, n)] + rng.uniform(-1e-6, 1e-6, (n, d))
    return np.vstack([X, np.repeat(X[:1], copies, axis=0)]).astype(np.float32)


class TestPackedRows:
    def test_probing_every_cell_is_brute_force_on_packed_rows(self):
        """Rows packed closer than the float32 error bound, with copies: every row's candidates are
        every row, and its list is float64 brute force's (the exact search's), bit for bit."""
        from labelwise.checks import _cells
        from labelwise.checks.graph import exact_knn

        view = StandardizedRows.fit(_packed(), metric="euclidean", standardize=True)
        exact_idx, exact_sq = exact_knn(view.materialize(), 6)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_cells, "SHARE", 0.0)
            idx, sq = cell_knn(view, 6, cell_size=60, probes=1000)
        assert idx.dtype == np.int32 and sq.dtype == np.float32
        np.testing.assert_array_equal(idx, exact_idx)
        np.testing.assert_array_equal(sq, exact_sq.astype(np.float32))

    @pytest.mark.parametrize("seed", [0, 1])
    def test_each_row_gets_the_exact_nearest_of_its_pool(self, seed):
        """``pool_best`` on packed rows and a pool of some of them: the k best of the pool by
        (float64 distance from the float32 rows, row number), itself excluded."""
        from labelwise.checks._cells import pool_best

        Z = _packed(seed=seed)
        rng = np.random.default_rng(seed)
        pool = np.sort(rng.choice(len(Z), 400, replace=False))
        rows = np.sort(rng.choice(pool, 120, replace=False))
        idx, sq = pool_best(Z[rows], rows, Z[pool], pool, 5, 10)
        P = Z[pool].astype(np.float64)
        for i, r in enumerate(rows):
            d = ((P - Z[r].astype(np.float64)) ** 2).sum(axis=1)
            d[pool == r] = np.inf
            order = np.lexsort((pool, d))[:5]
            np.testing.assert_array_equal(idx[i], pool[order])
            np.testing.assert_array_equal(sq[i], d[order])

    def test_packed_rows_do_not_depend_on_the_threads(self):
        """Packed rows settled apart by the exact selection: one thread and two give the same arrays."""
        view = StandardizedRows.fit(_packed(n=1500, copies=60), metric="euclidean", standardize=True)
        one = cell_knn(view, 5, cell_size=100, n_threads=1)
        two = cell_knn(view, 5, cell_size=100, n_threads=2)
        np.testing.assert_array_equal(one[0], two[0])
        np.testing.assert_array_equal(one[1], two[1])
        assert not (one[0] == np.arange(len(one[0]))[:, None]).any()
