"""Dask inputs in tiny row chunks (``labelwise._chunk_floor``): merged before labelwise's passes, with
the answers of the unmerged chunks and of memory, and errors naming the user's row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import labelwise as lw
from labelwise import _chunk_floor
from labelwise.aggregate import distributed
from labelwise.errors import InvalidLabelsError, InvalidParameterError, InvalidProbabilitiesError

from ._data import noisy_probs, sync_scheduler  # noqa: F401 (an autouse fixture)
from .test_checks_per_partition import PER_PARTITION, _data
from .test_checks_per_partition import assert_same as assert_same_checks
from .test_chunked_audit import assert_same as assert_same_audit
from .test_distributed_aggregate import ESTIMATORS, _answers, _assert_same_fit

da = pytest.importorskip("dask.array")
Callback = pytest.importorskip("dask.callbacks").Callback
dd = pytest.importorskip("dask.dataframe")
pytestmark = pytest.mark.usefixtures("merged_row_chunks")


def _audit(labels, probs, chunks):
    return lw.find_label_issues(da.from_array(labels, chunks=chunks), da.from_array(probs, chunks=(chunks, -1)))


class TestAudit:
    @pytest.mark.parametrize("chunks", [1, 7, 64])
    def test_tiny_chunks_are_merged_and_give_the_in_memory_audit(self, chunks):
        """Chunks of 1, 7 and 64 rows: one merged chunk of the 400 rows, every field as in memory."""
        labels, probs = noisy_probs(400, 4)
        result = _audit(labels, probs, chunks)
        assert result.is_issue.chunks == ((400,),)
        assert_same_audit(result, lw.find_label_issues(labels, probs))

    def test_merged_chunks_give_the_unmerged_answers_bit_for_bit(self, monkeypatch):
        """Chunks of 7 rows merged up to a floor of 60 rows (uneven: the last one smaller) give the
        unmerged run's every field, bit for bit."""
        labels, probs = noisy_probs(400, 4)
        monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 60 * (4 * 4 + 8))
        merged = _audit(labels, probs, 7)
        assert merged.is_issue.chunks == ((63,) * 6 + (22,),)
        monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 0)
        unmerged = _audit(labels, probs, 7)
        assert len(unmerged.is_issue.chunks[0]) == 58
        assert_same_audit(merged, unmerged.compute())

    def test_errors_name_the_row_of_the_whole_array(self):
        """A NaN and a label outside the classes in 1-row chunks: the error names the row among all rows."""
        labels, probs = noisy_probs(300, 4)
        probs = probs.copy()
        probs[231, 2] = np.nan
        with pytest.raises(InvalidProbabilitiesError, match="row 231 contains nan"):
            _audit(labels, probs, 1)
        labels = labels.copy()
        labels[177] = 9
        with pytest.raises(InvalidLabelsError, match=r"integers in \[0, 3\].*row 177 is 9"):
            _audit(labels, noisy_probs(300, 4)[1], 1)


class TestDataChecks:
    @pytest.mark.parametrize("chunks", [1, 7])
    def test_tiny_chunks_are_merged_and_give_the_in_memory_issues(self, chunks):
        """Every per-example check on features in chunks of 1 and 7 rows (labels and split in other
        tiny chunks): one merged partition, the in-memory flags, scores and info."""
        X, y, split = _data(n=120)
        ours = lw.checks.find_data_issues(
            da.from_array(X, chunks=(chunks, 4)),
            da.from_array(y, chunks=5),
            split=da.from_array(split, chunks=3),
            checks=PER_PARTITION,
            method="exact",
        )
        assert ours.issues.npartitions == 1
        assert_same_checks(ours, lw.checks.find_data_issues(X, y, split=split, checks=PER_PARTITION, method="exact"))

    def test_merged_chunks_give_the_unmerged_answers(self, monkeypatch):
        """A dask DataFrame of 5-row partitions merged up to 40 rows gives the unmerged run's flags,
        labels, summary and info; scores to 1e-12, as between any two chunkings (two score columns
        differ in the last bit between chunkings, and from memory, with or without merging)."""
        X, y, split = _data(n=120)
        frame = dd.from_pandas(pd.DataFrame(X, columns=list("abcd")), chunksize=5)
        monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 40 * 4 * 8)
        merged = lw.checks.find_data_issues(frame, y, split=split, checks=PER_PARTITION, method="exact")
        assert merged.issues.npartitions == 3
        monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 0)
        unmerged = lw.checks.find_data_issues(frame, y, split=split, checks=PER_PARTITION, method="exact")
        assert unmerged.issues.npartitions == 24
        ours, theirs = merged.issues.compute(), unmerged.issues.compute()
        pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=0, atol=1e-12)
        exact = [c for c in theirs.columns if not c.endswith("_score")]
        pd.testing.assert_frame_equal(ours[exact], theirs[exact], check_exact=True)
        pd.testing.assert_frame_equal(merged.summary, unmerged.summary, check_exact=False, rtol=1e-12)
        assert repr(merged.info) == repr(unmerged.info)

    def test_missing_values_name_the_rows_of_the_whole_array(self):
        """NaN features in 1-row chunks: the error names the rows among all rows."""
        X, y, _ = _data(n=120)
        X[[7, 93], 1] = np.nan
        with pytest.raises(InvalidParameterError, match=r"features must be finite.*rows \[7, 93\]"):
            lw.checks.find_data_issues(da.from_array(X, chunks=(1, 4)), y, method="exact")


class TestAggregate:
    @pytest.mark.parametrize("est", ESTIMATORS[:2] + ESTIMATORS[3:], ids=lambda e: type(e).__name__)
    def test_tiny_partitions_are_merged_and_give_the_in_memory_fit(self, est):
        """Answers in partitions of 4 rows (about 100 of them): one merged partition, the in-memory fit."""
        answers = _answers(n_items=150)
        ref = type(est)(**est.get_params()).fit(answers)
        lazy = dd.from_pandas(answers, chunksize=4)
        assert _chunk_floor.merge_small_partitions(lazy[["item", "annotator", "label"]]).npartitions == 1
        _assert_same_fit(distributed.fit(type(est)(**est.get_params()), lazy), ref)

    def test_merged_partitions_give_the_unmerged_fit_in_far_fewer_tasks(self, monkeypatch):
        """Partitions of 4 answers merged up to 1 KB give the unmerged fit (to the rounding of sums),
        running under a third of the tasks."""
        lazy = dd.from_pandas(_answers(n_items=150), chunksize=4)
        monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 1000)
        assert 1 < _chunk_floor.merge_small_partitions(lazy[["item", "annotator", "label"]]).npartitions < 30
        with _TaskCount() as merged_tasks:
            merged = distributed.fit(lw.aggregate.DawidSkene(), lazy)
        monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 0)
        with _TaskCount() as unmerged_tasks:
            _assert_same_fit(merged, distributed.fit(lw.aggregate.DawidSkene(), lazy))
        assert merged_tasks.n < unmerged_tasks.n / 3


class _TaskCount(Callback):
    """The tasks a local dask scheduler runs while the block is open (``n``)."""

    n = 0

    def _pretask(self, key, dsk, state):
        self.n += 1
