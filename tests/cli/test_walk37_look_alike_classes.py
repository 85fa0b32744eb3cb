"""Class names that differ only by case or spaces, in `aggregate` and `weak` (session 37's walk).

'pos' and 'pos ' (a trailing space in a spreadsheet, a labeling function's typo) became two classes
with nothing on the screen to say so: the labels then split one class in two.
"""

from __future__ import annotations

from click.testing import CliRunner

from labelwise.cli import main

ANSWERS = "item,annotator,label\na,w1,cat\na,w2,cat \nb,w1,dog\nb,w2,Dog\nc,w1,cat\nc,w2,dog\n"
LFS = """from labelwise.weak import labeling_function

@labeling_function()
def great(row):
    return "pos " if "great" in row.text else None

@labeling_function()
def bad(row):
    return "neg" if "bad" in row.text else ("pos" if "love" in row.text else None)
"""
DATA = "text\ngreat film\nbad film\nlove it\ngreat and bad\n"


def _words(text: str) -> str:
    return " ".join(text.split())


def test_aggregate_names_the_classes_written_two_ways(tmp_path):
    """'cat'/'cat ' and 'Dog'/'dog' are named in one notice, as quoted names, in the classes' order."""
    (tmp_path / "answers.csv").write_text(ANSWERS)
    result = CliRunner().invoke(
        main, ["aggregate", str(tmp_path / "answers.csv"), "--out", str(tmp_path / "out"), "--top", "0"]
    )
    assert result.exit_code == 0, result.output
    said = _words(result.output)
    assert "notice: the answers hold 2 class name(s) written two or more ways but for case or spaces" in said
    assert "('Dog' and 'dog'; 'cat' and 'cat ')" in said


def test_aggregate_says_nothing_of_distinct_names(tmp_path):
    """Classes whose names differ say nothing (the notice is not a constant)."""
    (tmp_path / "answers.csv").write_text(ANSWERS.replace("cat ", "cat").replace("Dog", "dog"))
    result = CliRunner().invoke(
        main, ["aggregate", str(tmp_path / "answers.csv"), "--out", str(tmp_path / "out"), "--top", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "written two or more ways" not in result.output


def test_weak_names_a_function_s_class_with_a_trailing_space(tmp_path):
    """A function returning 'pos ' beside another's 'pos' is named in a notice."""
    (tmp_path / "lfs.py").write_text(LFS)
    (tmp_path / "data.csv").write_text(DATA)
    result = CliRunner().invoke(
        main, ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    said = _words(result.output)
    assert "notice: the functions' votes hold 1 class name(s) written two or more ways" in said
    assert "('pos' and 'pos ')" in said
