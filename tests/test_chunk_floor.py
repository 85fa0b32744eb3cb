"""Tests for labelwise._chunk_floor: tiny dask row chunks merged, never split, up to a floor."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import _chunk_floor
from labelwise._chunk_floor import floor_rows, merge_small_row_chunks, merged_row_sizes

da = pytest.importorskip("dask.array")


class TestMergedRowSizes:
    def test_runs_of_small_chunks_are_merged_and_large_ones_kept(self):
        """Small chunks merge until the floor; a chunk at the floor closes the run and stays whole."""
        assert merged_row_sizes((1, 1, 1, 5, 2, 2), 3) == (3, 5, 4)
        assert merged_row_sizes((2, 10, 2), 3) == (2, 10, 2)
        assert merged_row_sizes((1,) * 10, 4) == (4, 4, 2)

    def test_empty_chunks_disappear(self):
        """Empty chunks add no rows and leave no chunk."""
        assert merged_row_sizes((0, 3, 0, 0, 1), 2) == (3, 1)

    @settings(max_examples=60, deadline=None)
    @given(sizes=st.lists(st.integers(0, 40), min_size=1, max_size=30), floor=st.integers(1, 50))
    def test_rows_kept_in_order_no_chunk_split_none_past_twice_the_floor(self, sizes, floor):
        """The same rows; every merged boundary is a given one; a chunk at the floor is unchanged;
        a merged chunk is under twice the floor."""
        merged = merged_row_sizes(sizes, floor)
        assert sum(merged) == sum(sizes) and 0 not in merged
        edges = list(itertools.accumulate(sizes))
        start = 0
        for stop in itertools.accumulate(merged):  # each merged chunk: given chunks start..stop
            assert stop in edges
            parts = [s for s, e in zip(sizes, edges, strict=True) if start < e <= stop and s]
            assert (len(parts) == 1 and parts[0] >= floor) or (max(parts) < floor and sum(parts) <= 2 * floor - 2)
            start = stop


class TestMergeSmallRowChunks:
    def test_floor_in_rows_from_the_bytes_of_a_row_of_every_array(self, monkeypatch):
        """The floor's rows: its bytes over a row's bytes, all arrays together."""
        monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 1000)
        probs = da.zeros((10, 4), chunks=(2, 4), dtype=np.float64)
        labels = da.zeros(10, chunks=2, dtype=np.int64)
        assert floor_rows([probs, labels]) == 1000 // 40
        monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 1)
        assert floor_rows([probs]) == 1

    def test_arrays_are_rechunked_together_with_the_same_values(self, monkeypatch):
        """Aligned arrays get the same merged row chunks and keep every value."""
        monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 5 * 32)
        x = np.arange(51.0).reshape(17, 3)
        a, b = merge_small_row_chunks([da.from_array(x, chunks=(2, 3)), da.from_array(np.arange(17), chunks=2)])
        assert a.chunks == ((6, 6, 5), (3,)) and b.chunks == ((6, 6, 5),)
        np.testing.assert_array_equal(a.compute(scheduler="sync"), x)
        np.testing.assert_array_equal(b.compute(scheduler="sync"), np.arange(17))

    def test_chunks_at_the_floor_or_no_floor_leave_the_arrays_as_they_are(self, monkeypatch):
        """Nothing to merge, or the floor at 0: the same array objects back."""
        x = da.zeros((40, 2), chunks=(20, 2))
        monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 20 * 16)
        assert merge_small_row_chunks([x])[0] is x
        monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 0)
        y = da.zeros((40, 2), chunks=(1, 2))
        assert merge_small_row_chunks([y])[0] is y


@pytest.mark.usefixtures("merged_row_chunks")
class TestFloorBytes:
    def test_the_floor_lowered_to_a_share_per_cpu_but_not_below_the_minimum(self):
        """Data of less than the floor per CPU keeps a chunk per CPU, but chunks stay over the minimum."""
        assert _chunk_floor.floor_bytes(64 << 20, cpus=4) == _chunk_floor.ROW_CHUNK_FLOOR_BYTES
        assert _chunk_floor.floor_bytes(2 << 20, cpus=4) == 512 << 10
        assert _chunk_floor.floor_bytes(100_000, cpus=4) == _chunk_floor.MIN_CHUNK_BYTES
