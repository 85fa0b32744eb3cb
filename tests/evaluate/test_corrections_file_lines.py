"""A corrections file's errors name the editor's line of the entry: blank lines, quoted line breaks and
JSON Lines logs (no header) counted as the file holds them; a Parquet file names the record."""

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import InvalidLabelsError, InvalidParameterError
from labelwise.evaluate import read_corrections

GIVEN = np.array(["cat"] * 5, dtype=object)


def test_a_blank_line_before_an_outside_row_is_counted(tmp_path):
    """Row 9 is on line 4 of the file: a blank line comes before it (main said line 3)."""
    (tmp_path / "fix.csv").write_text("row,label\n0,dog\n\n9,dog\n")
    with pytest.raises(InvalidLabelsError, match=r"not in the test set: row 9 \(line 4\);"):
        read_corrections(tmp_path / "fix.csv", GIVEN)


def test_a_quoted_line_break_before_a_repeated_row_is_counted(tmp_path):
    """A label holding a line break spans lines 2-3; the row set twice is on lines 2 and 4."""
    (tmp_path / "fix.csv").write_text('row,label\n3,"big\ndog"\n3,\n')
    with pytest.raises(InvalidLabelsError, match=r"row 3 is set to 'big\\ndog' \(line 2\) and to None \(line 4\)"):
        read_corrections(tmp_path / "fix.csv", GIVEN)


def test_an_empty_row_cell_after_blank_lines_names_its_line(tmp_path):
    (tmp_path / "fix.tsv").write_text("row\tlabel\n\n\n1\tdog\n\tdog\n")
    with pytest.raises(InvalidLabelsError, match=r"the row is empty at line 5$"):
        read_corrections(tmp_path / "fix.tsv", GIVEN)


def test_a_json_lines_change_log_names_its_own_lines(tmp_path):
    """A JSON Lines file has no header: its second object is on line 2 (main said line 3), after a blank line on 3."""
    log = [
        '{"row": 0, "action": "relabel", "new_label": "dog"}',
        '{"row": 1, "action": "fix", "new_label": "dog"}',
    ]
    (tmp_path / "log.jsonl").write_text("\n".join(log) + "\n")
    with pytest.raises(InvalidParameterError, match=r"action must be relabel, exclude or keep, got 'fix' \(line 2\)"):
        read_corrections(tmp_path / "log.jsonl", GIVEN)
    (tmp_path / "log.jsonl").write_text(log[0] + "\n\n" + log[1] + "\n")
    with pytest.raises(InvalidParameterError, match=r"got 'fix' \(line 3\)"):
        read_corrections(tmp_path / "log.jsonl", GIVEN)


def test_a_parquet_file_names_the_record_not_a_line(tmp_path):
    pd.DataFrame({"row": [0, 9], "label": ["dog", "dog"]}).to_parquet(tmp_path / "fix.parquet")
    with pytest.raises(InvalidLabelsError, match=r"row 9 \(record 1 of 'fix.parquet'\)") as info:
        read_corrections(tmp_path / "fix.parquet", GIVEN)
    assert "line" not in str(info.value).split("not in the test set")[1].split(";")[0]


def test_evaluate_names_the_line_past_a_blank_line(tmp_path):
    (tmp_path / "preds").mkdir()
    np.save(tmp_path / "preds" / "m.npy", np.array(["cat", "dog", "cat", "cat"]))
    pd.DataFrame({"label": ["cat", "dog", "cat", "dog"]}).to_csv(tmp_path / "test.csv", index=False)
    (tmp_path / "fix.csv").write_text("row,label\n1,cat\n\n\n7,dog\n")
    args = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "test.csv")]
    res = CliRunner().invoke(main, [*args, "--corrections", str(tmp_path / "fix.csv"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    output = " ".join(res.output.split())
    assert "row 7 (line 5)" in output, output
    assert not (tmp_path / "o").exists()
