"""`labelwise aggregate --gold` whose labels are written otherwise than the answers' classes (session 37's walk)."""

from __future__ import annotations

from click.testing import CliRunner

from labelwise.cli import main

ANSWERS = (
    "item,annotator,label\n"
    "a,w1,cat\na,w2,cat\na,w3,dog\n"
    "b,w1,dog\nb,w2,dog\nb,w3,dog\n"
    "c,w1,cat\nc,w2,dog\nc,w3,cat\n"
    "d,w1,dog\nd,w2,cat\nd,w3,dog\n"
)


def _run(tmp_path, gold: str, *options: str):
    (tmp_path / "answers.csv").write_text(ANSWERS)
    (tmp_path / "gold.csv").write_text(gold)
    out = tmp_path / "out"
    args = ["aggregate", str(tmp_path / "answers.csv"), "--gold", str(tmp_path / "gold.csv"), "--out", str(out)]
    return CliRunner().invoke(main, [*args, "--top", "0", *options]), out


def _words(text: str) -> str:
    return " ".join(text.split())


class TestGoldThatNamesNoClass:
    def test_gold_labels_with_a_trailing_space_are_an_error_not_an_accuracy_of_zero(self, tmp_path):
        """Gold written 'cat ' / 'dog ' (a spreadsheet's trailing space) printed "accuracy vs gold: 0.0000"
        and wrote the folder; now one error line names --gold, the classes and a gold label, and nothing
        is written."""
        result, out = _run(tmp_path, "item,label\na,cat \nb,dog \nc,cat \nd,dog \n")
        assert result.exit_code == 2, result.output
        said = _words(result.output)
        assert "--gold file" in said and "must give labels that are classes of the answers ['cat', 'dog']" in said
        assert "(item 'a' has 'cat ')" in said
        assert not out.exists()

    def test_gold_majority_vote_refuses_gold_that_names_no_class(self, tmp_path):
        """gold-majority-vote weighed every annotator 0 (every gold answer 'wrong') and fell back to
        the plain vote, silently; now an error in the option's name."""
        result, out = _run(tmp_path, "item,label\na,Cat\nb,Dog\n", "--method", "gold-majority-vote")
        assert result.exit_code == 2, result.output
        said = _words(result.output)
        assert "must give labels that are classes of the answers ['cat', 'dog']" in said
        assert "(item 'a' has 'Cat')" in said
        assert not out.exists()

    def test_some_gold_labels_outside_the_classes_are_named_in_a_warning(self, tmp_path):
        """Two gold labels that are no class ('cat ', 'bird') are named, with the items they cost."""
        result, out = _run(tmp_path, "item,label\na,cat \nb,dog\nc,bird\nd,dog\n")
        assert result.exit_code == 0, result.output
        said = _words(result.output)
        assert "warning: --gold file" in said
        assert "has 2 label(s) that are no class of the answers (['cat ', 'bird']" in said
        assert "its 2 item(s) with them count as wrong" in said
        assert "accuracy vs gold:" in said

    def test_gold_written_as_floats_for_integer_classes_needs_no_warning(self, tmp_path):
        """Gold 1.0 / 0.0 (a float column) for the classes 1 / 0 are those classes: no warning, accuracy 1."""
        (tmp_path / "answers.csv").write_text(ANSWERS.replace("cat", "1").replace("dog", "0"))
        (tmp_path / "gold.csv").write_text("item,label\na,1.0\nb,0.0\nc,1.0\nd,0.0\n")
        result = CliRunner().invoke(
            main,
            ["aggregate", str(tmp_path / "answers.csv"), "--gold", str(tmp_path / "gold.csv")]
            + ["--out", str(tmp_path / "out"), "--top", "0", "--method", "majority-vote"],
        )
        assert result.exit_code == 0, result.output
        assert "warning" not in result.output
        assert "accuracy vs gold: 1.0000 on 4 of 4 gold items" in _words(result.output)
