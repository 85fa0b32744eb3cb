"""``labelwise evaluate``: a problem in a PREDICTIONS table names the file's line, not only the 0-based row (session 42)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _run(tmp_path, model_file: str, text: str):
    preds = tmp_path / "preds"
    preds.mkdir(exist_ok=True)
    (preds / model_file).write_text(text)
    (tmp_path / "labels.csv").write_text("label\n0\n1\n0\n1\n")
    np.save(tmp_path / "counts.npy", np.array([[2, 0], [0, 2], [0, 2], [0, 2]]))
    args = ["evaluate", str(preds), "--labels", str(tmp_path / "labels.csv")]
    return CliRunner().invoke(
        main, [*args, "--human-counts", str(tmp_path / "counts.npy"), "--out", str(tmp_path / "o")]
    )


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("m.csv", "0,1\n0.9,0.1\n0.2,0.8\n0.6,0.4\n,1\n", "row 3 (line 5)"),  # an empty cell: NaN
        ("m.csv", "0,1\n0.9,0.1\n\n0.2,0.8\nnan,0.5\n0.4,0.6\n", "row 2 (line 5)"),  # a blank line pandas skips
        ("m.tsv", "0\t1\n0.9\t0.1\n0.2\t0.8\n0.5\tinf\n0.4\t0.6\n", "row 2 (line 4)"),
        (
            "m.jsonl",
            '{"0": 0.9, "1": 0.1}\n{"0": null, "1": 0.8}\n{"0": 0.5, "1": 0.5}\n{"0": 0.5, "1": 0.5}\n',
            "row 1 (line 2)",
        ),
    ],
)
def test_missing_probability_names_the_line_of_the_file(tmp_path, name, text, where):
    """main said "row 3 contains nan" (a 0-based row, one off from the file's line even without a header)."""
    res = _run(tmp_path, name, text)
    assert res.exit_code == 2, res.output
    assert f"must be finite (no NaN or inf), {where} contains" in res.output, res.output
    assert not (tmp_path / "o" / "table.csv").exists()


def test_negative_probability_and_a_row_off_by_rounding_name_the_line(tmp_path):
    """A negative value and a row that sums to 0.999 (rounded when written) name the row's line too."""
    res = _run(tmp_path, "m.csv", "0,1\n0.9,0.1\n\n1.1,-0.1\n0.6,0.4\n0.4,0.6\n")
    assert res.exit_code == 2 and "must be non-negative, row 1 (line 4) contains -0.1" in res.output, res.output
    res = _run(tmp_path, "m.csv", "0,1\n0.9,0.1\n0.2,0.8\n0.6,0.399\n0.4,0.6\n")
    assert res.exit_code == 2 and "row 2 (line 4) sums to 0.999 (rounded when written?" in res.output, res.output


def test_an_id_column_read_as_probabilities_names_the_jsonl_line(tmp_path):
    """eval41's id,pred message counted a header in a JSON Lines file (line 2 for its first row): now line 1."""
    text = "".join(json.dumps({"id": 10 + i, "pred": i % 2}) + "\n" for i in range(4))
    res = _run(tmp_path, "m.jsonl", text)
    assert res.exit_code == 2 and "but row 0 (line 1) sums to 10, not 1" in res.output, res.output


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("row,lab\n0,1\n", "fixes.csv must have 'row' and 'label' columns"),
        ("row,action\n0,relabel\n", "fixes.csv must have a 'new_label' column"),
        ("row,action,new_label\n0,keep,0\n1,zap,1\n", "action must be relabel, exclude or keep, got 'zap' (line 3)"),
    ],
)
def test_a_corrections_file_of_the_wrong_shape_is_named_by_its_option(tmp_path, text, said):
    """main said "fixes.csv must have a 'new_label' column" without the option, and an unknown action without its
    line."""
    (tmp_path / "preds").mkdir()
    np.save(tmp_path / "preds" / "m.npy", np.array([0, 1, 0, 1]))
    (tmp_path / "labels.csv").write_text("label\n0\n1\n0\n1\n")
    (tmp_path / "fixes.csv").write_text(text)
    args = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "labels.csv"), "--out", str(tmp_path / "o")]
    res = CliRunner().invoke(main, [*args, "--corrections", str(tmp_path / "fixes.csv")])
    assert res.exit_code == 2 and said in res.output and res.output.startswith("error: --corrections: "), res.output
