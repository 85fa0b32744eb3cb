"""Exact duplicates by a hash-partitioned shuffle on a LocalCluster: the in-memory groups."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.checks import _dask_duplicates, exact_duplicate
from labelwise.checks._dask_duplicates import partitioned_duplicate_groups
from labelwise.checks.exact_duplicate import duplicate_groups, sets_from_groups

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


def _features() -> np.ndarray:
    """Normal rows with twins and a set of three across uneven chunks, and a row of -0.0 and 0.0."""
    X = np.random.default_rng(11).normal(size=(400, 5))
    X[[399, 250]] = X[0]
    X[[7, 123, 301, 45]] = X[[380, 2, 17, 46]]
    X[[60, 61]] = [[0.0] * 5, [-0.0] * 5]
    return X


class TestOnALocalCluster:
    def test_the_groups_sizes_and_sets_are_the_in_memory_ones(self, client, monkeypatch):
        """Two workers, a peer-to-peer shuffle, 1-row and uneven chunks: the in-memory groups."""
        methods = []
        real = _dask_duplicates._shuffle_method
        monkeypatch.setattr(_dask_duplicates, "_shuffle_method", lambda: methods.append(real()) or methods[-1])
        X = _features()
        found = partitioned_duplicate_groups(da.from_array(X, chunks=((1, 99, 150, 1, 149), 5)))
        theirs = duplicate_groups(X)
        np.testing.assert_array_equal(found.groups.compute(), theirs)
        np.testing.assert_array_equal(found.sizes, np.bincount(theirs[theirs >= 0]))
        assert found.sets == sets_from_groups(theirs) and methods == ["p2p"]

    def test_a_hash_collision_on_the_workers_never_makes_a_false_duplicate(self, client, monkeypatch):
        """Every row hashed alike (workers share this process): the in-memory groups, which are the
        true sets, also those behind the colliding first row."""
        truth = sets_from_groups(duplicate_groups(_features()))
        monkeypatch.setattr(exact_duplicate, "row_hashes", lambda X: np.zeros(X.shape[0], dtype=np.uint64))
        X = _features()
        found = partitioned_duplicate_groups(da.from_array(X, chunks=(70, 5)))
        np.testing.assert_array_equal(found.groups.compute(), duplicate_groups(X))
        assert found.sets == sets_from_groups(duplicate_groups(X)) == truth and len(truth) == 6

    def test_a_local_scheduler_beside_a_client_shuffles_with_tasks(self, client):
        """The threads scheduler chosen while a client exists: a task shuffle (Dask's default there is
        peer-to-peer, which fails off the workers), and the in-memory groups."""
        X = _features()
        with dask.config.set(scheduler="threads"):
            assert _dask_duplicates._shuffle_method() == "tasks"
            found = partitioned_duplicate_groups(da.from_array(X, chunks=(33, 5)))
            np.testing.assert_array_equal(found.groups.compute(), duplicate_groups(X))
