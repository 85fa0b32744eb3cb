"""A folder of Parquet parts as DATA of the in-memory ``audit``, ``train`` and ``pseudolabel`` (they
refused it, ``DATA must be an existing data file: ... is a folder``, while the scale paths read it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _table(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    y = (x[:, 0] > 0).astype(int)
    y[:6] = 1 - y[:6]
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y})


def _folder(path, frame: pd.DataFrame, n_parts: int = 11) -> None:
    path.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), n_parts)):
        frame.iloc[rows].to_parquet(path / f"part.{i}.parquet")


def test_audit_of_a_folder_equals_the_audit_of_the_same_table_as_csv(tmp_path):
    """Eleven parts (part.10 among them): the issues, row for row, are the CSV's."""
    frame = _table()
    _folder(tmp_path / "parts", frame)
    frame.to_csv(tmp_path / "d.csv", index=False)
    runs = {}
    for name, data in (("folder", tmp_path / "parts"), ("csv", tmp_path / "d.csv")):
        out = tmp_path / f"out-{name}"
        result = CliRunner().invoke(main, ["audit", str(data), "--label", "y", "--out", str(out), "--quiet"])
        assert result.exit_code == 0, result.output
        runs[name] = pd.read_csv(out / "issues.csv").sort_values("row").reset_index(drop=True)
    pd.testing.assert_frame_equal(runs["folder"], runs["csv"])


def test_train_reads_a_folder(tmp_path):
    """train on a folder of parts writes its model."""
    _folder(tmp_path / "parts", _table())
    out = tmp_path / "out"
    args = ["train", str(tmp_path / "parts"), "--label", "y", "--model", "logistic", "--out", str(out), "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert (out / "model.joblib").is_file()


def test_a_folder_without_parquet_is_named_with_data(tmp_path):
    """A folder of other files: one error line naming DATA and the folder."""
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "readme.txt").write_text("x")
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "parts"), "--label", "y", "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "DATA" in result.output and "is a folder without Parquet files" in result.output
