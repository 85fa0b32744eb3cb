"""``labelwise evaluate --classes``: probability files and ``--human-counts`` with a class no test item has."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.evaluate import corrected_benchmark, corrections_from_counts


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.fixture()
def files(tmp_path):
    """40 test items labelled cat/dog, a model's probabilities over cat, dog, owl (owl wins on some rows), corrections."""
    rng = np.random.default_rng(1)
    n = 40
    given = np.array(["cat", "dog"])[np.arange(n) % 2]
    probs = rng.dirichlet(np.ones(3), size=n)
    (tmp_path / "preds").mkdir()
    np.save(tmp_path / "preds" / "m.npy", probs)
    np.save(tmp_path / "preds" / "copy.npy", given)
    pd.DataFrame({"label": given}).to_csv(tmp_path / "test.csv", index=False)
    pd.DataFrame({"row": [1, 2], "action": "relabel", "new_label": ["cat", "dog"]}).to_csv(
        tmp_path / "changes.csv", index=False
    )
    counts = rng.integers(0, 3, size=(n, 3))
    np.save(tmp_path / "counts.npy", counts)
    argv = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "test.csv"), "--seeds", "1"]
    return tmp_path, argv, given, probs, counts


def _refused_then_run(runner, argv, d):
    """Without --classes the command's error points at --classes; with cat,dog,owl it writes d/out."""
    res = runner.invoke(main, [*argv, "--out", str(d / "plain")])
    assert res.exit_code == 2 and "pass --classes" in res.output and "on the command line" not in res.output, res.output
    res = runner.invoke(main, [*argv, "--classes", "cat,dog,owl", "--out", str(d / "out")])
    assert res.exit_code == 0, res.output


def test_a_class_no_test_item_has_is_scored_as_a_column(runner, files):
    """cat,dog,owl: a row whose argmax is owl is a wrong prediction (accuracy by hand), as the API's classes=."""
    d, argv, given, probs, _ = files
    argv = [*argv, "--corrections", str(d / "changes.csv")]
    _refused_then_run(runner, argv, d)
    table = pd.read_csv(d / "out" / "table.csv").set_index("model")
    predicted = np.array(["cat", "dog", "owl"])[probs.argmax(axis=1)]
    assert (predicted == "owl").any()
    assert table.loc["m", "original"] == pytest.approx(np.mean(predicted == given))
    corrected = given.copy()
    corrected[[1, 2]] = ["cat", "dog"]
    expected = corrected_benchmark(
        {"copy": given, "m": probs}, given, corrected, classes=["cat", "dog", "owl"], seeds=1
    )
    np.testing.assert_allclose(table.loc[["copy", "m"], "corrected"], expected.table.loc[["copy", "m"], "corrected"])
    summary = json.loads((d / "out" / "summary.json").read_text())
    assert summary["classes"] == ["cat", "dog", "owl"]
    assert summary["settings"]["classes"] == ["cat", "dog", "owl"]


def test_human_counts_may_vote_for_a_class_no_test_item_has(runner, files):
    """--human-counts with an owl column: the plurality may correct a label to owl; the scores equal the API's."""
    d, argv, given, probs, counts = files
    argv = [*argv, "--human-counts", str(d / "counts.npy")]
    _refused_then_run(runner, argv, d)
    fixes = corrections_from_counts(counts, given, classes=["cat", "dog", "owl"])
    assert "owl" in set(fixes.corrected)
    expected = corrected_benchmark(
        {"copy": given, "m": probs},
        given,
        fixes.corrected,
        soft_labels=fixes.soft_labels,
        classes=["cat", "dog", "owl"],
        seeds=1,
    )
    table = pd.read_csv(d / "out" / "table.csv").set_index("model")
    for column in ("original", "corrected", "correctable", "expected_corrected"):
        np.testing.assert_allclose(table.loc[["copy", "m"], column], expected.table.loc[["copy", "m"], column])


def test_integer_labels_are_named_as_integers(runner, tmp_path):
    """Test labels 0/1 in a .npy, probabilities over 0, 1, 2: --classes 0,1,2 scores the 2 column as a class."""
    rng = np.random.default_rng(2)
    given = np.arange(30) % 2
    probs = rng.dirichlet(np.ones(3), size=30)
    (tmp_path / "preds").mkdir()
    np.save(tmp_path / "preds" / "m.npy", probs)
    np.save(tmp_path / "test.npy", given)
    np.save(tmp_path / "fixed.npy", np.where(np.arange(30) == 3, 0, given))
    argv = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "test.npy"), "--seeds", "1"]
    argv += ["--corrections", str(tmp_path / "fixed.npy"), "--classes", "0,1,2", "--out", str(tmp_path / "out")]
    res = runner.invoke(main, argv)
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["classes"] == [0, 1, 2]
    table = pd.read_csv(tmp_path / "out" / "table.csv").set_index("model")
    assert table.loc["m", "original"] == pytest.approx(np.mean(probs.argmax(axis=1) == given))


@pytest.mark.parametrize(
    ("extra", "classes", "message"),
    [
        ("corrections", " , ", "--classes must name the class of each probability column, comma-separated, got ' , '"),
        ("corrections", "cat,owl,cat", "--classes must name each column once, 'cat' is given more than once"),
        ("corrections", "cat,dog", "--classes names 2 classes but PREDICTIONS file 'm' has 3 columns"),
        ("corrections", "cat,owl,fox", "--labels has labels that --classes does not name: ['dog']"),
        ("bad_corrections", "cat,dog,owl", "--corrections has labels that --classes does not name: ['fox']"),
        ("counts", "cat,dog,owl,fox", "--classes names 4 classes but PREDICTIONS file 'm' has 3 columns"),
    ],
)
def test_bad_classes_are_named(runner, files, extra, classes, message):
    """Empty, repeated, too few, or leaving a test or corrected label out: one line, exit 2, nothing written."""
    d, argv, *_ = files
    pd.DataFrame({"row": [1], "action": "relabel", "new_label": ["fox"]}).to_csv(d / "fox.csv", index=False)
    source = {"corrections": ["--corrections", str(d / "changes.csv")]}
    source["bad_corrections"] = ["--corrections", str(d / "fox.csv")]
    source["counts"] = ["--human-counts", str(d / "counts.npy")]
    res = runner.invoke(main, [*argv, *source[extra], "--classes", classes, "--out", str(d / "out")])
    assert res.exit_code == 2 and message in res.output, res.output
    assert not (d / "out").exists()


def test_human_counts_of_another_width_are_named(runner, files):
    """--classes fits the probabilities but not --human-counts (2 columns): the line names --human-counts."""
    d, argv, given, *_ = files
    (d / "preds" / "m.npy").unlink()
    np.save(d / "two.npy", np.ones((len(given), 2), dtype=int))
    res = runner.invoke(
        main, [*argv, "--human-counts", str(d / "two.npy"), "--classes", "cat,dog,owl", "--out", str(d / "out")]
    )
    assert res.exit_code == 2, res.output
    assert "--classes names 3 classes but --human-counts has 2 columns (one class per column)" in res.output
