"""What ran, recorded: the row chunks and partitions labelwise computed on after merging tiny ones
(``labelwise._chunk_floor``), beside what was asked for, in summary.json and on screen."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise as lw
from labelwise.aggregate import distributed
from labelwise.cli import main

from ._data import noisy_probs, sync_scheduler  # noqa: F401 (an autouse fixture)
from .test_checks_per_partition import PER_PARTITION, _data
from .test_distributed_aggregate import _answers

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pytestmark = pytest.mark.usefixtures("merged_row_chunks")


def _invoke(args):
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return " ".join(res.output.split())  # the console wraps long lines


class TestAuditSettings:
    def test_merged_chunks_are_recorded_with_the_requested_rows_and_said(self, tmp_path):
        """``--chunk-rows 7`` on a Zarr store of 2,000 rows (48 KB): one chunk of 2,000 rows ran;
        summary.json says so beside the 7 asked for, and so does the line of the other settings."""
        zarr = pytest.importorskip("zarr")
        labels, probs = noisy_probs(2000, 4, seed=12)
        z = zarr.open_array(str(tmp_path / "p.zarr"), mode="w", shape=probs.shape, chunks=(300, 4), dtype=probs.dtype)
        z[:] = probs
        np.save(tmp_path / "labels.npy", labels)
        args = ["audit", "--probs", str(tmp_path / "p.zarr"), "--labels", str(tmp_path / "labels.npy")]
        said = _invoke([*args, "--chunk-rows", "7", "--out", str(tmp_path / "o")])
        settings = json.loads((tmp_path / "o" / "summary.json").read_text())["settings"]
        assert (settings["chunk_rows"], settings["n_chunks"], settings["chunk_rows_requested"]) == (2000, 1, 7)
        assert "1 chunk of 2,000 rows, merged from --chunk-rows 7" in said

    def test_memory_mapped_chunks_are_those_asked_for(self, tmp_path):
        """On labelwise's threads (a memory map, nothing merged): 5 chunks of up to 700 rows."""
        labels, probs = noisy_probs(3000, 5, seed=11)
        np.save(tmp_path / "probs.npy", probs)
        np.save(tmp_path / "labels.npy", labels)
        args = ["audit", "--probs", str(tmp_path / "probs.npy"), "--labels", str(tmp_path / "labels.npy")]
        said = _invoke([*args, "--chunk-rows", "700", "--out", str(tmp_path / "o")])
        settings = json.loads((tmp_path / "o" / "summary.json").read_text())["settings"]
        assert (settings["chunk_rows"], settings["n_chunks"], settings["chunk_rows_requested"]) == (700, 5, 700)
        assert "5 chunks of up to 700 rows)" in said


class TestAggregateSettings:
    def test_merged_partitions_are_recorded_beside_the_given_ones_and_said(self, tmp_path):
        """A Parquet folder of 86 partitions of 7 answers: one partition ran, and PATH had 86."""
        answers = _answers(n_items=200)
        dd.from_pandas(answers, chunksize=7).to_parquet(str(tmp_path / "answers"))
        said = _invoke(
            ["aggregate", str(tmp_path / "answers"), "--method", "dawid-skene", "--out", str(tmp_path / "o")]
        )
        settings = json.loads((tmp_path / "o" / "summary.json").read_text())["settings"]
        assert (settings["n_partitions"], settings["n_partitions_given"]) == (1, 86)
        assert "1 partition, merged from 86)" in said

    def test_fit_fills_the_partitions_that_ran(self):
        """``distributed.fit(partitions=...)``: given, merged, and the shuffle's count (an explicit
        ``npartitions`` kept)."""
        lazy = dd.from_pandas(_answers(n_items=200), chunksize=7)
        for npartitions, shuffled in ((None, 1), (3, 3)):
            partitions: dict = {}
            distributed.fit(lw.aggregate.MajorityVote(), lazy, npartitions=npartitions, partitions=partitions)
            assert partitions == {"given": lazy.npartitions, "merged": 1, "shuffled": shuffled}


class TestChecksRecord:
    def test_the_row_chunks_that_ran_are_in_the_summary(self):
        """A frame of 5-row partitions: the checks ran on one chunk of 120 rows, given 24."""
        X, y, split = _data(n=120)
        frame = dd.from_pandas(pd.DataFrame(X, columns=list("abcd")), chunksize=5)
        found = lw.checks.find_data_issues(frame, y, split=split, checks=PER_PARTITION, method="exact")
        record = json.loads(json.dumps(found.summary_dict()))["row_chunks"]
        assert record == {"n_chunks": 1, "chunk_rows": 120, "n_chunks_given": 24}
        assert found.row_chunks == record

    def test_in_memory_there_is_no_record(self):
        """Numpy features: no chunks to record."""
        X, y, split = _data(n=120)
        found = lw.checks.find_data_issues(X, y, split=split, checks=PER_PARTITION, method="exact")
        assert found.row_chunks is None and "row_chunks" not in found.summary_dict()
