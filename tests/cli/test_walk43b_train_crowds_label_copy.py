"""``labelwise train-crowds`` names a column of DATA that holds the answers' classes and agrees with their
majority vote: a label column left among the features, which the model would learn the labels from."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _files(tmp_path, extra: dict[str, np.ndarray], *, numeric: bool = False):
    """60 rows, three answers each (70% right), DATA with two features plus ``extra``; no --id-column."""
    rng = np.random.default_rng(1)
    n = 60
    truth = np.arange(n) % 3
    data = pd.DataFrame({"a": truth * 2.0 + rng.normal(size=n), "b": rng.normal(size=n), **extra})
    rows = np.repeat(np.arange(n), 3)
    label = np.where(rng.random(rows.size) < 0.7, truth[rows], rng.integers(0, 3, rows.size))
    names = np.arange(3) if numeric else np.array(["pinot noir", "syrah", "merlot"], dtype=object)
    answers = pd.DataFrame({"item": rows, "annotator": np.tile(["p", "q", "r"], n), "label": names[label]})
    data.to_csv(tmp_path / "data.csv", index=False)
    answers.to_csv(tmp_path / "answers.csv", index=False)
    return truth, names


def _run(tmp_path):
    out = tmp_path / "out"
    argv = ["train-crowds", str(tmp_path / "data.csv"), str(tmp_path / "answers.csv"), "--out", str(out)]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split()), json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("numeric", [False, True], ids=["texts", "numbers"])
def test_a_true_label_column_in_data_is_named(tmp_path, numeric):
    """A column of the true classes (texts, or numbers as floats) beside the features gets a notice naming it."""
    truth, names = _files(tmp_path, {}, numeric=numeric)
    frame = pd.read_csv(tmp_path / "data.csv")
    frame["true_label"] = names[truth].astype(float) if numeric else names[truth]
    frame.to_csv(tmp_path / "data.csv", index=False)
    output, summary = _run(tmp_path)
    assert "notice: DATA's column 'true_label' holds classes of ANSWERS and agrees with their majority vote" in output
    assert "if it is a label column, drop it from DATA" in output
    assert len(summary["notices"]) == 1 and "'true_label'" in summary["notices"][0]


def test_a_feature_holding_class_numbers_by_chance_is_not_named(tmp_path):
    """A guard: a feature of values 0..2 drawn at random (classes 0..2) agrees with the vote only by chance."""
    _files(tmp_path, {"dice": np.random.default_rng(5).integers(0, 3, 60)}, numeric=True)
    output, summary = _run(tmp_path)
    assert "notice: DATA's column" not in output
    assert "notices" not in summary
