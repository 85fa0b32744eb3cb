"""A Parquet DATA written from a frame with a named index (``df.set_index("wine_id").to_parquet(...)``):
every command reads ``wine_id`` as a column, as in the CSV file written from the same frame
(:func:`labelwise.io.read_table`), so options can name it and the outputs keep it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

SFS = """
from labelwise.weak import slicing_function

@slicing_function()
def high_x0(row):
    return row.x0 > 0
"""


@pytest.fixture
def wine_idx(tmp_path):
    """90 rows of three classes, indexed by a text id, as Parquet (index in metadata) and as CSV (a column)."""
    rng = np.random.default_rng(0)
    labels = np.repeat(["a", "b", "c"], 30)
    features = rng.normal(size=(90, 4)) + 2.0 * (labels[:, None] == np.array(["a", "b", "c", "x"]))
    frame = pd.DataFrame(features, columns=[f"x{i}" for i in range(4)]).assign(label=labels, pred=labels)
    frame["pred"] = np.where(np.arange(90) % 7 == 0, "b", labels)
    frame.index = pd.Index([f"w{i:03d}" for i in range(90)], name="wine_id")
    frame.to_parquet(tmp_path / "wine.parquet")
    frame.to_csv(tmp_path / "wine.csv")
    return tmp_path, frame


def _run(*argv: str):
    result = CliRunner().invoke(main, [*map(str, argv), "--quiet"])
    assert result.exit_code == 0, result.output
    return result


def test_audit_reads_the_index_as_the_csv_reads_its_id_column(wine_idx):
    """The id is a column (an identifier, not a feature) and issues.csv is the CSV's, byte for byte."""
    tmp, _ = wine_idx
    for name in ("wine.parquet", "wine.csv"):
        _run("audit", tmp / name, "--label", "label", "--model", "logistic", "--out", tmp / name.replace(".", "_"))
    summary = json.loads((tmp / "wine_parquet" / "summary.json").read_text())
    assert summary["column_roles"]["wine_id"]["role"] == "identifier"
    assert (tmp / "wine_parquet" / "issues.csv").read_bytes() == (tmp / "wine_csv" / "issues.csv").read_bytes()


def test_detect_poison_takes_the_index_as_its_id_column(wine_idx):
    """``--id-column wine_id`` (main: "not in the data"): flags.csv's ids are the index's values."""
    tmp, frame = wine_idx
    _run("detect-poison", tmp / "wine.parquet", "--label", "label", "--id-column", "wine_id", "--out", tmp / "dp")
    flags = pd.read_csv(tmp / "dp" / "flags.csv")
    assert flags["id"].tolist() == frame.index[flags["row"]].tolist()


def test_slices_take_the_index_as_id_column_and_else_number_the_rows(wine_idx):
    """``--id-column wine_id`` names membership.parquet's ids; without it ``item`` is the row number,
    as the help says (main used the index's values as ``item``)."""
    tmp, frame = wine_idx
    (tmp / "sfs.py").write_text(SFS)
    base = ["slices", tmp / "sfs.py", tmp / "wine.parquet", "--label", "label", "--pred", "pred"]
    _run(*base, "--id-column", "wine_id", "--out", tmp / "by_id")
    _run(*base, "--out", tmp / "by_row")
    by_id = pd.read_parquet(tmp / "by_id" / "membership.parquet")
    assert by_id["wine_id"].tolist() == frame.index.tolist()
    by_row = pd.read_parquet(tmp / "by_row" / "membership.parquet")
    assert by_row["item"].tolist() == list(range(90))
    assert by_row["high_x0"].tolist() == by_id["high_x0"].tolist() == (frame["x0"] > 0).tolist()


def test_pseudolabel_keeps_the_index_column_in_its_table(wine_idx):
    """pseudolabeled.parquet holds ``wine_id``, row for row (main dropped it)."""
    tmp, frame = wine_idx
    semi = frame.copy()
    semi.loc[semi.index[::3], "label"] = None
    semi.drop(columns=["pred"]).to_parquet(tmp / "semi.parquet")
    _run("pseudolabel", tmp / "semi.parquet", "--label", "label", "--model", "logistic", "--out", tmp / "ps")
    table = pd.read_parquet(tmp / "ps" / "pseudolabeled.parquet")
    assert table.columns[0] == "wine_id"
    assert table["wine_id"].tolist() == frame.index.tolist()


def test_aggregate_reads_an_item_index_of_long_answers(tmp_path):
    """Answers indexed by ``item`` (the default item column): aggregated per item (main: column not found)."""
    answers = pd.DataFrame(
        {"annotator": ["u1", "u2", "u3"] * 4, "label": list("aab") + list("bbb") + list("aba") + list("ccc")},
        index=pd.Index(np.repeat(["i1", "i2", "i3", "i4"], 3), name="item"),
    )
    answers.to_parquet(tmp_path / "answers.parquet")
    _run("aggregate", tmp_path / "answers.parquet", "--method", "majority-vote", "--out", tmp_path / "agg")
    labels = pd.read_csv(tmp_path / "agg" / "labels.csv")
    assert dict(zip(labels["item"], labels["label"], strict=True)) == {"i1": "a", "i2": "b", "i3": "a", "i4": "c"}
