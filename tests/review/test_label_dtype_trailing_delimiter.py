"""The label column as written, read from a table whose lines end with a delimiter."""

from __future__ import annotations

from labelwise.io import read_table
from labelwise.review._label_dtype import labels_as_written


def test_the_label_column_is_the_one_under_its_name(tmp_path):
    """'1,007,' under 'x,label': the labels are 007 and 7 as written, not the empty cells past the header."""
    (tmp_path / "d.csv").write_text("x,label\n1,007,\n2,7,\n")
    data = read_table(tmp_path / "d.csv", text_columns=["label"])
    assert labels_as_written(tmp_path / "d.csv", data, "label").tolist() == ["007", "7"]
