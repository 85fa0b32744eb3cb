"""A corrections CSV's labels are the texts it writes when the given labels are texts (hypothesis drew
``TRUE``: read as a boolean, it came back as ``True``)."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.evaluate.corrections import read_corrections


@pytest.mark.parametrize("written", ["TRUE", "false", "007", "1.0", "1e3"])
def test_a_fixed_label_that_looks_like_a_boolean_or_number_is_read_as_written(tmp_path, written):
    path = tmp_path / "fixed.csv"
    path.write_text(f"row,label\n1,{written}\n", encoding="utf-8")
    given = np.array(["a", "b", written], dtype=object)
    assert read_corrections(path, given).corrected.tolist() == ["a", written, written]


def test_a_change_log_relabel_to_a_boolean_looking_class_is_read_as_written(tmp_path):
    path = tmp_path / "cleaned.changes.csv"
    path.write_text("row,action,new_label\n0,relabel,TRUE\n1,exclude,\n", encoding="utf-8")
    given = np.array(["FALSE", "TRUE", "FALSE"], dtype=object)
    assert read_corrections(path, given).corrected.tolist() == ["TRUE", None, "FALSE"]


def test_integer_labels_still_read_as_integers(tmp_path):
    path = tmp_path / "fixed.csv"
    path.write_text("row,label\n0,3\n", encoding="utf-8")
    got = read_corrections(path, np.array([1, 2])).corrected.tolist()
    assert got == [3, 2] and type(got[0]) is int
