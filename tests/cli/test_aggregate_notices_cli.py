"""`labelwise aggregate` says what it did with inputs it took without an error: an --unsure value no
answer has, a --probs table whose columns name no class."""

from __future__ import annotations

import json

from click.testing import CliRunner

from labelwise.cli import main

ANSWERS = "item,annotator,label\na,w1,pos\na,w2,pos\nb,w1,neg\nb,w2,neg\nb,w3,pos\nc,w1,pos\nc,w3,pos\n"


def _words(text):
    return " ".join(text.split())


def _aggregate(tmp_path, answers, *options):
    (tmp_path / "answers.csv").write_text(answers)
    args = ["aggregate", str(tmp_path / "answers.csv"), "--out", str(tmp_path / "out"), "--top", "0", *options]
    return CliRunner().invoke(main, args)


class TestProbsColumnsNamingNoClass:
    def test_a_notice_says_which_column_was_read_as_which_class(self, tmp_path):
        """Columns `x,y` for classes neg/pos: taken in class order, and the screen says x = 'neg', y = 'pos'."""
        (tmp_path / "p.csv").write_text("item,x,y\na,0.2,0.8\nb,0.7,0.3\nc,0.1,0.9\n")
        result = _aggregate(tmp_path, ANSWERS, "--probs", str(tmp_path / "p.csv"))
        assert result.exit_code == 0, result.output
        said = _words(result.output)
        assert "notice: the --probs table's columns ['x', 'y'] name no class" in said
        assert "taken in class order: x = 'neg', y = 'pos'" in said

    def test_columns_named_by_class_print_no_notice(self, tmp_path):
        """A header naming the classes (any order, or as prob_<class>) is read by name: no notice."""
        for header in ("item,pos,neg", "item,prob_neg,prob_pos"):
            (tmp_path / "p.csv").write_text(f"{header}\na,0.2,0.8\nb,0.7,0.3\nc,0.1,0.9\n")
            result = _aggregate(tmp_path, ANSWERS, "--probs", str(tmp_path / "p.csv"), "--force")
            assert result.exit_code == 0, result.output
            assert "notice" not in result.output

    def test_a_wrong_count_of_unnamed_columns_is_an_error_about_the_option(self, tmp_path):
        """Three unnamed columns for two classes are refused, naming --probs."""
        (tmp_path / "p.csv").write_text("item,x,y,z\na,0.2,0.7,0.1\nb,0.7,0.2,0.1\nc,0.1,0.8,0.1\n")
        result = _aggregate(tmp_path, ANSWERS, "--probs", str(tmp_path / "p.csv"))
        assert result.exit_code == 2
        assert "--probs must have one column per class ['neg', 'pos']" in _words(result.output)


class TestUnsureValueNoAnswerHas:
    def test_a_notice_names_the_value_and_the_labels(self, tmp_path):
        """`--unsure maybe` where no answer is 'maybe': a notice names it and the labels seen, also in summary.json."""
        result = _aggregate(tmp_path, ANSWERS, "--unsure", "maybe")
        assert result.exit_code == 0, result.output
        said = _words(result.output)
        assert "notice: no answer has the --unsure value 'maybe'; the labels are ['neg', 'pos']" in said
        summary = json.loads((tmp_path / "out" / "summary.json").read_text())
        assert summary["unsure"]["n_unsure"] == 0 and "'maybe'" in summary["unsure"]["notice"]

    def test_many_labels_are_cut_to_ten(self, tmp_path):
        """Of many labels the first ten (in text order) are shown, with how many there are."""
        rows = "".join(f"i{n},w{k},{n}\n" for n in range(12) for k in range(2))
        result = _aggregate(tmp_path, "item,annotator,label\n" + rows, "--unsure", "-1")
        assert "(10 of 12)" in _words(result.output)

    def test_a_value_some_answer_has_prints_no_notice(self, tmp_path):
        """When answers carry the value, the count line is enough: no notice."""
        result = _aggregate(tmp_path, ANSWERS + "c,w2,maybe\n", "--unsure", "maybe")
        assert result.exit_code == 0, result.output
        assert "unsure answers: 1 handled" in _words(result.output) and "notice" not in result.output
        summary = json.loads((tmp_path / "out" / "summary.json").read_text())
        assert "notice" not in summary["unsure"]
