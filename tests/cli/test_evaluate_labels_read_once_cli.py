"""``labelwise evaluate --labels TABLE --corrections LOG`` reads the --labels file once (session 49).

Main read it for the labels, then again as text for the ids a change log is matched by.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise.io.tables as tables
from labelwise.cli import main


@pytest.fixture
def files(tmp_path):
    """A test set of 4 items with ids as text, a change log of the audited table (ids after ``row``), one model."""
    pd.DataFrame({"id": ["006", "001", "004", "003"], "label": list("abab")}).to_csv(tmp_path / "test.csv", index=False)
    pd.DataFrame({"row": [4], "id": ["004"], "action": ["relabel"], "new_label": ["b"]}).to_csv(
        tmp_path / "cleaned.changes.csv", index=False
    )
    (tmp_path / "preds").mkdir()
    pd.DataFrame({"pred": ["a", "a", "b", "b"]}).to_csv(tmp_path / "preds" / "m.csv", index=False)
    return tmp_path


def _reads_of(monkeypatch, path) -> list:
    """Every read of ``path`` through labelwise's table reader."""
    seen: list = []
    original = tables.read_table

    def counting(p, *args, **kwargs):
        if str(p) == str(path):
            seen.append(p)
        return original(p, *args, **kwargs)

    monkeypatch.setattr(tables, "read_table", counting)
    monkeypatch.setattr("labelwise.io.read_table", counting, raising=False)
    monkeypatch.setattr("labelwise.cli.evaluate.read_table", counting, raising=False)
    return seen


def test_labels_table_is_read_once_and_still_matched_by_id(files, monkeypatch):
    """One read gives the labels and the ids: the log's id 004 corrects test item 2, as before."""
    seen = _reads_of(monkeypatch, files / "test.csv")
    args = ["evaluate", str(files / "preds"), "--labels", str(files / "test.csv"), "--corrections", str(files)]
    res = CliRunner().invoke(main, [*args, "--out", str(files / "ev")])
    assert res.exit_code == 0, res.output
    assert len(seen) == 1
    summary = (files / "ev" / "summary.json").read_text()
    assert '"n_correctable": 1' in summary


def test_labels_read_once_without_corrections_too(files, monkeypatch, tmp_path):
    """--human-counts (no ids needed): one read, as before."""
    np.save(tmp_path / "counts.npy", np.array([[3, 0], [0, 3], [3, 0], [0, 3]]))
    seen = _reads_of(monkeypatch, files / "test.csv")
    args = ["evaluate", str(files / "preds"), "--labels", str(files / "test.csv")]
    res = CliRunner().invoke(main, [*args, "--human-counts", str(tmp_path / "counts.npy"), "--out", str(files / "e")])
    assert res.exit_code == 0, res.output
    assert len(seen) == 1
