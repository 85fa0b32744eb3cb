"""``labelwise audit --task regression`` reads DATA's columns by the classification audit's roles."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path, monkeypatch):
    """The default --out is made in an empty working folder."""
    monkeypatch.chdir(tmp_path)


def _audit(tmp_path, frame: pd.DataFrame, *extra: str):
    """Run the regression audit of ``frame`` (label ``y``); the result, summary.json (or None) and the screen."""
    frame.to_csv(tmp_path / "d.csv", index=False)
    argv = ["audit", str(tmp_path / "d.csv"), "--task", "regression", "--label", "y", "--out", str(tmp_path / "out")]
    res = CliRunner().invoke(main, [*argv, *extra])
    path = tmp_path / "out" / "summary.json"
    summary = json.loads(path.read_text()) if path.exists() else None
    return res, summary, " ".join(res.output.split())


def _species_table(n: int = 240, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Penguin-like: the species sets most of the mass; six masses shifted by 1,500 g."""
    rng = np.random.default_rng(seed)
    species = rng.choice(["Adelie", "Chinstrap", "Gentoo"], n)
    base = pd.Series(species).map({"Adelie": 3700.0, "Chinstrap": 3730.0, "Gentoo": 5070.0}).to_numpy()
    flipper = base / 25 + rng.normal(0, 6, n)
    y = base + rng.normal(0, 120, n)
    wrong = rng.choice(n, 6, replace=False)
    y[wrong] += 1500
    return pd.DataFrame({"species": species, "flipper": flipper, "y": y}), wrong


def test_a_categorical_column_is_read_and_written_with_its_role(tmp_path):
    """The species column is a feature (one-hot, as classification reads it): summary.json lists it among
    the feature columns and in ``column_roles``, the screen prints the roles, and the shifted masses are flagged."""
    frame, wrong = _species_table()
    res, summary, shown = _audit(tmp_path, frame)
    assert res.exit_code == 0, res.output
    assert summary["settings"]["feature_columns"] == ["species", "flipper"]
    assert summary["column_roles"]["species"]["role"] == "categorical"
    assert "column roles: categorical 1 (species); numeric 1 (flipper)" in shown
    flagged = set(pd.read_csv(tmp_path / "out" / "issues.csv").query("is_issue").row)
    assert set(wrong) <= flagged


def test_a_date_column_is_read(tmp_path):
    """A table of dates alone (a trend over two years) is audited through the dates' numbers: its shifted
    target is flagged, and ``column_roles`` says date (it was refused: no numeric column)."""
    rng = np.random.default_rng(1)
    days = pd.date_range("2022-01-01", periods=700, freq="D")
    y = np.arange(700) / 10 + rng.normal(0, 1, 700)
    y[[50, 400]] += [40, -40]
    res, summary, _ = _audit(tmp_path, pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "y": y}))
    assert res.exit_code == 0, res.output
    assert summary["column_roles"]["day"]["role"] == "date" and summary["settings"]["feature_columns"] == ["day"]
    assert pd.read_csv(tmp_path / "out" / "issues.csv").row.iloc[:2].tolist() in ([50, 400], [400, 50])


def test_an_identifier_column_is_dropped_with_its_notice(tmp_path):
    """A row-number column is not a feature: a notice names it and why, and the settings leave it out."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=80)
    frame = pd.DataFrame({"id": np.arange(80), "x": x, "y": 3 * x + rng.normal(0, 0.1, 80)})
    res, summary, shown = _audit(tmp_path, frame)
    assert res.exit_code == 0, res.output
    assert "notice: dropped column 'id':" in shown and summary["settings"]["feature_columns"] == ["x"]
    assert summary["column_roles"]["id"]["role"] == "identifier"
    assert any(line.startswith("dropped column 'id'") for line in summary["notices"])


def test_a_table_of_categories_only_is_audited(tmp_path):
    """Categorical columns alone (a shop and a size) are features: the audit runs and flags the wrong price."""
    rng = np.random.default_rng(3)
    shop, size = rng.choice(list("abcd"), 300), rng.choice(["S", "M", "L"], 300)
    y = pd.Series(shop).map(dict(zip("abcd", [10, 20, 30, 40], strict=True))).to_numpy(float)
    y += pd.Series(size).map({"S": 0, "M": 5, "L": 9}).to_numpy(float) + rng.normal(0, 0.5, 300)
    y[17] += 60
    res, summary, _ = _audit(tmp_path, pd.DataFrame({"shop": shop, "size": size, "y": y}))
    assert res.exit_code == 0, res.output
    assert summary["settings"]["feature_columns"] == ["shop", "size"]
    assert pd.read_csv(tmp_path / "out" / "issues.csv").row.iloc[0] == 17


def test_only_identifier_and_constant_columns_are_refused_with_their_roles(tmp_path):
    """No column to read and no --predictions: the error names each column's role and reason, and writes nothing."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"id": np.arange(40), "site": "north", "y": rng.normal(size=40)})
    res, summary, shown = _audit(tmp_path, frame)
    assert res.exit_code != 0 and summary is None
    assert "needs a feature column that is not an identifier or a constant, or --predictions" in shown
    assert "'id' (identifier: " in shown and "'site' (constant: one value ('north'))" in shown


def test_an_infinite_feature_value_is_refused_naming_its_column(tmp_path):
    """An inf in a feature column is an error naming DATA's column and row, before any fit."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=50)
    x[7] = np.inf
    res, summary, shown = _audit(tmp_path, pd.DataFrame({"x": x, "y": rng.normal(size=50)}))
    assert res.exit_code != 0 and summary is None
    assert "DATA's feature columns must be finite numbers" in shown and "column 'x'" in shown and "rows [7]" in shown
