"""``labelwise export`` of Parquet data written with a named index (``df.set_index("sample").to_parquet``), streamed
part by part: the index is a column of each part, restored batch by batch as the whole table restores it, so the
file equals the in-memory export's. A named ``RangeIndex`` (pandas' metadata only, no column) stays in memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from labelwise import _chunk_floor
from labelwise.review import _stream_export
from tests.review.test_stream_export import N, _frame, _in_memory, audit_and_decide


def _audited(folder: Path, parts: int) -> Path:
    """``_frame`` indexed by ``sample`` as ``parts`` Parquet parts (one file when 0), audited with ``--id-column
    sample``; the decisions recorded."""
    frame = _frame().set_index("sample")
    (folder / "data").mkdir(parents=True)
    for i, block in enumerate(np.array_split(np.arange(N), max(parts, 1))):
        name = folder / "data.parquet" if parts == 0 else folder / "data" / f"part.{i}.parquet"
        frame.iloc[block].to_parquet(name)
    return audit_and_decide(folder, folder / "data.parquet" if parts == 0 else folder / "data")


@pytest.fixture
def floors(monkeypatch):
    monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 0)
    monkeypatch.setattr(_chunk_floor, "MIN_CHUNK_BYTES", 0)


class TestNamedIndexStreamed:
    @pytest.mark.parametrize("parts", [0, 3], ids=["one-file", "3-parts"])
    @pytest.mark.parametrize("mark_excluded", [False, True])
    def test_the_streamed_file_is_the_in_memory_one(self, tmp_path, floors, parts, mark_excluded):
        """Streamed in batches of 7 rows (the index restored in each): the in-memory export's rows, types and
        pandas metadata, the index its first column. Main left such data to the in-memory export."""
        audit = _audited(tmp_path / "w", parts)
        expected = pq.read_table(_in_memory(audit, tmp_path / "m.parquet", mark_excluded))
        streamed = _stream_export.stream_cleaned(audit, tmp_path / "s.parquet", mark_excluded, batch_rows=7)
        assert streamed is not None  # streamed, not left to the in-memory export
        assert streamed[1]() == expected.num_rows
        got = pq.read_table(tmp_path / "s.parquet")
        assert got.column_names[:1] == ["sample"] and got.equals(expected)
        assert got.schema.equals(expected.schema, check_metadata=True)

    def test_a_named_range_index_stays_in_memory(self, tmp_path):
        """A named RangeIndex is pandas metadata only: not streamed (each batch would number its rows anew)."""
        frame = _frame().set_index(pd.RangeIndex(5, 5 + N, name="n"))
        frame.to_parquet(tmp_path / "data.parquet")
        assert _stream_export._names_an_index(pq.read_schema(tmp_path / "data.parquet"))
