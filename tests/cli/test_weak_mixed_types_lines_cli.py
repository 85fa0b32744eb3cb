"""`labelwise weak` names DATA's line of each row its mixed-label-types error names, as its other
labeling-function errors do (main named the rows only)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

LFS = """from labelwise.weak import labeling_function

@labeling_function()
def word(row):
    return "spam" if "http" in row.text else None

@labeling_function()
def count(row):
    return 3 if "cash" in row.text else None
"""

# a blank line and a quoted line break before row 4 (id 5): it is on line 8
CSV = 'id,text\n1,win now http://x\n2,hi mom\n\n3,"see\nhttp://y.com please"\n4,lunch today?\n5,$$$ cash\n6,ok\n'
JSONL = '{"id":1,"text":"win now http://x"}\n{"id":2,"text":"hi mom"}\n\n{"id":5,"text":"$$$ cash"}\n'


def _run(tmp_path, name, *extra):
    (tmp_path / "lfs.py").write_text(LFS)
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / name), "--out", str(tmp_path / "o"), *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "o").exists()
    return " ".join(result.output.split())


@pytest.mark.parametrize(
    ("extra", "rows"), [((), ("row 0", "row 4")), (("--id-column", "id"), ("row 1", "row 5"))], ids=["position", "id"]
)
def test_mixed_types_name_each_rows_csv_line(tmp_path, extra, rows):
    """Each type's example row is followed by its CSV line (a blank line and a quoted break counted)."""
    (tmp_path / "data.csv").write_text(CSV)
    output = _run(tmp_path, "data.csv", *extra)
    assert (
        f"str from 'word' (e.g. 'spam' on {rows[0]}, line 2 of DATA 'data.csv'); "
        f"int from 'count' (e.g. 3 on {rows[1]}, line 8 of DATA 'data.csv'); make them return one type"
    ) in output


def test_mixed_types_name_json_lines_lines(tmp_path):
    """A JSON Lines file's rows are named by their lines (the blank line counted)."""
    (tmp_path / "data.jsonl").write_text(JSONL)
    output = _run(tmp_path, "data.jsonl")
    assert "(e.g. 'spam' on row 0, line 1 of DATA 'data.jsonl')" in output
    assert "(e.g. 3 on row 2, line 4 of DATA 'data.jsonl')" in output


def test_mixed_types_of_a_parquet_name_rows_only(tmp_path):
    """A Parquet file has no lines: the rows alone, as the library words them."""
    pd.DataFrame({"text": ["http://x", "hi", "cash"]}).to_parquet(tmp_path / "data.parquet")
    output = _run(tmp_path, "data.parquet")
    assert "(e.g. 'spam' on row 0); int from 'count' (e.g. 3 on row 2);" in output and "line" not in output
