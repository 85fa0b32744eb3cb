"""`labelwise weak` names the line of DATA where a labeling function failed, not only the row."""

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

RAISES = """from labelwise.weak import labeling_function

@labeling_function()
def has_link(row):
    return "spam" if "http" in row.text else None

@labeling_function()
def boom(row):
    return 1 / 0 if "cash" in row.text else None
"""

OUTSIDE = RAISES.replace("1 / 0", '"eggs"').replace("boom", "odd")

# a blank line and a quoted line break before the failing row (row 4, id 5): it is on line 8
CSV = (
    'id,text\n1,win now http://x\n2,hi mom\n\n3,"see\nhttp://y.com please"\n4,lunch today?\n5,$$$ cash http://z\n6,ok\n'
)
JSONL = '{"id":1,"text":"win now http://x"}\n{"id":2,"text":"hi mom"}\n\n{"id":5,"text":"$$$ cash http://z"}\n'


def _run(tmp_path, lfs, name, data, *extra):
    (tmp_path / "lfs.py").write_text(lfs)
    (tmp_path / name).write_text(data)
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / name), "--out", str(tmp_path / "o"), *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "o").exists()
    return " ".join(result.output.split())


@pytest.mark.parametrize(
    ("extra", "row"), [((), "row 4"), (("--id-column", "id"), "row 5")], ids=["position", "id-column"]
)
def test_a_function_that_raises_is_named_with_the_csv_line(tmp_path, extra, row):
    output = _run(tmp_path, RAISES, "data.csv", CSV, *extra)
    assert f"'boom' raised ZeroDivisionError: division by zero on {row} (line 8 of DATA 'data.csv')" in output


def test_a_value_outside_the_classes_is_named_with_the_csv_line(tmp_path):
    output = _run(tmp_path, OUTSIDE, "data.csv", CSV, "--classes", "spam,ham")
    assert "'odd' returned 'eggs' on row 4 (line 8 of DATA 'data.csv'), expected one of the classes" in output


def test_a_json_lines_row_is_named_with_its_line(tmp_path):
    output = _run(tmp_path, RAISES, "data.jsonl", JSONL)
    assert "on row 2 (line 4 of DATA 'data.jsonl')" in output


def test_a_parquet_row_is_named_by_row_only(tmp_path):
    (tmp_path / "lfs.py").write_text(RAISES)
    pd.DataFrame({"text": ["http://x", "hi", "cash"]}).to_parquet(tmp_path / "data.parquet")
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.parquet"), "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert "division by zero on row 2" in output and "line" not in output


def test_a_vectorised_function_that_raises_names_the_line_in_one_bracket(tmp_path):
    lfs = """from labelwise.weak import labeling_function

@labeling_function(vectorized=True)
def bulk(df):
    return df.text.map(lambda t: 1 / 0 if "cash" in t else None)
"""
    output = _run(tmp_path, lfs, "data.csv", CSV)
    assert "on row 4 (line 8 of DATA 'data.csv'; the first row it raises on by itself)" in output, output


LISTED = RAISES.replace('1 / 0 if "cash"', '["spam"] if "cash"').replace("boom", "listy")


@pytest.mark.parametrize(
    ("extra", "row"), [((), "row 4"), (("--id-column", "id"), "row 5")], ids=["position", "id-column"]
)
def test_a_list_returned_without_classes_is_named_with_the_function_and_csv_line(tmp_path, extra, row):
    """Without --classes a list label is found when the votes are sorted, after every function ran: the
    error still names the function, the row and its line past a blank line and a quoted line break."""
    output = _run(tmp_path, LISTED, "data.csv", CSV, *extra)
    assert f"'listy' returned ['spam'] (a list) on {row}" in output, output
    assert f"on {row} (line 8 of DATA 'data.csv'), expected a single label" in output, output
