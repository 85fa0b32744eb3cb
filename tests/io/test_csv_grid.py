"""Reading a CSV-family file as the grid its header draws: trailing delimiters and decimal commas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import DataFileError
from labelwise.io import read_table
from labelwise.io.csv_grid import first_extra_cells, read_decimal_commas
from labelwise.io.na_values import raw_cell


class TestCellsPastTheHeader:
    """A line with more cells than the header: read in place when they are empty, else refused."""

    def test_a_delimiter_ending_every_line_keeps_the_columns_in_place(self, tmp_path):
        """'1,2,cat,' under 'x,y,label': each value under its own name, none taken for a row label."""
        (tmp_path / "d.csv").write_text("x,y,label\n1,2,cat,\n3,4,dog,\n")
        frame = read_table(tmp_path / "d.csv", text_columns=["label"])
        assert list(frame.columns) == ["x", "y", "label"]
        assert frame["x"].tolist() == [1, 3] and frame["label"].tolist() == ["cat", "dog"]
        assert frame.index.tolist() == [0, 1]

    def test_empty_cells_past_the_header_on_some_lines_only(self, tmp_path):
        """Two trailing delimiters on the first line, none on the last: the same table."""
        (tmp_path / "d.txt").write_text("x;y\n1;2;;\n3;4;\n5;6\n")
        frame = read_table(tmp_path / "d.txt")
        assert frame.to_dict("list") == {"x": [1, 3, 5], "y": [2, 4, 6]}

    def test_a_delimiter_ending_a_later_line_only(self, tmp_path):
        """'3,4,' after '1,2' (the line pandas refuses as too long): read, its empty cell dropped."""
        (tmp_path / "d.csv").write_text("x,y\n1,2\n3,4,\n")
        assert read_table(tmp_path / "d.csv").to_dict("list") == {"x": [1, 3], "y": [2, 4]}

    def test_a_value_past_the_header_is_refused_naming_the_line(self, tmp_path):
        """A cell past the header's last column that holds a value: the line, its cells and the header's."""
        (tmp_path / "d.csv").write_text("x,y,label\n1,2,cat\n3,4,dog,owl\n")
        with pytest.raises(DataFileError, match=r"d\.csv': line 3 has 4 cells, but the header names 3 columns"):
            read_table(tmp_path / "d.csv")

    def test_a_first_line_longer_than_the_header_is_refused(self, tmp_path):
        """The shape pandas reads as a row index (every line one cell longer): refused, not shifted."""
        (tmp_path / "d.csv").write_text("x,label\n1,2,cat\n3,4,dog\n")
        with pytest.raises(DataFileError, match=r"line 2 has 3 cells, but the header names 2 columns"):
            read_table(tmp_path / "d.csv")

    def test_the_line_counts_quoted_line_breaks(self, tmp_path):
        """The line named is the editor's: a quoted cell over two lines moves the next record down."""
        (tmp_path / "d.csv").write_text('x,note\n1,"a\nb"\n2,c,extra\n')
        assert first_extra_cells(tmp_path / "d.csv", ",") == (4, 3, 2)

    def test_raw_cell_reads_the_cell_under_its_name(self, tmp_path):
        """The text of a cell as written (the --na-values notes) is the one under the column's name."""
        (tmp_path / "d.csv").write_text("x,label\n1,NA,\n2,cat,\n")
        assert raw_cell(tmp_path / "d.csv", "label", 0) == "NA"
        assert raw_cell(tmp_path / "d.csv", "label", 1) == "cat"


class TestDecimalCommas:
    """Numbers written 1,5 in a table delimited by ';' or tab are numbers."""

    def test_a_semicolon_table_from_a_spreadsheet(self, tmp_path):
        """'5,1;3;cat': features are floats, the label column stays text."""
        (tmp_path / "d.txt").write_text("a;b;label\n5,1;3;cat\n-0,25;2,5e3;dog\n;7;1,5\n")
        frame = read_table(tmp_path / "d.txt", text_columns=["label"])
        assert frame["a"].dtype == np.float64 and frame["b"].dtype == np.float64
        assert frame["a"].tolist()[:2] == [5.1, -0.25] and np.isnan(frame["a"].iloc[2])
        assert frame["b"].tolist() == [3.0, 2500.0, 7.0]
        assert frame["label"].tolist() == ["cat", "dog", "1,5"]

    def test_a_tsv_with_decimal_commas(self, tmp_path):
        """The same in a tab-delimited file (a spreadsheet's text export)."""
        (tmp_path / "d.tsv").write_text("a\tb\n1,5\tx\n2\ty\n")
        assert read_table(tmp_path / "d.tsv")["a"].tolist() == [1.5, 2.0]

    @pytest.mark.parametrize(
        "cells",
        [["1.234,5", "2,0"], ["1.5", "1,5"], ["1,5", "n/a-ish"], ["1,2,3", "4,5"]],
        ids=["thousands", "both_marks", "a_word", "two_commas"],
    )
    def test_columns_where_the_comma_is_unclear_stay_text(self, tmp_path, cells):
        """A thousands separator, a column mixing '.' and ',', a word or two commas: text, as written."""
        (tmp_path / "d.txt").write_text("a;b\n" + "".join(f"{c};x\n" for c in cells))
        assert read_table(tmp_path / "d.txt")["a"].tolist() == cells

    def test_a_comma_delimited_file_keeps_a_quoted_decimal_comma(self, tmp_path):
        """In a ',' file a comma is no decimal mark: '2,5' (no group of three digits) keeps the column text."""
        (tmp_path / "d.csv").write_text('a,b\n"1,234",x\n"2,5",y\n')
        assert read_table(tmp_path / "d.csv")["a"].tolist() == ["1,234", "2,5"]

    def test_kept_columns_and_the_changed_ones(self):
        """read_decimal_commas leaves the kept columns and returns the names of those it changed."""
        frame = pd.DataFrame({"a": ["1,5", "2"], "id": ["1,5", "2"], "n": [1.0, 2.0]}, dtype=object)
        frame["n"] = frame["n"].astype(float)
        assert read_decimal_commas(frame, ";", keep=["id"]) == ["a"]
        assert frame["a"].tolist() == [1.5, 2.0] and frame["id"].tolist() == ["1,5", "2"]

    @settings(max_examples=40, deadline=None)
    @given(
        st.lists(
            st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
            min_size=1,
            max_size=20,
        ),
        st.sampled_from([";", "\t"]),
    )
    def test_a_frame_written_with_decimal_commas_reads_back(self, tmp_path_factory, values, sep):
        """Any floats written by pandas with decimal=',' (';' or tab) read back as the same floats."""
        path = tmp_path_factory.mktemp("dc") / "d.txt"
        frame = pd.DataFrame({"v": values, "w": ["x"] * len(values)})
        frame.to_csv(path, sep=sep, decimal=",", index=False)
        read = read_table(path)
        np.testing.assert_allclose(read["v"].to_numpy(dtype=float), np.asarray(values), rtol=1e-12)


class TestThousandsSeparators:
    """Numbers written "1,234.5" (quoted) in a ',' table are numbers."""

    def test_a_spreadsheet_export_with_grouped_thousands(self, tmp_path):
        """'"1,234"', '"-12,345,678.9"' and plain numbers: floats; the label column stays text."""
        (tmp_path / "d.csv").write_text('a,c,label\n"1,234",5,x\n"-12,345,678.9","3,000",y\n0.25,6,"1,000"\n')
        frame = read_table(tmp_path / "d.csv", text_columns=["label"])
        assert frame["a"].tolist() == [1234.0, -12345678.9, 0.25] and frame["c"].tolist() == [5.0, 3000.0, 6.0]
        assert frame["label"].tolist() == ["x", "y", "1,000"]

    def test_a_semicolon_file_does_not_read_thousands(self, tmp_path):
        """In a ';' table the comma is the decimal mark: '1,234' is 1.234."""
        (tmp_path / "d.txt").write_text("a;b\n1,234;x\n2;y\n")
        assert read_table(tmp_path / "d.txt")["a"].tolist() == [1.234, 2.0]

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=20))
    def test_integers_written_with_grouped_thousands_read_back(self, tmp_path_factory, values):
        """Any integers written '{:,}' (quoted where they hold a comma) read back as the same numbers."""
        path = tmp_path_factory.mktemp("th") / "d.csv"
        pd.DataFrame({"v": [f"{v:,}" for v in values], "w": ["x"] * len(values)}).to_csv(path, index=False)
        assert read_table(path)["v"].astype("int64").tolist() == values
