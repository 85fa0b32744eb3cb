"""``labelwise train`` on a label column with missing cells says how many are missing and that
``labelwise pseudolabel`` trains on partly labelled data (it said only the first missing row)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _data(path, n_missing: int, marker=None):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    y = np.where(x[:, 0] > 0, "a", "b").astype(object)
    y[3 : 3 + n_missing] = marker
    pd.DataFrame({"x0": x[:, 0], "x1": x[:, 1], "label": y}).to_csv(path, index=False)


def test_missing_labels_are_counted_and_pseudolabel_is_named(tmp_path):
    """7 of 60 empty cells: exit 2, the count, the first row and the command for partly labelled data."""
    _data(tmp_path / "d.csv", 7)
    res = CliRunner().invoke(main, ["train", str(tmp_path / "d.csv"), "--label", "label", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "--label column 'label' must not contain missing values, row 3 is" in res.output
    assert "7 of 60 labels are missing" in res.output and "labelwise pseudolabel" in res.output
    assert not (tmp_path / "o").exists()


def test_a_spelled_marker_still_gets_the_na_values_hint(tmp_path):
    """A class written NA is still explained (read as missing; --na-values "" keeps it) after the count."""
    _data(tmp_path / "d.csv", 2, marker="NA")
    res = CliRunner().invoke(main, ["train", str(tmp_path / "d.csv"), "--label", "label", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "2 of 60 labels are missing" in res.output, res.output
    assert "reads 'NA'" in res.output and '--na-values ""' in res.output
