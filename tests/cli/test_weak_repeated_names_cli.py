"""``labelwise weak`` names two labeling functions of one name as LFS names them: the module-level Python
names and their lines, and the line (and column) of each entry of the ``lfs`` list. The library's message
named one place twice when one Python function was wrapped twice (``function f at lfs.py:3`` for both)."""

from __future__ import annotations

from click.testing import CliRunner

from labelwise.cli import main

WRAPPED_TWICE = """from labelwise.weak import LabelingFunction


def has_word(row, word):
    return "spam" if word in row.text else None


lfs = [
    LabelingFunction("word", has_word, resources={"word": "cash"}),
    LabelingFunction("word", has_word, resources={"word": "prize"}),
]
"""

ONE_LINE = """from labelwise.weak import LabelingFunction
f = lambda row, w: "spam" if w in row.text else None
lfs = [LabelingFunction("w", f, resources={"w": "a"}), LabelingFunction("w", f, resources={"w": "b"})]
"""

BOUND_AND_LISTED = """from labelwise.weak import labeling_function


@labeling_function(name="link")
def has_http(row):
    return "spam" if "http" in row.text else None


also = labeling_function(name="link")(lambda row: None)
lfs = [has_http, also]
"""


def _error(tmp_path, lfs):
    (tmp_path / "lfs.py").write_text(lfs)
    (tmp_path / "data.csv").write_text("text\nwin cash\nhi\n")
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args, env={"COLUMNS": "1000"})
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "o").exists()
    return " ".join(result.output.split())


def test_one_function_wrapped_twice_is_named_by_the_lines_of_the_list(tmp_path):
    output = _error(tmp_path, WRAPPED_TWICE)
    assert "'word' is the name of lfs[0] (line 9) and lfs[1] (line 10) in" in output, output


def test_entries_on_one_line_are_told_apart_by_their_column(tmp_path):
    output = _error(tmp_path, ONE_LINE)
    assert "'w' is the name of lfs[0] (line 3, column 8) and lfs[1] (line 3, column 56)" in output, output


def test_a_module_level_name_is_said_with_its_line_and_list_entry(tmp_path):
    output = _error(tmp_path, BOUND_AND_LISTED)
    assert (
        "'link' is the name of has_http (line 5; lfs[0] on line 10, column 8) and also (line 9; lfs[1] on line 10, column 18)"
        in output
    ), output
