"""``audit --task multilabel / token --probs`` and ``--task regression --predictions`` read tables, as ``.npy``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path, monkeypatch):
    """The default --out is made in an empty working folder."""
    monkeypatch.chdir(tmp_path)


def _audit(tmp_path, data, task, option, path, *extra, out_name=None):
    """Run ``audit DATA --task task option path``; the result and its --out folder."""
    out = tmp_path / (out_name or f"out-{path.name}")
    args = ["audit", str(data), "--task", task, option, str(path), "--out", str(out), *extra]
    return CliRunner().invoke(main, args), out


def _flat(output):
    """The command's output with rich's line wrapping undone (a notice naming a long tmp path wraps)."""
    return " ".join(output.split())


def _same_outputs(a, b, tables):
    """The two runs wrote the same tables and the same summary.json (but the file each read)."""
    for name in tables:
        pd.testing.assert_frame_equal(pd.read_csv(a / name), pd.read_csv(b / name))
    first, second = (json.loads((o / "summary.json").read_text()) for o in (a, b))
    for summary in (first, second):
        summary["settings"].pop("probs"), summary["settings"].pop("predictions")
    assert first == second


def _multilabel_files(tmp_path, names=("cat", "dog", "fox", "owl")):
    """300 rows of 'a|b' tags with a fifth of the present tags dropped, and their probabilities as an .npy
    (columns: ``names``, in the order the audit sorts them)."""
    rng = np.random.default_rng(3)
    truth = rng.random((300, len(names))) < 0.35
    probs = 1 / (1 + np.exp(-(np.where(truth, 2.5, -2.5) + rng.normal(0, 1, truth.shape))))
    given = truth & (rng.random(truth.shape) > 0.2)
    column = np.array(names, dtype=object)
    pd.DataFrame({"tags": ["|".join(column[r]) for r in given], "x": 1}).to_csv(tmp_path / "t.csv", index=False)
    np.save(tmp_path / "p.npy", probs)
    return tmp_path / "t.csv", probs


@pytest.mark.parametrize("names", [("cat", "dog", "fox", "owl"), tuple(str(i) for i in range(11))])
def test_multilabel_table_with_shuffled_columns_gives_the_npy_result(tmp_path, names):
    """A CSV whose header names the tags in another order (digit tags too: column numbers, '10' after '9')
    gives the .npy's issues, classes and summary; on main it was refused as not an .npy."""
    data, probs = _multilabel_files(tmp_path, names)
    table = pd.DataFrame(probs, columns=list(names))
    table[list(reversed(names))].to_csv(tmp_path / "p.csv", index=False)
    npy, npy_out = _audit(tmp_path, data, "multilabel", "--probs", tmp_path / "p.npy", "--label", "tags")
    csv, csv_out = _audit(tmp_path, data, "multilabel", "--probs", tmp_path / "p.csv", "--label", "tags")
    assert npy.exit_code == 0 and csv.exit_code == 0, (npy.output, csv.output)
    assert json.loads((csv_out / "summary.json").read_text())["n_issues"] > 5
    _same_outputs(npy_out, csv_out, ["issues.csv", "classes.csv"])


def test_multilabel_table_with_classes_names_a_tag_no_row_uses(tmp_path):
    """--classes cat,dog,fox,owl,yak and a Parquet table with a yak column no row uses: the .npy's result."""
    data, probs = _multilabel_files(tmp_path)
    wide = np.column_stack([probs, np.full(len(probs), 0.01)])
    np.save(tmp_path / "p5.npy", wide)
    frame = pd.DataFrame(wide, columns=["cat", "dog", "fox", "owl", "yak"])
    frame[["yak", "owl", "cat", "fox", "dog"]].to_parquet(tmp_path / "p5.parquet")
    classes = ["--label", "tags", "--classes", "cat,dog,fox,owl,yak"]
    npy, npy_out = _audit(tmp_path, data, "multilabel", "--probs", tmp_path / "p5.npy", *classes)
    table, table_out = _audit(tmp_path, data, "multilabel", "--probs", tmp_path / "p5.parquet", *classes)
    assert npy.exit_code == 0 and table.exit_code == 0, (npy.output, table.output)
    _same_outputs(npy_out, table_out, ["issues.csv", "classes.csv"])
    refused, _ = _audit(
        tmp_path, data, "multilabel", "--probs", tmp_path / "p5.parquet", "--label", "tags", out_name="o"
    )
    assert refused.exit_code == 2, refused.output
    assert "columns ['yak'] that are not the tags of DATA" in refused.output and "--classes" in refused.output


def test_multilabel_table_missing_a_tag_is_named(tmp_path):
    """A header without the 'dog' column: refused, naming the file and the tag; nothing written."""
    data, probs = _multilabel_files(tmp_path)
    pd.DataFrame(probs[:, [0, 2, 3]], columns=["cat", "fox", "owl"]).to_csv(tmp_path / "p.csv", index=False)
    res, out = _audit(tmp_path, data, "multilabel", "--probs", tmp_path / "p.csv", "--label", "tags")
    assert res.exit_code == 2, res.output
    assert "--probs file" in res.output and "p.csv" in res.output and "no column for the tag(s) ['dog']" in res.output
    assert not out.exists()


def test_multilabel_table_text_cell_is_named_by_its_line(tmp_path):
    """A cell 'high' in row 5 of the dog column: the error names the column, the row and the file's line 7."""
    data, probs = _multilabel_files(tmp_path)
    frame = pd.DataFrame(probs, columns=["cat", "dog", "fox", "owl"]).astype(object)
    frame.iloc[5, 1] = "high"
    frame.to_csv(tmp_path / "p.csv", index=False)
    res, _ = _audit(tmp_path, data, "multilabel", "--probs", tmp_path / "p.csv", "--label", "tags")
    assert res.exit_code == 2, res.output
    assert "column 'dog' row 5 (line 7) is 'high'" in res.output


def test_multilabel_table_value_outside_the_unit_interval_is_named_by_its_line(tmp_path):
    """1.5 in row 2 of the fox column (tag probabilities need not sum to one, but lie in [0, 1])."""
    data, probs = _multilabel_files(tmp_path)
    probs[2, 2] = 1.5
    pd.DataFrame(probs, columns=["cat", "dog", "fox", "owl"]).to_csv(tmp_path / "p.csv", index=False)
    res, _ = _audit(tmp_path, data, "multilabel", "--probs", tmp_path / "p.csv", "--label", "tags")
    assert res.exit_code == 2, res.output
    assert "in [0, 1]; column 'fox' row 2 (line 4) is 1.5" in res.output


def test_multilabel_table_naming_no_tag_is_read_in_column_order_with_a_notice(tmp_path):
    """A header p0..p3 is read as the .npy is (sorted tags), and a notice says so."""
    data, probs = _multilabel_files(tmp_path)
    pd.DataFrame(probs, columns=["p0", "p1", "p2", "p3"]).to_csv(tmp_path / "p.csv", index=False)
    npy, npy_out = _audit(tmp_path, data, "multilabel", "--probs", tmp_path / "p.npy", "--label", "tags")
    csv, csv_out = _audit(tmp_path, data, "multilabel", "--probs", tmp_path / "p.csv", "--label", "tags")
    assert csv.exit_code == 0, csv.output
    assert "names none of the classes" in _flat(csv.output)
    _same_outputs(npy_out, csv_out, ["issues.csv", "classes.csv"])


def test_multilabel_json_lines_table_names_the_line_of_a_bad_value(tmp_path):
    """JSON Lines has no header line: row 2's value -0.5 is on line 3; the same table with no bad value runs."""
    data, probs = _multilabel_files(tmp_path)
    frame = pd.DataFrame(probs, columns=["cat", "dog", "fox", "owl"])
    frame[["dog", "cat", "owl", "fox"]].to_json(tmp_path / "p.jsonl", orient="records", lines=True)
    ok, _ = _audit(tmp_path, data, "multilabel", "--probs", tmp_path / "p.jsonl", "--label", "tags")
    assert ok.exit_code == 0, ok.output
    frame.iloc[2, 1] = -0.5
    frame.to_json(tmp_path / "bad.jsonl", orient="records", lines=True)
    res, _ = _audit(tmp_path, data, "multilabel", "--probs", tmp_path / "bad.jsonl", "--label", "tags")
    assert res.exit_code == 2 and "column 'dog' row 2 (line 3) is -0.5" in res.output, res.output


def _token_files(tmp_path):
    """A CoNLL file (B-ORG / O / B-MISC sentences, 'Peter' tagged B-ORG, 'Anna' B-PER) and an .npy of the
    tokens' probabilities (columns: the sorted tags)."""
    sent = "EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\n"
    (tmp_path / "c.conll").write_text(sent * 20 + "Peter B-ORG\nspoke O\n\nAnna B-PER\n")
    rows = {"B-ORG": [0, 0.9, 0.05, 0.05], "O": [0.02, 0.02, 0.01, 0.95], "B-MISC": [0.9, 0.05, 0, 0.05]}
    tags = ["B-ORG", "O", "B-MISC", "O"] * 20
    probs = np.array([rows[t] for t in tags] + [[0.0, 0.04, 0.95, 0.01], rows["O"], [0, 0, 1.0, 0]])
    np.save(tmp_path / "p.npy", probs)
    return tmp_path / "c.conll", pd.DataFrame(probs, columns=["B-MISC", "B-ORG", "B-PER", "O"])


def test_token_table_with_shuffled_columns_gives_the_npy_result(tmp_path):
    """One row per token, a column per tag in another order (gzipped): the .npy's issues, sentences and summary."""
    data, table = _token_files(tmp_path)
    table[["O", "B-PER", "B-MISC", "B-ORG"]].to_csv(tmp_path / "p.csv.gz", index=False)
    npy, npy_out = _audit(tmp_path, data, "token", "--probs", tmp_path / "p.npy")
    csv, csv_out = _audit(tmp_path, data, "token", "--probs", tmp_path / "p.csv.gz")
    assert npy.exit_code == 0 and csv.exit_code == 0, (npy.output, csv.output)
    first = pd.read_csv(csv_out / "issues.csv").iloc[0]
    assert (first.sentence, first.token, first.suggested_label) == (20, "Peter", "B-PER")
    _same_outputs(npy_out, csv_out, ["issues.csv", "sentences.csv"])


def test_token_table_errors_name_the_tag_and_the_line(tmp_path):
    """A missing B-PER column is named; a NaN in token row 10 is named by the file's line 12."""
    data, table = _token_files(tmp_path)
    table.drop(columns="B-PER").to_csv(tmp_path / "miss.csv", index=False)
    res, _ = _audit(tmp_path, data, "token", "--probs", tmp_path / "miss.csv")
    assert res.exit_code == 2 and "no column for the tag(s) ['B-PER']" in res.output, res.output
    table.iloc[10, 0] = np.nan
    table.to_csv(tmp_path / "nan.csv", index=False)
    res, _ = _audit(tmp_path, data, "token", "--probs", tmp_path / "nan.csv")
    assert res.exit_code == 2 and "nan.csv" in res.output and "row 10 (line 12)" in res.output, res.output


def test_token_table_naming_no_tag_is_read_in_the_order_of_classes(tmp_path):
    """A header p0..p3 with --classes: the columns are --classes' tags by position, as an .npy's; a notice says so."""
    data, table = _token_files(tmp_path)
    reordered = table[["O", "B-ORG", "B-MISC", "B-PER"]]
    np.save(tmp_path / "q.npy", reordered.to_numpy())
    reordered.set_axis(["p0", "p1", "p2", "p3"], axis=1).to_csv(tmp_path / "q.csv", index=False)
    classes = ["--classes", "O,B-ORG,B-MISC,B-PER"]
    npy, npy_out = _audit(tmp_path, data, "token", "--probs", tmp_path / "q.npy", *classes)
    csv, csv_out = _audit(tmp_path, data, "token", "--probs", tmp_path / "q.csv", *classes)
    assert npy.exit_code == 0 and csv.exit_code == 0, (npy.output, csv.output)
    assert "taken by position as the classes O, B-ORG, B-MISC, B-PER" in _flat(csv.output)
    _same_outputs(npy_out, csv_out, ["issues.csv", "sentences.csv"])


def _regression_files(tmp_path):
    """200 targets, the one of row 3 shifted by 4, and out-of-fold predictions as an .npy."""
    rng = np.random.default_rng(1)
    y = rng.normal(size=200)
    pred = y + rng.normal(0, 0.1, 200)
    y[3] += 4
    pd.DataFrame({"price": y}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "pred.npy", pred)
    return tmp_path / "d.csv", pred


@pytest.mark.parametrize(
    "columns", [["prediction"], ["id", "prediction"], ["price", "id"], ["prediction", "other"], ["yhat"]]
)
def test_regression_predictions_table_gives_the_npy_result(tmp_path, columns):
    """One column, or the one named 'prediction' or as --label beside others: the .npy's issues and summary."""
    data, pred = _regression_files(tmp_path)
    values = {"id": np.arange(200) + 1000, "other": -pred, "prediction": pred, "price": pred, "yhat": pred}
    pd.DataFrame({c: values[c] for c in columns}).to_csv(tmp_path / "pred.csv", index=False)
    npy, npy_out = _audit(tmp_path, data, "regression", "--predictions", tmp_path / "pred.npy", "--label", "price")
    csv, csv_out = _audit(tmp_path, data, "regression", "--predictions", tmp_path / "pred.csv", "--label", "price")
    assert npy.exit_code == 0 and csv.exit_code == 0, (npy.output, csv.output)
    assert pd.read_csv(csv_out / "issues.csv").row.iloc[0] == 3
    _same_outputs(npy_out, csv_out, ["issues.csv"])


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("n/a?", "column 'prediction' row 7 (line 9) is 'n/a?'"),
        (None, "must hold finite numbers; column 'prediction' row 7 (line 9)"),
    ],
)
def test_regression_predictions_table_bad_cell_is_named_by_its_line(tmp_path, cell, message):
    """A text cell or an empty one in row 7: the file, the column and line 9 are named."""
    data, pred = _regression_files(tmp_path)
    frame = pd.DataFrame({"prediction": pred}).astype(object)
    frame.iloc[7, 0] = cell
    frame.to_csv(tmp_path / "pred.csv", index=False)
    res, out = _audit(tmp_path, data, "regression", "--predictions", tmp_path / "pred.csv", "--label", "price")
    assert res.exit_code == 2 and "pred.csv" in res.output and message in res.output, res.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"a": [1.0], "b": [2.0]}), "must have one column, or one named 'prediction'"),
        (pd.DataFrame({"prediction": np.zeros(150)}), "one row per row of DATA (200), got 150"),
    ],
)
def test_regression_predictions_table_of_other_columns_or_rows_is_refused(tmp_path, frame, message):
    """Two columns neither of them named 'prediction' or 'price', or too few rows: one line naming the file."""
    data, _ = _regression_files(tmp_path)
    frame.to_csv(tmp_path / "pred.csv", index=False)
    res, _ = _audit(tmp_path, data, "regression", "--predictions", tmp_path / "pred.csv", "--label", "price")
    assert res.exit_code == 2 and message in res.output and "pred.csv" in res.output, res.output
