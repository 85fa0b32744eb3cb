"""Exact duplicates of a dask array: per-chunk hash tables give the in-memory groups."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.checks import exact_duplicate
from labelwise.checks._dask_duplicates import dask_duplicate_groups
from labelwise.checks.exact_duplicate import duplicate_groups, sets_from_groups

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


def _groups(X: np.ndarray, chunks) -> np.ndarray:
    with dask.config.set(scheduler="synchronous"):
        return dask_duplicate_groups(da.from_array(X, chunks=(chunks, X.shape[1])))


class TestDaskDuplicateGroups:
    def test_twins_in_different_chunks_are_found(self):
        """Rows copied from the first chunk into the last (and -0.0 as 0.0) are one set each."""
        X = np.random.default_rng(0).normal(size=(100, 3))
        X[95] = X[2]
        X[60] = X[2]
        X[7] = X[99]
        X[10] = [0.0, 1.0, 2.0]
        X[80] = [-0.0, 1.0, 2.0]
        groups = _groups(X, 20)
        assert sets_from_groups(groups) == [[2, 60, 95], [7, 99], [10, 80]]
        np.testing.assert_array_equal(groups, duplicate_groups(X))

    @pytest.mark.parametrize("chunks", [1, 3, (5, 1, 30, 4)])
    def test_many_duplicates_any_chunking_equal_the_in_memory_groups(self, chunks):
        """Integer rows from a small pool (most rows duplicated): the in-memory group numbers."""
        X = np.random.default_rng(1).integers(0, 3, size=(40, 2))
        np.testing.assert_array_equal(_groups(X, chunks), duplicate_groups(X.astype(np.float64)))

    def test_hash_collisions_are_resolved_by_comparing_rows(self, monkeypatch):
        """With every row hashed alike, only rows equal in value are duplicates."""
        X = np.random.default_rng(2).normal(size=(30, 2))
        X[25] = X[3]
        X[14] = X[0]
        monkeypatch.setattr(exact_duplicate, "row_hashes", lambda X: np.zeros(X.shape[0], dtype=np.uint64))
        groups = _groups(X, 7)
        assert sets_from_groups(groups) == [[0, 14]]  # a collision's rows compare with the group's first row
        np.testing.assert_array_equal(groups, duplicate_groups(X))

    def test_unique_rows_give_no_groups_and_no_comparison(self):
        """All rows distinct: every group is -1."""
        X = np.arange(20, dtype=np.float64).reshape(10, 2)
        assert (_groups(X, 3) == -1).all()
