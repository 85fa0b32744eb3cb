"""Tests for labelwise._dask_rows: dask arrays whose chunks are their own tasks, and nested picks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

from dask._task_spec import Task  # noqa: E402

from labelwise import _dask_rows  # noqa: E402
from labelwise._chunks import Output, RowChunks, chunk_bounds  # noqa: E402


def _pass(start: int, a: np.ndarray) -> tuple:
    """A chunk function with two per-row outputs and a partial (the sum of the chunk)."""
    return (a[:, 0] + start, a * 2), float(a.sum())


def _graph_tasks(array) -> dict:
    return dict(array.__dask_graph__())


class TestKeyedArray:
    def test_each_chunk_is_its_own_task(self):
        """Chunk ``i`` of the array is the task ``make`` gave, keyed as the chunk: no alias tasks."""
        bounds = [(0, 3), (3, 5)]
        task = dask.delayed(lambda a, b: np.arange(a, b), pure=True)
        arr = _dask_rows.keyed_array("rows-x", bounds, np.int64, (), lambda i, key: task(*bounds[i], dask_key_name=key))
        assert arr.chunks == ((3, 2),)
        assert set(_graph_tasks(arr)) == {("rows-x", 0), ("rows-x", 1)}
        np.testing.assert_array_equal(arr.compute(scheduler="sync"), np.arange(5))

    def test_trailing_shape(self):
        """A trailing shape gives keys with zeros for the other axes and one column chunk."""
        bounds = [(0, 2), (2, 3)]
        task = dask.delayed(lambda n: np.ones((n, 4)), pure=True)
        arr = _dask_rows.keyed_array(
            "ones-x", bounds, float, (4,), lambda i, key: task(bounds[i][1] - bounds[i][0], dask_key_name=key)
        )
        assert arr.chunks == ((2, 1), (4,))
        assert set(_graph_tasks(arr)) == {("ones-x", 0, 0), ("ones-x", 1, 0)}
        np.testing.assert_array_equal(arr.compute(scheduler="sync"), np.ones((3, 4)))


class TestNestedPicks:
    def test_outputs_read_by_a_later_pass_are_nested_in_its_tasks(self):
        """A pass's outputs, read by the next pass, are picked inside its tasks: one task per chunk,
        whose node nests the pick and depends on the persisted call, and the values are right."""
        x = np.arange(40, dtype=np.float64).reshape(20, 2)
        arr = da.from_array(x, chunks=(7, 2))
        chunks = RowChunks.for_arrays(arr)
        rows, total = chunks.run(_pass, [arr], outputs=[Output(np.float64), Output(np.float64, (2,))], combine=sum)
        assert total == x.sum()
        first = rows[0]
        nodes = _dask_rows.chunk_nodes(first)
        assert all(isinstance(n, _dask_rows._Inline) for n in nodes)
        calls, _ = chunks._run_dask(lambda s, c: ((c + 1,), 0), [first])
        for c in calls:
            node = c.__dask_graph__().layers[c.key][c.key]
            assert isinstance(node, Task)
            assert any(isinstance(a, Task) and a.func is _dask_rows.pick_rows for a in node.args)
        again = dask.compute(*[c for c in calls])
        got = np.concatenate([r[0][0] for r in again])
        np.testing.assert_array_equal(got, x[:, 0] + np.repeat([0, 7, 14], [7, 7, 6]) + 1)
        np.testing.assert_array_equal(rows[1].compute(), x * 2)

    def test_other_arrays_are_read_as_their_chunks(self):
        """Chunks of arrays whose tasks are not registered as inlined are passed as ``Delayed``."""
        arr = da.from_array(np.arange(10), chunks=4)
        nodes = _dask_rows.chunk_nodes(arr + 1)
        assert not any(isinstance(n, _dask_rows._Inline) for n in nodes)
        assert [int(np.asarray(n.compute()).sum()) for n in nodes] == [10, 26, 19]

    @settings(max_examples=25, deadline=None)
    @given(n=st.integers(1, 60), chunk=st.integers(1, 25), seed=st.integers(0, 100))
    def test_map_rows_and_run_equal_numpy_for_any_chunking(self, n, chunk, seed):
        """``run`` then ``map_rows`` over its outputs give what the numpy backend gives, whatever the chunks."""
        x = np.random.default_rng(seed).random((n, 3))
        bounds = chunk_bounds(n, chunk)
        outs = [Output(np.float64), Output(np.float64, (3,))]
        dk = RowChunks(n, bounds, use_dask=True)
        local = RowChunks(n, bounds, use_dask=False, n_jobs=1)
        d_rows, d_total = dk.run(_pass, [da.from_array(x, chunks=(chunk, 3))], outputs=outs, combine=sum)
        l_rows, l_total = local.run(_pass, [x], outputs=outs, combine=sum)
        assert d_total == pytest.approx(l_total)
        twice = dk.map_rows(lambda s, a, b: a + b[:, 1], d_rows, Output(np.float64))
        np.testing.assert_array_equal(twice.compute(scheduler="sync"), l_rows[0] + l_rows[1][:, 1])


class TestCall:
    def test_literals_delayed_and_key(self):
        """``call`` takes literals and ``Delayed`` values, and keys the task as told."""
        one = dask.delayed(lambda: 1, pure=True)()
        got = _dask_rows.call(lambda a, b, c: a + b + c, (one, 2, np.int64(3)), key="sum-x")
        assert got.key == "sum-x"
        assert got.compute(scheduler="sync") == 6


class TestMaxGroups:
    @given(n_chunks=st.integers(1, 500), n_jobs=st.integers(1, 16))
    def test_about_the_square_root_in_equal_shares(self, n_chunks, n_jobs):
        """At least one group, never more than the chunks, at least ``sqrt(n_chunks)`` unless capped by
        the chunks, and a multiple of the threads unless capped by the chunks."""
        from labelwise.audit._selection import max_groups

        got = max_groups(n_chunks, n_jobs)
        assert 1 <= got <= n_chunks
        if got < n_chunks:
            assert got % n_jobs == 0
            assert got >= np.sqrt(n_chunks)
            assert got - n_jobs < np.sqrt(n_chunks)
