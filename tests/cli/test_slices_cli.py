"""End-to-end tests of ``labelwise slices``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner
from sklearn.metrics import accuracy_score

from labelwise.cli import main

SFS = """
from labelwise.weak import slicing_function

@slicing_function(vectorized=True)
def high_x(df):
    return df.x > 0.5

@slicing_function()
def class_one(row):
    return row.y == 1
"""

RNG = np.random.default_rng(0)
N = 60
Y = np.tile([0, 1], N // 2)
X = RNG.normal(size=N)
PRED = np.where(RNG.random(N) < 0.75, Y, 1 - Y)


def _files(tmp_path, sfs=SFS):
    (tmp_path / "sfs.py").write_text(sfs)
    pd.DataFrame({"x": X, "y": Y, "p": PRED}).to_csv(tmp_path / "data.csv", index=False)
    return str(tmp_path / "sfs.py"), str(tmp_path / "data.csv")


def _run(*args):
    return CliRunner().invoke(main, ["slices", *map(str, args)])


def test_writes_scores_membership_and_summary(tmp_path):
    """slices.csv holds each slice's accuracy on its rows; membership.parquet the masks; summary.json the counts."""
    sfs, data = _files(tmp_path)
    res = _run(sfs, data, "--label", "y", "--pred", "p", "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "out" / "slices.csv").set_index("slice")
    high = X > 0.5
    assert table.loc["high_x", "n"] == high.sum()
    assert table.loc["high_x", "accuracy"] == accuracy_score(Y[high], PRED[high])
    members = pd.read_parquet(tmp_path / "out" / "membership.parquet")
    assert members["class_one"].tolist() == (Y == 1).tolist()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["counts"] == {"high_x": int(high.sum()), "class_one": N // 2}
    assert summary["intervals"] == {"accuracy": "wilson"}


def test_probabilities_table_and_audit_issues(tmp_path):
    """--predictions as a table of class columns gives argmax predictions; --issues the flagged share."""
    sfs, data = _files(tmp_path)
    probs = pd.DataFrame({"1": np.where(PRED == 1, 0.8, 0.2), "0": np.where(PRED == 1, 0.2, 0.8)})
    probs.to_csv(tmp_path / "probs.csv", index=False)
    np.save(tmp_path / "audit_probs.npy", np.eye(2)[PRED] * 0.8 + 0.1)
    audit = CliRunner().invoke(
        main, ["audit", data, "--label", "y", "--probs", tmp_path / "audit_probs.npy", "--out", tmp_path / "audit"]
    )
    assert audit.exit_code == 0, audit.output
    res = _run(
        sfs,
        data,
        "--label",
        "y",
        "--predictions",
        tmp_path / "probs.csv",
        "--issues",
        tmp_path / "audit",
        "--out",
        tmp_path / "out",
    )
    assert res.exit_code == 0, res.output
    out = pd.read_csv(tmp_path / "out" / "slices.csv").set_index("slice")
    issues = pd.read_csv(tmp_path / "audit" / "issues.csv").sort_values("row")
    flagged = issues["is_issue"].to_numpy(bool)
    assert flagged.any()
    assert out.loc["overall", "accuracy"] == accuracy_score(Y, PRED)
    assert out.loc["class_one", "issue_share"] == flagged[Y == 1].mean()


def test_pred_and_predictions_together_are_refused(tmp_path):
    """Giving both prediction sources is one error line naming both options."""
    sfs, data = _files(tmp_path)
    np.save(tmp_path / "p.npy", PRED)
    res = _run(sfs, data, "--label", "y", "--pred", "p", "--predictions", tmp_path / "p.npy", "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert "--pred and --predictions must not both be given" in res.output


def test_file_without_slicing_functions_is_refused(tmp_path):
    """A file of labeling functions only is refused, saying what to define."""
    lfs = "from labelwise.weak import labeling_function\n\n@labeling_function()\ndef f(row):\n    return None\n"
    sfs, data = _files(tmp_path, sfs=lfs)
    res = _run(sfs, data, "--label", "y", "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert "defines no slicing functions (decorate functions with @labelwise.weak.slicing_function" in res.output


def test_failing_slicing_function_names_itself_and_the_row(tmp_path):
    """A slicing function returning a non-boolean is one error line naming it and the row."""
    bad = "from labelwise.weak import slicing_function\n\n@slicing_function()\ndef odd(row):\n    return row.x\n"
    sfs, data = _files(tmp_path, sfs=bad)
    res = _run(sfs, data, "--label", "y", "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert "slicing function 'odd' returned" in res.output and "on row 0" in res.output
