"""Tests of labelwise._chunks' parameter checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelwise._chunks import check_n_jobs, row_starts
from labelwise.errors import InvalidParameterError


class TestCheckNJobs:
    """n_jobs: None or a non-zero integer, as joblib takes it (session 15)."""

    def test_none_and_nonzero_integers_pass(self):
        """None stays None; numpy integers come back as ints."""
        assert check_n_jobs("n_jobs", None) is None
        assert check_n_jobs("n_jobs", np.int64(-1)) == -1 and check_n_jobs("n_jobs", 3) == 3

    @pytest.mark.parametrize("bad", [0, True, 2.0, "4"])
    def test_zero_bools_floats_and_strings_name_the_parameter(self, bad):
        """0 had 'no meaning' in joblib (a traceback); bools, floats and strings were passed on."""
        with pytest.raises(InvalidParameterError, match=f"n_jobs must be None or a non-zero integer.*got {bad!r}"):
            check_n_jobs("n_jobs", bad)


class TestThreadsFor:
    """n_jobs to threads by joblib's convention (the in-memory passes)."""

    def test_negative_values_count_back_from_all_cpus(self, monkeypatch):
        """-1 is every CPU, -2 all but one; never fewer than one thread."""
        import labelwise._chunks as chunks

        monkeypatch.setattr(chunks, "default_n_jobs", lambda: 4)
        assert [chunks.threads_for(v) for v in (None, -1, -2, -4, -9, 1, 3)] == [4, 4, 3, 1, 1, 1, 3]

    def test_row_chunks_use_all_cpus_for_minus_one(self, monkeypatch):
        """RowChunks.for_arrays(n_jobs=-1) spreads over every CPU (it had used one thread)."""
        import labelwise._chunks as chunks

        monkeypatch.setattr(chunks, "default_n_jobs", lambda: 2)
        assert chunks.RowChunks.for_arrays(np.zeros((10, 3)), n_jobs=-1).n_jobs == 2


class TestRowStarts:
    @given(sizes=st.lists(st.integers(0, 1000), max_size=20))
    def test_each_chunk_starts_after_the_rows_of_the_chunks_before_it(self, sizes):
        """One start per chunk, the sum of the sizes before it, as Python ints; chunk ``i`` then covers
        rows ``starts[i]:starts[i] + sizes[i]``, which tile ``range(sum(sizes))``."""
        starts = row_starts(sizes)
        assert starts == [sum(sizes[:i]) for i in range(len(sizes))]
        assert all(type(s) is int for s in starts)
        covered = [r for s, c in zip(starts, sizes, strict=True) for r in range(s, s + c)]
        assert covered == list(range(sum(sizes)))

    def test_dask_chunks_and_numpy_counts_are_read_alike(self):
        """A dask chunks tuple and a numpy array of counts give the same starts."""
        assert row_starts((3, 1, 4)) == row_starts(np.array([3, 1, 4], dtype=np.int64)) == [0, 3, 4]
