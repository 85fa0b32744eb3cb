"""``labelwise augment``: the table it writes, its policies and its errors."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

TFS = """
from labelwise.weak import transformation_function

@transformation_function()
def shout(row):
    if row.text.isupper():
        return None
    row.text = row.text.upper()
    return row

@transformation_function(vectorized=True)
def bump(df):
    return df.assign(n=df.n + 1)
"""


def run(tmp_path, *options):
    (tmp_path / "tfs.py").write_text(TFS)
    pd.DataFrame({"text": ["hi", "YO", "ok"], "n": [1, 2, 3]}).to_csv(tmp_path / "data.csv", index=False)
    out = tmp_path / "out"
    argv = ["augment", str(tmp_path / "tfs.py"), str(tmp_path / "data.csv"), "--out", str(out), "--quiet", *options]
    return CliRunner().invoke(main, argv), out


def test_each_policy_writes_every_row_then_its_copies_with_their_source_and_tfs(tmp_path):
    """augmented.csv: DATA's rows each followed by its kept copies; summary.json counts them."""
    result, out = run(tmp_path, "--policy", "each")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "augmented.csv", keep_default_na=False)
    assert table.source_row.tolist() == [0, 0, 0, 1, 1, 2, 2, 2]
    assert table.tfs.tolist() == ["", "shout", "bump", "", "bump", "", "shout", "bump"]
    assert table.text.tolist() == ["hi", "HI", "hi", "YO", "YO", "ok", "OK", "ok"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_augmented"] == 8 and summary["n_copies"] == 5 and summary["applied"] == {"shout": 2, "bump": 3}


def test_the_random_policy_is_seeded_by_random_state(tmp_path):
    """Two runs with one --random-state write the same table."""
    first, out = run(tmp_path, "--n-per-original", "3", "--sequence-length", "2", "--no-keep-original")
    assert first.exit_code == 0, first.output
    table = (out / "augmented.csv").read_text()
    second, _ = run(tmp_path, "--n-per-original", "3", "--sequence-length", "2", "--no-keep-original", "--force")
    assert second.exit_code == 0 and (out / "augmented.csv").read_text() == table


def test_p_with_another_policy_is_refused(tmp_path):
    """--p belongs to --policy mean-field; the line says so."""
    result, _ = run(tmp_path, "--p", "0.5,0.5")
    assert result.exit_code == 2 and "--p is for --policy mean-field only" in result.output


def test_a_data_column_named_like_an_added_one_is_refused(tmp_path):
    """augmented.csv adds source_row and tfs: DATA must not hold them."""
    (tmp_path / "tfs.py").write_text(TFS)
    pd.DataFrame({"text": ["a"], "n": [1], "tfs": [0]}).to_csv(tmp_path / "d.csv", index=False)
    result = CliRunner().invoke(main, ["augment", str(tmp_path / "tfs.py"), str(tmp_path / "d.csv")])
    assert result.exit_code == 2 and "DATA must not have a column named 'tfs'" in result.output
