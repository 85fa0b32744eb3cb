"""``labelwise train`` end to end, with click's CliRunner."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.robust import CleanClassifier


def _noisy_table(n=240, seed=0):
    """Three well-separated classes with 20% of the labels moved to the next class."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n)
    x = truth * 4.0 + rng.normal(0, 1.0, n)
    frame = pd.DataFrame({"a": x, "b": x * 0.5 + rng.normal(0, 1, n), "colour": np.where(x > 3, "dark", "light")})
    flipped = rng.random(n) < 0.2
    label = np.where(flipped, (truth + 1) % 3, truth)
    frame["y"] = np.array(["ant", "bee", "cat"])[label]
    return frame, flipped


@pytest.fixture()
def noisy_csv(tmp_path):
    frame, flipped = _noisy_table()
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path, frame, flipped


class TestTrainCommand:
    """Outputs, the saved model and errors."""

    def test_writes_model_issues_and_summary(self, noisy_csv, tmp_path):
        """model.joblib loads and predicts; issues.csv ranks every row; summary has accuracy before/after."""
        path, frame, flipped = noisy_csv
        out = tmp_path / "model"
        result = CliRunner().invoke(
            main, ["train", str(path), "--label", "y", "--clean", "drop", "--out", str(out), "--cv", "3"]
        )
        assert result.exit_code == 0, result.output
        assert "before cleaning" in result.output and "after cleaning" in result.output
        model = joblib.load(out / "model.joblib")
        assert isinstance(model, CleanClassifier)
        features = frame.drop(columns=["y"])
        assert set(model.predict(features.head())) <= {"ant", "bee", "cat"}
        issues = pd.read_csv(out / "issues.csv")
        assert len(issues) == len(frame) and issues["rank"].tolist() == list(range(1, len(frame) + 1))
        summary = json.loads((out / "summary.json").read_text())
        assert summary["n_dropped"] == summary["n_issues"] == int(issues["is_issue"].sum())
        flagged = issues.loc[issues["is_issue"], "row"].to_numpy()
        assert flipped[flagged].mean() > 0.6
        acc = summary["cv_accuracy"]
        assert 0.5 < acc["before_cleaning"] <= 1 and acc["after_cleaning"] >= acc["before_cleaning"] - 0.02
        assert not list(out.glob(".*.tmp"))

    def test_reweight_without_evaluation(self, noisy_csv, tmp_path):
        """--clean reweight drops nothing; --no-evaluate skips the cross-validated accuracy."""
        path, *_ = noisy_csv
        out = tmp_path / "m"
        result = CliRunner().invoke(
            main,
            [
                "train",
                str(path),
                "--label",
                "y",
                "--clean",
                "reweight",
                "--out",
                str(out),
                "--cv",
                "3",
                "--no-evaluate",
            ],
        )
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text())
        assert summary["n_dropped"] == 0 and "cv_accuracy" not in summary

    def test_labels_written_as_01_and_1_are_two_classes(self, tmp_path):
        """A label column holding "01" and "1" was read as one class (the integer 1) and refused."""
        frame, _ = _noisy_table(n=120)
        frame["y"] = np.where(frame["y"] == "ant", "01", "1")
        path = tmp_path / "data.csv"
        frame.to_csv(path, index=False)
        out = tmp_path / "o"
        args = ["train", str(path), "--label", "y", "--model", "logistic", "--no-evaluate", "--out", str(out)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert json.loads((out / "summary.json").read_text())["classes"] == ["01", "1"]
        model = joblib.load(out / "model.joblib")
        assert set(model.predict(frame.drop(columns=["y"]))) <= {"01", "1"}

    def test_missing_label_column_is_one_line_error(self, noisy_csv, tmp_path):
        """An unknown --label exits 2 with the existing columns listed."""
        path, *_ = noisy_csv
        result = CliRunner().invoke(main, ["train", str(path), "--label", "nope", "--out", str(tmp_path / "o")])
        assert result.exit_code == 2
        assert "nope" in result.output and "columns are" in result.output

    def test_class_smaller_than_folds_is_one_line_error(self, tmp_path):
        """A class with fewer rows than --cv exits 2 naming the class."""
        frame, _ = _noisy_table(60)
        frame.loc[:2, "y"] = "rare"
        frame.loc[3:, "y"] = frame.loc[3:, "y"].replace("rare", "ant")
        path = tmp_path / "d.csv"
        frame.to_csv(path, index=False)
        result = CliRunner().invoke(main, ["train", str(path), "--label", "y", "--out", str(tmp_path / "o")])
        assert result.exit_code == 2
        assert "'rare' has 3" in result.output

    def test_rounds_that_leave_one_class_name_rounds(self, tmp_path):
        """Labels without signal and many --rounds: a fold kept one class and sklearn's traceback ended the run;
        now one line naming --rounds, and nothing written."""
        X = np.random.default_rng(0).normal(size=(30, 2))
        pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": np.arange(30) % 3}).to_csv(tmp_path / "d.csv", index=False)
        args = ["train", str(tmp_path / "d.csv"), "--label", "y", "--model", "logistic", "--cv", "2", "--no-evaluate"]
        result = CliRunner().invoke(main, [*args, "--rounds", "100", "--out", str(tmp_path / "o")])
        assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
        assert result.output.startswith("error: --rounds drops too many rows") and "n_rounds" not in result.output
        assert not (tmp_path / "o").exists()

    def test_rounds_above_the_cap_are_a_usage_error(self, noisy_csv, tmp_path):
        """A huge --rounds ran for ever when reweighting (no fixed point to stop at): refused at parse time."""
        path, *_ = noisy_csv
        # --label nope: where --rounds passes parsing the run stops at once, on the unknown column
        result = CliRunner().invoke(main, ["train", str(path), "--label", "nope", "--rounds", "10000000000"])
        assert result.exit_code == 2 and "Invalid value for '--rounds'" in result.output
        assert "1<=x<=100" in result.output


def test_quiet_prints_nothing_and_writes_the_same_files(noisy_csv, tmp_path):
    """train had no --quiet (audit, corrupt, augment... have it): now stdout stays empty and the files are the same."""
    path, _, _ = noisy_csv
    args = ["train", str(path), "--label", "y", "--model", "logistic", "--cv", "3", "--no-evaluate"]
    loud = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "loud")])
    quiet = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "quiet"), "--quiet"])
    assert loud.exit_code == 0 and quiet.exit_code == 0, quiet.output
    assert loud.stdout.strip() != "" and quiet.stdout == ""
    for name in ("issues.csv", "summary.json"):
        assert (tmp_path / "quiet" / name).exists()
    assert (tmp_path / "quiet" / "issues.csv").read_bytes() == (tmp_path / "loud" / "issues.csv").read_bytes()
