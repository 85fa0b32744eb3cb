"""``labelwise robustness`` end to end, with click's CliRunner."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.datasets import make_moons

from labelwise.cli import main


@pytest.fixture()
def data_csv(tmp_path):
    X, y = make_moons(160, noise=0.2, random_state=0)
    path = tmp_path / "moons.csv"
    pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "y": pd.Series(y).map({0: "no", 1: "yes"})}).to_csv(path, index=False)
    return path


class TestRobustnessCommand:
    @pytest.mark.slow
    def test_writes_table_plot_and_summary(self, data_csv, tmp_path):
        """The command writes robustness.csv, robustness.png and summary.json and prints the mean table."""
        out = tmp_path / "robust"
        result = CliRunner().invoke(
            main,
            [
                "robustness",
                str(data_csv),
                "--label",
                "y",
                "--attacks",
                "alfa,random",
                "--budgets",
                "0.05,0.1",
                "--models",
                "svc,floral,ln-svm,graph",
                "--seeds",
                "2",
                "--test-size",
                "0.3",
                "--out",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        table = pd.read_csv(out / "robustness.csv")
        assert len(table) == 4 * 2 * 3 * 2
        assert set(table["model"]) == {"svc", "floral", "ln-svm", "graph"}
        assert (out / "robustness.png").read_bytes()[:4] == b"\x89PNG"
        summary = json.loads((out / "summary.json").read_text())
        assert summary["attacks"] == ["alfa", "random"] and summary["budgets"] == [0.05, 0.1]
        assert "mean clean test accuracy" in result.output

    @pytest.mark.parametrize(
        ("args", "match"),
        [
            (["--attacks", "chaos"], "--attacks must be among"),
            (["--models", "forest"], "--models must be among"),
            (["--budgets", "1.5"], r"--budgets must be fractions in \[0, 1\) or counts, got '1.5'"),
            (["--budgets", "x"], "--budgets must be"),
            # a count over the training part named the API's "budget" and a size the user never saw
            (["--budgets", "500"], r"--budgets as a count .* got 500 \(a count is of the 112 training examples"),
            (["--label", "nope"], "--label column 'nope' is not in the data"),
            (["--gamma", "big"], "gamma must be 'scale', 'auto' or a positive number, got 'big'"),
            (["--label", "x1"], "features must be numeric; column 'y' has dtype"),  # pandas 3 str dtype: a TypeError
            # session 27: the line named the API's test=; it names --test-size and the window that works
            (
                ["--test-size", "0.001"],
                r"^error: --test-size must .* with 160 examples be above 0.00625 and at most 0.9875;",
            ),
            (["--test-size", "0.999"], r"^error: --test-size must .* 160 of 160 examples in the test set$"),
        ],
    )
    def test_bad_options_exit_2_with_one_line(self, data_csv, tmp_path, args, match):
        """Bad option values print one error line and exit with status 2."""
        base = {"--label": "y", "--attacks": "random", "--budgets": "0.1", "--models": "svc", "--seeds": "1"}
        for flag, value in zip(args[::2], args[1::2], strict=False):
            base[flag] = value
        argv = ["robustness", str(data_csv), "--out", str(tmp_path / "o")]
        for flag, value in base.items():
            argv += [flag, value]
        result = CliRunner().invoke(main, argv)
        assert result.exit_code == 2
        assert re.search(match, result.output.strip()), result.output


def test_missing_feature_value_names_its_row_and_column(data_csv, tmp_path):
    """A NaN in row 3 was reported at 'row 0': standardising first made its whole column NaN."""
    frame = pd.read_csv(data_csv)
    frame.loc[3, "x2"] = float("nan")
    frame.to_csv(data_csv, index=False)
    args = ["robustness", str(data_csv), "--label", "y", "--attacks", "random", "--models", "svc"]
    result = CliRunner().invoke(main, [*args, "--seeds", "1", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "row 3 column 'x2' is nan" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


class TestBinaryOnlyAttacksOnThreeClasses:
    @pytest.fixture()
    def three_csv(self, tmp_path):
        path = tmp_path / "three.csv"
        pd.DataFrame({"x1": range(30), "x2": [i % 7 for i in range(30)], "y": [i % 3 for i in range(30)]}).to_csv(
            path, index=False
        )
        return path

    def test_given_attack_is_named_as_the_option(self, three_csv, tmp_path):
        """`--attacks alfa` on three classes is an error about --attacks that says which attacks fit."""
        args = [
            "robustness",
            str(three_csv),
            "--label",
            "y",
            "--attacks",
            "random,alfa,lfa",
            "--out",
            str(tmp_path / "o"),
        ]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2
        said = " ".join(result.output.split())
        assert "--attacks alfa,lfa need binary labels, but --label column 'y' has 3 classes" in said
        assert "pass --attacks random,farthest" in said and "defaults" not in said

    def test_the_default_attacks_say_they_are_the_default(self, three_csv, tmp_path):
        """Without --attacks, the error says the default holds alfa (the user never typed it)."""
        result = CliRunner().invoke(main, ["robustness", str(three_csv), "--label", "y", "--out", str(tmp_path / "o")])
        assert result.exit_code == 2
        said = " ".join(result.output.split())
        assert "--attacks alfa needs binary labels" in said and "(--attacks defaults to random,alfa)" in said
