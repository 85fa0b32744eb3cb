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


def test_policy_one_with_several_functions_is_refused_in_the_options_words(tmp_path):
    """--policy one with two TFs: the line names --policy one, the functions and the policies to use instead."""
    result, _ = run(tmp_path, "--policy", "one")
    assert result.exit_code == 2
    assert "--policy one applies the one transformation function of TFS, got 2 (shout, bump)" in result.output
    assert "use --policy each" in result.output and "ApplyOnePolicy" not in result.output


def test_p_of_another_length_than_the_functions_is_refused_naming_them(tmp_path):
    """--p with one probability for two TFs: counted in the user's terms, not numpy shapes."""
    result, _ = run(tmp_path, "--policy", "mean-field", "--p", "1")
    assert result.exit_code == 2
    assert "--p must give one probability per function in TFS (2: shout, bump), got 1" in result.output


def test_id_column_keeps_ids_as_written(tmp_path):
    """--id-column: 007 and 7 stay two texts in augmented.csv (without it both would be the number 7)."""
    (tmp_path / "tfs.py").write_text(TFS)
    (tmp_path / "d.csv").write_text("id,text,n\n007,hi,1\n7,yo,2\n")
    out = tmp_path / "out"
    argv = ["augment", str(tmp_path / "tfs.py"), str(tmp_path / "d.csv"), "--id-column", "id", "--out", str(out)]
    result = CliRunner().invoke(main, [*argv, "--policy", "each"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "augmented.csv", dtype={"id": str})
    assert table.id.tolist() == ["007", "007", "007", "7", "7", "7"]
    assert json.loads((out / "summary.json").read_text())["id_column"] == "id"
    missing = CliRunner().invoke(main, [*argv[:3], "--id-column", "nope", "--out", str(tmp_path / "o2")])
    assert missing.exit_code == 2 and "--id-column 'nope' is not in DATA" in missing.output


def test_copies_equal_to_their_row_are_counted_and_noticed(tmp_path):
    """A TF that returns the row unchanged (or changes a missing n into a missing n) makes copies equal to their
    row: kept, counted, said on screen."""
    (tmp_path / "tfs.py").write_text(TFS + "\n@transformation_function()\ndef same(row):\n    return row\n")
    pd.DataFrame({"text": ["hi", "YO"], "n": [1, None]}).to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "out"
    argv = ["augment", str(tmp_path / "tfs.py"), str(tmp_path / "d.csv"), "--policy", "each", "--out", str(out)]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_copies"] == 5 and summary["n_unchanged_copies"] == 3
    assert "notice: 3 transformed copies equal their original row (same 2, bump 1)" in " ".join(result.output.split())
