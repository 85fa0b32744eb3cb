"""``labelwise audit`` with the data checks: default run, --features, --split-column, --checks label."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture()
def runner():
    return CliRunner()


def _table(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "a": y * 4 + rng.normal(size=n),
            "b": rng.normal(size=n),
            "colour": rng.choice(["red", "blue"], n),
            "y": np.where(y == 1, "yes", "no"),
        }
    )
    frame.loc[7, ["a", "b", "colour"]] = frame.loc[3, ["a", "b", "colour"]].to_numpy()
    frame["split"] = np.where(np.arange(n) < 150, "train", "test")
    frame.loc[160, ["a", "b", "colour"]] = frame.loc[10, ["a", "b", "colour"]].to_numpy()
    return frame


def _run(runner, tmp_path, *args):
    data = tmp_path / "data.csv"
    _table().to_csv(data, index=False)
    out = tmp_path / "out"
    result = runner.invoke(main, ["audit", str(data), "--label", "y", "--out", str(out), "--cv", "3", *args])
    assert result.exit_code == 0, result.output
    return pd.read_csv(out / "issues.csv"), json.loads((out / "summary.json").read_text()), result.output


def test_default_run_adds_every_check_that_applies(runner, tmp_path):
    """issues.csv gains is_/score columns per check; summary.json a section per check; split is not a feature."""
    issues, summary, output = _run(runner, tmp_path, "--split-column", "split")
    assert len(issues) == 200
    for name in ["outlier", "exact_duplicate", "near_duplicate", "leakage", "non_iid", "data_valuation"]:
        assert f"is_{name}_issue" in issues and f"{name}_score" in issues
        assert summary["data_checks"][name]["status"] == "ran"
    by_row = issues.set_index("row")
    assert by_row.loc[[3, 7], "is_exact_duplicate_issue"].all()
    assert by_row.loc[160, "is_leakage_issue"] and not by_row.loc[10, "is_leakage_issue"]
    assert "split" not in summary["settings"]["feature_columns"]
    assert "check leakage" in output


def test_checks_label_keeps_todays_output(runner, tmp_path):
    """--checks label writes only the label audit's columns."""
    issues, summary, _ = _run(runner, tmp_path, "--checks", "label")
    assert list(issues.columns) == ["row", "given_label", "suggested_label", "label_quality", "is_issue", "rank"]
    assert "data_checks" not in summary


def test_features_file_is_used_for_the_checks(runner, tmp_path):
    """--features emb.npy: the checks run on the embeddings (an injected copy is found there)."""
    emb = np.random.default_rng(1).normal(size=(200, 8))
    emb[50] = emb[60]
    np.save(tmp_path / "emb.npy", emb)
    issues, summary, _ = _run(runner, tmp_path, "--features", str(tmp_path / "emb.npy"), "--checks", "exact_duplicate")
    assert sorted(issues.loc[issues["is_exact_duplicate_issue"], "row"]) == [50, 60]
    assert summary["data_checks"]["features_from"].endswith("emb.npy")


def test_bad_options_are_one_line_errors(runner, tmp_path):
    """Unknown check, missing split column, wrong-shaped features: exit 2, one line."""
    data = tmp_path / "data.csv"
    _table().to_csv(data, index=False)
    np.save(tmp_path / "bad.npy", np.zeros((5, 2)))
    for args, message in [
        (["--checks", "outliers"], "--checks must be names"),
        (["--split-column", "fold"], "--split-column 'fold' is not in the data"),
        (["--features", str(tmp_path / "bad.npy")], "--features must have shape"),
    ]:
        result = runner.invoke(main, ["audit", str(data), "--label", "y", "--out", str(tmp_path / "o"), *args])
        assert result.exit_code == 2, result.output
        assert message in result.output
