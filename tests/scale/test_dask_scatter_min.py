"""Tests for labelwise._dask_scatter_min: np.minimum.at along a graph on the workers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise._dask_scatter_min import scatter_min
from labelwise.errors import InvalidParameterError, ShapeMismatchError

from ._data import random_chunks, sync_scheduler  # noqa: F401 (an autouse fixture)
from .test_dask_take import MaxTaskSize

da = pytest.importorskip("dask.array")


@st.composite
def cases(draw):
    """Starting values of n rows, (m, k) row numbers into them with about a third -1, the values
    each entry sends, and the chunkings of both (empty and one-row chunks among them)."""
    n = draw(st.integers(1, 80))
    m, k = draw(st.integers(0, 60)), draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from([np.int64, np.float64, np.int32]))
    out = rng.integers(-50, 50, n).astype(dtype)
    indices = np.where(rng.random((m, k)) < 0.3, -1, rng.integers(0, n, (m, k)))
    values = rng.integers(-100, 100, (m, k)).astype(dtype)
    return out, indices, values, random_chunks(draw, n, 8), random_chunks(draw, m, 8)


def _expected(out: np.ndarray, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
    expected = out.copy()
    keep = indices >= 0
    np.minimum.at(expected, indices[keep], values[keep])
    return expected


class TestScatterMin:
    @settings(max_examples=80, deadline=None)
    @given(case=cases())
    def test_equals_numpy_minimum_at_whatever_the_chunking(self, case):
        """Any chunking of out and of indices: np.minimum.at on the kept entries, in out's dtype and chunks."""
        out, indices, values, out_chunks, index_chunks = case
        got = scatter_min(
            da.from_array(out, chunks=(out_chunks,)),
            da.from_array(indices, chunks=(index_chunks, -1)),
            da.from_array(values, chunks=(index_chunks, -1)),
        )
        assert got.dtype == out.dtype
        computed = got.compute()
        np.testing.assert_array_equal(computed, _expected(out, indices, values))
        assert computed.dtype == out.dtype

    def test_one_dimensional_indices_in_other_chunks_than_values(self):
        """1-D indices; values chunked unlike indices are rechunked to them."""
        rng = np.random.default_rng(0)
        out, indices, values = np.arange(30), rng.integers(-1, 30, 50), rng.integers(-5, 30, 50)
        got = scatter_min(da.from_array(out, 7), da.from_array(indices, 11), da.from_array(values, 13))
        np.testing.assert_array_equal(got.compute(), _expected(out, indices, values))

    def test_no_task_holds_an_n_long_array(self):
        """Every task's result is at most an out chunk or an indices chunk long: none is n long."""
        n = 3_000
        out = da.arange(n, chunks=1000)
        indices = da.random.default_rng(1).integers(0, n, (400, 5), chunks=(100, -1))
        spy = MaxTaskSize()
        with spy:
            got = scatter_min(out, indices, da.zeros((400, 5), dtype=np.int64, chunks=(100, -1))).compute()
        assert got.min() == 0 and (got <= np.arange(n)).all()
        assert 0 < spy.largest <= 1000

    def test_nothing_to_send_leaves_out_as_it_is(self):
        """Empty indices: the result is out; every entry -1: also out."""
        out = da.arange(5, chunks=2)
        empty = da.zeros((0, 2), dtype=np.int64, chunks=(1, 2))
        np.testing.assert_array_equal(scatter_min(out, empty, empty).compute(), np.arange(5))
        none = da.full((3, 2), -1, dtype=np.int64, chunks=(2, 2))
        np.testing.assert_array_equal(scatter_min(out, none, none - 9).compute(), np.arange(5))

    @pytest.mark.parametrize("bad", [5, -2])
    def test_index_out_of_range_is_refused_on_compute_naming_the_row(self, bad):
        """An index at n or below -1: InvalidParameterError naming indices and the row."""
        indices = da.from_array(np.array([[0, 1], [2, -1], [4, bad]]), chunks=(1, -1))
        got = scatter_min(da.arange(5, chunks=2), indices, da.zeros((3, 2), dtype=np.int64, chunks=(1, -1)))
        with pytest.raises(InvalidParameterError, match=rf"in \[0, 5\) or -1 \(no update\), got {bad} in row 2"):
            got.compute()

    def test_bad_input_is_refused_naming_the_parameter(self):
        """Numpy out, float indices, string values, values of another shape, an empty out with entries."""
        indices = da.zeros((4, 2), dtype=np.int64, chunks=2)
        with pytest.raises(InvalidParameterError, match="out must be a dask array of numbers, got ndarray"):
            scatter_min(np.arange(3), indices, indices)
        with pytest.raises(InvalidParameterError, match="indices must be a dask array of ints"):
            scatter_min(da.arange(3, chunks=2), indices.astype(float), indices)
        with pytest.raises(InvalidParameterError, match="values must be a dask array of numbers"):
            scatter_min(da.arange(3, chunks=2), indices, indices.astype(str))
        with pytest.raises(ShapeMismatchError, match=r"values must have the shape of indices \(4, 2\), got \(4, 3\)"):
            scatter_min(da.arange(3, chunks=2), indices, da.zeros((4, 3), dtype=np.int64))
        with pytest.raises(InvalidParameterError, match="out must not be empty when indices has entries"):
            scatter_min(da.zeros(0, dtype=np.int64, chunks=1), indices, indices)


def test_on_the_local_cluster_equals_numpy(client):
    """On distributed workers (the pieces travel between them): np.minimum.at's answer."""
    rng = np.random.default_rng(3)
    out, indices, values = rng.integers(0, 99, 200), rng.integers(-1, 200, (300, 4)), rng.integers(0, 99, (300, 4))
    got = scatter_min(da.from_array(out, 60), da.from_array(indices, (70, 4)), da.from_array(values, (70, 4)))
    np.testing.assert_array_equal(got.compute(), _expected(out, indices, values))
