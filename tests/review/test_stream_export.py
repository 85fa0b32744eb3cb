"""``labelwise export`` of an audit of Parquet data, streamed part by part (:mod:`labelwise.review._stream_export`):
the file equals the in-memory export's for any batch size, on 1 and 3 parts and on one Parquet file, a part's own
categories included; an id moved in a later part is refused naming its row; an existing ``--out`` is left as it
was; a writer that fails mid-way leaves no file."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import _chunk_floor
from labelwise.cli import main
from labelwise.review import _stream_export, cleaned_table
from labelwise.review.store import DecisionStore

N = 60
IDS = ["007", "a b", "ünï", *[f"s{i:03d}" for i in range(N - 3)]]
DECISIONS = [(2, "relabel", "b"), (5, "exclude", None), (31, "relabel", "c"), (44, "exclude", None), (58, "keep", None)]


def _invoke(*args) -> object:
    return CliRunner().invoke(main, [*map(str, args)])


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    y = np.arange(N) % 3
    return pd.DataFrame(
        {
            "sample": IDS,
            "x": (rng.normal(size=N) + y).round(3),
            "kind": [f"k{i // 12}" for i in range(N)],
            "y": np.array(list("abc"))[y],
        }
    )


def _audited(folder: Path, parts: int) -> Path:
    """The table as ``parts`` Parquet parts (one file when 0), each part's ``kind`` a categorical of its own
    values in its own order and one unused category (the parts' dictionaries differ), audited with
    ``--id-column``; decisions recorded."""
    frame = _frame()
    (folder / "data").mkdir(parents=True)
    blocks = np.array_split(np.arange(N), max(parts, 1))
    for i, block in enumerate(blocks):
        part = frame.iloc[block].copy()
        own = [*dict.fromkeys(part["kind"][::-1]), f"unused{i}"]  # this part's values, last first, and one unused
        part["kind"] = pd.Categorical(part["kind"], categories=own)
        name = folder / "data.parquet" if parts == 0 else folder / "data" / f"part.{i}.parquet"
        part.to_parquet(name, index=False)
    return audit_and_decide(folder, folder / "data.parquet" if parts == 0 else folder / "data")


def audit_and_decide(folder: Path, data: Path) -> Path:
    """``data`` (``_frame``'s rows) audited into ``folder / "A"`` with ``--id-column sample``; DECISIONS recorded."""
    probs = np.full((N, 3), 0.1)
    probs[np.arange(N), np.arange(N) % 3] = 0.8
    np.save(folder / "p.npy", probs)
    args = ["--label", "y", "--probs", folder / "p.npy", "--id-column", "sample", "--out", folder / "A", "--no-report"]
    res = _invoke("audit", data, *args, "--scheduler", "synchronous", "--chunk-rows", 25)
    assert res.exit_code == 0, res.output
    store = DecisionStore(folder / "A" / "review.sqlite")
    for row, action, label in DECISIONS:
        store.record(row, action, version=0, reviewer="me", label=label)
    return folder / "A"


@pytest.fixture(scope="module", params=[0, 1, 3], ids=["one-file", "1-part", "3-parts"])
def audit(request, tmp_path_factory):
    """An audit of the table as one Parquet file, or a folder of 1 or 3 parts, with its decisions."""
    saved = (_chunk_floor.ROW_CHUNK_FLOOR_BYTES, _chunk_floor.MIN_CHUNK_BYTES)
    _chunk_floor.ROW_CHUNK_FLOOR_BYTES = _chunk_floor.MIN_CHUNK_BYTES = 0  # 3 parts stay 3 partitions
    try:
        yield _audited(tmp_path_factory.mktemp(f"parts{request.param}"), request.param)
    finally:
        _chunk_floor.ROW_CHUNK_FLOOR_BYTES, _chunk_floor.MIN_CHUNK_BYTES = saved


def _in_memory(out_dir: Path, target: Path, mark_excluded: bool) -> Path:
    """What the in-memory export writes (``cleaned_table``, then pandas' ``to_parquet``, as ``write_table``)."""
    cleaned, _ = cleaned_table(out_dir, mark_excluded=mark_excluded)
    cleaned.to_parquet(target, index=False)
    return target


def _streamed(out_dir: Path, target: Path, mark_excluded: bool, batch_rows: int) -> int:
    streamed = _stream_export.stream_cleaned(out_dir, target, mark_excluded, batch_rows=batch_rows)
    assert streamed is not None
    return streamed[1]()


class TestStreamedEqualsInMemory:
    @settings(max_examples=12, deadline=None)
    @given(batch_rows=st.integers(1, N + 5), group_rows=st.integers(1, N + 5), mark_excluded=st.booleans())
    def test_any_batch_size_writes_the_in_memory_file(self, audit, batch_rows, group_rows, mark_excluded):
        """Same rows, column types, categories and pandas metadata as the in-memory export, for any batch size
        and row group size."""
        work = audit.parent / f"b{batch_rows}g{group_rows}{mark_excluded}"
        _stream_export.GROUP_ROWS, saved = group_rows, _stream_export.GROUP_ROWS
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        expected = pq.read_table(_in_memory(audit, work / "m.parquet", mark_excluded))
        try:
            n = _streamed(audit, work / "s.parquet", mark_excluded, batch_rows)
        finally:
            _stream_export.GROUP_ROWS = saved
        got = pq.read_table(work / "s.parquet")
        assert n == got.num_rows == expected.num_rows == (N if mark_excluded else N - 2)
        assert got.equals(expected)
        assert got.schema.equals(expected.schema, check_metadata=True)

    def test_a_parts_own_categories_are_the_whole_tables(self, audit, tmp_path):
        """Each part's ``kind`` was written with its own categories: the copy has the whole table's, in every row group."""
        _streamed(audit, tmp_path / "s.parquet", False, 7)
        whole = pd.read_parquet(_in_memory(audit, tmp_path / "m.parquet", False))
        got = pd.read_parquet(tmp_path / "s.parquet")
        assert list(got["kind"].cat.categories) == list(whole["kind"].cat.categories)
        pd.testing.assert_frame_equal(got, whole)

    def test_the_cli_streams_and_writes_the_same_log(self, audit, tmp_path, monkeypatch):
        """``labelwise export A --out clean.parquet`` goes through the streamed writer, with main's change log."""
        calls = []
        monkeypatch.setattr(_stream_export, "BATCH_ROWS", 9)
        real = _stream_export._write
        monkeypatch.setattr(_stream_export, "_write", lambda *a: calls.append(a[-1]) or real(*a))
        res = _invoke("export", audit, "--out", tmp_path / "clean.parquet")
        assert res.exit_code == 0, res.output
        assert calls == [9]
        _, changes = cleaned_table(audit)
        log = pd.read_csv(tmp_path / "clean.parquet.changes.csv", dtype={"sample": str})
        assert list(log["sample"]) == list(changes["sample"])
        assert list(log["action"]) == ["relabel", "exclude", "relabel", "exclude", "keep"]


@pytest.fixture
def three_parts(tmp_path, monkeypatch):
    monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 0)
    monkeypatch.setattr(_chunk_floor, "MIN_CHUNK_BYTES", 0)
    return _audited(tmp_path, 3)


class TestRefusalsLeaveNoFile:
    def test_an_id_moved_in_the_last_part_is_refused_naming_its_row(self, three_parts, tmp_path):
        """Two ids of one label swapped in part 2 (rows 42 and 45): refused naming row 42, nothing written."""
        part = tmp_path / "data" / "part.2.parquet"
        frame = pd.read_parquet(part)
        frame.iloc[[2, 5], 0] = frame.iloc[[5, 2], 0].to_numpy()  # rows 42 and 45, both labelled "a"
        frame.to_parquet(part, index=False)
        res = _invoke("export", three_parts, "--out", tmp_path / "clean.parquet")
        assert res.exit_code != 0
        assert "'sample'" in res.output and "at row 42" in res.output
        assert not (tmp_path / "clean.parquet").exists() and not (tmp_path / "clean.parquet.changes.csv").exists()

    def test_an_existing_out_is_left_as_it_was(self, three_parts, tmp_path):
        """Without --force an existing --out is refused and its bytes are unchanged; no log is written."""
        (tmp_path / "clean.parquet").write_bytes(b"mine")
        res = _invoke("export", three_parts, "--out", tmp_path / "clean.parquet")
        assert res.exit_code != 0 and "--force" in res.output
        assert (tmp_path / "clean.parquet").read_bytes() == b"mine"
        assert not (tmp_path / "clean.parquet.changes.csv").exists()

    def test_a_writer_failing_mid_way_leaves_no_file(self, three_parts, tmp_path, monkeypatch):
        """The writer raises on its second row group: no cleaned file, no log, no temporary file beside them."""
        monkeypatch.setattr(_stream_export, "BATCH_ROWS", 10)
        monkeypatch.setattr(_stream_export, "GROUP_ROWS", 20)
        real, calls = pq.ParquetWriter.write_table, []

        def failing(self, table, *args, **kwargs):
            calls.append(len(table))
            if len(calls) == 2:
                raise OSError("disk full")
            return real(self, table, *args, **kwargs)

        monkeypatch.setattr(pq.ParquetWriter, "write_table", failing)
        out = tmp_path / "out"
        out.mkdir()
        res = _invoke("export", three_parts, "--out", out / "clean.parquet")
        assert res.exit_code != 0 and len(calls) == 2
        assert list(out.iterdir()) == []
