"""``labelwise shift --train-labels`` reads a label column from a table (CSV, TSV, Parquet, JSON Lines),
as ``evaluate --labels`` does; it read ``.npy`` only (walk38)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

NAMES = np.array(["cat", "dog", "owl"])


@pytest.fixture
def arrays(tmp_path):
    rng = np.random.default_rng(0)
    vp = rng.dirichlet(np.ones(3), 120)
    np.save(tmp_path / "vp.npy", vp)
    np.save(tmp_path / "vl.npy", NAMES[vp.argmax(axis=1)])
    np.save(tmp_path / "tp.npy", rng.dirichlet([3, 1, 1], 80))
    return tmp_path


def _run(d, labels, *extra):
    args = ["shift", "--train-probs", str(d / "vp.npy"), "--train-labels", str(labels), "--n-boot", "5"]
    return CliRunner().invoke(main, [*args, "--target-probs", str(d / "tp.npy"), *extra])


def _write(frame: pd.DataFrame, path):
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    elif path.suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_csv(path, sep="\t" if path.suffix == ".tsv" else ",", index=False)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".jsonl"])
def test_a_table_label_column_gives_the_priors_of_the_npy_labels(arrays, suffix):
    """The table's 'label' column (beside an id column) gives the same priors as the same labels in an .npy."""
    labels = np.load(arrays / "vl.npy")
    _write(pd.DataFrame({"id": np.arange(len(labels)), "label": labels}), arrays / f"vl{suffix}")
    from_npy = _run(arrays, arrays / "vl.npy", "--out", str(arrays / "a"))
    from_table = _run(arrays, arrays / f"vl{suffix}", "--out", str(arrays / "b"))
    assert from_npy.exit_code == 0 and from_table.exit_code == 0, from_npy.output + from_table.output
    a, b = (json.loads((arrays / o / "summary.json").read_text()) for o in ("a", "b"))
    assert b["classes"] == ["cat", "dog", "owl"] and b["priors"] == a["priors"]
    assert b["settings"]["train_label_column"] is None


def test_the_label_column_option_picks_a_column_and_keeps_texts(arrays):
    """--train-label-column names the column; class names such as '01' stay texts (not the number 1)."""
    codes = np.load(arrays / "vp.npy").argmax(axis=1)
    pd.DataFrame({"y": np.array(["01", "02", "10"])[codes], "other": codes}).to_csv(arrays / "t.csv", index=False)
    res = _run(arrays, arrays / "t.csv", "--train-label-column", "y", "--out", str(arrays / "o"))
    assert res.exit_code == 0, res.output
    assert json.loads((arrays / "o" / "summary.json").read_text())["classes"] == ["01", "02", "10"]


@pytest.mark.parametrize(
    ("write", "extra", "message"),
    [
        (
            lambda p: pd.DataFrame({"a": [0] * 120, "b": [1] * 120}).to_csv(p, index=False),
            [],
            "--train-labels must be a table with a column named 'label' (or a lone column)",
        ),
        (
            lambda p: pd.DataFrame({"label": [0] * 120}).to_csv(p, index=False),
            ["--train-label-column", "y"],
            "--train-labels must be a table with --train-label-column 'y'",
        ),
        (
            lambda p: pd.DataFrame({"label": ["cat"] * 7}).to_csv(p, index=False),
            [],
            "--train-labels must hold one label per row of --train-probs (120), got shape (7,)",
        ),
    ],
)
def test_table_errors_name_the_option(arrays, write, extra, message):
    """A missing column or a row count unlike --train-probs: exit 2, the option and what it got, no output."""
    write(arrays / "t.csv")
    res = _run(arrays, arrays / "t.csv", *extra, "--out", str(arrays / "o"))
    assert res.exit_code == 2 and message in res.output, res.output
    assert not (arrays / "o").exists()


def test_a_column_option_with_an_npy_is_refused(arrays):
    """An .npy has no columns: --train-label-column would be ignored, so it is refused by name."""
    res = _run(arrays, arrays / "vl.npy", "--train-label-column", "y", "--out", str(arrays / "o"))
    assert res.exit_code == 2 and "--train-label-column names a column of a --train-labels table" in res.output


@pytest.fixture
def names(tmp_path):
    train = ["person", "person", "location", "organisation", "date", "city"]
    evals = ["person", "country", "time"]
    (tmp_path / "train.txt").write_text("\n".join(train) + "\n")
    (tmp_path / "eval.txt").write_text("\n".join(evals) + "\n")
    pd.DataFrame({"n": range(len(train)), "label": train}).to_csv(tmp_path / "train.csv", index=False)
    pd.DataFrame({"type": evals}).to_parquet(tmp_path / "eval.parquet")
    return tmp_path


def _label_shift(d, train, evals, *extra):
    args = ["label-shift", "--train-labels", str(d / train), "--eval-labels", str(d / evals), "--k", "3"]
    return CliRunner().invoke(main, [*args, *extra])


def test_label_shift_reads_table_columns_as_the_text_files(names):
    """A CSV 'label' column and a Parquet lone column give the familiarity of the same names one per line."""
    text = _label_shift(names, "train.txt", "eval.txt", "--out", str(names / "a"))
    table = _label_shift(names, "train.csv", "eval.parquet", "--out", str(names / "b"))
    assert text.exit_code == 0 and table.exit_code == 0, text.output + table.output
    a, b = (pd.read_csv(names / o / "familiarity.csv") for o in ("a", "b"))
    pd.testing.assert_frame_equal(a, b)


def test_label_shift_refuses_a_missing_cell_and_a_column_of_a_text_file(names):
    """An empty cell is no label name (refused by option and row); a column option on a text file is refused."""
    pd.DataFrame({"label": ["person", None, "date"]}).to_csv(names / "holes.csv", index=False)
    res = _label_shift(names, "holes.csv", "eval.txt", "--out", str(names / "o"))
    assert res.exit_code == 2 and "--train-labels must not contain missing values, row 1" in res.output, res.output
    res = _label_shift(names, "train.txt", "eval.txt", "--eval-label-column", "type", "--out", str(names / "o"))
    assert res.exit_code == 2 and "--eval-label-column names a column of a --eval-labels table" in res.output
    assert not (names / "o").exists()
