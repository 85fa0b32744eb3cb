"""The aggregate-<shape> commands refuse an id column of a JSON Lines input holding a number and the
same number as text (``2`` and ``"2"``): two items to pandas, two rows ``2`` of the output CSV."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _box(image, annotator, label="car"):
    return {"image": image, "annotator": annotator, "x_min": 0, "y_min": 0, "x_max": 5, "y_max": 5, "label": label}


#: command, its rows (the second row's id written as text), the output file, the option and column named.
CASES = {
    "numbers": ("aggregate-numbers", [{"item": 2, "annotator": "a", "value": 1.0}, {"item": "2", "annotator": "b", "value": 3.0}], "values.csv", "--item-column column 'item'"),
    "texts": ("aggregate-texts", [{"item": 2, "annotator": "a", "text": "x"}, {"item": "2", "annotator": "b", "text": "y"}], "texts.csv", "--item-column column 'item'"),
    "tags": ("aggregate-tags", [{"item": "p", "annotator": 7, "tags": "cat"}, {"item": "p", "annotator": "7", "tags": "dog"}], "labels.csv", "--annotator-column column 'annotator'"),
    "pairs": ("aggregate-pairs", [{"left": 1, "right": "b", "winner": 1}, {"left": "b", "right": "1", "winner": "1"}], "scores.csv", "--left-column, --right-column and --winner-column columns ['left', 'right', 'winner']"),
    "boxes": ("aggregate-boxes", [_box(1, "a"), _box("1", "b")], "boxes.csv", "--image-column column 'image'"),
    "box labels": ("aggregate-boxes", [_box("im", "a", 3), _box("im", "b", "3")], "boxes.csv", "--label-column column 'label'"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_id_written_as_a_number_and_as_text_is_refused(tmp_path, case):
    """Both values, their types and rows, and the file that would hold both are named; nothing is written."""
    command, rows, output, named = CASES[case]
    path = _jsonl(tmp_path / "answers.jsonl", rows)
    result = CliRunner().invoke(main, [command, str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert f"error: {named} of " in result.output
    assert f"that {output} would write alike as " in result.output and "write every id as text" in result.output
    assert not (tmp_path / "o").exists()


def test_masks_item_written_as_a_number_and_as_text_is_refused(tmp_path):
    """aggregate-masks: item 1 and "1" would be two rows 1 of items.csv (masks 1.npy and 1-2.npy)."""
    for name in ("a", "b"):
        np.save(tmp_path / f"{name}.npy", np.eye(4, dtype=np.uint8))
    path = _jsonl(
        tmp_path / "masks.jsonl",
        [{"item": 1, "annotator": "a", "path": "a.npy"}, {"item": "1", "annotator": "b", "path": "b.npy"}],
    )
    result = CliRunner().invoke(main, ["aggregate-masks", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert (
        "--item-column column 'item' of TABLE must write each id one way, got 1 (int, row 0) and '1' (str, row 1)"
        in result.output
    )
    assert not (tmp_path / "o").exists()


def test_ids_of_one_kind_and_csv_ids_that_look_alike_run(tmp_path):
    """Numbers only in a JSON file, and '007' beside '7' in a CSV (texts, two items), are no refusal."""
    path = _jsonl(
        tmp_path / "n.jsonl", [{"item": 2, "annotator": 1, "value": 1.0}, {"item": 3, "annotator": 2, "value": 3.0}]
    )
    assert CliRunner().invoke(main, ["aggregate-numbers", str(path), "--out", str(tmp_path / "o1")]).exit_code == 0
    csv = tmp_path / "n.csv"
    csv.write_text("item,annotator,value\n007,a,1\n7,b,2\n")
    result = CliRunner().invoke(
        main, ["aggregate-numbers", str(csv), "--method", "mean", "--out", str(tmp_path / "o2")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o2" / "values.csv").read_text().splitlines()[1:] == ["007,1.0,,1", "7,2.0,,1"]


def test_a_tag_written_as_a_number_and_as_text_is_refused(tmp_path):
    """aggregate-tags: the tag 2 of one JSON list and "2" of another are two tags to the fit (neither
    chosen on an item both annotators tagged 2) and two columns '2' of probs.csv: refused."""
    rows = [
        {"item": "p", "annotator": "a", "tags": [2, "cat"]},
        {"item": "p", "annotator": "b", "tags": ["2"]},
        {"item": "q", "annotator": "b", "tags": ["cat"]},
    ]
    path = _jsonl(tmp_path / "tags.jsonl", rows)
    result = CliRunner().invoke(main, ["aggregate-tags", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert (
        "--tags-column column 'tags' of ANSWERS must write each tag one way, got the tags 2 (int) and '2' (str)"
        in result.output
    )
    assert not (tmp_path / "o").exists()
