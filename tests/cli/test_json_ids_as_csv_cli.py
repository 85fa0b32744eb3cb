"""The aggregate commands read a JSON Lines input's ids as the CSV file of the same table: the number
``2`` and the text ``"2"`` are one item (main refused them, or wrote two rows ``2``), and every output
file is byte for byte the CSV input's."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _write_both(folder, rows):
    folder.mkdir()
    (folder / "in.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    with (folder / "in.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(
            [{k: "|".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in row.items()} for row in rows]
        )
    return folder / "in.jsonl", folder / "in.csv"


def _box(image, annotator, label="car"):
    return {"image": image, "annotator": annotator, "x_min": 0, "y_min": 0, "x_max": 5, "y_max": 5, "label": label}


#: command, rows (an id written as a number and as text), options, the output file of one row per item.
CASES = {
    "aggregate": ("aggregate", [{"item": 2, "annotator": "a", "label": "x"}, {"item": "2", "annotator": "b", "label": "x"}, {"item": 3, "annotator": "a", "label": "y"}], ["--method", "majority-vote"], "labels.csv"),
    "votes": ("aggregate", [{"item": 10, "sample": 0, "answer": "a"}, {"item": "2", "sample": 0, "answer": 1}, {"item": 2, "sample": 1, "answer": "1"}], ["--format", "votes", "--method", "majority-vote"], "labels.csv"),
    "numbers": ("aggregate-numbers", [{"item": 2, "annotator": "a", "value": 1.0}, {"item": "2", "annotator": "b", "value": 3.0}], ["--method", "mean"], "values.csv"),
    "texts": ("aggregate-texts", [{"item": 2, "annotator": "a", "text": "x"}, {"item": "2", "annotator": "b", "text": "x"}], [], "texts.csv"),
    "tags": ("aggregate-tags", [{"item": "p", "annotator": 7, "tags": [2, "cat"]}, {"item": "p", "annotator": "7", "tags": ["2"]}, {"item": "q", "annotator": 8, "tags": ["cat"]}], [], "labels.csv"),
    "pairs": ("aggregate-pairs", [{"left": 1, "right": "b", "winner": 1}, {"left": "b", "right": "1", "winner": "1"}], [], "scores.csv"),
    "boxes": ("aggregate-boxes", [_box(1, "a"), _box("1", "b")], [], "boxes.csv"),
    "box labels": ("aggregate-boxes", [_box("im", "a", 3), _box("im", "b", "3")], [], "boxes.csv"),
}  # fmt: skip


def _outputs(out):
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and p.name != "summary.json"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_json_ids_written_as_a_number_and_as_text_give_the_csv_outputs(tmp_path, case):
    """One row for the id in the command's output, and the same bytes in every output file as from the CSV."""
    command, rows, options, output = CASES[case]
    jsonl, path = _write_both(tmp_path / "in", rows)
    for source, out in ((jsonl, tmp_path / "j"), (path, tmp_path / "c")):
        result = CliRunner().invoke(main, [command, str(source), "--out", str(out), "--quiet", *options])
        assert result.exit_code == 0, result.output
    assert _outputs(tmp_path / "j") == _outputs(tmp_path / "c")
    assert output in _outputs(tmp_path / "j")
    lines = (tmp_path / "j" / output).read_text().splitlines()[1:]
    firsts = [line.split(",")[0] for line in lines]
    assert len(firsts) == len(set(firsts)), lines


def test_masks_item_written_as_a_number_and_as_text_is_one_item(tmp_path):
    """aggregate-masks: item 1 and "1" are one item (one mask 1.npy), as in the CSV table."""
    for name in ("a", "b"):
        np.save(tmp_path / f"{name}.npy", np.eye(4, dtype=np.uint8))
    rows = [{"item": 1, "annotator": "a", "path": "a.npy"}, {"item": "1", "annotator": "b", "path": "b.npy"}]
    (tmp_path / "masks.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    (tmp_path / "masks.csv").write_text("item,annotator,path\n1,a,a.npy\n1,b,b.npy\n")
    for name in ("masks.jsonl", "masks.csv"):
        out = tmp_path / f"o-{name}"
        result = CliRunner().invoke(main, ["aggregate-masks", str(tmp_path / name), "--out", str(out), "--quiet"])
        assert result.exit_code == 0, result.output
        assert (out / "items.csv").read_text().count("\n1,") == 1
    assert _outputs(tmp_path / "o-masks.jsonl") == _outputs(tmp_path / "o-masks.csv")


def test_csv_ids_that_look_alike_stay_two_items(tmp_path):
    """'007' beside '7' in a CSV (and in a JSON file) are two items, kept as written."""
    for name, text in (
        ("n.csv", "item,annotator,value\n007,a,1\n7,b,2\n"),
        ("n.jsonl", '{"item": "007", "annotator": "a", "value": 1}\n{"item": 7, "annotator": "b", "value": 2}\n'),
    ):
        (tmp_path / name).write_text(text)
        out = tmp_path / f"o-{name}"
        result = CliRunner().invoke(
            main, ["aggregate-numbers", str(tmp_path / name), "--method", "mean", "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert (out / "values.csv").read_text().splitlines()[1:] == ["007,1.0,,1", "7,2.0,,1"]
