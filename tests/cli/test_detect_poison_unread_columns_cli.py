"""``labelwise detect-poison`` names DATA's columns it does not read as features (text, dates, true/false)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture
def mixed(tmp_path):
    """Six numeric columns, a text column, a true/false column, an id and a label."""
    rng = np.random.default_rng(0)
    features = rng.normal(size=(120, 6))
    features[:6, 2] += 8.0
    frame = pd.DataFrame(features, columns=[f"x{i}" for i in range(6)])
    frame["city"] = np.where(np.arange(120) % 3 == 0, "Oslo", "Lima")
    frame["checked"] = np.arange(120) % 2 == 0
    frame["sample"] = [f"s{i}" for i in range(120)]
    frame["y"] = np.repeat(["a", "b"], 60)
    frame.to_csv(tmp_path / "data.csv", index=False)
    return tmp_path


def _run(folder, *extra, name="out"):
    out = folder / name
    argv = ["detect-poison", str(folder / "data.csv"), "--label", "y", "--out", str(out), *extra]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output
    return result, json.loads((out / "summary.json").read_text())


def test_text_and_boolean_columns_are_named_not_dropped_in_silence(mixed):
    """The notice and summary.json name 'city' and 'checked'; the numeric columns are the features."""
    result, summary = _run(mixed, "--id-column", "sample")
    output = " ".join(result.output.split())
    assert "notice: 2 column(s) of DATA are not numbers and are not read as features: 'city'" in output
    assert "'checked' (bool)" in output
    assert summary["unread_columns"] == ["city", "checked"]
    assert summary["feature_columns"] == [f"x{i}" for i in range(6)]


def test_id_column_is_not_listed_as_unread(mixed):
    """--id-column is read as ids: without it, 'sample' is listed; with it, not."""
    _, without = _run(mixed)
    assert without["unread_columns"] == ["city", "checked", "sample"]
    _, named = _run(mixed, "--id-column", "sample", name="named")
    assert "sample" not in named["unread_columns"]


def test_numeric_table_has_no_notice(tmp_path):
    """A table of numbers and a label: no notice, an empty list in summary.json."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(60, 4)), columns=list("abcd")).assign(y=np.repeat([0, 1], 30))
    frame.to_csv(tmp_path / "data.csv", index=False)
    result, summary = _run(tmp_path)
    assert "not read as features" not in result.output
    assert summary["unread_columns"] == []


def test_features_file_reads_no_data_columns(mixed):
    """With --features the DATA columns are not features by design: no notice, unread_columns null."""
    np.save(mixed / "emb.npy", np.random.default_rng(0).normal(size=(120, 4)))
    result, summary = _run(mixed, "--features", str(mixed / "emb.npy"))
    assert "not read as features" not in result.output
    assert summary["unread_columns"] is None


def test_only_text_columns_refusal_names_them(tmp_path):
    """A table with no numeric feature column: the refusal names the text columns it found."""
    frame = pd.DataFrame({"city": ["Oslo", "Lima"] * 10, "y": [0, 1] * 10})
    frame.to_csv(tmp_path / "data.csv", index=False)
    argv = ["detect-poison", str(tmp_path / "data.csv"), "--label", "y", "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code != 0
    assert "DATA has no numeric feature columns besides --label 'y' (not numeric: 'city'" in result.output
