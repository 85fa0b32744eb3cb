"""The command line's readers of a CSV file's text (a label file's blank lines, ``corrupt``'s cell copy,
``aggregate-tags``' marker cells) take a CSV as ``labelwise.io.delimiter.is_csv`` does: compressed
(``t.csv.gz``) or UTF-16 included. Main kept a suffix tuple in each module (``.csv``, ``.tsv``,
``.txt``), so a compressed file skipped these checks or was read as something else."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

import labelwise.cli._corrupt_files as corrupt_files
import labelwise.cli._label_file as label_file
import labelwise.cli.aggregate_tags as aggregate_tags
from labelwise.errors import DataFileError


def _gz(path: Path, text: str) -> Path:
    path.write_bytes(gzip.compress(text.encode()))
    return path


@pytest.mark.parametrize(("module", "name"), [(corrupt_files, "_TEXT_IN"), (label_file, "_TEXT_SUFFIXES")])
def test_no_module_keeps_its_own_suffix_tuple(module, name):
    """The one rule is io's."""
    assert not hasattr(module, name)


def test_a_blank_line_in_a_compressed_label_file_is_refused(tmp_path):
    """A gzip one-column label file with a blank line between labels: refused naming the line, as the plain one."""
    path = _gz(tmp_path / "y.csv.gz", "label\na\n\nb\n")
    with pytest.raises(DataFileError, match=r"blank line between labels at line 3"):
        label_file.read_label_file(path, "--labels", None, column_option="--label-column")


def test_a_utf16_label_file_reads(tmp_path):
    """Excel's Unicode Text of one column: its labels, "01" and "1" apart."""
    path = tmp_path / "y.txt"
    path.write_bytes("label\r\n01\r\n1\r\n".encode("utf-16"))
    assert label_file.read_label_file(path, "--labels", None, column_option="--label-column").tolist() == ["01", "1"]


def test_corrupt_copies_the_cells_of_a_compressed_csv(tmp_path):
    """DATA t.csv.gz to --out o.csv: copied cell by cell as text (007 stays 007), as from t.csv."""
    data = _gz(tmp_path / "t.csv.gz", "id,label\n007,a\n8,b\n")
    assert corrupt_files.copies_cells(data, tmp_path / "o.csv")
    cells = corrupt_files.raw_cells(data, 2)
    assert corrupt_files.texts(cells["id"]).tolist() == ["007", "8"]


def test_aggregate_tags_counts_marker_cells_of_a_compressed_csv(tmp_path):
    """NA written in a tag cell of ANSWERS.csv.gz, read as missing: counted and named."""
    path = _gz(tmp_path / "a.csv.gz", "item,annotator,tags\n1,u,cat\n1,v,NA\n")
    read = pd.Series(["cat", None])
    assert aggregate_tags._marker_cells(path, "tags", read) == {"n_cells": 1, "texts": ["NA"]}
