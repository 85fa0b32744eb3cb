"""``labelwise train-crowds``: a null answer names its option; ``--top`` sizes the annotator table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture()
def files(tmp_path):
    """30 rows, two features; 12 annotators answer every row (the label the first feature's sign gives)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    pd.DataFrame({"f1": X[:, 0], "f2": X[:, 1]}).to_csv(tmp_path / "data.csv", index=False)
    rows = [(i, f"w{a:02d}", "pos" if X[i, 0] > 0 else "neg") for i in range(30) for a in range(12)]
    pd.DataFrame(rows, columns=["item", "annotator", "answer"]).to_csv(tmp_path / "answers.csv", index=False)
    return tmp_path


def run(files, *args):
    return CliRunner().invoke(
        main,
        ["train-crowds", str(files / "data.csv"), str(files / "answers.csv"), "--label-column", "answer"]
        + ["--cv", "0", "--max-iter", "3", "--out", str(files / "out"), *map(str, args)],
        terminal_width=200,
    )


class TestNullAnswers:
    @pytest.mark.parametrize(("column", "option"), [("answer", "--label-column"), ("annotator", "--annotator-column")])
    def test_a_null_answer_names_the_option_of_its_column(self, files, column, option):
        answers = pd.read_csv(files / "answers.csv")
        answers[column] = answers[column].astype(object)
        answers.loc[4, column] = None
        answers.to_csv(files / "answers.csv", index=False)
        result = run(files)
        assert result.exit_code == 2
        assert f"{option} {column!r} of ANSWERS must not be null, got a missing value at row 4" in result.output


class TestTop:
    def test_prints_10_of_the_annotators_by_default(self, files):
        result = run(files)
        assert result.exit_code == 0, result.output
        assert sum(f"w{a:02d}" in result.output for a in range(12)) == 10
        assert "(10 of 12; all in confusions.csv)" in " ".join(result.output.split())

    def test_top_prints_as_many_annotators(self, files):
        result = run(files, "--top", "12")
        assert result.exit_code == 0, result.output
        assert sum(f"w{a:02d}" in result.output for a in range(12)) == 12
        shown = " ".join(result.output.split())
        assert "least accurate annotators" in shown and "of 12;" not in shown

    def test_top_0_prints_no_annotator_table(self, files):
        result = run(files, "--top", "0")
        assert result.exit_code == 0, result.output
        assert "least accurate" not in result.output
