"""A row named in an error is given its line in a compressed CSV or JSON Lines input too (``boxes.csv.gz``)."""

from __future__ import annotations

import gzip

import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli._row_lines import line_words

BOXES = (
    "image,annotator,x_min,y_min,x_max,y_max,label\nim 1,a,10,10,40,40,car\nim 1,b,12,10,41,40,car\n\n"
    "im 1,c,11,10,10,42,car\n"
)


def test_a_bad_box_in_a_gzip_csv_is_named_by_its_line(tmp_path):
    """boxes.csv.gz's last suffix is .gz, so the error said row 2 without its line; now it says line 5 of the
    user's file, as for boxes.csv."""
    path = tmp_path / "boxes.csv.gz"
    path.write_bytes(gzip.compress(BOXES.encode()))
    result = CliRunner().invoke(main, ["aggregate-boxes", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "at row 2 (line 5 of BOXES 'boxes.csv.gz')" in result.output


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("t.csv.gz", "a,b\n1,2\n\n3,4\n"),
        ("t.tsv.gz", "a\tb\n1\t2\n\n3\t4\n"),
        ("t.jsonl.gz", '{"a": 1}\n\n{"a": 3}\n'),
    ],
)
def test_line_words_counts_the_lines_of_a_compressed_table(tmp_path, name, text):
    """The second row of each file is on its line 4 (header or not, the blank line counted), not 'row 1'."""
    path = tmp_path / name
    path.write_bytes(gzip.compress(text.encode()))
    expected = "line 3" if name.endswith(".jsonl.gz") else "line 4"
    assert line_words(path, 1) == expected
