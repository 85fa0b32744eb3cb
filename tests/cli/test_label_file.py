"""A one-column label table with a blank line between labels is refused, naming the line (walk40's gap).

pandas skips blank lines, so ``label\\n0\\n1\\n\\n1`` read as three labels: every label after the hole moved
up one row against the predictions, and ``evaluate`` only said the row counts differ.
"""

from __future__ import annotations

import pytest

from labelwise.cli._label_file import read_label_file
from labelwise.errors import DataFileError


def _read(path):
    return read_label_file(path, "--labels", None, column_option="--label-column")


def test_a_blank_line_between_labels_is_refused_with_its_line(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("label\n0\n1\n\n1\n\n2\n")
    with pytest.raises(DataFileError, match=r"--labels file .*blank line between labels at line 4 \(and 1 more\)"):
        _read(path)


@pytest.mark.parametrize(
    "text", ["label\n0\n1\n1\n", "label\n0\n1\n1\n\n\n", "label\r\n0\r\n1\r\n1\r\n\r\n", "0\n1\n1"]
)
def test_blank_lines_after_the_last_label_are_no_hole(tmp_path, text):
    path = tmp_path / "labels.csv"
    path.write_text(text, newline="")
    assert len(_read(path)) == (3 if text.startswith("label") else 2)


def test_a_wider_table_is_read_as_before(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("id,label\n1,0\n\n2,1\n")
    assert _read(path).tolist() == [0, 1]
