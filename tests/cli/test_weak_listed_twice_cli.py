"""`labelwise weak` with one function listed twice in lfs.py's list: remove it, not rename it (weakwalk50)."""

from __future__ import annotations

from click.testing import CliRunner

from labelwise.cli import main

LISTED_TWICE = """from labelwise import weak

@weak.labeling_function()
def a(row):
    return "spam" if "http" in row.text else None

@weak.labeling_function()
def b(row):
    return "ham" if len(row.text) < 5 else None

lfs = [a, b, a]
"""


def test_one_function_listed_twice_is_named_by_its_list_entries_and_told_to_be_removed(tmp_path):
    """The error names both entries of the list and says remove one, without advice to rename it."""
    (tmp_path / "lfs.py").write_text(LISTED_TWICE)
    (tmp_path / "data.csv").write_text("text\nwin http://x\nhi\n")
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args, env={"COLUMNS": "1000"})
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert (
        "listed once each: a (line 4; lfs[0] on line 11, column 8) and a (line 4; lfs[2] on line 11, column 14)"
        in output
    ), output
    assert "are the same labeling function 'a'; remove one" in output and "another name" not in output
    assert not (tmp_path / "o").exists()
