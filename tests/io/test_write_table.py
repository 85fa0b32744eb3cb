"""``labelwise.io.write_table``: a table in the format of its suffix, atomically; other suffixes refused."""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise.errors import DataFileError, InvalidParameterError
from labelwise.io import read_table, write_table

FRAME = pd.DataFrame({"id": ["007", "7"], "x": [1.5, None], "n": [1, 2]})


class TestWriteTable:
    @pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson"])
    def test_each_suffix_reads_back_as_written(self, tmp_path, suffix):
        """read_table gives the same cells back (ids as text, the missing value missing)."""
        path = write_table(FRAME, tmp_path / f"t{suffix}")
        back = read_table(path, text_columns=["id"])
        pd.testing.assert_frame_equal(back, FRAME, check_dtype=False)
        assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left

    def test_a_tsv_is_tab_separated(self, tmp_path):
        """.tsv: tabs between the cells."""
        assert (write_table(FRAME, tmp_path / "t.tsv")).read_text().splitlines()[0] == "id\tx\tn"

    def test_another_suffix_is_refused_naming_the_formats(self, tmp_path):
        """.xlsx: refused, naming path and the suffixes it may end in; nothing written."""
        with pytest.raises(InvalidParameterError, match=r"path must end in one of \.csv, .*\.jsonl.*got '.*t\.xlsx'"):
            write_table(FRAME, tmp_path / "t.xlsx")
        assert list(tmp_path.iterdir()) == []

    def test_a_column_parquet_cannot_store_is_a_data_file_error(self, tmp_path):
        """A column mixing numbers and texts: DataFileError naming the file; no file, no temporary file."""
        mixed = pd.DataFrame({"v": pd.Series([1, "a"], dtype=object)})
        with pytest.raises(DataFileError, match=r"cannot write '.*t\.parquet' as Parquet"):
            write_table(mixed, tmp_path / "t.parquet")
        assert list(tmp_path.iterdir()) == []
