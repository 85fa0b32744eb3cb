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
    outputs = n * k * (8 + 8 + 4) + n * _spill.SPILL * (4 + 8 + 8)  # graph; cell numbers, their sort, lists
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
