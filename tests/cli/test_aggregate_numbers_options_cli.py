"""``labelwise aggregate-numbers``'s --duplicates, --quiet and --df: the library's fit with the same
settings, the repeats resolved and reported as ``labelwise aggregate`` reports them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import NumericMean, RobustBiasPrecision
from labelwise.cli import main


@pytest.fixture
def answers(tmp_path):
    """Two items, three annotators; annotator a answers item 1 twice (10, then 14)."""
    path = tmp_path / "answers.csv"
    pd.DataFrame(
        {"item": [1, 1, 1, 2, 2, 1], "annotator": list("abcaba"), "value": [10.0, 12.0, 11.0, 20.0, 22.0, 14.0]}
    ).to_csv(path, index=False)
    return path


def _run(*args):
    return CliRunner().invoke(main, ["aggregate-numbers", *map(str, args)])


@pytest.mark.parametrize("policy", ["keep", "last", "mean"])
def test_duplicates_resolve_repeats_as_the_library(answers, tmp_path, policy):
    """--duplicates POLICY: values.csv is NumericMean(duplicates=POLICY)'s; summary.json says the policy,
    the repeats and those folded away, as labelwise aggregate's summary does; the screen says what was done."""
    out = tmp_path / policy
    res = _run(answers, "--method", "mean", "--duplicates", policy, "--out", out)
    assert res.exit_code == 0, res.output
    api = NumericMean(duplicates=policy).fit(pd.read_csv(answers))
    np.testing.assert_allclose(pd.read_csv(out / "values.csv")["value"], api.values_.to_numpy())
    info = json.loads((out / "summary.json").read_text())
    dropped = 0 if policy == "keep" else 1
    assert info["duplicates"] == {"policy": policy, "n_duplicates": 1, "n_dropped": dropped}
    assert info["n_repeated"] == 1 and info["n_answers"] == 6 - dropped
    assert f"(--duplicates {policy})" in " ".join(res.output.split())


def test_duplicates_default_is_keep_as_aggregate(answers, tmp_path):
    """Without --duplicates every answer counts, as labelwise aggregate's default keep."""
    res = _run(answers, "--method", "mean", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["duplicates"]["policy"] == "keep"


def test_quiet_prints_nothing_and_summary_keeps_the_notices(answers, tmp_path):
    """--quiet (one meaning for every command): nothing on stdout, the files written as without it, the
    repeats' count in summary.json; without it the table and the notice are printed."""
    res = _run(answers, "--quiet", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert res.stdout == "" and (tmp_path / "o" / "values.csv").exists()
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["duplicates"]["n_duplicates"] > 0
    loud = _run(answers, "--out", tmp_path / "loud")
    assert "noisiest annotators" in loud.stdout and "repeat an annotator's answer" in loud.stdout


def test_df_reaches_the_robust_model(answers, tmp_path):
    """--method robust --df 2.5: RobustBiasPrecision(df=2.5)'s values; summary.json records df."""
    out = tmp_path / "o"
    res = _run(answers, "--method", "robust", "--df", "2.5", "--out", out)
    assert res.exit_code == 0, res.output
    api = RobustBiasPrecision(df=2.5).fit(pd.read_csv(answers))
    np.testing.assert_allclose(pd.read_csv(out / "values.csv")["value"], api.values_.to_numpy(), rtol=1e-12)
    assert json.loads((out / "summary.json").read_text())["df"] == 2.5


@pytest.mark.parametrize("method", ["bias-precision", "mean", "median"])
def test_df_with_another_method_is_refused(answers, tmp_path, method):
    """--df is read by robust only: with another method it is an error naming --df, robust and the method."""
    res = _run(answers, "--method", method, "--df", "3", "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert "--df is only read by --method robust" in res.output and f"--method {method}" in res.output
    assert not (tmp_path / "o").exists()
