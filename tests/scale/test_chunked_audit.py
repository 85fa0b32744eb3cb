"""find_label_issues on dask arrays, memory maps, zarr and threads: identical to the in-memory call."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.audit import FILTERS
from labelwise.errors import (
    InvalidLabelsError,
    InvalidProbabilitiesError,
    LabelwiseWarning,
    ShapeMismatchError,
)

from ._data import noisy_probs, sync_scheduler  # noqa: F401 (an autouse fixture)

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

FIELDS = (
    "is_issue",
    "ranked_indices",
    "label_quality",
    "suggested_codes",
    "label_codes",
    "thresholds",
    "confident_joint",
    "calibrated_confident_joint",
    "joint",
    "noise_matrix",
    "inverse_noise_matrix",
)


def assert_same(result, reference):
    computed = result.compute() if hasattr(result, "compute") else result
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(computed, name), getattr(reference, name), err_msg=name)
    np.testing.assert_array_equal(computed.classes, reference.classes)


def as_dask(labels, probs, chunks):
    return da.from_array(labels, chunks=(chunks,)), da.from_array(probs, chunks=(chunks, -1))


@pytest.mark.parametrize("filter_by", list(FILTERS))
def test_dask_audit_is_identical_to_in_memory_for_every_filter_with_uneven_chunks(filter_by):
    labels, probs = noisy_probs(1500, 6, noise=0.35, seed=3)
    reference = lw.find_label_issues(labels, probs, filter_by=filter_by, rank_by="normalized_margin")
    chunks = (1, 400, 99, 1000)  # uneven, one of a single row
    result = lw.find_label_issues(*as_dask(labels, probs, chunks), filter_by=filter_by, rank_by="normalized_margin")
    assert type(result).__name__ == "ChunkedLabelIssues"
    assert isinstance(result.is_issue, da.Array) and isinstance(result.ranked_indices, da.Array)
    assert result.n_issues == reference.n_issues
    assert result.class_summary.equals(reference.class_summary)
    assert result.summary() == reference.summary()
    assert_same(result, reference)


def test_dask_audit_handles_classes_absent_from_some_chunks_and_string_labels():
    labels, probs = noisy_probs(1200, 5, noise=0.3, seed=4)
    order = np.argsort(labels, kind="stable")  # sorted labels: most chunks hold one or two classes
    labels, probs = labels[order], probs[order]
    names = np.array(["ant", "bee", "cat", "dog", "eel"], dtype=object)[labels]
    reference = lw.find_label_issues(names, probs)
    result = lw.find_label_issues(*as_dask(names, probs, 100))
    assert_same(result, reference)
    np.testing.assert_array_equal(result.given_label.compute(), reference.given_label)
    np.testing.assert_array_equal(result.suggested_label.compute(), reference.suggested_label)


def test_dask_audit_on_a_local_cluster_matches_in_memory_on_real_cifar10(client, shared_data):
    folder = shared_data / "label_errors" / "cifar10"
    labels = np.load(folder / "labels.npy")
    probs = np.load(folder / "pred_probs.npy")
    for filter_by in ("prune_by_noise_rate", "both", "confident_learning"):
        reference = lw.find_label_issues(labels, probs, filter_by=filter_by)
        assert_same(lw.find_label_issues(*as_dask(labels, probs, 1777), filter_by=filter_by), reference)


def test_dask_audit_survives_a_worker_killed_after_the_passes(client):
    labels, probs = noisy_probs(4000, 8, seed=5)
    reference = lw.find_label_issues(labels, probs)
    result = lw.find_label_issues(*as_dask(labels, probs, 500))
    # The per-example results are persisted on the workers; losing one makes dask recompute its part.
    victim = next(iter(client.scheduler_info()["workers"]))
    client.run(lambda dask_worker: dask_worker.loop.add_callback(dask_worker.close), workers=[victim])
    client.wait_for_workers(1)
    assert_same(result, reference)


@settings(max_examples=15, deadline=None)
@given(cuts=st.lists(st.integers(1, 299), min_size=0, max_size=6, unique=True), seed=st.integers(0, 3))
def test_any_chunking_gives_the_same_answer(cuts, seed):
    labels, probs = noisy_probs(300, 4, noise=0.4, seed=seed)
    edges = [0, *sorted(cuts), 300]
    chunks = tuple(b - a for a, b in itertools.pairwise(edges))
    reference = lw.find_label_issues(labels, probs, filter_by="both")
    with dask.config.set(scheduler="sync"):
        assert_same(lw.find_label_issues(*as_dask(labels, probs, chunks), filter_by="both"), reference)
    in_memory = lw.find_label_issues(labels, probs, filter_by="both", chunk_rows=max(chunks), n_jobs=2)
    assert_same(in_memory, reference)


def test_ties_are_broken_by_row_order_whatever_the_chunking():
    labels, probs = noisy_probs(2000, 4, noise=0.4, seed=6, dtype=np.float64)
    probs = np.round(probs, 1)  # many exact ties
    probs[:, 0] += 1.0 - probs.sum(axis=1)
    probs = np.clip(probs, 0, None)
    probs /= probs.sum(axis=1, keepdims=True)
    for filter_by in ("prune_by_noise_rate", "prune_by_class", "low_self_confidence"):
        reference = lw.find_label_issues(labels, probs, filter_by=filter_by, n_jobs=1)
        assert_same(lw.find_label_issues(*as_dask(labels, probs, 137), filter_by=filter_by), reference)
        assert_same(lw.find_label_issues(labels, probs, filter_by=filter_by, n_jobs=2, chunk_rows=33), reference)


def test_memmap_and_zarr_inputs_give_the_in_memory_answer(tmp_path):
    zarr = pytest.importorskip("zarr")
    labels, probs = noisy_probs(3000, 5, seed=7)
    reference = lw.find_label_issues(labels, probs)
    np.save(tmp_path / "p.npy", probs)
    assert_same(lw.find_label_issues(labels, np.load(tmp_path / "p.npy", mmap_mode="r"), chunk_rows=256), reference)
    z = zarr.open_array(str(tmp_path / "p.zarr"), mode="w", shape=probs.shape, chunks=(700, 5), dtype=probs.dtype)
    z[:] = probs
    assert_same(lw.find_label_issues(labels, z), reference)
    assert_same(lw.find_label_issues(labels, da.from_zarr(str(tmp_path / "p.zarr"))), reference)


def test_probs_chunked_along_columns_is_a_clear_error():
    labels, probs = noisy_probs(100, 4)
    with pytest.raises(ShapeMismatchError, match=r"probs must not be chunked along columns.*rechunk"):
        lw.find_label_issues(da.from_array(labels, chunks=50), da.from_array(probs, chunks=(50, 2)))


def test_labels_and_probs_of_different_lengths_is_a_clear_error():
    labels, probs = noisy_probs(100, 4)
    with pytest.raises(ShapeMismatchError, match="same length, got 90 and 100"):
        lw.find_label_issues(da.from_array(labels[:90], chunks=50), da.from_array(probs, chunks=(50, -1)))


def test_labels_chunked_unlike_probs_are_rechunked_with_a_warning():
    labels, probs = noisy_probs(500, 4)
    with pytest.warns(LabelwiseWarning, match="rechunking labels"):
        result = lw.find_label_issues(da.from_array(labels, chunks=70), da.from_array(probs, chunks=(100, -1)))
    assert_same(result, lw.find_label_issues(labels, probs))


def test_bad_values_in_a_late_chunk_name_the_global_row():
    labels, probs = noisy_probs(500, 4)
    probs = probs.copy()
    probs[431, 2] = np.nan
    with pytest.raises(InvalidProbabilitiesError, match="row 431 contains nan"):
        lw.find_label_issues(*as_dask(labels, probs, 100))
    labels = labels.copy()
    labels[377] = 9
    with pytest.raises(InvalidLabelsError, match=r"integers in \[0, 3\].*row 377 is 9"):
        lw.find_label_issues(*as_dask(labels, noisy_probs(500, 4)[1], 100))


def test_chunked_result_refuses_to_gather_every_row_silently():
    labels, probs = noisy_probs(300, 3)
    result = lw.find_label_issues(*as_dask(labels, probs, 100))
    with pytest.raises(lw.errors.LabelwiseError, match="to_dask_frame"):
        result.to_frame()
    frame = result.to_dask_frame().compute()
    reference = lw.find_label_issues(labels, probs)
    np.testing.assert_array_equal(frame["is_issue"].to_numpy(), reference.is_issue)


def test_no_warning_for_aligned_inputs():
    labels, probs = noisy_probs(300, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lw.find_label_issues(*as_dask(labels, probs, 100))


@settings(max_examples=12, deadline=None)
@given(block=st.integers(1, 2000), seed=st.integers(0, 3), filter_by=st.sampled_from(["prune_by_noise_rate", "both"]))
def test_row_block_size_inside_a_chunk_does_not_change_the_answer(block, seed, filter_by):
    """The cache-sized row blocks of the passes (``BLOCK_ELEMENTS``) are invisible in the result."""
    from labelwise import _chunks

    labels, probs = noisy_probs(600, 5, noise=0.4, seed=seed)
    reference = lw.find_label_issues(labels, probs, filter_by=filter_by, n_jobs=1)
    original = _chunks.BLOCK_ELEMENTS
    try:
        _chunks.BLOCK_ELEMENTS = block
        got = lw.find_label_issues(labels, probs, filter_by=filter_by, n_jobs=2, chunk_rows=250)
    finally:
        _chunks.BLOCK_ELEMENTS = original
    assert_same(got, reference)


def test_string_labels_with_classes_are_encoded_in_pass_one_and_a_bad_one_is_named():
    labels, probs = noisy_probs(900, 4, noise=0.3, seed=9)
    classes = np.array(["w", "x", "y", "z"], dtype=object)
    names = classes[labels]
    reference = lw.find_label_issues(names, probs, classes=classes)
    result = lw.find_label_issues(*as_dask(names, probs, 200), classes=classes)
    assert_same(result, reference)
    np.testing.assert_array_equal(result.given_label.compute(), reference.given_label)
    names = names.copy()
    names[613] = "q"
    with pytest.raises(InvalidLabelsError, match=r"one of the classes \['w', 'x', 'y', 'z'\], row 613 is 'q'"):
        lw.find_label_issues(*as_dask(names, probs, 200), classes=classes)
    bad_probs = probs.copy()
    bad_probs[50, 1] = -0.5  # the labels' error comes first, as when they had a pass of their own
    with pytest.raises(InvalidLabelsError, match="row 613"):
        lw.find_label_issues(*as_dask(names, bad_probs, 200), classes=classes)


@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "both", "prune_by_class"])
def test_threads_share_classes_by_size_with_the_same_answer(filter_by, monkeypatch):
    """Classes of very different sizes, split among 2 or 3 threads by size: nothing changes. The
    lowest scores (prune_by_class) split the classes by label count; the margins (prune_by_noise_rate)
    hand them out one at a time from a queue, the most rows read first."""
    from labelwise.audit import _select, _select_memory

    labels, probs = noisy_probs(3000, 6, noise=0.35, seed=12)
    skewed = np.minimum(labels, np.random.default_rng(0).integers(0, 6, 3000))  # class 0 the largest
    reference = lw.find_label_issues(skewed, probs, filter_by=filter_by, rank_by="normalized_margin", n_jobs=1)
    calls, queued = [], []
    original, original_queue = _select.balanced_groups, _select.ClassQueue
    monkeypatch.setattr(_select_memory, "balanced_groups", lambda w, n: calls.append(w.copy()) or original(w, n))
    monkeypatch.setattr(_select_memory, "ClassQueue", lambda order: queued.append(list(order)) or original_queue(order))
    for jobs in (2, 3):  # as many row chunks as threads: the selection uses no more threads than chunks
        got = lw.find_label_issues(
            skewed, probs, filter_by=filter_by, rank_by="normalized_margin", n_jobs=jobs, chunk_rows=-(-3000 // jobs)
        )
        assert_same(got, reference)
    if filter_by != "prune_by_noise_rate":
        assert calls and all(np.array_equal(w, reference.label_counts) for w in calls)  # split by class size
    if filter_by != "prune_by_class":
        mispredicted = np.bincount(skewed[probs.argmax(axis=1) != skewed], minlength=6)
        rows = (mispredicted, reference.label_counts)  # the rows read: mispredicted ones, or all (fallback)
        assert queued and all(any(np.all(np.diff(r[q]) <= 0) for r in rows) for q in queued)


@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "both", "low_self_confidence"])
def test_dask_selection_is_cut_in_each_chunk_and_never_gathered(filter_by, monkeypatch):
    """float32 keys: every chunk cuts its own entries from per-cell counts (ties at the bound by row
    order, across chunks); no merge of the selected entries runs, and each chunk's part holds only its
    own rows. The flags equal the in-memory ones."""
    from labelwise.audit import _selection

    labels, probs = noisy_probs(5000, 5, noise=0.35, seed=13)
    probs = np.round(probs, 2)  # float32 keys with many ties at the cut
    probs[:, 0] += 1.0 - probs.sum(axis=1)
    probs = np.clip(probs, 0, None) / np.clip(probs, 0, None).sum(axis=1, keepdims=True)
    reference = lw.find_label_issues(labels, probs, filter_by=filter_by, n_jobs=1)
    merged, cuts = [], []
    original_merge = _selection.merge_within  # what would merge the selected entries of several chunks
    monkeypatch.setattr(
        _selection, "merge_within", lambda p, limits: merged.append(len(p)) or original_merge(p, limits)
    )
    original_cut = _selection.cut_chunk

    def cut(entries, tied, quota, over, over_selected, start, stop):
        part = original_cut(entries, tied, quota, over, over_selected, start, stop)
        cuts.append((start, stop, part[2].min(initial=start), part[2].max(initial=start), int(quota[1].sum())))
        return part

    monkeypatch.setattr(_selection, "cut_chunk", cut)
    result = lw.find_label_issues(*as_dask(labels, probs, 700), filter_by=filter_by)
    assert_same(result, reference)
    assert merged == []  # no over-full cell: nothing merged
    assert cuts and all(start <= lo and hi < stop for start, stop, lo, hi, _ in cuts)
    assert sum(c[4] for c in cuts) > 0  # some cuts fell on ties shared out by quota


def test_the_fallback_selection_among_all_rows_is_the_same_on_dask_and_threads(monkeypatch):
    """Class 0's rows counted as confidently class 1 without a positive margin: that class is
    selected again among all its rows (:func:`~labelwise.audit._selection.replace_cells`), per chunk
    on dask and per thread in memory, with the in-memory flags and ranking."""
    from labelwise.audit import _selection

    rng = np.random.default_rng(0)
    n = 3000
    labels = rng.integers(0, 3, n)
    probs = np.full((n, 3), 0.3)
    probs[np.arange(n), labels] = np.where(labels == 1, 0.4, 0.7)
    close = (labels == 0) & (rng.random(n) < 0.5)  # above class 1's threshold, below their own
    probs[close] = [0.5, 0.45, 0.05]
    probs = probs + rng.uniform(0, 0.02, (n, 3))
    probs = (probs / probs.sum(axis=1, keepdims=True)).astype(np.float32)
    flip = rng.random(n) < 0.15
    labels = np.where(flip, (labels + 1) % 3, labels)
    reference = lw.find_label_issues(labels, probs, n_jobs=1)
    calls = []
    original = _selection.replace_cells
    monkeypatch.setattr(_selection, "replace_cells", lambda *a: calls.append(a[1].per_chunk) or original(*a))
    assert_same(lw.find_label_issues(labels, probs, n_jobs=2), reference)
    assert_same(lw.find_label_issues(*as_dask(labels, probs, 700)), reference)
    assert calls == [False, True] and reference.n_issues > 0
