"""Tests for labelwise._dask_take: values[indices] and the weighted bincount along a graph on the workers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise._dask_take import _Chunking, _group, scatter_add, take_rows
from labelwise.errors import InvalidParameterError, ShapeMismatchError

from ._data import random_chunks, sync_scheduler  # noqa: F401 (an autouse fixture)

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
from dask.callbacks import Callback  # noqa: E402

VALUE_KINDS = {
    "float64": lambda rng, n: rng.normal(size=n),
    "float32": lambda rng, n: rng.normal(size=n).astype(np.float32),
    "int64": lambda rng, n: rng.integers(-(2**62), 2**62, n),
    "bool": lambda rng, n: rng.random(n) < 0.5,
    "str": lambda rng, n: rng.integers(0, 10**6, n).astype(str),
    "object": lambda rng, n: _objects(rng.integers(0, 99, n)),
}


def _objects(codes: np.ndarray) -> np.ndarray:
    """An object array of tuples, strings and None (one of each kind per code's remainder by 3)."""
    out = np.empty(codes.size, dtype=object)
    out[:] = [("row", int(c)) if c % 3 == 1 else (f"s{c}" if c % 3 == 2 else None) for c in codes]
    return out


@st.composite
def graphs(draw):
    """A graph (m, k) of row numbers into n values, the values and both chunkings."""
    n = draw(st.integers(1, 80))
    m, k = draw(st.integers(0, 60)), draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = VALUE_KINDS[draw(st.sampled_from(sorted(VALUE_KINDS)))](rng, n)
    indices = rng.integers(0, n, (m, k))
    return values, indices, random_chunks(draw, n, 8), random_chunks(draw, m, 8)


class MaxTaskSize(Callback):
    """Records the largest array (in elements) any task but dask's final one (the client's) gives,
    alone or in a tuple."""

    def __init__(self):
        super().__init__()
        self.largest = 0

    def _posttask(self, key, result, dsk, state, worker_id):
        name = key[0] if isinstance(key, tuple) else key
        if str(name).startswith("finalize"):
            return
        for part in result if isinstance(result, tuple) else (result,):
            if isinstance(part, np.ndarray):
                self.largest = max(self.largest, part.size)


class TestTakeRows:
    @settings(max_examples=60, deadline=None)
    @given(case=graphs())
    def test_equals_numpy_whatever_the_chunking(self, case):
        """Any dtype, empty and one-row chunks in either array: values[indices] exactly, indices' chunks."""
        values, indices, value_chunks, index_chunks = case
        idx = da.from_array(indices, chunks=(index_chunks, -1))
        taken = take_rows(da.from_array(values, chunks=(value_chunks,)), idx)
        assert taken.chunks[0] == (idx.chunks[0] if len(indices) != 1 else (1,)) and taken.dtype == values.dtype
        got = taken.compute()
        assert got.dtype == values.dtype
        np.testing.assert_array_equal(got, values[indices])

    def test_one_dimensional_indices_and_column_chunks(self):
        """1-D indices take one value each; indices chunked along columns are taken whole-row."""
        values = np.arange(100) * 1.5
        flat = np.random.default_rng(0).integers(0, 100, 37)
        np.testing.assert_array_equal(take_rows(da.arange(100, chunks=9) * 1.5, da.from_array(flat, 5)), values[flat])
        grid = flat[:36].reshape(12, 3)
        by_columns = da.from_array(grid, chunks=(5, 1))
        taken = take_rows(da.arange(100, chunks=9) * 1.5, by_columns)
        assert taken.chunks[0] == (5, 5, 2)
        np.testing.assert_array_equal(taken.compute(), values[grid])

    @pytest.mark.parametrize("dtype", [np.uint64, np.uint32, np.int32, np.int16])
    def test_any_integer_dtype_of_indices_works(self, dtype):
        """uint64 (which numpy turns to float when mixed with int64), uint32, int32 and int16 indices."""
        grid = np.random.default_rng(9).integers(0, 100, (30, 4)).astype(dtype)
        idx = da.from_array(grid, chunks=(7, -1))
        np.testing.assert_array_equal(take_rows(da.arange(100, chunks=13), idx).compute(), grid.astype(np.int64))
        summed = scatter_add(idx, da.ones((30, 4), chunks=(7, -1)), 100, (50, 50))
        np.testing.assert_array_equal(summed.compute(), np.bincount(grid.ravel().astype(np.int64), minlength=100))

    def test_more_than_256_values_chunks_are_grouped_exactly(self):
        """350 values chunks (chunk numbers past uint8) and irregular indices chunks: values[indices]."""
        values = np.random.default_rng(4).normal(size=700)
        grid = np.random.default_rng(5).integers(0, 700, (90, 3))
        taken = take_rows(da.from_array(values, chunks=2), da.from_array(grid, chunks=((40, 0, 49, 1), -1)))
        np.testing.assert_array_equal(taken.compute(), values[grid])

    def test_no_task_holds_all_values(self):
        """Every task's result is at most a values chunk or an indices chunk long; none holds all n values."""
        n = 2_000
        values = da.arange(n, chunks=500) * 2.0  # made chunk by chunk: no task holds the whole array
        indices = da.from_array(np.random.default_rng(3).integers(0, n, (300, 4)), chunks=(75, -1))
        spy = MaxTaskSize()
        with spy:
            got = take_rows(values, indices).compute()
        np.testing.assert_array_equal(got, np.arange(n)[indices.compute()] * 2.0)
        assert 0 < spy.largest <= 500

    @pytest.mark.parametrize("bad", [-1, 50])
    def test_index_out_of_range_is_refused_naming_indices_and_row(self, bad):
        """An index below 0 or at n: InvalidParameterError naming indices, the range and the row, on compute."""
        grid = np.zeros((10, 2), dtype=np.int64)
        grid[7, 1] = bad
        taken = take_rows(da.arange(50, chunks=20), da.from_array(grid, chunks=(3, -1)))
        with pytest.raises(
            InvalidParameterError, match=rf"indices must be row numbers in \[0, 50\).*got {bad} in row 7"
        ):
            taken.compute()

    @pytest.mark.parametrize(
        ("values", "indices", "error", "message"),
        [
            (np.arange(5), da.zeros((2, 2), dtype=int, chunks=1), InvalidParameterError, "values must be a dask array"),
            (da.ones((5, 2)), da.zeros((2, 2), dtype=int), InvalidParameterError, r"values must be a 1-D dask array"),
            (da.ones(5), da.zeros((2, 2), chunks=1), InvalidParameterError, "indices must be a dask array of ints"),
            (da.ones(5), da.zeros((2, 2, 2), dtype=int), InvalidParameterError, "indices must be a 1-D or 2-D"),
            (da.ones(0), da.zeros((2, 2), dtype=int), InvalidParameterError, "values is empty"),
        ],
    )
    def test_bad_input_is_refused_naming_the_parameter(self, values, indices, error, message):
        """numpy input, wrong dimensions, float indices, an empty values array: an error naming the parameter."""
        with pytest.raises(error, match=message):
            take_rows(values, indices)

    def test_unknown_chunk_sizes_are_refused(self):
        """values with unknown chunk sizes: ShapeMismatchError saying to compute them."""
        values = da.arange(10, chunks=5)
        values = values[values > 3]
        with pytest.raises(ShapeMismatchError, match="values must have known chunk sizes"):
            take_rows(values, da.zeros((2, 2), dtype=int))


class TestScatterAdd:
    @settings(max_examples=60, deadline=None)
    @given(case=graphs(), data=st.data())
    def test_equals_bincount_whatever_the_chunking(self, case, data):
        """Any chunking of indices and of the output: np.bincount's sums to 1e-12, on the given chunks."""
        values, indices, out_chunks, index_chunks = case
        n = values.size
        weights = np.random.default_rng(indices.size).normal(size=indices.shape) * 10.0 ** data.draw(st.integers(-3, 3))
        idx = da.from_array(indices, chunks=(index_chunks, -1))
        summed = scatter_add(idx, da.from_array(weights, chunks=idx.chunks), n, out_chunks)
        assert summed.chunks == ((out_chunks if n != 1 else (1,)),) and summed.dtype == np.float64
        want = np.bincount(indices.ravel(), weights.ravel(), minlength=n)
        np.testing.assert_allclose(summed.compute(), want, rtol=1e-12, atol=1e-12 * np.abs(weights).sum())

    @settings(max_examples=60, deadline=None)
    @given(case=graphs())
    def test_adds_in_the_order_of_one_bincount_per_indices_chunk(self, case):
        """Bit for bit: np.bincount of each indices chunk (entries in their order), those summed by
        dask's tree over the indices chunks; one indices chunk gives np.bincount's own bits."""
        values, indices, out_chunks, index_chunks = case
        n, m = values.size, len(indices)
        weights = np.random.default_rng(m).normal(size=indices.shape) * 1e3
        idx = da.from_array(indices, chunks=(index_chunks, -1))
        got = scatter_add(idx, da.from_array(weights, chunks=idx.chunks), n, out_chunks).compute()
        index_chunks, out_chunks = ((1,) if m == 1 else index_chunks), ((1,) if n == 1 else out_chunks)
        cuts = np.cumsum((0, *index_chunks))
        each = [
            np.bincount(indices[a:b].ravel(), weights[a:b].ravel(), n) for a, b in zip(cuts[:-1], cuts[1:], strict=True)
        ]
        want = da.from_array(np.stack(each), chunks=((1,) * len(each), out_chunks)).sum(axis=0, dtype=np.float64)
        assert got.tobytes() == want.compute().tobytes()
        if len(index_chunks) == 1:
            assert got.tobytes() == np.bincount(indices.ravel(), weights.ravel(), n).tobytes()

    def test_bool_weights_count_and_chunkings_may_differ(self):
        """Boolean weights count entries; weights chunked unlike indices are rechunked, same sums."""
        rng = np.random.default_rng(5)
        indices, flags = rng.integers(0, 30, (40, 3)), rng.random((40, 3)) < 0.4
        summed = scatter_add(da.from_array(indices, (7, -1)), da.from_array(flags, (13, 1)), 30, (10, 0, 20))
        np.testing.assert_array_equal(summed.compute(), np.bincount(indices.ravel(), flags.ravel(), minlength=30))

    def test_no_task_holds_an_n_long_array(self):
        """Every task's result is at most an output chunk or an indices chunk long: none is n long."""
        n = 3_000
        indices = da.random.default_rng(1).integers(0, n, (400, 5), chunks=(100, -1))
        weights = da.ones((400, 5), chunks=(100, -1))
        spy = MaxTaskSize()
        with spy:
            got = scatter_add(indices, weights, n, (1000, 1000, 1000)).compute()
        assert got.sum() == 2_000
        assert 0 < spy.largest <= 1000

    def test_index_out_of_range_is_refused_on_compute(self):
        """An index at n: InvalidParameterError naming indices and the row."""
        indices = da.from_array(np.array([[0, 1], [2, 3], [4, 9]]), chunks=(1, -1))
        summed = scatter_add(indices, da.ones((3, 2), chunks=(1, -1)), 9, (9,))
        with pytest.raises(InvalidParameterError, match=r"indices must be row numbers in \[0, 9\).*got 9 in row 2"):
            summed.compute()

    @pytest.mark.parametrize(
        ("n", "chunks", "message"),
        [
            (-1, (1,), "n must be a non-negative integer"),
            (2.0, (2,), "n must be a non-negative integer"),
            (10, (4, 4), "chunks must be a non-empty tuple of non-negative row counts summing to n=10"),
            (10, (12, -2), "chunks must be"),
            (10, (), "chunks must be"),
            (10, (2.5, 7.5), "chunks must be"),
            (10, "ab", "chunks must be"),
        ],
    )
    def test_bad_n_or_chunks_are_refused(self, n, chunks, message):
        """n not a non-negative int, chunks not counts summing to n: InvalidParameterError naming them."""
        with pytest.raises(InvalidParameterError, match=message):
            scatter_add(da.zeros((2, 2), dtype=int), da.ones((2, 2)), n, chunks)

    def test_weights_of_another_shape_or_type_are_refused(self):
        """weights not shaped like indices: ShapeMismatchError; weights of strings: InvalidParameterError."""
        indices = da.zeros((4, 2), dtype=int, chunks=2)
        with pytest.raises(ShapeMismatchError, match=r"weights must have the shape of indices \(4, 2\), got \(4, 3\)"):
            scatter_add(indices, da.ones((4, 3)), 5, (5,))
        with pytest.raises(InvalidParameterError, match="weights must be a dask array of numbers"):
            scatter_add(indices, da.from_array(np.full((4, 2), "a")), 5, (5,))


@st.composite
def row_chunkings(draw):
    """Row chunks of up to 100_000 rows (irregular, with empty and one-row chunks) and rows to group:
    random ones and every chunk's first and last row."""
    n = draw(st.integers(1, 100_000))
    sizes = random_chunks(draw, n, 8)
    stops = np.cumsum(sizes)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    edges = np.clip(np.concatenate([stops - np.asarray(sizes), stops - 1, stops]), 0, n - 1)
    rows = np.concatenate([rng.integers(0, n, draw(st.integers(0, 300))), edges])
    rng.shuffle(rows)
    return sizes, rows


class TestGroup:
    @settings(max_examples=80, deadline=None)
    @given(case=row_chunkings())
    def test_each_chunk_gets_exactly_its_rows_in_their_order(self, case):
        """Chunk j's group is the positions of the rows in chunk j, increasing (a stable grouping)."""
        sizes, rows = case
        order, offsets = _group(rows, _Chunking.of(sizes))
        order = np.arange(rows.size) if order is None else order
        assert offsets[0] == 0 and offsets[-1] == rows.size and len(offsets) == len(sizes) + 1
        chunk = np.searchsorted(np.cumsum(sizes), rows, side="right")
        for j in range(len(sizes)):
            np.testing.assert_array_equal(order[offsets[j] : offsets[j + 1]], np.flatnonzero(chunk == j))

    def test_cells_across_a_chunk_boundary_are_looked_up(self):
        """Irregular chunks: some cells hold two chunks' rows, and their rows still go to their own chunk."""
        sizes = (3, 97, 1000, 0, 5, 2895)
        chunking = _Chunking.of(sizes)
        assert chunking.split.any() and chunking.width > 1
        rows = np.arange(sum(sizes))
        order, offsets = _group(rows, chunking)
        np.testing.assert_array_equal(order, rows)  # already in chunk order: the stable order keeps it
        np.testing.assert_array_equal(offsets, np.cumsum((0, *sizes)))

    def test_regular_chunks_are_their_own_cells(self):
        """Equal chunks (a shorter last one): one cell per chunk, none split, so no row is looked up."""
        chunking = _Chunking.of((250, 250, 250, 101))
        assert chunking.width == 250 and not chunking.split.any()
        np.testing.assert_array_equal(chunking.first, [0, 1, 2, 3])


def test_on_the_local_cluster_gather_and_scatter_equal_numpy(client):
    """On a distributed LocalCluster: take_rows and scatter_add equal numpy; a bad index raises the labelwise error."""
    rng = np.random.default_rng(2)
    n, m, k = 5_000, 3_000, 6
    values, indices, weights = rng.normal(size=n), rng.integers(0, n, (m, k)), rng.random((m, k))
    idx = da.from_array(indices, chunks=(700, -1)).persist()
    taken = take_rows(da.from_array(values, chunks=900), idx)
    np.testing.assert_array_equal(taken.compute(), values[indices])
    summed = scatter_add(idx, da.from_array(weights, chunks=(700, -1)), n, (2_500, 2_500))
    np.testing.assert_allclose(summed.compute(), np.bincount(indices.ravel(), weights.ravel(), n), rtol=1e-12)
    bad = da.from_array(np.where(indices == indices[1, 1], n, indices), chunks=(700, -1))
    with pytest.raises(InvalidParameterError, match="indices must be row numbers"):
        take_rows(da.from_array(values, chunks=900), bad).compute()
