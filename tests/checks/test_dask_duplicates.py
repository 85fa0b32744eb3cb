"""Exact duplicates of a dask array, grouped by a hash-partitioned shuffle: the in-memory groups."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import _stage_progress
from labelwise.checks import exact_duplicate
from labelwise.checks._dask_duplicates import DuplicateGroups, partitioned_duplicate_groups
from labelwise.checks.exact_duplicate import duplicate_groups, sets_from_groups
from labelwise.errors import InvalidParameterError

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


def _groups(X: np.ndarray, chunks) -> np.ndarray:
    with dask.config.set(scheduler="synchronous"):
        return partitioned_duplicate_groups(da.from_array(X, chunks=(chunks, X.shape[1]))).groups.compute()


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
        assert sets_from_groups(groups) == [[0, 14], [3, 25]]  # 3 and 25 differ from the group's first row, 0
        np.testing.assert_array_equal(groups, duplicate_groups(X))

    def test_unique_rows_give_no_groups_and_no_comparison(self):
        """All rows distinct: every group is -1."""
        X = np.arange(20, dtype=np.float64).reshape(10, 2)
        assert (_groups(X, 3) == -1).all()


def _found(X: np.ndarray, chunks) -> DuplicateGroups:
    with dask.config.set(scheduler="synchronous"):
        return partitioned_duplicate_groups(da.from_array(X, chunks=(chunks, X.shape[1])))


def _computed(found: DuplicateGroups) -> np.ndarray:
    with dask.config.set(scheduler="synchronous"):
        return found.groups.compute()


def _assert_in_memory(found: DuplicateGroups, X: np.ndarray) -> None:
    """Groups, sizes, sets and the set count are the in-memory ones."""
    theirs = duplicate_groups(np.asarray(X, dtype=np.float64))
    np.testing.assert_array_equal(_computed(found), theirs)
    dup = theirs[theirs >= 0]
    np.testing.assert_array_equal(found.sizes, np.bincount(dup) if dup.size else np.zeros(0, np.int64))
    assert found.sizes.dtype == np.int64
    sets = sets_from_groups(theirs)
    assert (found.sets, found.n_sets) == (sets[: exact_duplicate.MAX_SETS_IN_INFO], len(sets))


def _planted(n: int, d: int, twins: int, seed: int) -> np.ndarray:
    """Normal rows with ``twins`` rows copied over others (some copied twice: sets of three)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    src, dst = rng.choice(n, size=(2, twins), replace=False)
    X[dst] = X[src]
    X[dst[: twins // 3]] = X[src[-1]]
    return X


@st.composite
def _chunked_rows(draw):
    """Integer rows from a pool of 4 values in 2 columns (most rows duplicated), any row chunking."""
    chunks = tuple(draw(st.lists(st.integers(1, 6), min_size=1, max_size=10)))
    seed = draw(st.integers(0, 2**16))
    return np.random.default_rng(seed).integers(0, 4, size=(sum(chunks), 2)).astype(np.float64), chunks


def _coarse_hash(X: np.ndarray) -> np.ndarray:
    """A hash that collides for every pair of rows with the same sign of their first value."""
    return (X[:, 0] > 1).astype(np.uint64)


class TestPartitionedDuplicateGroups:
    def test_planted_duplicates_are_the_in_memory_groups(self):
        """Random rows with copies planted across chunks (pairs and a larger set): in-memory groups,
        sizes, sets and set count."""
        X = _planted(500, 5, twins=30, seed=3)
        found = _found(X, 64)
        _assert_in_memory(found, X)
        assert found.n_sets > 0 and found.sizes.max() > 2

    def test_all_rows_identical_are_one_group(self):
        """Every row alike (-0.0 in each): one group of every row, 1-row chunk included."""
        X = np.tile([1.5, -0.0, 2.0], (37, 1))
        found = _found(X, (1, 10, 26))
        assert (_computed(found) == 0).all()
        np.testing.assert_array_equal(found.sizes, [37])
        assert found.sets == [list(range(37))] and found.n_candidates == 37

    def test_no_duplicates_give_no_group_no_candidate_and_no_comparison(self, monkeypatch):
        """All rows distinct: every group -1, no size, no set, and no row comparison is computed."""
        steps = []
        real_step = _stage_progress.step
        monkeypatch.setattr(_stage_progress, "step", lambda name: steps.append(name) or real_step(name))
        found = _found(np.arange(40, dtype=np.float64).reshape(20, 2), 3)
        assert (_computed(found) == -1).all()
        assert (found.sizes.shape, found.sets, found.n_sets, found.n_candidates) == ((0,), [], 0, 0)
        assert steps == ["exact duplicates: row hashes"]

    def test_a_forced_hash_collision_never_makes_a_false_duplicate(self, monkeypatch):
        """Every row hashed alike: only rows equal in value are duplicates (those behind the group's
        first row too), as in memory."""
        X = np.random.default_rng(2).normal(size=(30, 2))
        X[25] = X[3]
        X[14] = X[0]
        monkeypatch.setattr(exact_duplicate, "row_hashes", lambda X: np.zeros(X.shape[0], dtype=np.uint64))
        found = _found(X, 7)
        assert found.sets == [[0, 14], [3, 25]] and found.n_candidates == 30
        _assert_in_memory(found, X)

    @settings(max_examples=40, deadline=None)
    @given(_chunked_rows(), st.booleans())
    def test_any_chunking_gives_the_in_memory_groups(self, drawn, collide):
        """Any row chunking (1-row chunks included), with real or colliding hashes: the in-memory
        groups, sizes and sets."""
        X, chunks = drawn
        with pytest.MonkeyPatch.context() as patch:
            if collide:
                patch.setattr(exact_duplicate, "row_hashes", _coarse_hash)
            _assert_in_memory(_found(X, chunks), X)

    def test_the_groups_are_chunked_like_the_rows_and_never_reread_the_features(self):
        """The groups are int64 with the features' row chunks, and their graph reads no feature chunk."""
        X = da.from_array(_planted(90, 3, twins=9, seed=4), chunks=((1, 40, 49), 3))
        with dask.config.set(scheduler="synchronous"):
            found = partitioned_duplicate_groups(X)
        assert found.groups.chunks == (X.chunks[0],) and found.groups.dtype == np.int64
        assert not any(X.name in str(key) for key in dict(found.groups.__dask_graph__()))

    def test_the_client_receives_only_candidate_sized_results(self, monkeypatch):
        """Everything computed to the client has O(candidates) rows in all, not one per row."""
        received = []
        real_compute = _stage_progress.compute

        def spy(*values):
            out = real_compute(*values)
            received.extend(len(v) for v in out)
            return out

        monkeypatch.setattr(_stage_progress, "compute", spy)
        X = _planted(2000, 4, twins=12, seed=5)
        found = _found(X, 250)
        assert 0 < found.n_candidates <= 24
        assert sum(received) <= 2 * found.n_candidates  # the candidate table, then one bool per compared row

    def test_only_the_first_sets_are_listed_and_all_are_counted(self, monkeypatch):
        """More sets than MAX_SETS_IN_INFO: the first ones by first row are listed, all counted."""
        monkeypatch.setattr(exact_duplicate, "MAX_SETS_IN_INFO", 2)
        X = np.repeat(np.arange(5, dtype=np.float64)[::-1, None], 3, axis=0)
        found = _found(X, 4)
        assert found.sets == [[0, 1, 2], [3, 4, 5]] and found.n_sets == 5

    def test_features_not_a_two_d_dask_array_with_one_column_chunk_are_refused(self):
        """A numpy array or a dask array chunked along its columns: an error naming features."""
        with pytest.raises(InvalidParameterError, match="features must be a 2-D dask array, got ndarray"):
            partitioned_duplicate_groups(np.zeros((4, 2)))
        with pytest.raises(InvalidParameterError, match=r"features must have one chunk along the columns"):
            partitioned_duplicate_groups(da.zeros((4, 2), chunks=(2, 1)))
