"""``train`` / ``pseudolabel`` with a model family that takes no sample weights: the options' words."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _table(tmp_path, unlabeled=0.0):
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 80)
    frame = pd.DataFrame({"a": truth * 4.0 + rng.normal(0, 1, 80), "b": rng.normal(0, 1, 80)})
    frame["w"] = np.where(np.arange(80) % 2 == 0, 3.0, 1.0)
    labels = np.array(["no", "yes"], dtype=object)[truth]
    labels[rng.random(80) < unlabeled] = ""
    frame["y"] = labels
    frame.to_csv(tmp_path / "d.csv", index=False)
    return str(tmp_path / "d.csv")


def _words(result):
    return " ".join(result.output.split())


class TestUnweightedFamily:
    def test_knn_takes_no_weights_and_the_others_do(self):
        """The check asks the families themselves: kNN takes no sample_weight, logistic does."""
        from labelwise.cli._weights import takes_weights

        assert not takes_weights("knn") and takes_weights("logistic")

    @pytest.mark.parametrize(
        ("options", "needs"), [(["--weight", "w"], "--weight"), (["--clean", "reweight"], "--clean reweight")]
    )
    def test_train_names_the_option_that_needs_weights(self, tmp_path, options, needs):
        """train --model knn with --weight or --clean reweight names them and the families that work."""
        result = CliRunner().invoke(
            main, ["train", _table(tmp_path), "--label", "y", "--model", "knn", "--out", str(tmp_path / "m"), *options]
        )
        assert result.exit_code != 0
        message = _words(result)
        assert f"{needs} needs a --model that takes sample weights, got --model knn" in message
        assert "pipeline" not in message and "sample_weight" not in message

    def test_pseudolabel_names_the_weight_option(self, tmp_path):
        """pseudolabel --model knn --weight is an error about --weight and --model, not the pipeline's last step."""
        data = _table(tmp_path, unlabeled=0.5)
        out = str(tmp_path / "p")
        result = CliRunner().invoke(
            main, ["pseudolabel", data, "--label", "y", "--model", "knn", "--weight", "w", "--out", out]
        )
        assert result.exit_code != 0
        assert "--weight needs a --model that takes sample weights, got --model knn" in _words(result)

    def test_an_unweighted_teacher_is_a_notice(self, tmp_path):
        """--teacher knn with --weight runs, and says on the screen and in summary.json that the teacher is unweighted."""
        data = _table(tmp_path, unlabeled=0.5)
        out = tmp_path / "p"
        result = CliRunner().invoke(
            main,
            [
                "pseudolabel",
                data,
                "--label",
                "y",
                "--model",
                "logistic",
                "--teacher",
                "knn",
                "--weight",
                "w",
                "--out",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        assert "--teacher knn takes no sample weights" in _words(result)
        notices = json.loads((out / "summary.json").read_text())["notices"]
        assert any(n.startswith("--teacher knn takes no sample weights") for n in notices)


class TestWeightedAccuracyOnScreen:
    def test_screen_says_the_accuracy_is_weighted(self, tmp_path):
        """With --weight, the screen's cross-validated accuracy table says it is weighted, as summary.json does."""
        out = tmp_path / "m"
        args = ["train", _table(tmp_path), "--label", "y", "--model", "logistic", "--weight", "w", "--out", str(out)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text())
        assert summary["cv_accuracy"]["scored_against"].endswith("weighted by --weight")
        assert "(against the given labels, weighted by --weight)" in _words(result)
