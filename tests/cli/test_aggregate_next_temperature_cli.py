"""`labelwise aggregate --next N --temperature T`: ActiveLab's calibration of --probs chosen on the
command line (``active_learning_scores(..., temperature=T)``), and its bad values refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.aggregate import active_learning_scores
from labelwise.cli import main
from tests.aggregate._crowd import confusion_crowd

CLASSES = np.array(["cat", "dog", "fox"])


def _inputs(tmp_path):
    answers, truth = confusion_crowd(60, 3, (0.8, 0.7, 0.65, 0.6), per_item=2, seed=0)
    answers["label"] = CLASSES[answers["label"]]
    rng = np.random.default_rng(1)
    probs = rng.dirichlet(np.ones(3), 60) * 0.4
    probs[np.arange(60), truth.to_numpy()] += 0.6
    answers.to_csv(tmp_path / "answers.csv", index=False)
    pd.DataFrame(probs, columns=CLASSES).rename_axis("item").reset_index().to_csv(tmp_path / "probs.csv", index=False)
    return tmp_path / "answers.csv", tmp_path / "probs.csv"


def _run(*args):
    return CliRunner().invoke(main, ["aggregate", *map(str, args)])


def test_a_given_temperature_is_the_apis_and_one_keeps_labels_csvs_consensus(tmp_path):
    """--temperature 2.5 ranks as active_learning_scores(temperature=2.5); --temperature 1 leaves
    --probs as given, so ActiveLab's consensus is labels.csv's; summary.json says the temperature."""
    answers_path, probs_path = _inputs(tmp_path)
    res = _run(answers_path, "--probs", probs_path, "--next", 10, "--temperature", "2.5", "--out", tmp_path / "t")
    assert res.exit_code == 0, res.output
    answers = pd.read_csv(answers_path, dtype={"item": str})
    probs = pd.read_csv(probs_path, dtype={"item": str}).set_index("item")
    want = active_learning_scores(answers, probs, temperature=2.5).next(10)
    got = pd.read_csv(tmp_path / "t" / "next_to_label.csv", dtype={"item": str})
    assert got["item"].tolist() == want["item"].astype(str).tolist()
    np.testing.assert_allclose(got["score"], want["score"], rtol=1e-12)
    assert json.loads((tmp_path / "t" / "summary.json").read_text())["next"]["temperature"] == 2.5
    res = _run(answers_path, "--probs", probs_path, "--next", 10, "--temperature", "1", "--out", tmp_path / "one")
    assert res.exit_code == 0, res.output
    entry = json.loads((tmp_path / "one" / "summary.json").read_text())["next"]
    assert entry["temperature"] == 1.0 and entry["n_consensus_not_as_labels_csv"] == 0


def test_a_bad_temperature_or_one_without_next_is_refused(tmp_path):
    """0, -1, inf or a word: one line naming --temperature; --temperature without --next likewise."""
    answers_path, probs_path = _inputs(tmp_path)
    for value in ("0", "-1", "inf", "hot"):
        res = _run(answers_path, "--probs", probs_path, "--next", 5, "--temperature", value, "--out", tmp_path / "o")
        assert res.exit_code != 0 and f"--temperature must be 'fit' or a number > 0, got '{value}'" in res.output
    res = _run(answers_path, "--probs", probs_path, "--temperature", "2", "--out", tmp_path / "o")
    assert res.exit_code != 0 and "--temperature is only read with --next N" in res.output
    assert not (tmp_path / "o").exists()
