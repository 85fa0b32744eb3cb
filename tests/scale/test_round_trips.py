"""How often the Dask audit reads each chunk of probs: once per pass, never twice in one pass."""

from __future__ import annotations

import threading
from collections import Counter

import numpy as np
import pytest

import labelwise as lw
from labelwise.audit import _passes

from ._data import noisy_probs

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")


class _CountingReader:
    """Chunks of an array read through dask.delayed, counting the reads of each chunk."""

    def __init__(self, values: np.ndarray, rows: int) -> None:
        self.values, self.rows, self.reads = values, rows, Counter()
        self._lock = threading.Lock()

    def read(self, start: int) -> np.ndarray:
        with self._lock:
            self.reads[start] += 1
        return self.values[start : start + self.rows]

    def as_dask(self) -> da.Array:
        starts = range(0, self.values.shape[0], self.rows)
        pieces = [
            da.from_delayed(
                dask.delayed(self.read, pure=True)(s),
                shape=(min(self.rows, self.values.shape[0] - s), *self.values.shape[1:]),
                dtype=self.values.dtype,
            )
            for s in starts
        ]
        return da.concatenate(pieces, axis=0)


def test_every_pass_reads_each_chunk_once_and_the_audit_reads_it_at_most_four_times(monkeypatch):
    """Pass 1, pass 2 and the selection rounds read each chunk once each (round two rarely)."""
    labels, probs = noisy_probs(6000, 6, noise=0.25, seed=31)
    reference = lw.find_label_issues(labels, probs).is_issue
    reader = _CountingReader(probs, 1000)
    calls: Counter = Counter()
    for name in ("self_confidence_pass", "row_statistics_pass"):
        original = getattr(_passes, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(_passes, name, counted)
    with dask.config.set(scheduler="sync"):
        result = lw.find_label_issues(da.from_array(labels, chunks=1000), reader.as_dask())
        flags = result.is_issue.compute()
    np.testing.assert_array_equal(flags, reference)
    assert calls == {"self_confidence_pass": 6, "row_statistics_pass": 6}
    assert set(reader.reads) == set(range(0, 6000, 1000))
    assert max(reader.reads.values()) <= 4
    assert sum(reader.reads.values()) <= 3 * 6 + 2


def test_numeric_labels_are_checked_and_encoded_inside_pass_one(monkeypatch):
    """No pass of its own for the labels: two passes over the chunks, each label chunk read once."""
    from labelwise._chunks import RowChunks

    labels, probs = noisy_probs(5000, 5, noise=0.3, seed=32)
    reference = lw.find_label_issues(labels, probs)
    label_reader = _CountingReader(labels, 1000)
    passes: list = []
    original = RowChunks.run

    def counted(self, fn, *args, **kwargs):
        passes.append(getattr(getattr(fn, "func", fn), "__name__", "?"))
        return original(self, fn, *args, **kwargs)

    monkeypatch.setattr(RowChunks, "run", counted)
    with dask.config.set(scheduler="sync"):
        result = lw.find_label_issues(label_reader.as_dask(), da.from_array(probs, chunks=(1000, -1)))
        flags = result.is_issue.compute()
    np.testing.assert_array_equal(flags, reference.is_issue)
    assert passes == ["encoding_pass", "row_statistics_pass"]
    assert label_reader.reads == {s: 1 for s in range(0, 5000, 1000)}


def test_float32_selection_reads_each_chunk_three_times_and_sends_its_cut_at_once(monkeypatch):
    """float32 probs, round-one lists complete within the bound: the selection's cut comes from round
    one's counts (no round two), so the audit reads each chunk three times (pass 1, pass 2, round
    one); the groups' counts and the chunks' cuts each go to the scheduler in one persist."""
    from labelwise._chunks import RowChunks
    from labelwise.audit import _selection

    labels, probs = noisy_probs(6000, 6, noise=0.25, seed=31)
    assert probs.dtype == np.float32
    reference = lw.find_label_issues(labels, probs).is_issue
    reader = _CountingReader(probs, 1000)
    batches: list = []
    original = RowChunks.apply_each
    monkeypatch.setattr(
        RowChunks, "apply_each", lambda self, fn, calls: batches.append(len(calls)) or original(self, fn, calls)
    )
    monkeypatch.setattr(_selection, "_second_round", lambda *a, **k: pytest.fail("round two ran"))
    with dask.config.set(scheduler="sync"):
        result = lw.find_label_issues(da.from_array(labels, chunks=1000), reader.as_dask())
        flags = result.is_issue.compute()
    np.testing.assert_array_equal(flags, reference)
    assert reader.reads == Counter({start: 3 for start in range(0, 6000, 1000)})
    assert batches == [1, 6]  # one group of cells (few keys), six chunks' cuts
