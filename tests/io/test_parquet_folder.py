"""``labelwise.io.parquet_parts.read_parquet_folder``: a folder of Parquet parts read whole, in the
parts' natural order (Dask's), for the in-memory commands that used to refuse a folder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import DataFileError
from labelwise.io.parquet_parts import read_parquet_folder


def _parts(folder, frame: pd.DataFrame, n_parts: int, name: str = "part.{}.parquet") -> None:
    folder.mkdir(exist_ok=True)
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), n_parts)):
        frame.iloc[rows].to_parquet(folder / name.format(i))


class TestReadParquetFolder:
    def test_twelve_parts_keep_the_row_order(self, tmp_path):
        """part.10 and part.11 come after part.9 (pyarrow's name order would put them third and fourth)."""
        frame = pd.DataFrame({"x": np.arange(120), "y": np.arange(120) % 3})
        _parts(tmp_path / "t", frame, 12)
        read = read_parquet_folder(tmp_path / "t", "DATA")
        np.testing.assert_array_equal(read["x"].to_numpy(), np.arange(120))
        assert list(read.columns) == ["x", "y"]

    def test_hive_folders_become_a_column(self, tmp_path):
        """pandas' partition_cols layout (g=a/, g=b/): the folder names are the column g, as in Dask."""
        frame = pd.DataFrame({"x": [1, 2, 3, 4], "g": ["a", "a", "b", "b"]})
        frame.to_parquet(tmp_path / "t", partition_cols=["g"])
        read = read_parquet_folder(tmp_path / "t", "DATA")
        assert sorted(read.columns) == ["g", "x"]
        assert read.sort_values("x")["g"].astype(str).tolist() == ["a", "a", "b", "b"]

    def test_a_folder_without_parts_is_named(self, tmp_path):
        """No Parquet file: the error names the option and the folder, and what it should hold."""
        (tmp_path / "t").mkdir()
        (tmp_path / "t" / "notes.txt").write_text("x")
        with pytest.raises(DataFileError, match=r"DATA '.*t' is a folder without Parquet files"):
            read_parquet_folder(tmp_path / "t", "DATA")

    def test_parts_with_other_columns_are_refused(self, tmp_path):
        """A part with other columns (another table saved beside): the part and its columns are named."""
        _parts(tmp_path / "t", pd.DataFrame({"x": [1, 2], "y": [0, 1]}), 1)
        pd.DataFrame({"x": [1]}).to_parquet(tmp_path / "t" / "zz.parquet")
        with pytest.raises(DataFileError, match=r"its part 'zz.parquet' has no \['y'\]"):
            read_parquet_folder(tmp_path / "t", "DATA")

    def test_a_part_that_is_no_parquet_is_named(self, tmp_path):
        """A corrupt part: a DataFileError naming the folder, not pyarrow's traceback."""
        _parts(tmp_path / "t", pd.DataFrame({"x": [1, 2]}), 1)
        (tmp_path / "t" / "part.1.parquet").write_bytes(b"not parquet")
        with pytest.raises(DataFileError, match=r"DATA '.*t' could not be read"):
            read_parquet_folder(tmp_path / "t", "DATA")
