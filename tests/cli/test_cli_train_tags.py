"""``labelwise train-tags``: train on a noisy tags column, the model and the outputs it writes."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.model_selection import KFold

from labelwise.cli import main


def _table(path, n=120):
    """Two features; tags cat/dog follow them, 30% of the given ones dropped; 'rare' on 2 rows only."""
    rng = np.random.default_rng(0)
    truth = rng.random((n, 2)) < 0.5
    X = rng.normal(size=(n, 2)) + 2.5 * truth
    given = truth & (rng.random((n, 2)) > 0.3)
    names = np.array(["cat", "dog"])
    tags = ["|".join(names[row]) for row in given]
    tags[0] = tags[0] + "|rare" if tags[0] else "rare"
    tags[1] = "rare"
    pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "tags": tags}).to_csv(path, index=False)
    return X, truth


class TestTrainTags:
    def test_writes_a_model_that_predicts_tags_and_the_audit_of_the_cells(self, tmp_path):
        """model.joblib predicts tag lists; issues.csv, classes.csv and summary.json describe the cleaning."""
        _table(tmp_path / "d.csv")
        out = tmp_path / "out"
        result = CliRunner().invoke(
            main, ["train-tags", str(tmp_path / "d.csv"), "--label", "tags", "--cv", "3", "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text())
        assert summary["classes"] == ["cat", "dog", "rare"] and summary["skipped_tags"] == ["rare"]
        assert summary["n_missing"] > 0 and summary["settings"]["clean"] == "reweight"
        model = joblib.load(out / "model.joblib")
        frame = pd.read_csv(tmp_path / "d.csv").drop(columns="tags")
        assert model.predict_proba(frame).shape == (120, 3)
        assert all(set(tags) <= {"cat", "dog"} for tags in model.predict_tags(frame))
        classes = pd.read_csv(out / "classes.csv")
        assert classes["fitted"].tolist() == [True, True, False]
        assert len(pd.read_csv(out / "issues.csv")) == 120

    def test_no_tag_to_cross_validate_names_the_label_column(self, tmp_path):
        """A tags column where no tag has --cv present and absent rows is refused, naming it."""
        pd.DataFrame({"a": np.arange(6.0), "tags": ["x"] * 6}).to_csv(tmp_path / "d.csv", index=False)
        result = CliRunner().invoke(
            main, ["train-tags", str(tmp_path / "d.csv"), "--label", "tags", "--out", str(tmp_path / "o")]
        )
        assert result.exit_code != 0
        assert "--label column 'tags' has no tag with at least --cv=5" in result.output


class TestThresholds:
    def test_auto_thresholds_are_the_models_and_written_per_tag(self, tmp_path):
        """--thresholds auto (the default) keeps the model's per-tag thresholds, written to classes.csv and summary.json."""
        _table(tmp_path / "d.csv")
        out = tmp_path / "out"
        args = ["train-tags", str(tmp_path / "d.csv"), "--label", "tags", "--cv", "3", "--out", str(out)]
        assert CliRunner().invoke(main, args).exit_code == 0
        model = joblib.load(out / "model.joblib")
        classes = pd.read_csv(out / "classes.csv")
        np.testing.assert_allclose(classes["threshold"], model.thresholds_)
        assert json.loads((out / "summary.json").read_text())["settings"]["thresholds"] == "auto"
        assert model.thresholds[:4] == "auto" and model.thresholds_[2] == 0.5  # 'rare' is not fitted

    def test_a_number_is_every_tags_threshold(self, tmp_path):
        """--thresholds 0.3 gives every tag the threshold 0.3."""
        _table(tmp_path / "d.csv")
        out = tmp_path / "out"
        args = ["train-tags", str(tmp_path / "d.csv"), "--label", "tags", "--cv", "3", "--thresholds", "0.3"]
        assert CliRunner().invoke(main, [*args, "--out", str(out)]).exit_code == 0
        np.testing.assert_array_equal(joblib.load(out / "model.joblib").thresholds_, [0.3, 0.3, 0.3])

    def test_a_bad_threshold_names_the_option(self, tmp_path):
        """A threshold outside (0, 1) or not a number is a usage error naming --thresholds."""
        _table(tmp_path / "d.csv")
        for value in ("1", "best"):
            args = ["train-tags", str(tmp_path / "d.csv"), "--label", "tags", "--thresholds", value]
            result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
            assert result.exit_code == 2 and "Invalid value for '--thresholds'" in result.output


class TestThresholdsNotANumber:
    def test_nan_is_a_usage_error_naming_the_option(self, tmp_path):
        """--thresholds nan passes click's range check (NaN compares false): it is refused as a usage
        error naming --thresholds, not by the model naming its parameter."""
        _table(tmp_path / "d.csv")
        args = ["train-tags", str(tmp_path / "d.csv"), "--label", "tags", "--thresholds", "nan"]
        result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
        assert result.exit_code == 2 and "Invalid value for '--thresholds'" in result.output
        assert not (tmp_path / "o").exists()


class TestReweightNeedsWeights:
    def test_reweight_with_a_model_that_takes_no_weights_names_the_options(self, tmp_path):
        """--clean reweight --model knn is a usage error naming --clean and --model knn (not the API's
        action= and a pipeline step), and writes nothing."""
        _table(tmp_path / "d.csv")
        args = ["train-tags", str(tmp_path / "d.csv"), "--label", "tags", "--clean", "reweight", "--model", "knn"]
        result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
        assert result.exit_code == 2 and "Invalid value for '--clean'" in result.output
        assert "--model knn takes no sample weights" in result.output
        assert not (tmp_path / "o").exists()


def _run(tmp_path, out: str, *options: str):
    """train-tags on _table's file with --cv 3 and ``options``; the result and the output folder."""
    args = ["train-tags", str(tmp_path / "d.csv"), "--label", "tags", "--cv", "3", *options]
    return CliRunner().invoke(main, [*args, "--out", str(tmp_path / out)]), tmp_path / out


class TestFoldsAndJobs:
    def test_folds_kfold_splits_the_rows_by_shuffled_kfold(self, tmp_path):
        """--folds kfold is the API's cv=KFold(--cv, shuffle=True, random_state=--random-state): other
        out-of-fold probabilities than the iterative folds (the default), written to summary.json."""
        _table(tmp_path / "d.csv")
        plain, plain_out = _run(tmp_path, "k", "--folds", "kfold")
        iterative, iterative_out = _run(tmp_path, "i")
        assert plain.exit_code == 0 and iterative.exit_code == 0, plain.output + iterative.output
        model = joblib.load(plain_out / "model.joblib")
        assert isinstance(model.cv, KFold) and model.cv.get_n_splits() == 3
        assert model.cv.shuffle and model.cv.random_state == 0
        assert joblib.load(iterative_out / "model.joblib").cv == 3
        assert (model.pred_probs_ != joblib.load(iterative_out / "model.joblib").pred_probs_).any()
        assert json.loads((plain_out / "summary.json").read_text())["settings"]["folds"] == "kfold"
        assert json.loads((iterative_out / "summary.json").read_text())["settings"]["folds"] == "iterative"

    def test_n_jobs_gives_the_same_outputs_as_one_at_a_time(self, tmp_path):
        """--n-jobs 2 reaches the model's n_jobs and writes the same issues, classes and probabilities."""
        _table(tmp_path / "d.csv")
        one, one_out = _run(tmp_path, "one")
        two, two_out = _run(tmp_path, "two", "--n-jobs", "2")
        assert one.exit_code == 0 and two.exit_code == 0, one.output + two.output
        for name in ("issues.csv", "classes.csv"):
            assert (one_out / name).read_bytes() == (two_out / name).read_bytes()
        a, b = joblib.load(one_out / "model.joblib"), joblib.load(two_out / "model.joblib")
        assert b.n_jobs == 2 and a.n_jobs is None
        frame = pd.read_csv(tmp_path / "d.csv").drop(columns="tags")
        np.testing.assert_array_equal(a.predict_proba(frame), b.predict_proba(frame))
        assert json.loads((two_out / "summary.json").read_text())["settings"]["n_jobs"] == 2

    @pytest.mark.parametrize(("option", "value"), [("--n-jobs", "0"), ("--n-jobs", "two"), ("--folds", "stratified")])
    def test_a_bad_value_is_a_usage_error_naming_the_option(self, tmp_path, option, value):
        """0 workers, a word for a count, an unknown splitter: exit 2 naming the option, nothing written."""
        _table(tmp_path / "d.csv")
        result, out = _run(tmp_path, "o", option, value)
        assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.output
        assert not out.exists()


class TestDefaultClean:
    def test_the_default_flips_for_a_model_without_weights_and_says_so(self, tmp_path):
        """--clean defaults to reweight, which needs sample weights: --model knn alone was a usage error;
        now it is cleaned by flip, with a note on the screen and in summary.json."""
        _table(tmp_path / "d.csv")
        flipped, out = _run(tmp_path, "o", "--model", "knn")
        assert flipped.exit_code == 0, flipped.output
        assert "note: --model knn takes no sample weights" in flipped.output
        summary = json.loads((out / "summary.json").read_text())
        assert summary["settings"]["clean"] == "flip" and summary["notices"]
        assert joblib.load(out / "model.joblib").action == "flip"
        weighted, out = _run(tmp_path, "w")
        assert weighted.exit_code == 0 and joblib.load(out / "model.joblib").action == "reweight"
        assert json.loads((out / "summary.json").read_text())["notices"] == []

    def test_tag_lists_from_json_lines_train_as_the_csv_cells(self, tmp_path):
        """A JSON Lines tags column of lists was refused ("use --task multilabel", an option train-tags does
        not have): it trains the same model as the 'a|b' cells of a CSV."""
        _table(tmp_path / "d.csv")
        frame = pd.read_csv(tmp_path / "d.csv", keep_default_na=False)
        frame["tags"] = [t.split("|") if t else [] for t in frame["tags"]]
        frame.to_json(tmp_path / "d.jsonl", orient="records", lines=True)
        csv_run, csv_out = _run(tmp_path, "c")
        args = ["train-tags", str(tmp_path / "d.jsonl"), "--label", "tags", "--cv", "3", "--out", str(tmp_path / "j")]
        json_run = CliRunner().invoke(main, args)
        assert csv_run.exit_code == 0 and json_run.exit_code == 0, json_run.output
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "j" / "issues.csv"), pd.read_csv(csv_out / "issues.csv"))
