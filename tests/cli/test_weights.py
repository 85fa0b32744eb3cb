"""``--weight COLUMN`` of ``labelwise train`` and ``pseudolabel``: weights, not a feature."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli._weights import split_weight
from labelwise.errors import InvalidParameterError, MissingColumnError
from labelwise.semi import SelfTrainer


def _table(n=120, seed=0, unlabeled=0.0):
    """Two separable blobs with a weight column (1 or 3) and, optionally, unlabeled rows."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n)
    frame = pd.DataFrame({"a": truth * 4.0 + rng.normal(0, 1, n), "b": rng.normal(0, 1, n)})
    frame["weight"] = np.where(np.arange(n) % 2 == 0, 3.0, 1.0)
    labels = np.array(["no", "yes"], dtype=object)[truth]
    labels[rng.random(n) < unlabeled] = ""
    frame["y"] = labels
    return frame


class TestSplitWeight:
    """split_weight takes the weight column out of the features and checks it."""

    def test_no_column_changes_nothing(self):
        """Without --weight the features are returned as they are, with no weights."""
        features = pd.DataFrame({"a": [1.0, 2.0]})
        assert split_weight(features, None, label="y") == (features, None)

    def test_column_is_removed_and_returned(self):
        """The weights come back as floats; the column is no longer a feature."""
        rest, weights = split_weight(pd.DataFrame({"a": [1.0, 2.0], "w": [2, 0]}), "w", label="y")
        assert list(rest.columns) == ["a"] and weights.tolist() == [2.0, 0.0]

    @pytest.mark.parametrize(("values", "shown"), [([1.0, -1.0], "row 1 is -1.0"), ([1.0, "x"], "row 1 is 'x'")])
    def test_bad_weight_names_the_row(self, values, shown):
        """A negative or non-numeric weight is an error naming the column and the first bad row."""
        features = pd.DataFrame({"a": [1.0, 2.0], "w": pd.Series(values, dtype=object)})
        with pytest.raises(InvalidParameterError, match=f"--weight column 'w' must hold finite non-negative.*{shown}"):
            split_weight(features, "w", label="y")

    def test_all_zero_and_missing_column(self):
        """All-zero weights train nothing; a missing column lists the columns."""
        features = pd.DataFrame({"a": [1.0, 2.0], "w": [0, 0]})
        with pytest.raises(InvalidParameterError, match="positive on some row"):
            split_weight(features, "w", label="y")
        with pytest.raises(MissingColumnError, match="'nope' is not in the data; columns are \\['a', 'w'\\]"):
            split_weight(features, "nope", label="y")


class TestTrainWeight:
    def test_weights_reach_the_fit_and_are_not_a_feature(self, tmp_path):
        """A weight column was learned from as a feature; --weight weights the fit instead."""
        frame = _table()
        path = tmp_path / "d.csv"
        frame.to_csv(path, index=False)
        out = tmp_path / "o"
        args = ["train", str(path), "--label", "y", "--weight", "weight", "--model", "logistic", "--out", str(out)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text())
        assert summary["settings"]["feature_columns"] == ["a", "b"] and summary["settings"]["weight"] == "weight"
        assert summary["cv_accuracy"]["scored_against"].endswith("weighted by --weight")
        model = joblib.load(out / "model.joblib")
        kept = model.sample_weight_ > 0
        np.testing.assert_array_equal(model.sample_weight_[kept], frame["weight"].to_numpy()[kept])

    def test_a_model_without_sample_weight_is_one_line_error(self, tmp_path):
        """kNN takes no sample weights: exit 2 naming --weight and --model, no output folder."""
        path = tmp_path / "d.csv"
        _table().to_csv(path, index=False)
        args = [
            "train",
            str(path),
            "--label",
            "y",
            "--weight",
            "weight",
            "--model",
            "knn",
            "--out",
            str(tmp_path / "o"),
        ]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and "--weight needs a --model that takes sample weights" in result.output
        assert not (tmp_path / "o").exists()


class TestPseudolabelWeight:
    def test_weights_reach_the_self_trainer(self, tmp_path, monkeypatch):
        """The self-trainer is fitted with the column's weights, and the column is not a feature."""
        frame = _table(unlabeled=0.5)
        path = tmp_path / "d.csv"
        frame.to_csv(path, index=False)
        seen = {}
        fit = SelfTrainer.fit

        def spy(self, X, y, sample_weight=None):
            seen["columns"], seen["weights"] = list(X.columns), sample_weight
            return fit(self, X, y, sample_weight=sample_weight)

        monkeypatch.setattr(SelfTrainer, "fit", spy)
        args = ["pseudolabel", str(path), "--label", "y", "--weight", "weight", "--model", "logistic"]
        result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
        assert result.exit_code == 0, result.output
        assert seen["columns"] == ["a", "b"]
        np.testing.assert_array_equal(seen["weights"], frame["weight"].to_numpy())
        assert json.loads((tmp_path / "o" / "summary.json").read_text())["settings"]["weight"] == "weight"
