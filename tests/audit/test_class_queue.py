"""The in-memory selection's classes handed out one at a time from a shared queue, one call per thread:
the same entries as one call over all classes, for any number of threads, uneven classes, row order
and class names."""

from __future__ import annotations

from functools import partial

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import _chunks
from labelwise.audit import _select, _selection
from labelwise.audit._blocks import index_dtype


def _problem(n: int, k: int, skew: float, seed: int, ties: bool):
    """Rows of ``k`` classes drawn with weights ``(c + 1) ** skew`` (uneven when ``skew`` is large),
    float32 probabilities (rounded to few values when ``ties``), random limits per cell."""
    rng = np.random.default_rng(seed)
    weights = (np.arange(k) + 1.0) ** skew
    codes = rng.choice(k, size=n, p=weights / weights.sum())
    probs = rng.dirichlet(np.ones(k), size=n).astype(np.float32)
    if ties:
        probs = np.round(probs, 1).astype(np.float32)
    predicted = probs.argmax(axis=1).astype(index_dtype(k))
    limits = rng.integers(0, max(2, n // k), size=(k, k))
    limits[rng.random((k, k)) < 0.3] = 0
    np.fill_diagonal(limits, 0)
    return probs, codes, predicted, limits.ravel()


def _selected(selection: _selection.Selection, n: int) -> tuple[set, np.ndarray]:
    entries = set()
    for cell, key, row in selection.parts:
        entries |= set(zip(cell.tolist(), key.tolist(), row.tolist(), strict=True))
    return entries, selection.counts


class TestClassQueue:
    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(1, 400),
        k=st.integers(2, 8),
        skew=st.sampled_from([0.0, 1.0, 4.0]),
        seed=st.integers(0, 2**31 - 1),
        ties=st.booleans(),
        mispredicted_only=st.booleans(),
        n_jobs=st.integers(2, 5),
    )
    def test_same_entries_and_counts_as_one_call_over_all_classes(
        self, n, k, skew, seed, ties, mispredicted_only, n_jobs
    ):
        """Any number of threads (so of row ranges for the members), classes of any sizes, ties in
        the margins: the entries chosen and the counts per cell equal the one-thread selection's."""
        probs, codes, predicted, limits = _problem(n, k, skew, seed, ties)
        fn = partial(_select.margin_entries, mispredicted_only=mispredicted_only)
        members = partial(_select.margin_members, mispredicted_only=mispredicted_only)
        cells = np.repeat(np.arange(k), k)
        one = _chunks.RowChunks(n, [(0, n)], use_dask=False, n_jobs=1)
        # as many row chunks as threads: the selection uses no more threads than chunks
        many = _chunks.RowChunks(n, _chunks.chunk_bounds(n, -(-n // n_jobs)), use_dask=False, n_jobs=n_jobs)
        arrays = [probs, codes, predicted]
        expected = _selection.select_top(one, fn, arrays, limits, cell_class=cells, members=members)
        got = _selection.select_top(many, fn, arrays, limits, cell_class=cells, members=members)
        assert not got.per_chunk
        want_entries, want_counts = _selected(expected, n)
        got_entries, got_counts = _selected(got, n)
        assert got_entries == want_entries
        np.testing.assert_array_equal(got_counts, want_counts)
        assert sum(p[0].size for p in got.parts) == len(got_entries)  # no entry twice

    @settings(max_examples=40, deadline=None)
    @given(
        n=st.integers(1, 300),
        k=st.integers(2, 7),
        seed=st.integers(0, 2**31 - 1),
        n_ranges=st.integers(1, 6),
    )
    def test_members_of_row_ranges_laid_end_to_end_are_the_whole_rows(self, n, k, seed, n_ranges):
        """Each class's rows found range by range, in range order, are its rows found at once, in row order."""
        probs, codes, predicted, limits = _problem(n, k, 1.0, seed, False)
        whole = _select.margin_members(probs, codes, predicted, limits=limits, mispredicted_only=True, lo=0, hi=n)
        edges = np.linspace(0, n, n_ranges + 1).astype(int)
        parts = [
            _select.margin_members(probs, codes, predicted, limits=limits, mispredicted_only=True, lo=lo, hi=hi)
            for lo, hi in zip(edges[:-1], edges[1:], strict=True)
        ]
        wanted = limits.reshape(k, k).any(axis=1)
        for c in range(k):
            joined = np.concatenate([p[c] for p in parts])
            np.testing.assert_array_equal(joined, whole[c])
            expected = np.flatnonzero((codes == c) & (predicted != codes)) if wanted[c] else np.empty(0, int)
            np.testing.assert_array_equal(whole[c], expected)

    @settings(max_examples=30, deadline=None)
    @given(n=st.integers(2, 300), k=st.integers(2, 6), seed=st.integers(0, 2**31 - 1))
    def test_rows_permuted_and_classes_renamed_give_the_same_rows_on_two_threads(self, n, k, seed):
        """Renaming the classes (columns and codes alike) and permuting the rows (without ties)
        selects the same examples, mapped through the permutation."""
        probs, codes, predicted, limits = _problem(n, k, 2.0, seed, False)
        rng = np.random.default_rng(seed + 7)
        perm, rename = rng.permutation(n), rng.permutation(k)
        fn = partial(_select.margin_entries, mispredicted_only=True)
        members = partial(_select.margin_members, mispredicted_only=True)
        chunks = _chunks.RowChunks(n, _chunks.chunk_bounds(n, -(-n // 2)), use_dask=False, n_jobs=2)
        cells = np.repeat(np.arange(k), k)
        first = _selection.select_top(chunks, fn, [probs, codes, predicted], limits, cell_class=cells, members=members)
        new_probs = np.empty_like(probs)
        new_probs[:, rename] = probs
        new_codes, new_pred = rename[codes], rename[predicted].astype(predicted.dtype)
        new_limits = np.empty((k, k), dtype=limits.dtype)
        new_limits[np.ix_(rename, rename)] = limits.reshape(k, k)
        second = _selection.select_top(
            chunks,
            fn,
            [new_probs[perm], new_codes[perm], new_pred[perm]],
            new_limits.ravel(),
            cell_class=cells,
            members=members,
        )
        rows_first = {r for p in first.parts for r in p[2].tolist()}
        rows_second = {int(perm[r]) for p in second.parts for r in p[2].tolist()}
        margins = probs - probs[np.arange(n), codes][:, None]
        if np.unique(margins[margins > 0]).size == np.count_nonzero(margins > 0):  # no ties: row order moot
            assert rows_first == rows_second

    @settings(max_examples=40, deadline=None)
    @given(order=st.lists(st.integers(0, 50), max_size=30, unique=True), n_threads=st.integers(1, 4))
    def test_every_class_taken_once_in_order(self, order, n_threads):
        """Threads taking classes until none is left take each class exactly once, in the queue's order."""
        import threading

        queue = _select.ClassQueue(order)
        taken: list[list[int]] = [[] for _ in range(n_threads)]

        def run(i):
            taken[i].extend(iter(queue.take, None))

        threads = [threading.Thread(target=run, args=(i,)) for i in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(c for t in taken for c in t) == sorted(order)
        for t in taken:  # each thread's classes in the queue's order
            assert t == sorted(t, key=order.index)
        assert queue.take() is None
