"""``labelwise aggregate --shared-confusion``: Dawid-Skene with one confusion for every annotator, and its record in
summary.json."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import DawidSkene
from labelwise.cli import main
from tests.aggregate.test_shared_confusion import slot_answers


@pytest.fixture
def slot_table(tmp_path):
    answers, _ = slot_answers(1500, 3, [0.75, 0.75, 0.75], seed=11)
    path = tmp_path / "slots.csv"
    answers.to_csv(path, index=False)
    return answers, path


def _run(path, out, *extra):
    return CliRunner().invoke(main, ["aggregate", str(path), "--out", str(out), "--quiet", *extra])


@pytest.mark.parametrize(("choice", "value"), [("on", True), ("auto", "auto"), ("off", False)])
def test_the_flag_fits_dawid_skene_with_that_shared_confusion(slot_table, tmp_path, choice, value):
    """Each choice gives DawidSkene(shared_confusion=...)'s labels, and summary.json says whether it was fitted and
    the test's p-value under auto."""
    answers, path = slot_table
    result = _run(path, tmp_path / choice, "--shared-confusion", choice)
    assert result.exit_code == 0, result.output
    est = DawidSkene(shared_confusion=value).fit(answers)
    said = json.loads((tmp_path / choice / "summary.json").read_text())["shared_confusion"]
    assert said["fitted"] is bool(est.shared_confusion_)
    if value == "auto":
        assert said["test"]["df"] == 2 * 3 * 2 and said["test"]["p_value"] == est.shared_test_.p_value
    else:
        assert said["test"] is None
    labels = pd.read_csv(tmp_path / choice / "labels.csv").set_index("item")["label"]
    assert (labels.reindex(est.labels_.index).to_numpy() == est.labels_.to_numpy()).all()


def test_the_flag_with_another_method_is_an_error(slot_table, tmp_path):
    """--shared-confusion is read by dawid-skene only: another method is refused, naming the flag and the method."""
    _, path = slot_table
    result = _run(path, tmp_path / "out", "--method", "one-coin", "--shared-confusion", "on")
    assert result.exit_code != 0
    assert "--shared-confusion is read by --method dawid-skene only, got --method one-coin" in result.output


def test_the_flag_beside_the_param_is_an_error(slot_table, tmp_path):
    """--shared-confusion and --param shared_confusion together are refused."""
    _, path = slot_table
    result = _run(path, tmp_path / "out", "--shared-confusion", "on", "--param", "shared_confusion=false")
    assert result.exit_code != 0
    assert "give --shared-confusion or --param shared_confusion, not both" in result.output
