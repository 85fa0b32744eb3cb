"""``labelwise aggregate``'s labels.csv ends with each item's ``uncertainty``: the entropy of its answers'
label shares (``labelwise.aggregate.uncertainty`` by item), the same in memory and on a Parquet folder."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import uncertainty
from labelwise.cli import main

ANSWERS = "item,annotator,label\na,w1,pos\na,w2,pos\nb,w1,neg\nb,w2,neg\nb,w3,pos\nc,w1,pos\nc,w3,neg\n"
#: Columns labels.csv had before the uncertainty: kept, in their order.
BEFORE = ["item", "label", "confidence", "prob_neg", "prob_pos", "n_answers", "agreement"]


def _labels(tmp_path, path, *options):
    out = tmp_path / "out"
    args = ["aggregate", str(path), "--out", str(out), "--top", "0", "--quiet", *options]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return pd.read_csv(out / "labels.csv")


def test_labels_csv_ends_with_the_answers_uncertainty(tmp_path):
    """a: all agree (0); b: 2 of 3 (entropy of 2/3, 1/3); c: split (log 2); existing columns unchanged."""
    (tmp_path / "answers.csv").write_text(ANSWERS)
    labels = _labels(tmp_path, tmp_path / "answers.csv", "--method", "dawid-skene")
    assert list(labels.columns) == [*BEFORE, "uncertainty"]
    third = -(2 / 3 * np.log(2 / 3) + 1 / 3 * np.log(1 / 3))
    np.testing.assert_allclose(labels["uncertainty"], [0.0, third, np.log(2)], atol=1e-12)
    api = uncertainty(pd.read_csv(io.StringIO(ANSWERS)), aggregate=False)
    np.testing.assert_allclose(labels["uncertainty"], api.loc[labels["item"]].to_numpy(), atol=1e-12)


def test_parquet_folder_writes_the_same_uncertainty(tmp_path):
    """The distributed fit of a Parquet folder writes the same column as the in-memory fit."""
    pytest.importorskip("dask")
    frame = pd.read_csv(io.StringIO(ANSWERS))
    folder = tmp_path / "answers"
    folder.mkdir()
    frame.iloc[:4].to_parquet(folder / "a.parquet", index=False)
    frame.iloc[4:].to_parquet(folder / "b.parquet", index=False)
    (tmp_path / "answers.csv").write_text(ANSWERS)
    scaled = _labels(tmp_path, folder, "--method", "majority-vote")
    memory = _labels(tmp_path / "m", tmp_path / "answers.csv", "--method", "majority-vote")
    assert list(scaled.columns) == list(memory.columns)
    np.testing.assert_allclose(scaled["uncertainty"], memory["uncertainty"], atol=1e-12)
