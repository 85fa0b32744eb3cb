"""Readers that told a file's format by its last suffix: a compressed table (``labels.csv.gz``,
``data.jsonl.gz``) is told by the suffix under the compression one, as ``io.plain_text.table_suffix`` says."""

from __future__ import annotations

import gzip

from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli.shift import _names
from labelwise.evaluate._corrections_lines import file_rows
from labelwise.io import read_names


def _gzip(path, text):
    path.write_bytes(gzip.compress(text.encode()))
    return path


def test_a_gzip_names_file_and_a_utf16_one_read_their_names(tmp_path):
    """names.txt.gz was read as bytes (not UTF-8 text); UTF-16 text too: both give the names."""
    packed = _gzip(tmp_path / "names.txt.gz", "person\ncity\n")
    wide = tmp_path / "wide.txt"
    wide.write_bytes("person\r\ncity\r\n".encode("utf-16"))
    assert read_names(packed) == read_names(wide) == ["person", "city"]


def test_label_shift_reads_a_gzip_label_table_by_its_column(tmp_path):
    """--train-labels labels.csv.gz with --train-label-column was taken for a text file of names (its last
    suffix .gz is no table's) and refused; it is the table's column."""
    path = _gzip(tmp_path / "labels.csv.gz", "id,label\n1,cat\n2,dog\n")
    assert _names(path, "--train-labels", "label", "--train-label-column") == ["cat", "dog"]


def test_corrections_rows_of_a_gzip_csv_are_named_by_their_lines(tmp_path):
    """A corrections.csv.gz row was 'record 1 of ...'; it is its line, the blank line counted."""
    path = _gzip(tmp_path / "fix.csv.gz", "row,label\n3,a\n\n5,b\n")
    assert file_rows(path, 2) == ["line 2", "line 4"]
    jsonl = _gzip(tmp_path / "fix.jsonl.gz", '{"row": 3, "label": "a"}\n\n{"row": 5, "label": "b"}\n')
    assert file_rows(jsonl, 2) == ["line 1", "line 3"]


def test_a_null_label_in_a_gzip_json_lines_file_is_named_by_its_line(tmp_path):
    """DATA data.jsonl.gz with a null label: the error names the line and says the key is null, as for .jsonl."""
    lines = "".join(f'{{"x": {i}, "label": "{"ab"[i % 2]}"}}\n' for i in range(6)) + '{"x": 9, "label": null}\n'
    path = _gzip(tmp_path / "data.jsonl.gz", lines)
    res = CliRunner().invoke(main, ["audit", str(path), "--label", "label", "--out", str(tmp_path / "o"), "--quiet"])
    assert res.exit_code != 0
    assert "row 6 (line 7) of column 'label' in DATA 'data.jsonl.gz' is null" in res.output
