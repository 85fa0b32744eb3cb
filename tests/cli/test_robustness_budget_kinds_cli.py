"""``labelwise robustness``: a count budget prints and is written as a count, a fraction as a fraction (fix44a)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.datasets import make_moons

from labelwise.cli import main


@pytest.fixture()
def data_csv(tmp_path):
    X, y = make_moons(120, noise=0.2, random_state=0)
    path = tmp_path / "moons.csv"
    pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "y": y}).to_csv(path, index=False)
    return path


def _run(data_csv, tmp_path, budgets: str):
    out = tmp_path / "out"
    argv = ["robustness", str(data_csv), "--label", "y", "--attacks", "random", "--budgets", budgets]
    result = CliRunner().invoke(main, [*argv, "--models", "svc", "--seeds", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [line.split("│")[2].strip() for line in result.output.splitlines() if "│ random" in line]
    table = pd.read_csv(out / "robustness.csv", dtype={"budget": str})
    summary = json.loads((out / "summary.json").read_text())
    return rows, table, summary


def test_counts_beside_fractions_print_as_given(data_csv, tmp_path):
    """--budgets 5,0.1,10: the table, robustness.csv and summary.json say 0, 0.1, 5, 10 (not 5.0, 10.0)."""
    rows, table, summary = _run(data_csv, tmp_path, "5,0.1,10")
    assert rows == ["0", "0.1", "5", "10"]
    assert table["budget"].tolist() == ["0", "0.1", "5", "10"]
    assert [r["budget"] for r in summary["mean_accuracy"]] == [0, 0.1, 5, 10]
    assert [type(r["budget"]) for r in summary["mean_accuracy"]] == [int, float, int, int]
    assert summary["budgets"] == [5, 0.1, 10]


def test_counts_alone_are_integers(data_csv, tmp_path):
    """--budgets 5,10: counts everywhere, the clean reference 0."""
    rows, table, summary = _run(data_csv, tmp_path, "5,10")
    assert rows == ["0", "5", "10"] and table["budget"].tolist() == ["0", "5", "10"]
    assert [r["budget"] for r in summary["mean_accuracy"]] == [0, 5, 10]


def test_fractions_alone_stay_fractions(data_csv, tmp_path):
    """--budgets 0.05,0.1: fractions, as before (the clean reference 0.0)."""
    rows, table, summary = _run(data_csv, tmp_path, "0.05,0.1")
    assert rows == ["0.0", "0.05", "0.1"] and table["budget"].tolist() == ["0.0", "0.05", "0.1"]
    assert [type(r["budget"]) for r in summary["mean_accuracy"]] == [float, float, float]
