"""The sharded exact graph of a dask array is the in-memory exact graph."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks._dask_graph import column_fit, sharded_exact_graph
from labelwise.checks.graph import NeighborGraph, StandardizedRows

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


def _sharded(X: np.ndarray, chunks, k: int, metric: str = "euclidean") -> NeighborGraph:
    standardize = metric == "euclidean"
    with dask.config.set(scheduler="synchronous"):
        Xd = da.from_array(X, chunks=(chunks, X.shape[1]))
        mean, scale = column_fit(Xd, standardize=standardize)
        return sharded_exact_graph(Xd, mean, scale, k=k, metric=metric, standardized=standardize).compute()


def _assert_same_graph(ours: NeighborGraph, theirs: NeighborGraph) -> None:
    """Equal distances (float tolerance); equal indices except among neighbours tied in distance."""
    np.testing.assert_allclose(ours.distances, theirs.distances, rtol=1e-5, atol=1e-6)
    rows, cols = np.nonzero(ours.indices != theirs.indices)
    for r, c in zip(rows, cols, strict=True):
        tied = np.isclose(theirs.distances[r], theirs.distances[r, c], rtol=1e-5, atol=1e-6)
        assert ours.indices[r, c] in theirs.indices[r, tied] or tied.sum() > 1, (r, c)


@st.composite
def _data(draw):
    n = draw(st.integers(3, 45))
    d = draw(st.integers(1, 4))
    k = draw(st.integers(1, min(6, n - 1)))
    pool = draw(st.integers(1, n))  # few distinct rows: many duplicates and exact ties
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(pool, d)).astype(np.float32)
    X = base[rng.integers(0, pool, size=n)]
    X[0] = base[0] + 1.0  # at least two distinct rows
    sizes = []
    left = n
    while left:
        size = draw(st.integers(1, left))
        sizes.append(size)
        left -= size
    return X, tuple(sizes), k


class TestShardedExactGraph:
    @settings(max_examples=60, deadline=None)
    @given(_data())
    def test_equals_the_in_memory_exact_graph_for_any_chunking(self, data):
        """Any row chunking, n, k and duplicates: the in-memory exact graph, ties by lower row."""
        X, chunks, k = data
        _assert_same_graph(_sharded(X, chunks, k), NeighborGraph.build(X, k=k, method="exact"))

    def test_bit_identical_on_random_rows_with_uneven_chunks(self):
        """Random rows in chunks of 1, 7, 100 and the rest: the same indices, the same distances."""
        X = np.random.default_rng(0).normal(size=(400, 6)).astype(np.float32)
        ours = _sharded(X, (1, 7, 100, 292), 5)
        theirs = NeighborGraph.build(X, k=5, method="exact")
        np.testing.assert_array_equal(ours.indices, theirs.indices)
        np.testing.assert_allclose(ours.distances, theirs.distances, rtol=1e-6)
        assert (ours.method, ours.standardized, ours.scaling) == ("exact", True, "zscore")

    def test_cosine_on_unit_rows(self):
        """Cosine distance: unit rows, no column scaling, as in memory."""
        X = np.random.default_rng(1).normal(size=(120, 5))
        ours = _sharded(X, 25, 4, metric="cosine")
        theirs = NeighborGraph.build(X, k=4, method="exact", metric="cosine")
        np.testing.assert_array_equal(ours.indices, theirs.indices)
        np.testing.assert_allclose(ours.distances, theirs.distances, rtol=1e-5, atol=1e-7)
        assert not ours.standardized

    def test_no_row_is_its_own_neighbour_when_all_rows_are_equal_but_one(self):
        """Twins across chunks are each other's neighbours at distance 0, never themselves."""
        X = np.zeros((9, 2))
        X[4] = 1.0
        ours = _sharded(X, 2, 3)
        assert not (ours.indices == np.arange(9)[:, None]).any()
        np.testing.assert_array_equal(ours.indices, NeighborGraph.build(X, k=3, method="exact").indices)


class TestTightlyPackedRows:
    @pytest.mark.parametrize("chunks", [(1, 7, 100, 292), 150, 64])
    def test_equals_the_in_memory_exact_graph_bit_for_bit(self, chunks):
        """Clusters of rows within 1e-6 (each far past the candidates' cap) and exact copies, any
        chunking: the in-memory graph, which is float64 brute force's (tests/checks/test_exact_select.py)."""
        rng = np.random.default_rng(7)
        X = (rng.normal(size=(3, 5))[rng.integers(0, 3, 400)] + 1e-6 * rng.normal(size=(400, 5))).astype(np.float32)
        X[rng.choice(400, 30, replace=False)] = X[11]
        with dask.config.set(scheduler="synchronous"):
            Xd = da.from_array(X, chunks=(chunks, 5))
            mean, scale = column_fit(Xd, standardize=False)
            ours = sharded_exact_graph(Xd, mean, scale, k=6, metric="euclidean", standardized=False).compute()
        theirs = NeighborGraph.build(X, k=6, method="exact", standardize=False)
        np.testing.assert_array_equal(ours.indices, theirs.indices)
        np.testing.assert_array_equal(ours.distances, theirs.distances)


class TestColumnFit:
    def test_means_and_scales_are_the_in_memory_fit(self):
        """The dask reductions give StandardizedRows.fit's means and scales (a constant column keeps 1)."""
        X = np.random.default_rng(3).normal(5.0, 3.0, size=(301, 4)).astype(np.float32)
        X[:, 2] = 0.0
        mean, scale = column_fit(da.from_array(X, chunks=(50, 4)), standardize=True)
        fit = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        np.testing.assert_allclose(mean, fit.mean, rtol=1e-12)
        np.testing.assert_allclose(scale, fit.scale, rtol=1e-12)
        assert scale[2] == 1.0

    @pytest.mark.parametrize("factor", [1e200, 1e-200])
    def test_columns_of_extreme_size_get_the_in_memory_scales(self, factor):
        """Columns times 1e200 or 1e-200 (squares overflow or underflow) get finite scales, the in-memory ones."""
        X = np.random.default_rng(4).normal(5.0, 3.0, size=(301, 3))
        X[:, 1] *= factor
        mean, scale = column_fit(da.from_array(X, chunks=(50, 3)), standardize=True)
        fit = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        np.testing.assert_allclose(mean, fit.mean, rtol=1e-12)
        np.testing.assert_allclose(scale, fit.scale, rtol=1e-12)
        assert scale[1] == pytest.approx(np.std(X[:, 1] / factor) * factor, rel=1e-12)
