"""``labelwise augment --format``: the augmented table in CSV, TSV, Parquet or JSON Lines, by default DATA's."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.io import read_table

TFS = """
from labelwise.weak import transformation_function

@transformation_function()
def shout(row):
    row.text = row.text.upper()
    return row
"""

DATA = pd.DataFrame(
    {"id": ["007", "7"], "text": ["hi", "yo"], "when": pd.to_datetime(["2024-01-01", "2024-02-03"]), "n": [1.5, 2.0]}
)


def run(tmp_path, data_name, *options):
    (tmp_path / "tfs.py").write_text(TFS)
    data = tmp_path / data_name
    if not data.exists():
        DATA.to_parquet(data) if data.suffix == ".parquet" else DATA.to_csv(data, index=False)
    argv = ["augment", str(tmp_path / "tfs.py"), str(data), "--policy", "each", "--id-column", "id"]
    return CliRunner().invoke(main, [*argv, "--out", str(tmp_path / "out"), *options])


@pytest.mark.parametrize(("table_format", "name"), [("csv", "augmented.csv"), ("tsv", "augmented.tsv"),
                                                    ("parquet", "augmented.parquet"), ("jsonl", "augmented.jsonl")])  # fmt: skip
def test_format_writes_the_table_in_that_format(tmp_path, table_format, name):
    """--format: augmented.<suffix> alone (no other table), read back with the same rows; summary.json names it."""
    result = run(tmp_path, "data.csv", "--format", table_format)
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted([name, "summary.json"])
    back = read_table(out / name, text_columns=["id", "text", "tfs"])
    assert back["id"].tolist() == ["007", "007", "7", "7"] and back["text"].tolist() == ["hi", "HI", "yo", "YO"]
    assert back["tfs"].fillna("").tolist() == ["", "shout", "", "shout"]
    assert json.loads((out / "summary.json").read_text())["table"] == name
    assert f"wrote{out / name},{out / 'summary.json'}" in "".join(result.stdout.split())  # COLUMNS may wrap it


def test_a_parquet_data_gives_a_parquet_table_with_its_column_types(tmp_path):
    """Without --format a Parquet DATA is augmented into augmented.parquet: its datetime column stays one."""
    result = run(tmp_path, "data.parquet")
    assert result.exit_code == 0, result.output
    back = pd.read_parquet(tmp_path / "out" / "augmented.parquet")
    assert back["when"].dtype.kind == "M" and back["when"].tolist()[:2] == [pd.Timestamp("2024-01-01")] * 2
    assert not (tmp_path / "out" / "augmented.csv").exists()


def test_an_unknown_format_is_a_usage_error_naming_the_formats(tmp_path):
    """--format xlsx: exit 2, naming --format and the four formats; nothing written."""
    result = run(tmp_path, "data.csv", "--format", "xlsx")
    assert result.exit_code == 2 and "'--format'" in result.output
    assert all(f"'{f}'" in result.output for f in ("csv", "tsv", "parquet", "jsonl"))
    assert not (tmp_path / "out").exists()


def test_another_format_into_an_earlier_run_needs_force_and_replaces_its_table(tmp_path):
    """An earlier augmented.csv: a Parquet run is refused without --force; with it the CSV is removed."""
    assert run(tmp_path, "data.csv").exit_code == 0
    refused = run(tmp_path, "data.csv", "--format", "parquet")
    assert refused.exit_code == 2 and "--force" in refused.output
    assert (tmp_path / "out" / "augmented.csv").exists()
    result = run(tmp_path, "data.csv", "--format", "parquet", "--force")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["augmented.parquet", "summary.json"]
