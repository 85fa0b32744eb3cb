"""``labelwise pseudolabel`` writes its table in DATA's format (it wrote CSV whatever DATA was, so a
Parquet table lost its column types): Parquet in, Parquet out; TSV and JSON Lines too."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli._out_folder import OUTPUTS
from labelwise.cli.pseudolabel import OUTPUT_TABLES


def _semi(n: int = 90, seed: int = 0) -> pd.DataFrame:
    """Two blobs, a third of the rows labeled (Int64 labels with gaps: a Parquet type CSV loses)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n)
    frame = pd.DataFrame({"a": truth * 6.0 + rng.normal(size=n), "b": rng.normal(size=n)})
    frame["y"] = pd.array(np.where(rng.random(n) < 0.35, truth, -1), dtype="Int64")
    frame.loc[frame["y"] == -1, "y"] = pd.NA
    frame.loc[:1, "y"] = [0, 1]
    return frame


def _run(tmp_path, data, out="out", *extra):
    args = ["pseudolabel", str(data), "--label", "y", "--model", "logistic", "--out", str(tmp_path / out), "--quiet"]
    return CliRunner().invoke(main, [*args, *extra])


@pytest.mark.parametrize(
    ("name", "write", "read", "table"),
    [
        ("d.parquet", lambda f, p: f.to_parquet(p), pd.read_parquet, "pseudolabeled.parquet"),
        (
            "d.tsv",
            lambda f, p: f.to_csv(p, sep="\t", index=False),
            lambda p: pd.read_csv(p, sep="\t"),
            "pseudolabeled.tsv",
        ),
        (
            "d.jsonl",
            lambda f, p: f.to_json(p, orient="records", lines=True),
            lambda p: pd.read_json(p, lines=True),
            "pseudolabeled.jsonl",
        ),
        ("d.csv", lambda f, p: f.to_csv(p, index=False), pd.read_csv, "pseudolabeled.csv"),
    ],
)
def test_the_table_keeps_datas_format(tmp_path, name, write, read, table):
    """The pseudolabeled table has DATA's format and its rows; no file of another format is written."""
    frame = _semi()
    write(frame, tmp_path / name)
    result = _run(tmp_path, tmp_path / name)
    assert result.exit_code == 0, result.output
    written = read(tmp_path / "out" / table)
    assert len(written) == len(frame) and {"pseudo_label", "label_source"} <= set(written.columns)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([table, "summary.json", "model.joblib"])


def test_parquet_keeps_the_column_types(tmp_path):
    """Parquet in, Parquet out: the nullable integer labels stay Int64, the features float64."""
    frame = _semi()
    frame.to_parquet(tmp_path / "d.parquet")
    assert _run(tmp_path, tmp_path / "d.parquet").exit_code == 0
    written = pd.read_parquet(tmp_path / "out" / "pseudolabeled.parquet")
    assert str(written["y"].dtype) == "Int64" and str(written["a"].dtype) == "float64"
    pd.testing.assert_series_equal(written["y"], frame["y"], check_names=False)


def test_a_folder_of_parquet_parts_gives_parquet(tmp_path):
    """DATA a folder of parts (read since session 43): pseudolabeled.parquet, rows in the parts' order."""
    frame = _semi()
    (tmp_path / "parts").mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[rows].to_parquet(tmp_path / "parts" / f"part.{i}.parquet")
    result = _run(tmp_path, tmp_path / "parts")
    assert result.exit_code == 0, result.output
    written = pd.read_parquet(tmp_path / "out" / "pseudolabeled.parquet")
    np.testing.assert_array_equal(written["a"].to_numpy(), frame["a"].to_numpy())


def test_force_replaces_an_earlier_csv_run_with_the_parquet_table(tmp_path):
    """A CSV run, then a Parquet run into the same folder with --force: the earlier pseudolabeled.csv
    is removed with the run's other outputs (every table name is one of pseudolabel's outputs)."""
    frame = _semi()
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    assert _run(tmp_path, tmp_path / "d.csv").exit_code == 0
    refused = _run(tmp_path, tmp_path / "d.parquet")
    assert refused.exit_code != 0 and "pseudolabeled.csv" in refused.output
    assert _run(tmp_path, tmp_path / "d.parquet", "out", "--force").exit_code == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["model.joblib", "pseudolabeled.parquet", "summary.json"]
    assert set(OUTPUT_TABLES) <= set(OUTPUTS["pseudolabel"])


def test_help_says_the_format():
    """--help says that the table keeps DATA's format."""
    said = " ".join(CliRunner().invoke(main, ["pseudolabel", "--help"]).output.split())
    assert "in DATA's format: .parquet for a Parquet file or folder, .tsv, .jsonl for JSON" in said
