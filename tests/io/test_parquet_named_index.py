"""``labelwise.io.read_table`` and ``read_parquet_folder`` turn a Parquet file's named index into a column.

pandas writes ``df.set_index("item_id").to_parquet(...)`` with ``item_id`` in its metadata as the
index (a named RangeIndex as metadata only, no column); every command reads tables through these
readers, so the column must come back as the CSV file written from the same frame holds it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.io import read_table
from labelwise.io.parquet_parts import read_parquet_folder


def _frame(index: pd.Index | None = None) -> pd.DataFrame:
    n = 6 if index is None else len(index)
    return pd.DataFrame({"x": np.arange(n) / 2.0, "label": ["cat", "dog"] * (n // 2)}, index=index)


NAMED = {
    "texts": pd.Index([f"w{i:02d}" for i in range(6)], name="item_id"),
    "numbers": pd.Index([10, 3, 7, 1, 99, 4], name="item_id"),
    "range": pd.RangeIndex(11, 11 + 3 * 6, 3, name="item_id"),  # pandas keeps it in metadata only
}


class TestNamedIndexBecomesAColumn:
    @pytest.mark.parametrize("kind", list(NAMED))
    def test_a_named_index_is_the_first_column_and_rows_are_numbered(self, tmp_path, kind):
        """As ``pd.read_parquet(...).reset_index()``: the index's values, under its name, first."""
        frame = _frame(NAMED[kind])
        frame.to_parquet(tmp_path / "t.parquet")
        read = read_table(tmp_path / "t.parquet")
        assert list(read.columns) == ["item_id", "x", "label"]
        assert read["item_id"].tolist() == NAMED[kind].tolist()
        pd.testing.assert_index_equal(read.index, pd.RangeIndex(6))

    def test_the_table_equals_the_csv_written_from_the_same_frame(self, tmp_path):
        """The Parquet and the CSV of one frame are one table to every command."""
        frame = _frame(NAMED["texts"])
        frame.to_parquet(tmp_path / "t.parquet")
        frame.to_csv(tmp_path / "t.csv")
        pd.testing.assert_frame_equal(read_table(tmp_path / "t.parquet"), read_table(tmp_path / "t.csv"))

    def test_the_named_levels_of_a_multiindex_become_columns(self, tmp_path):
        """Both levels, in order, as two columns."""
        index = pd.MultiIndex.from_arrays([["a", "a", "b", "b", "c", "c"], [0, 1, 0, 1, 0, 1]], names=["doc", "pos"])
        _frame(index).to_parquet(tmp_path / "t.parquet")
        read = read_table(tmp_path / "t.parquet")
        assert list(read.columns) == ["doc", "pos", "x", "label"]
        assert read["pos"].tolist() == [0, 1] * 3

    def test_a_folder_of_parts_keeps_the_named_index_as_a_column(self, tmp_path):
        """A Parquet folder (parts written by pandas with the index) reads as the single file does."""
        frame = _frame(NAMED["texts"])
        folder = tmp_path / "parts"
        folder.mkdir()
        frame.iloc[:3].to_parquet(folder / "part.0.parquet")
        frame.iloc[3:].to_parquet(folder / "part.1.parquet")
        read = read_parquet_folder(folder, "DATA")
        assert read["item_id"].tolist() == frame.index.tolist()
        pd.testing.assert_frame_equal(read, frame.reset_index())

    def test_a_folder_of_parts_on_named_ranges_numbers_each_part_by_its_own_range(self, tmp_path):
        """Parts written in a loop, each on its own ``RangeIndex`` named ``item_id`` (metadata only): each part's
        rows hold its range, as each part read alone holds it (main dropped the column: pyarrow restores a range
        only when its length is the whole table's)."""
        frame = _frame(pd.RangeIndex(6))
        folder = tmp_path / "parts"
        folder.mkdir()
        frame.iloc[:4].set_index(pd.RangeIndex(11, 19, 2, name="item_id")).to_parquet(folder / "part.0.parquet")
        frame.iloc[4:4].set_index(pd.RangeIndex(0, 0, name="item_id")).to_parquet(folder / "part.1.parquet")
        frame.iloc[4:].set_index(pd.RangeIndex(3, 1, -1, name="item_id")).to_parquet(folder / "part.2.parquet")
        read = read_parquet_folder(folder, "DATA")
        assert list(read.columns) == ["item_id", "x", "label"]
        assert read["item_id"].tolist() == [11, 13, 15, 17, 3, 2]
        pd.testing.assert_frame_equal(read.drop(columns="item_id"), frame)


class TestUnnamedIndex:
    def test_a_default_range_index_adds_no_column(self, tmp_path):
        """``df.to_parquet`` of a frame on 0..n-1: the frame as written (a guard)."""
        frame = _frame()
        frame.to_parquet(tmp_path / "t.parquet")
        pd.testing.assert_frame_equal(read_table(tmp_path / "t.parquet"), frame)

    def test_an_unnamed_index_left_by_a_filter_is_dropped_and_rows_renumbered(self, tmp_path):
        """Rows kept by a filter: no ``index`` or ``__index_level_0__`` column, rows 0..n-1 (as the CSV's)."""
        frame = _frame()
        kept = frame[frame["label"] == "dog"]
        kept.to_parquet(tmp_path / "t.parquet")
        read = read_table(tmp_path / "t.parquet")
        assert list(read.columns) == ["x", "label"]
        pd.testing.assert_index_equal(read.index, pd.RangeIndex(3))
        assert read["x"].tolist() == kept["x"].tolist()

    def test_a_level_named_as_a_column_is_not_repeated(self):
        """The column holds it already: no second ``item_id``."""
        from labelwise.io.index_columns import index_as_columns

        frame = pd.DataFrame({"item_id": ["a", "b"], "x": [1, 2]}, index=pd.Index(["a", "b"], name="item_id"))
        assert list(index_as_columns(frame).columns) == ["item_id", "x"]


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.integers(-1000, 1000), min_size=1, max_size=12, unique=True),
    name=st.sampled_from([None, "item_id", "row"]),
)
def test_index_as_columns_keeps_every_row_and_column_in_order(values, name):
    """Any index: the rows in order on 0..n-1, the data columns unchanged, the index a column iff named."""
    from labelwise.io.index_columns import index_as_columns

    frame = pd.DataFrame({"x": [float(v) for v in values]}, index=pd.Index(values, name=name))
    out = index_as_columns(frame)
    pd.testing.assert_index_equal(out.index, pd.RangeIndex(len(values)))
    assert out["x"].tolist() == frame["x"].tolist()
    assert list(out.columns) == (["x"] if name is None else [name, "x"])
    if name is not None:
        assert out[name].tolist() == values
