"""The "spill" index: k-means cells whose lists hold every row near them (``labelwise.checks._spill``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import NeighborGraph
from labelwise.checks._spill import spill_knn
from labelwise.checks.graph import StandardizedRows


def _clustered(n=3000, d=8, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=6.0, size=(12, d))
    return (centres[rng.integers(0, 12, n)] + rng.normal(size=(n, d))).astype(np.float32)


def _recall(found, exact):
    return np.mean([len(set(a) & set(b)) for a, b in zip(found.tolist(), exact.tolist(), strict=True)]) / exact.shape[1]


def _view(X):
    return StandardizedRows.fit(X, metric="euclidean", standardize=True)


class TestSpillSearch:
    def test_filing_every_row_in_every_cell_is_the_exact_search(self):
        """With every row in every cell's list, each row's candidates are all rows: the exact graph."""
        X = _clustered(600)
        exact = NeighborGraph.build(X, k=6, method="exact")
        idx, sq = spill_knn(_view(X), 6, cell_size=100, spill=6)
        np.testing.assert_array_equal(idx, exact.indices)
        np.testing.assert_allclose(np.sqrt(sq), exact.distances, rtol=1e-6)

    def test_filing_every_row_in_every_cell_is_brute_force_on_packed_rows(self):
        """Rows within 1e-6 of 3 centres (closer than float32 products can order) and 40 copies of one:
        with every row in every list, each row's list is float64 brute force's, bit for bit, on any
        number of threads."""
        from labelwise.checks.graph import exact_knn

        rng = np.random.default_rng(0)
        X = rng.normal(size=(3, 6))[rng.integers(0, 3, 600)] + rng.uniform(-1e-6, 1e-6, (600, 6))
        view = _view(np.vstack([X, np.repeat(X[:1], 40, axis=0)]).astype(np.float32))
        exact_idx, exact_sq = exact_knn(view.materialize(), 6)
        idx, sq = spill_knn(view, 6, cell_size=60, spill=1000)
        assert idx.dtype == np.int32 and sq.dtype == np.float32
        np.testing.assert_array_equal(idx, exact_idx)
        np.testing.assert_array_equal(sq, exact_sq.astype(np.float32))
        two = spill_knn(view, 6, cell_size=60, spill=4, n_threads=2)
        one = spill_knn(view, 6, cell_size=60, spill=4, n_threads=1)
        np.testing.assert_array_equal(one[0], two[0])
        np.testing.assert_array_equal(one[1], two[1])

    def test_recall_on_clustered_data_is_high(self):
        """With the default cells and spill, nearly every neighbour is the exact one."""
        X = _clustered(20000, d=16)
        exact = NeighborGraph.build(X, k=10, method="exact").indices
        graph = NeighborGraph.build(X, k=10, method="approximate", index="spill")
        assert graph.method == "approximate"
        assert _recall(graph.indices, exact) > 0.98

    def test_more_spill_never_loses_a_candidate(self):
        """A row's list under spill s is contained in its list under s + 1, so recall cannot fall."""
        X = _clustered(4000, d=16, seed=2)
        exact = NeighborGraph.build(X, k=10, method="exact").indices
        recalls = [_recall(spill_knn(_view(X), 10, cell_size=200, spill=s)[0], exact) for s in (1, 2, 4)]
        assert recalls[0] <= recalls[1] <= recalls[2]
        assert recalls[2] > recalls[0]

    def test_the_result_does_not_depend_on_the_threads(self):
        """Cells are independent: one thread and two give the same arrays."""
        view = _view(_clustered(4000))
        one = spill_knn(view, 5, cell_size=256, n_threads=1)
        two = spill_knn(view, 5, cell_size=256, n_threads=2)
        np.testing.assert_array_equal(one[0], two[0])
        np.testing.assert_array_equal(one[1], two[1])

    def test_is_deterministic_and_sorted_without_self_matches(self):
        """Two runs agree; every row lists k distinct other rows, nearest first."""
        X = _clustered(3000)
        a = NeighborGraph.build(X, k=7, method="approximate", index="spill")
        b = NeighborGraph.build(X, k=7, method="approximate", index="spill")
        np.testing.assert_array_equal(a.indices, b.indices)
        np.testing.assert_array_equal(a.distances, b.distances)
        assert not (a.indices == np.arange(len(X))[:, None]).any()
        assert all(len(set(row)) == 7 for row in a.indices.tolist())
        assert (np.diff(a.distances, axis=1) >= 0).all()

    @settings(max_examples=10, deadline=None)
    @given(seed=st.integers(0, 10_000))
    def test_permuting_the_rows_keeps_the_recall(self, seed):
        """The rows' order only moves which rows the k-means sample holds: on shuffled rows the graph,
        mapped back, is about as close to the exact graph as on the original order."""
        X = _clustered(3000, d=8, seed=5)
        exact = NeighborGraph.build(X, k=5, method="exact").indices
        perm = np.random.default_rng(seed).permutation(len(X))
        shuffled = spill_knn(_view(X[perm]), 5, cell_size=150)[0]
        back = np.empty_like(shuffled)
        back[perm] = perm[shuffled]  # row perm[i] of X is row i of X[perm]
        assert _recall(back, exact) > 0.97

    @settings(max_examples=15, deadline=None)
    @given(n=st.integers(30, 300), cell_size=st.integers(1, 40), spill=st.integers(1, 5), seed=st.integers(0, 99))
    def test_tiny_cells_still_give_k_valid_neighbours(self, n, cell_size, spill, seed):
        """Lists with fewer rows than candidates are widened: every row still gets k other rows, and
        each listed distance is the true distance to that row."""
        X = np.random.default_rng(seed).normal(size=(n, 3)).astype(np.float32)
        view = _view(X)
        k = min(5, n - 1)
        idx, sq = spill_knn(view, k, cell_size=cell_size, spill=spill)
        assert ((idx >= 0) & (idx < n)).all()
        assert not (idx == np.arange(n)[:, None]).any()
        assert all(len(set(row)) == k for row in idx.tolist())
        Z = view.materialize().astype(np.float64)
        true = ((Z[idx] - Z[:, None, :]) ** 2).sum(axis=2)
        np.testing.assert_allclose(sq, true, rtol=1e-5, atol=1e-6)


def test_spill_needs_no_extra():
    """``index="spill"`` is numpy only: always available."""
    from labelwise.checks.graph import _ann_available

    assert _ann_available("spill")


def test_no_standardised_copy_of_the_features_is_held(monkeypatch):
    """Traced numpy memory of a spill build stays under a float32 copy of the features plus the
    O(n k) outputs and the per-row cell numbers: rows are standardised per cell, products are
    bounded blocks."""
    import tracemalloc

    from labelwise.checks import _ann, _cells, _spill, graph

    one_thread = lambda Z, k, seed, threads: _spill.spill_knn(Z, k, random_state=seed, n_threads=1)  # noqa: E731
    monkeypatch.setitem(_ann.SEARCHES, "spill", one_thread)  # one cell's temporaries at a time
    monkeypatch.setattr(_spill, "SLAB_ELEMENTS", 1 << 15)
    monkeypatch.setattr(_cells, "ASSIGN_ROWS", 256)
    monkeypatch.setattr(graph, "_row_step", lambda d: 1024)
    X = _clustered(n=60000, d=64)
    n, k = X.shape[0], 5
    spill = _spill.default_spill(n)
    # the graph; int32 cell numbers and int32 list entries per (row, spill); O(n) int64 sorts per column
    outputs = n * k * (8 + 8 + 4) + n * spill * (4 + 4) + n * 8 * 6
    tracemalloc.start()
    NeighborGraph.build(X, k=k, method="approximate", index="spill")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < outputs + 0.5 * X.nbytes, (peak, outputs, X.nbytes)


@pytest.mark.parametrize("n", [2, 3])
def test_fewer_rows_than_a_cell(n):
    """A handful of rows: one cell holding them all, the exact answer."""
    X = np.arange(n * 2, dtype=np.float32).reshape(n, 2) ** 2
    idx, _ = spill_knn(_view(X), 1)
    exact = NeighborGraph.build(X, k=1, method="exact").indices
    np.testing.assert_array_equal(idx, exact)


class TestCellLists:
    @settings(max_examples=25, deadline=None)
    @given(n=st.integers(1, 200), n_cells=st.integers(1, 12), spill=st.integers(1, 12), seed=st.integers(0, 999))
    def test_every_row_is_in_the_list_of_each_of_its_cells_once(self, n, n_cells, spill, seed):
        """The lists hold exactly the (row, cell) pairs of ``top``, each once, cell by cell."""
        from labelwise.checks._spill import cell_lists

        spill = min(spill, n_cells)
        rng = np.random.default_rng(seed)
        top = np.stack([rng.permutation(n_cells)[:spill] for _ in range(n)]).astype(np.int32)
        lists, starts = cell_lists(top, n_cells)
        assert lists.dtype == np.int32 and starts[0] == 0 and starts[-1] == n * spill
        for c in range(n_cells):
            expected = np.flatnonzero((top == c).any(axis=1))
            np.testing.assert_array_equal(np.sort(lists[starts[c] : starts[c + 1]]), expected)


class TestSpillBySize:
    def test_the_spill_grows_with_the_rows(self):
        """More rows: each row filed in at least as many cells (a cluster spans more cells)."""
        from labelwise.checks._spill import SPILL_BY_ROWS, default_spill

        sizes = [least for least, _ in SPILL_BY_ROWS]
        assert sizes == sorted(sizes) and sizes[0] == 0
        spills = [default_spill(n) for n in (1, 10_000, 100_000, 100_001, 300_000, 300_001, 10**6, 10**8)]
        assert spills == sorted(spills)
        assert all(default_spill(least) == spill for least, spill in SPILL_BY_ROWS)

    def test_the_default_spill_is_the_sizes(self, monkeypatch):
        """``spill_knn`` without ``spill`` files every row in ``default_spill(n)`` cells."""
        from labelwise.checks import _cells, _spill

        asked = []
        real = _cells._nearest_cells

        def spy(Z, centroids, probes):
            asked.append(probes)
            return real(Z, centroids, probes)

        monkeypatch.setattr(_cells, "_nearest_cells", spy)
        monkeypatch.setattr(_spill, "SPILL_BY_ROWS", ((0, 2), (1000, 3)))
        X = _clustered(1500)
        spill_knn(_view(X), 5, cell_size=100)
        assert set(asked) - {1} == {3}  # (k-means assigns with 1; again if a large cell was split)
        asked.clear()
        spill_knn(_view(X[:999]), 5, cell_size=100)
        assert set(asked) - {1} == {2}


class TestAutoIndex:
    def test_the_table_picks_by_rows(self):
        """``index="auto"``: hnswlib (or the cells without it) below 100,000 rows, the spill lists from there."""
        from labelwise.checks.graph import _ann_available, auto_index

        small = "hnswlib" if _ann_available("hnswlib") else "cells"
        assert auto_index(5_001) == small and auto_index(99_999) == small
        assert auto_index(100_000) == "spill" and auto_index(10**7) == "spill"

    def test_build_uses_the_registry(self, monkeypatch):
        """``NeighborGraph.build`` asks the table, not a branch: moving the threshold moves the index."""
        from labelwise.checks import _ann, graph

        used = []
        real = _ann.SEARCHES["spill"]

        def spy(*args):
            used.append("spill")
            return real(*args)

        monkeypatch.setitem(_ann.SEARCHES, "spill", spy)
        monkeypatch.setattr(graph, "AUTO_INDEXES", ((0, "hnswlib"), (6_000, "spill")))
        g = NeighborGraph.build(_clustered(6000), k=5)
        assert g.method == "approximate" and used == ["spill"]

    def test_spill_needs_no_fallback(self, monkeypatch):
        """Without the ann extra, the spill sizes still use the spill lists; smaller ones the cells."""
        from labelwise.checks import graph

        monkeypatch.setattr(graph, "_ann_available", lambda index="hnswlib": index in graph.BUILTIN_INDEXES)
        assert graph.auto_index(200_000) == "spill"
        assert graph.auto_index(50_000) == "cells"
