"""A one-column ``.txt`` table (``label`` then one class per line) through ``corrupt``: every reader of
the command (the typed read and the cell-for-cell copy) takes the delimiter ``labelwise.io`` guesses,
so the column is ``label``. pandas' header sniff cut it at the letter ``l`` (no column 'label')."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def test_corrupt_reads_a_one_column_txt_table(tmp_path):
    """The copy keeps the column's name and 8 rows; the summary counts the 2 flips the truth file lists."""
    data = tmp_path / "labels.txt"
    data.write_text("label\n0\n1\n1\n0\n1\n0\n0\n1\n")
    out = tmp_path / "noisy.csv"
    result = CliRunner().invoke(main, ["corrupt", str(data), "--label", "label", "--rate", "0.25", "--out", str(out)])
    assert result.exit_code == 0, result.output
    copy = pd.read_csv(out)
    truth = pd.read_csv(tmp_path / "noisy.truth.csv")
    assert copy.columns.tolist() == ["label"] and len(copy) == 8
    changed = int((copy["label"].to_numpy() != pd.read_csv(data)["label"].to_numpy()).sum())
    assert changed == 2 == int(truth["is_flipped"].sum())
    assert (truth["true_label"].to_numpy() == pd.read_csv(data)["label"].to_numpy()).all()
    assert json.loads((tmp_path / "noisy.summary.json").read_text())["rate_realised"] == 0.25
