"""``labelwise train --method reweight | forward``: loss correction from the command line."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.robust import ForwardCorrection, ImportanceReweighting


@pytest.fixture()
def noisy_csv(tmp_path):
    """Three separated classes, 20% of the labels moved to the next class, a text column."""
    rng = np.random.default_rng(0)
    n = 180
    truth = rng.integers(0, 3, n)
    x = truth * 4.0 + rng.normal(0, 1.0, n)
    frame = pd.DataFrame({"a": x, "b": x * 0.5 + rng.normal(0, 1, n), "colour": np.where(x > 3, "dark", "light")})
    label = np.where(rng.random(n) < 0.2, (truth + 1) % 3, truth)
    frame["y"] = np.array(["ant", "bee", "cat"])[label]
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path, frame


def _run(*args):
    return CliRunner().invoke(main, ["train", *map(str, args)])


class TestMethods:
    @pytest.mark.slow
    def test_forward_writes_model_transition_and_summary(self, noisy_csv, tmp_path):
        """--method forward saves a pipeline ending in ForwardCorrection, transition.csv and no issues.csv."""
        path, frame = noisy_csv
        out = tmp_path / "fw"
        result = _run(path, "--label", "y", "--method", "forward", "--cv", "3", "--out", out)
        assert result.exit_code == 0, result.output
        model = joblib.load(out / "model.joblib")
        assert isinstance(model.steps[-1][1], ForwardCorrection)
        assert set(model.predict(frame.drop(columns="y").head())) <= {"ant", "bee", "cat"}
        table = pd.read_csv(out / "transition.csv")
        assert table["true_label"].tolist() == ["ant", "bee", "cat"]
        assert np.allclose(table[["ant", "bee", "cat"]].sum(axis=1), 1.0)
        assert not (out / "issues.csv").exists()
        summary = json.loads((out / "summary.json").read_text())
        assert summary["method"] == "forward" and summary["settings"]["transition"] == "confident_joint"
        assert 0 < summary["noise_rate"] < 0.5
        assert "corrected (forward)" in result.output

    def test_reweight_with_anchor_points(self, noisy_csv, tmp_path):
        """--method reweight --transition anchor saves an ImportanceReweighting and its weights' summary."""
        path, _ = noisy_csv
        out = tmp_path / "rw"
        result = _run(
            path, "--label", "y", "--method", "reweight", "--transition", "anchor", "--model", "logistic",
            "--cv", "3", "--no-evaluate", "--out", out,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert isinstance(joblib.load(out / "model.joblib"), ImportanceReweighting)
        summary = json.loads((out / "summary.json").read_text())
        assert summary["settings"]["transition"] == "anchor"
        assert summary["importance_weights"]["min"] >= 0 and "cv_accuracy" not in summary

    def test_default_method_is_clean(self, noisy_csv, tmp_path):
        """Without --method, train cleans as before and says so in summary.json."""
        path, _ = noisy_csv
        out = tmp_path / "cl"
        result = _run(path, "--label", "y", "--model", "logistic", "--cv", "3", "--no-evaluate", "--out", out)
        assert result.exit_code == 0, result.output
        assert json.loads((out / "summary.json").read_text())["settings"]["method"] == "clean"
        assert (out / "issues.csv").exists() and not (out / "transition.csv").exists()

    def test_force_rerun_with_another_method_removes_the_earlier_outputs(self, noisy_csv, tmp_path):
        """A --force run of clean over a forward run removes the forward run's transition.csv."""
        path, _ = noisy_csv
        out = tmp_path / "both"
        common = ("--label", "y", "--model", "logistic", "--cv", "3", "--no-evaluate", "--out", out)
        assert _run(path, *common, "--method", "forward").exit_code == 0
        result = _run(path, *common, "--force")
        assert result.exit_code == 0, result.output
        assert (out / "issues.csv").exists() and not (out / "transition.csv").exists()


class TestOptionErrors:
    @pytest.mark.parametrize(
        ("args", "match"),
        [
            (("--method", "forward", "--model", "knn"), "--model is not used by --method forward"),
            (("--method", "reweight", "--rounds", "2"), "--rounds applies to --method clean only"),
            (("--method", "forward", "--clean", "reweight"), "--clean applies to --method clean only"),
            (("--method", "reweight", "--filter-by", "both"), "--filter-by applies to --method clean only"),
            (("--method", "reweight", "--model", "knn"), "--method reweight needs a --model that takes sample weights"),
            (("--method", "sideways"), "--method"),
            (("--method", "forward", "--transition", "gold"), "--transition"),
            (("--transition", "anchor"), "--transition applies to --method reweight or forward only"),
        ],
    )
    def test_refused_with_one_line_naming_the_option(self, noisy_csv, tmp_path, args, match):
        """Options the method would ignore, or bad values, exit 2 with the option named."""
        path, _ = noisy_csv
        result = _run(path, "--label", "y", "--cv", "3", "--out", tmp_path / "x", *args)
        assert result.exit_code == 2, result.output
        assert match in result.output
