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


def test_a_date_written_with_month_names_is_printed_and_saved_as_a_date(table, tmp_path):
    """'Thu, 01 Jan 2021' (RFC 2822 day) was a high-cardinality category; it is the date role, on screen and in summary.json."""
    frame = pd.read_csv(table)
    frame["day"] = pd.to_datetime(frame["day"]).dt.strftime("%a, %d %b %Y")
    path = tmp_path / "months.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "o"
    result = _run(["audit", str(path), "--label", "weather", "--out", str(out), "--cv", "3", "--top", "0"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["column_roles"]["day"]["role"] == "date"
    assert "format %a, %d %b %Y" in summary["column_roles"]["day"]["reason"]
    assert "date 1 (day)" in result.output and "does not parse" not in result.output


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
    import labelwise.models
    from labelwise.cli import _audit_model
    from labelwise.models import choose_model

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(200, 2)), columns=["a", "b"])
    y = ((X["a"] > 0) ^ (X["b"] > 0)).astype(int).to_numpy()  # XOR: kNN beats the linear model
    monkeypatch.setattr(  # the command imports choose_model from labelwise.models when it runs
        labelwise.models,
        "choose_model",
        lambda *a, **k: choose_model(*a, **k, families=["logistic", "knn"], blend=False),
    )
    kwargs = {"model": "auto", "cv": 5, "time_budget": 1e6, "random_state": 0}
    plain, info = _audit_model.chosen_estimator(X, y, **kwargs)
    assert info["model_choice"]["estimator"] == "CappedNeighbors" and not info["notices"]
    weighted, info = _audit_model.chosen_estimator(X, y, **kwargs, needs_sample_weight=True)
    assert info["model_choice"]["estimator"] == "LogisticRegression"
    assert info["notices"] == [
        "the best family, CappedNeighbors, takes no sample weights; trained logistic, the best one that does"
    ]
    assert type(weighted.named_steps["classifier"]) is type(FAMILIES["logistic"].classifier(0))


def test_identifier_check_names_the_tables_dropped_columns_not_the_date_index(table, tmp_path):
    """The check reported made column "5" (the date's days since the first date) as a row id and "1" (the
    date's year) as a constant, never the table's own id and constant columns; it now reports those."""
    out = tmp_path / "o"
    args = ["audit", str(table), "--label", "weather", "--out", str(out), "--cv", "3", "--checks", "identifier_column"]
    result = _run(args)
    assert result.exit_code == 0, result.output
    info = json.loads((out / "summary.json").read_text())["data_checks"]["identifier_column"]["info"]
    assert info["columns"] == {
        "row": "identifier: distinct integers in monotone order (a row id)",
        "station": "constant: one value ('north')",
    }
    assert info["identifier_columns"] == [0] and info["constant_columns"] == [3]


def _integer_target(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "t.csv"
    x = rng.normal(size=200)
    pd.DataFrame({"x": x, "tenths": np.round(100 * x + rng.normal(0, 20, 200)).astype(int)}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("command", ["audit", "train"])
def test_an_integer_coded_continuous_label_suggests_regression(tmp_path, command):
    """A measurement stored as integers (e.g. tenths of a degree) was only told to lower --cv."""
    result = _run([command, str(_integer_target(tmp_path)), "--label", "tenths", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "looks continuous (160 distinct whole numbers" in result.output and "--task regression" in result.output
    assert command == "audit" or "labelwise train needs classes" in result.output
    assert not (tmp_path / "o").exists()


def test_many_small_integer_classes_that_fill_the_folds_are_not_called_continuous(tmp_path):
    """40 classes of 3 rows with --cv 3: a classification the folds allow, audited as it is."""
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(40), 3)
    frame = pd.DataFrame({"x": rng.normal(size=labels.size) + labels, "y": labels})
    frame.to_csv(tmp_path / "d.csv", index=False)
    args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--cv", "3", "--model", "logistic", "--checks", "label"]
    result = _run([*args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output


def test_many_integer_classes_with_probs_are_not_called_continuous(tmp_path):
    """With --probs no model is trained, so many small integer classes are audited as they are."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(40), 3)
    probs = rng.dirichlet(np.ones(40), labels.size)
    pd.DataFrame({"x": rng.normal(size=labels.size), "y": labels}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", probs)
    args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--probs", str(tmp_path / "p.npy")]
    result = _run([*args, "--out", str(tmp_path / "o"), "--checks", "label"])
    assert result.exit_code == 0, result.output


def test_pseudolabel_refuses_a_continuous_label_with_the_reason(tmp_path):
    """pseudolabel on a continuous label failed with scikit-learn's 'Unknown label type: continuous'."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=120)
    price = np.where(np.arange(120) % 3 == 0, np.nan, 100 + 10 * x + rng.normal(size=120))
    pd.DataFrame({"x": x, "price": price}).to_csv(tmp_path / "p.csv", index=False)
    result = _run(["pseudolabel", str(tmp_path / "p.csv"), "--label", "price", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "--label column 'price' looks continuous" in result.output and "--task regression" in result.output


def test_train_says_which_family_it_trained(table, tmp_path):
    """The screen said "model: blend" while train fitted one family; it now names the family it trained."""
    out = tmp_path / "m"
    args = ["train", str(table), "--label", "weather", "--out", str(out), "--cv", "3", "--no-evaluate"]
    result = _run(args)
    assert result.exit_code == 0, result.output
    choice = json.loads((out / "summary.json").read_text())["model_choice"]
    trained = choice["trained"]
    ranked = sorted(
        (c for c in choice["candidates"] if c["skipped"] is None),
        key=lambda c: min(v for v in (c["log_loss"], c["calibrated_log_loss"]) if v is not None),
    )
    assert trained == ranked[0]["name"]
    assert f"trained: {trained} ({choice['estimator']})" in " ".join(result.output.split())


def test_the_screen_gives_the_blend_weights(capsys):
    """When the blend is chosen, the screen line says which families it mixes and with what weights."""
    from labelwise.cli._audit_model import print_model_info

    candidate = {"log_loss": 0.5, "calibrated_log_loss": 0.4, "accuracy": 0.8, "seconds": 1.0, "skipped": None}
    choice = {
        "chosen": "blend",
        "calibrated": True,
        "blend_weights": {"logistic": 0.25, "extra_trees": 0.75},
        "log_loss": 0.35,
        "accuracy": 0.81,
        "candidates": [{"name": "logistic", **candidate}, {"name": "extra_trees", **candidate}],
        "notices": [],
    }
    print_model_info({"model_choice": choice})
    text = " ".join(capsys.readouterr().out.split())
    assert "model: blend of extra_trees 0.75, logistic 0.25" in text


def test_train_with_a_one_row_class_is_not_told_to_lower_cv(tmp_path):
    """train said "lower cv" for a class of one row (cv cannot go below 2, and the flag is --cv)."""
    rng = np.random.default_rng(0)
    labels = np.array(["a", "b"] * 30 + ["c"])
    pd.DataFrame({"x": rng.normal(size=labels.size), "y": labels}).to_csv(tmp_path / "d.csv", index=False)
    result = _run(["train", str(tmp_path / "d.csv"), "--label", "y", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "class 'c' has 1 (drop or merge that class)" in result.output and "lower" not in result.output


@pytest.mark.parametrize("columns", [{"path": [f"img/{i}.png" for i in range(60)]}, {}])
def test_a_table_with_no_learnable_column_points_to_probs(tmp_path, columns):
    """A table of image paths (or of the label alone) is refused with the way out: --probs of one's own model."""
    frame = pd.DataFrame({**columns, "y": ["cat", "dog"] * 30})
    frame.to_csv(tmp_path / "d.csv", index=False)
    result = _run(["audit", str(tmp_path / "d.csv"), "--label", "y", "--checks", "label", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "DATA must have a column a model can learn from besides the label, got none" in result.output
    assert "with --probs" in result.output
    assert not (tmp_path / "o").exists()
