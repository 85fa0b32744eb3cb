"""A CSV votes file's errors name the line an editor shows, and a row cut short is refused, not dropped."""

from __future__ import annotations

import gzip

import pytest

from labelwise.errors import DataFileError
from labelwise.io import read_annotations

# An LLM's answer with a line break in it, quoted as a CSV writes it, and a blank line.
MULTILINE = 'item,sample,answer\nq1,0,"The answer is A.\nBecause of X."\nq1,1,B\n\nq2,,B\n'


class TestLines:
    def test_quoted_line_breaks_and_blank_lines_are_counted(self, tmp_path):
        """The row without a sample is on line 6, past a two-line answer and a blank line."""
        (tmp_path / "v.csv").write_text(MULTILINE)
        with pytest.raises(DataFileError, match=r"line 6 has no 'sample' field"):
            read_annotations(tmp_path / "v.csv", format="votes")

    def test_a_compressed_copy_names_the_same_line(self, tmp_path):
        """A .csv.gz of the same file names line 6 too."""
        (tmp_path / "v.csv.gz").write_bytes(gzip.compress(MULTILINE.encode()))
        with pytest.raises(DataFileError, match=r"line 6 has no 'sample' field"):
            read_annotations(tmp_path / "v.csv.gz", format="votes")


class TestShortRows:
    def test_a_row_without_the_answer_cell_is_an_error(self, tmp_path):
        """`q1,1` under `item,sample,answer` lacks the answer: an error naming its line, as JSON Lines' missing key is."""
        (tmp_path / "v.csv").write_text("item,sample,answer\nq1,0,A\n\nq1,1\nq2,0,B\n")
        with pytest.raises(DataFileError, match=r"line 4 has 2 cell\(s\) where the header names 3, so no 'answer'"):
            read_annotations(tmp_path / "v.csv", format="votes")

    def test_an_empty_answer_cell_is_still_dropped_and_counted(self, tmp_path):
        """`q1,1,` has the cell, empty: dropped as `empty`, as a null answer in JSON Lines."""
        (tmp_path / "v.csv").write_text("item,sample,answer\nq1,0,A\nq1,1,\nq2,0,B\n")
        ann = read_annotations(tmp_path / "v.csv", format="votes")
        assert ann.dropped == {"empty": 1}
        assert ann.answers["label"].tolist() == ["A", "B"]

    def test_a_row_short_of_an_extra_column_only_is_read(self, tmp_path):
        """A row lacking only a column the reader does not use (a rationale) keeps its answer."""
        (tmp_path / "v.csv").write_text("item,sample,answer,why\nq1,0,A,x\nq1,1,B\nq2,0,B,y\n")
        ann = read_annotations(tmp_path / "v.csv", format="votes")
        assert ann.answers["label"].tolist() == ["A", "B", "B"]
        assert not ann.dropped
