"""``labelwise train-crowds``: ``--smoothing`` / ``--prior-strength`` reach the model; a class no row is
inferred to be is named."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.base import clone

from labelwise.cli import main


@pytest.fixture()
def files(tmp_path):
    """40 rows, two features; three annotators answer by the first feature's sign, wrong on every 5th row;
    one extra answer 'bird' by a fourth annotator."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2))
    pd.DataFrame({"f1": X[:, 0], "f2": X[:, 1]}).to_csv(tmp_path / "data.csv", index=False)
    truth = np.where(X[:, 0] > 0, "pos", "neg")
    flip = {"pos": "neg", "neg": "pos"}
    rows = [(i, f"w{a}", flip[truth[i]] if (i + a) % 5 == 0 else truth[i]) for i in range(40) for a in range(3)]
    pd.DataFrame(rows, columns=["item", "annotator", "label"]).to_csv(tmp_path / "answers.csv", index=False)
    pd.DataFrame([*rows, (3, "w9", "bird")], columns=["item", "annotator", "label"]).to_csv(
        tmp_path / "answers_bird.csv", index=False
    )
    return tmp_path


def run(files, out, *args, answers="answers.csv"):
    argv = ["train-crowds", str(files / "data.csv"), str(files / answers), "--cv", "0", "--max-iter", "5"]
    return CliRunner().invoke(main, [*argv, "--out", str(files / out), *map(str, args)])


def soft(files, out):
    return pd.read_csv(files / out / "soft_labels.csv")[["p_neg", "p_pos"]].to_numpy()


class TestSmoothingOptions:
    def test_smoothing_and_prior_strength_reach_the_model_and_change_its_result_as_the_api(self, files):
        """--smoothing 0 and --prior-strength 2: the saved model holds them, its soft labels are the API's
        fit with them, and each differs from the default run's."""
        runs = {"default": (), "ml": ("--smoothing", "0"), "weak": ("--prior-strength", "2")}
        for out, args in runs.items():
            result = run(files, out, *args)
            assert result.exit_code == 0, result.output
        ml, weak = joblib.load(files / "ml" / "model.joblib"), joblib.load(files / "weak" / "model.joblib")
        assert (ml.smoothing, weak.smoothing, weak.prior_strength) == (0.0, "auto", 2.0)
        X = pd.read_csv(files / "data.csv")
        answers = pd.read_csv(files / "answers.csv", dtype={"label": str, "annotator": str})
        for out, model in (("ml", ml), ("weak", weak)):
            np.testing.assert_allclose(soft(files, out), clone(model).fit(X, answers).posterior_, atol=1e-9)
            assert np.abs(soft(files, out) - soft(files, "default")).max() > 1e-3
        settings = json.loads((files / "ml" / "summary.json").read_text())["settings"]
        assert (settings["smoothing"], settings["prior_strength"]) == (0.0, 8.0)

    def test_init_dawid_skene_gets_the_same_prior(self, files):
        """--init dawid-skene --smoothing 0.5: the starting aggregator has smoothing 0.5 too."""
        result = run(files, "o", "--init", "dawid-skene", "--smoothing", "0.5")
        assert result.exit_code == 0, result.output
        model = joblib.load(files / "o" / "model.joblib")
        assert (model.smoothing, model.init.smoothing) == (0.5, 0.5)

    @pytest.mark.parametrize(
        ("args", "said"),
        [
            (("--smoothing", "x"), "Invalid value for '--smoothing': must be 'auto' or a finite number >= 0"),
            (("--smoothing", "-1"), "Invalid value for '--smoothing': must be 'auto' or a finite number >= 0"),
            (("--smoothing", "inf"), "Invalid value for '--smoothing': must be 'auto' or a finite number >= 0"),
            (("--prior-strength", "inf"), "Invalid value for '--prior-strength': must be a finite number >= 0"),
            (("--prior-strength", "-1"), "Invalid value for '--prior-strength'"),
            (
                ("--smoothing", "0", "--prior-strength", "3"),
                "--prior-strength is only read with --smoothing auto, got it with --smoothing 0",
            ),
        ],
    )
    def test_bad_values_are_refused_naming_the_option(self, files, args, said):
        """Exit 2 with the option and what it takes; nothing written."""
        result = run(files, "o", *args)
        assert result.exit_code == 2 and said in " ".join(result.output.split())
        assert not (files / "o").exists()


class TestClassesNeverInferred:
    def test_a_class_no_row_is_inferred_to_be_is_named_on_screen_and_in_summary(self, files):
        """'bird', one answer: no row's label, so the screen names it and summary.json lists it."""
        result = run(files, "o", answers="answers_bird.csv")
        assert result.exit_code == 0, result.output
        summary = json.loads((files / "o" / "summary.json").read_text())
        (bird,) = summary["classes_never_inferred"]
        probs = pd.read_csv(files / "o" / "soft_labels.csv")["p_bird"]
        assert bird == {"class": "bird", "n_answers": 1, "max_probability": pytest.approx(probs.max(), rel=1e-6)}
        assert (pd.read_csv(files / "o" / "soft_labels.csv")["label"] != "bird").all()
        shown = " ".join(result.stdout.split())
        assert "notice: 1 class(es) of ANSWERS are the inferred label of no row: bird (1 answer, at most" in shown

    def test_no_note_when_every_class_labels_a_row(self, files):
        """Every class is some row's label: an empty list and no notice."""
        result = run(files, "o")
        assert result.exit_code == 0, result.output
        assert json.loads((files / "o" / "summary.json").read_text())["classes_never_inferred"] == []
        assert "inferred label of no row" not in result.stdout
