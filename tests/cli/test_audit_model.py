"""``labelwise audit/train --model auto``: column roles and the compared models on screen and in summary.json."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.models import FAMILIES


@pytest.fixture()
def table(tmp_path):
    rng = np.random.default_rng(0)
    n = 150
    y = rng.choice(["rain", "sun"], n)
    frame = pd.DataFrame(
        {
            "row": np.arange(n),
            "day": pd.date_range("2021-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "mm": np.where(y == "rain", 5.0, 0.0) + rng.exponential(1.0, n),
            "station": ["north"] * n,
            "weather": y,
        }
    )
    path = tmp_path / "w.csv"
    frame.to_csv(path, index=False)
    return path


def _run(args):
    result = CliRunner().invoke(main, args)
    return result


def test_auto_is_the_default_and_reports_candidates_and_roles(table, tmp_path):
    out = tmp_path / "o"
    result = _run(["audit", str(table), "--label", "weather", "--out", str(out), "--cv", "3", "--top", "0"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["settings"]["model"] == "auto"
    roles = {name: r["role"] for name, r in summary["column_roles"].items()}
    assert roles == {"row": "identifier", "day": "date", "mm": "numeric", "station": "constant"}
    choice = summary["model_choice"]
    names = [c["name"] for c in choice["candidates"]]
    assert names[0] == "logistic" and set(names) == {"logistic", "knn", "boosting", "extra_trees"}
    assert choice["chosen"] in names or choice["chosen"] == "blend"
    assert "Models compared" in result.output and "dropped column 'row'" in result.output
    assert "date 1 (day)" in result.output


def test_tiny_time_budget_falls_back_to_logistic(table, tmp_path):
    out = tmp_path / "o"
    result = _run(
        ["audit", str(table), "--label", "weather", "--out", str(out), "--cv", "3", "--time-budget", "0.000001"]
    )
    assert result.exit_code == 0, result.output
    assert "fell back to logistic" in result.output
    assert json.loads((out / "summary.json").read_text())["model_choice"]["chosen"] == "logistic"


def test_an_explicit_family_still_works(table, tmp_path):
    out = tmp_path / "o"
    result = _run(["audit", str(table), "--label", "weather", "--out", str(out), "--cv", "3", "--model", "logistic"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert "model_choice" not in summary and summary["column_roles"]["day"]["role"] == "date"


def test_continuous_label_suggests_regression(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "r.csv"
    pd.DataFrame({"x": rng.normal(size=80), "price": rng.normal(100, 10, 80)}).to_csv(path, index=False)
    result = _run(["audit", str(path), "--label", "price", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "looks continuous" in result.output and "--task regression" in result.output
    assert not (tmp_path / "o").exists()


def test_bad_time_budget_is_a_usage_error(table, tmp_path):
    result = _run(["audit", str(table), "--label", "weather", "--time-budget", "0"])
    assert result.exit_code == 2 and "--time-budget" in result.output


def test_train_with_auto_records_the_choice(table, tmp_path):
    out = tmp_path / "m"
    result = _run(
        [
            "train",
            str(table),
            "--label",
            "weather",
            "--out",
            str(out),
            "--cv",
            "3",
            "--no-evaluate",
            "--time-budget",
            "60",
        ]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    menu = {type(family.classifier(0)).__name__ for family in FAMILIES.values()}
    assert summary["model_choice"]["estimator"] in menu


def test_reweight_trains_the_best_family_that_takes_sample_weights(monkeypatch):
    """``train --clean reweight``: when kNN (no sample weights) wins, the best family that takes them is used."""
    from labelwise.cli import _audit_model
    from labelwise.models import choose_model

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(200, 2)), columns=["a", "b"])
    y = ((X["a"] > 0) ^ (X["b"] > 0)).astype(int).to_numpy()  # XOR: kNN beats the linear model
    monkeypatch.setattr(
        _audit_model, "choose_model", lambda *a, **k: choose_model(*a, **k, families=["logistic", "knn"], blend=False)
    )
    kwargs = {"model": "auto", "cv": 5, "time_budget": 1e6, "random_state": 0}
    plain, info = _audit_model.chosen_estimator(X, y, **kwargs)
    assert info["model_choice"]["estimator"] == "KNeighborsClassifier" and not info["notices"]
    weighted, info = _audit_model.chosen_estimator(X, y, **kwargs, needs_sample_weight=True)
    assert info["model_choice"]["estimator"] == "LogisticRegression"
    assert info["notices"] == [
        "the best family, KNeighborsClassifier, takes no sample weights; trained logistic, the best one that does"
    ]
    assert type(weighted.named_steps["classifier"]) is type(FAMILIES["logistic"].classifier(0))
