"""The column delimiter of a ``.txt`` table (``labelwise.io.delimiter``): the one character that splits
every line into as many cells as the header. pandas sniffed the header line alone, so a one-column
table was cut at a letter of its name and a ``;`` table whose tags were joined by ``;`` shifted its
lines without a word."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import DataFileError
from labelwise.io import read_table
from labelwise.io.delimiter import ONE_COLUMN, csv_delimiter, guess_delimiter, semicolon_grid


def _txt(tmp_path, text: str, name: str = "t.txt"):
    path = tmp_path / name
    path.write_text(text)
    return path


class TestOneColumn:
    @pytest.mark.parametrize("header", ["label", "tags", "y", "given tags"])
    def test_a_one_column_table_is_one_column(self, tmp_path, header):
        """'label' then 0, 1: one column named 'label' (the sniffer took 'l' for the delimiter)."""
        frame = read_table(_txt(tmp_path, f"{header}\n0\n1\n1\n"))
        assert frame.columns.tolist() == [header] and frame[header].tolist() == [0, 1, 1]

    def test_tag_cells_of_a_one_column_table_stay_whole(self, tmp_path):
        """cat;dog is one cell of the only column (quoted commas too)."""
        frame = read_table(_txt(tmp_path, 'tags\ncat;dog\ndog\n"cat, bird"\n'))
        assert frame["tags"].tolist() == ["cat;dog", "dog", "cat, bird"]
        assert guess_delimiter(tmp_path / "t.txt") == ONE_COLUMN


class TestTagSeparatorInCells:
    def test_a_semicolon_table_with_semicolon_tags_is_refused_naming_the_line(self, tmp_path):
        """id;tags then 1;cat;dog: refused, naming ';', the header's count, the line and its count, and
        the ways out (quote, .csv / .tsv, another --tag-separator); pandas shifted the line silently."""
        with pytest.raises(DataFileError) as info:
            read_table(_txt(tmp_path, "id;tags\n1;cat;dog\n2;dog\n"))
        said = str(info.value)
        assert "t.txt'" in said and "looks like ';' (the header has 2 columns), but line 2 has 3 cell(s)" in said
        assert "--tag-separator" in said and ".csv or .tsv" in said

    def test_even_when_every_line_has_one_extra_cell(self, tmp_path):
        """Two tags on every row: each line has 3 cells for 2 names (pandas made the ids the row index)."""
        with pytest.raises(DataFileError, match=r"line 2 has 3 cell\(s\)"):
            read_table(_txt(tmp_path, "id;tags\n1;cat;dog\n2;dog;ant\n"))

    def test_quoted_tag_cells_read(self, tmp_path):
        """The same table with its tag cells quoted is a grid: read as written."""
        frame = read_table(_txt(tmp_path, 'id;tags\n1;"cat;dog"\n2;dog\n'))
        assert frame.to_dict("list") == {"id": [1, 2], "tags": ["cat;dog", "dog"]}

    @pytest.mark.parametrize("sep", ["\t", ",", "|"])
    def test_semicolon_tags_in_another_delimiter_s_table_read(self, tmp_path, sep):
        """A tab, ',' or '|' table whose tag cells hold ';' is read with its own delimiter."""
        frame = read_table(_txt(tmp_path, f"id{sep}tags\n1{sep}cat;dog;ant\n2{sep}dog\n"))
        assert frame.to_dict("list") == {"id": [1, 2], "tags": ["cat;dog;ant", "dog"]}


class TestAmbiguous:
    def test_two_delimiters_that_both_fit_are_refused(self, tmp_path):
        """a,b<tab>c then 1,2<tab>3: ',' and tab both make a grid; the user is asked for .csv / .tsv."""
        with pytest.raises(DataFileError, match=r"tab \(2 cells\) and ',' \(2 cells\) each split every line"):
            read_table(_txt(tmp_path, "a,b\tc\n1,2\t3\n"))

    def test_csv_and_tsv_are_never_guessed(self, tmp_path):
        """A .csv is read at ',' whatever its cells hold (the guess is for .txt only)."""
        frame = read_table(_txt(tmp_path, "id,tags\n1,a;b;c\n2,d\n", "t.csv"))
        assert frame["tags"].tolist() == ["a;b;c", "d"]


class TestSemicolonCsv:
    """A ``.csv`` saved by Excel where the decimal mark is a comma holds ``;``-delimited cells: read at ``;``
    when its header has no ``,`` and every line is a ``;`` grid (main read it at ``,``: one column, or a refusal)."""

    def test_a_semicolon_csv_with_decimal_commas_reads_as_numbers(self, tmp_path):
        """id;x;label then 1;1,5;cat: three columns, x numbers (the decimal-comma rule of a ';' table)."""
        frame = read_table(_txt(tmp_path, "id;x;label\n1;1,5;cat\n2;-0,25;dog\n3;2;cat\n", "t.csv"))
        assert frame.columns.tolist() == ["id", "x", "label"] and frame["x"].tolist() == [1.5, -0.25, 2.0]

    def test_a_delimiter_ending_each_line_is_still_a_grid(self, tmp_path):
        """Excel on Windows with a trailing ';': the header's columns, nothing shifted."""
        frame = read_table(_txt(tmp_path, "a;b\r\n1;x;\r\n2;y;\r\n", "t.csv"))
        assert frame.to_dict("list") == {"a": [1, 2], "b": ["x", "y"]}

    def test_a_comma_in_the_header_keeps_the_comma(self, tmp_path):
        """id,tags then 1,a;b: ',' (tags joined by ';'), as before."""
        assert semicolon_grid(_txt(tmp_path, "id,tags\n1,a;b\n", "t.csv")) is False

    def test_a_line_of_another_width_keeps_the_comma(self, tmp_path):
        """a;b then 1;2;3: not a ';' grid, so ',' (a one-column table named 'a;b'), as before."""
        path = _txt(tmp_path, "a;b\n1;2;3\n4;5\n", "t.csv")
        assert semicolon_grid(path) is False and csv_delimiter(path) == ","

    def test_a_one_column_csv_with_semicolon_tags_stays_one_column(self, tmp_path):
        """tags then cat;dog: the header splits into one cell, so ','."""
        assert read_table(_txt(tmp_path, "tags\ncat;dog\ndog\n", "t.csv"))["tags"].tolist() == ["cat;dog", "dog"]

    def test_a_tsv_is_never_guessed(self, tmp_path):
        """A .tsv is read at tab whatever it holds."""
        assert csv_delimiter(_txt(tmp_path, "a;b\n1;2\n", "t.tsv")) == "\t"


_CELL = st.text(alphabet="ab; ", min_size=1, max_size=6).filter(lambda s: s.strip() == s and s.strip(";"))


@st.composite
def _grids(draw):
    """A header of 1-4 distinct letter names and 1-8 rows of cells of letters, ';' and inner spaces;
    the delimiter: tab, ',' or '|'."""
    names = draw(st.lists(st.text("abcxyz", min_size=1, max_size=4), min_size=1, max_size=4, unique=True))
    rows = draw(st.lists(st.lists(_CELL, min_size=len(names), max_size=len(names)), min_size=1, max_size=8))
    return names, rows, draw(st.sampled_from(["\t", ",", "|"]))


@settings(max_examples=80, deadline=None)
@given(_grids())
def test_a_grid_written_as_txt_reads_back_cell_for_cell(tmp_path_factory, grid):
    """Any grid written with a delimiter (quoting only where csv must) reads back as written."""
    names, rows, sep = grid
    path = tmp_path_factory.mktemp("g") / "grid.txt"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh, delimiter=sep, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
    frame = read_table(path)
    pd.testing.assert_frame_equal(frame, pd.DataFrame(rows, columns=names), check_dtype=False)
