"""Votes files and MTurk batches with a delimiter ending each line (as some exporters write) read as
the same file without it; an MTurk ``.tsv`` batch is read with tabs, as it is recognised."""

from __future__ import annotations

import pytest

from labelwise.errors import DataFileError
from labelwise.io import read_annotations

VOTES = "item,sample,answer\nq1,0,A\nq1,1,B\nq2,0,C\n"
MTURK = "HITId,WorkerId,Answer.choice,AssignmentStatus\nH1,W1,x,Approved\nH1,W2,y,Approved\nH2,W1,y,Submitted\n"


def _rows(read):
    return list(read.answers.itertuples(index=False, name=None))


def _trailing(text: str, sep: str = ",") -> str:
    """Every data line ends with one more delimiter; the header as written."""
    head, *rest = text.splitlines()
    return "\n".join([head] + [line + sep for line in rest]) + "\n"


@pytest.mark.parametrize(("text", "fmt"), [(VOTES, "votes"), (MTURK, "mturk")])
def test_trailing_delimiter_reads_as_the_plain_file(tmp_path, text, fmt):
    """The cells are not shifted onto their neighbours' names."""
    plain, trailing = tmp_path / "plain.csv", tmp_path / "trailing.csv"
    plain.write_text(text)
    trailing.write_text(_trailing(text))
    assert _rows(read_annotations(trailing, format=fmt)) == _rows(read_annotations(plain, format=fmt))


def test_votes_value_past_the_header_names_the_line(tmp_path):
    """A value beyond the header's columns is refused naming its line, not read shifted."""
    path = tmp_path / "votes.csv"
    path.write_text("item,sample,answer\nq1,0,A\nq1,1,B,extra\n")
    with pytest.raises(DataFileError, match="line 3 has 4 cells"):
        read_annotations(path, format="votes")


def test_mturk_tsv_batch_is_read_with_tabs(tmp_path):
    """An MTurk batch saved as ``.tsv`` (recognised by its tab header) gives the CSV's answers."""
    csv_path, tsv_path = tmp_path / "batch.csv", tmp_path / "batch.tsv"
    csv_path.write_text(MTURK)
    tsv_path.write_text(MTURK.replace(",", "\t"))
    assert _rows(read_annotations(tsv_path)) == _rows(read_annotations(csv_path))
