"""Chunks read from storage are read inside the pass's task, so each chunk's work stays on one worker."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw
from labelwise import _chunks
from labelwise._chunks import InlineBlock, RowChunks, inline_block

from ._data import noisy_probs

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")


def read_by_chunks(values: np.ndarray, rows: int) -> da.Array:
    """A dask array whose chunks are computed by tasks (like a file read), not held as data."""
    pieces = [
        da.from_delayed(
            dask.delayed(_ReadSlice(values, s, rows), pure=True)(),
            shape=(min(rows, values.shape[0] - s), *values.shape[1:]),
            dtype=values.dtype,
        )
        for s in range(0, values.shape[0], rows)
    ]
    return da.concatenate(pieces, axis=0)


class _ReadSlice:
    """Reads one chunk (a copy, as a read from a file gives)."""

    def __init__(self, values: np.ndarray, start: int, rows: int) -> None:
        self.values, self.start, self.rows = values, start, rows

    def __call__(self) -> np.ndarray:
        return self.values[self.start : self.start + self.rows] * 1

    def __dask_tokenize__(self) -> tuple:
        return ("read-slice", id(self.values), self.start, self.rows)


def test_a_chunk_computed_by_tasks_is_inlined_and_gives_the_same_values():
    values = np.arange(30.0).reshape(10, 3)
    arr = read_by_chunks(values, 4)
    blocks = RowChunks.for_arrays(arr)._blocks([arr])[0]
    assert all(isinstance(b, InlineBlock) for b in blocks)
    np.testing.assert_array_equal(np.concatenate([b() for b in blocks]), values)


def test_a_chunk_held_as_data_is_not_inlined():
    arr = da.from_array(np.arange(30.0).reshape(10, 3), chunks=(4, 3))
    blocks = RowChunks.for_arrays(arr)._blocks([arr])[0]
    assert not any(isinstance(b, InlineBlock) for b in blocks)


def test_a_persisted_chunk_is_not_inlined(client):
    arr = read_by_chunks(np.arange(30.0).reshape(10, 3), 4).persist()
    block = arr.to_delayed().ravel()[1]
    assert inline_block(block) is block


@pytest.mark.parametrize("inline", [True, False])
def test_audit_of_chunks_read_by_tasks_is_identical_inlined_or_not(inline, monkeypatch):
    labels, probs = noisy_probs(5000, 5, noise=0.3, seed=12)
    if not inline:
        monkeypatch.setattr(_chunks, "inline_block", lambda block: block)
    with dask.config.set(scheduler="sync"):
        result = lw.find_label_issues(
            read_by_chunks(labels, 700), read_by_chunks(probs, 700), filter_by="both"
        ).compute()
    reference = lw.find_label_issues(labels, probs, filter_by="both")
    np.testing.assert_array_equal(result.is_issue, reference.is_issue)
    np.testing.assert_array_equal(result.ranked_indices, reference.ranked_indices)
    np.testing.assert_array_equal(result.confident_joint, reference.confident_joint)


def test_later_passes_run_where_the_chunk_results_are_without_transfers(client):
    """Each chunk's tasks in pass 2 and the selection rounds run on the worker holding that chunk's
    earlier results: no input is fetched from another worker. (With the read as a task of its own,
    the scheduler runs them wherever the read landed and fetches the codes there.)"""
    distributed = pytest.importorskip("distributed")
    labels, probs = noisy_probs(16000, 6, noise=0.3, seed=5)
    with distributed.get_task_stream(client) as stream:
        result = lw.find_label_issues(read_by_chunks(labels, 2000), read_by_chunks(probs, 2000))
        flags = result.is_issue.compute()
    np.testing.assert_array_equal(flags, lw.find_label_issues(labels, probs).is_issue)
    per_chunk = ("row_statistics_pass", "_round_one", "_second_round")
    names = [str(t["key"]).split("-")[0] for t in stream.data]
    assert sum(name in per_chunk for name in names) >= 16
    transfers = [
        name
        for t, name in zip(stream.data, names, strict=True)
        for s in t["startstops"]
        if s["action"] == "transfer" and name in per_chunk
    ]
    assert transfers == []
