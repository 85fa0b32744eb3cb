"""An empty or fractional row cell of a corrections file is named by its line, not as 'row nan'."""

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import InvalidLabelsError
from labelwise.evaluate import read_corrections

GIVEN = np.array(["cat"] * 5, dtype=object)


def test_an_empty_row_cell_is_named_by_its_line(tmp_path):
    (tmp_path / "fix.csv").write_text("row,label\n0,dog\n,dog\n")
    with pytest.raises(InvalidLabelsError, match=r"as a whole number .*; the row is empty at line 3$") as info:
        read_corrections(tmp_path / "fix.csv", GIVEN)
    assert "nan" not in str(info.value)


def test_a_fractional_row_cell_is_named_with_its_value_and_line(tmp_path):
    (tmp_path / "fix.csv").write_text("row,label\n0,dog\n2.5,dog\nthree,dog\n")
    with pytest.raises(
        InvalidLabelsError, match=r"the row is not a whole number at line 3 \('?2\.5'?\), line 4 \('three'\)$"
    ) as info:
        read_corrections(tmp_path / "fix.csv", GIVEN)
    assert "another test file" not in str(info.value)


def test_whole_rows_outside_the_test_set_keep_their_message(tmp_path):
    (tmp_path / "fix.csv").write_text("row,label\n0,dog\n9,dog\n")
    with pytest.raises(InvalidLabelsError, match=r"not in the test set: row 9 \(line 3\)"):
        read_corrections(tmp_path / "fix.csv", GIVEN)


def test_evaluate_names_the_line_of_an_empty_row_cell(tmp_path):
    (tmp_path / "preds").mkdir()
    np.save(tmp_path / "preds" / "m.npy", np.array(["cat", "dog", "cat", "cat"]))
    pd.DataFrame({"label": ["cat", "dog", "cat", "dog"]}).to_csv(tmp_path / "test.csv", index=False)
    (tmp_path / "fix.csv").write_text("row,label\n1,cat\n,dog\n")
    args = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "test.csv")]
    res = CliRunner().invoke(main, [*args, "--corrections", str(tmp_path / "fix.csv"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    output = " ".join(res.output.split())
    assert "the row is empty at line 3" in output and "row nan" not in output, output
