"""summary.json names the input files a classification audit read by absolute path, in memory and at scale."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _files(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.arange(90) % 3
    probs = rng.dirichlet(np.ones(3), 90) * 0.3
    probs[np.arange(90), labels] += 0.7
    pd.DataFrame({"y": labels, "x": rng.normal(size=90)}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", probs)
    np.save(tmp_path / "labels.npy", labels)


def test_a_table_audit_records_its_probs_file_by_absolute_path(tmp_path, monkeypatch):
    """`--probs p.npy` typed in the data's folder is recorded as that file, not as 'p.npy' (which from
    another folder names another file)."""
    _files(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["audit", "d.csv", "--label", "y", "--probs", "p.npy", "--out", "o"])
    assert res.exit_code == 0, res.output
    settings = json.loads((tmp_path / "o" / "summary.json").read_text())["settings"]
    assert settings["probs"] == str((tmp_path / "p.npy").resolve())
    assert settings["data"] == str((tmp_path / "d.csv").resolve())


def test_an_audit_at_scale_records_its_probs_and_labels_by_absolute_path(tmp_path, monkeypatch):
    """`--probs p.npy --labels labels.npy` (the memory-mapped audit): both recorded as absolute paths."""
    _files(tmp_path)
    monkeypatch.chdir(tmp_path)
    args = ["audit", "--probs", "p.npy", "--labels", "labels.npy", "--out", "o", "--quiet"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    settings = json.loads((tmp_path / "o" / "summary.json").read_text())["settings"]
    assert settings["probs"] == str((tmp_path / "p.npy").resolve())
    assert settings["labels"] == str((tmp_path / "labels.npy").resolve())


def test_a_table_audit_records_its_data_check_inputs(tmp_path, monkeypatch):
    """--split-column, --checks and --features were recorded nowhere in summary.json (a rerun could not
    tell the leakage check had a split); settings now hold them, --features by absolute path."""
    _files(tmp_path)
    frame = pd.read_csv(tmp_path / "d.csv")
    frame["part"] = np.where(np.arange(90) % 3 == 0, "test", "train")
    frame.to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "emb.npy", np.random.default_rng(1).normal(size=(90, 4)))
    monkeypatch.chdir(tmp_path)
    args = ["audit", "d.csv", "--label", "y", "--probs", "p.npy", "--out", "o", "--split-column", "part"]
    res = CliRunner().invoke(main, [*args, "--checks", "leakage,outlier", "--features", "emb.npy"])
    assert res.exit_code == 0, res.output
    settings = json.loads((tmp_path / "o" / "summary.json").read_text())["settings"]
    assert settings["split_column"] == "part" and settings["checks"] == ["leakage", "outlier"]
    assert settings["features"] == str((tmp_path / "emb.npy").resolve())
    assert "part" not in settings["feature_columns"]
