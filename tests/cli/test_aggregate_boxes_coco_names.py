"""``labelwise aggregate-boxes --coco``: the category names the files give (boxes.csv's ``label_name``,
summary.json's ``categories``), one id named two ways refused, and a bar per stage on a terminal."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import DataFileError
from labelwise.io.box_answers import read_coco_boxes

from ..scale._bars import assert_complete, final_stages


def _labels_file(folder, name: str, categories: list, boxes: list) -> str:
    """A COCO labels file: images 1 and 2 (640x480), the categories given, one annotation per box."""
    data = {
        "images": [{"id": 1, "width": 640, "height": 480}, {"id": 2, "width": 640, "height": 480}],
        "categories": categories,
        "annotations": [{"id": k, "image_id": i, "category_id": c, "bbox": b} for k, (i, c, b) in enumerate(boxes)],
    }
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data))
    return str(path)


BOXES = [(1, 1, [10, 10, 50, 50]), (2, 2, [100, 100, 40, 60])]
NAMED = [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}]


def _run(*args):
    return CliRunner().invoke(main, ["aggregate-boxes", *map(str, args)])


def test_the_category_names_go_to_boxes_csv_and_summary_json(tmp_path):
    """boxes.csv gets ``label_name`` next to ``label`` (the category_id), summary.json the categories;
    a file listing an id without a name takes the other file's name for it; results lists (no
    categories) write neither."""
    a = _labels_file(tmp_path, "a", NAMED, BOXES)
    b = _labels_file(tmp_path, "b", [{"id": 1}, {"id": 2, "name": "dog"}], BOXES)
    result = _run(a, b, "--coco", "--out", tmp_path / "out", "--top", "0")
    assert result.exit_code == 0, result.output
    boxes = pd.read_csv(tmp_path / "out" / "boxes.csv")
    assert list(boxes.columns[:3]) == ["image", "label", "label_name"]
    assert dict(zip(boxes.label, boxes.label_name, strict=True)) == {1: "cat", 2: "dog"}
    info = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert info["categories"] == NAMED
    coco = json.loads((tmp_path / "out" / "boxes.coco.json").read_text())
    assert isinstance(coco, list) and {d["category_id"] for d in coco} == {1, 2}  # a results list, as before
    # COCO results lists name no category: no label_name column, no categories in summary.json
    path = tmp_path / "m.json"
    path.write_text(json.dumps([{"image_id": 1, "category_id": 3, "bbox": [1, 1, 5, 5], "score": 0.9}]))
    result = _run(path, "--coco", "--method", "wbf", "--out", tmp_path / "plain", "--top", "0")
    assert result.exit_code == 0, result.output
    assert "label_name" not in pd.read_csv(tmp_path / "plain" / "boxes.csv").columns
    assert "categories" not in json.loads((tmp_path / "plain" / "summary.json").read_text())


def test_one_category_id_named_two_ways_is_refused(tmp_path):
    """Two files naming category 1 'cat' and 'kitten': an error naming the id, both names and both files."""
    a = _labels_file(tmp_path, "a", NAMED, BOXES)
    b = _labels_file(tmp_path, "b", [{"id": 1, "name": "kitten"}, {"id": 2, "name": "dog"}], BOXES)
    with pytest.raises(
        DataFileError, match=r"name each category_id one way, got category_id 1 named 'cat' in .*a\.json"
    ):
        read_coco_boxes([a, b])
    result = _run(a, b, "--coco", "--out", tmp_path / "out")
    assert result.exit_code != 0 and "'kitten'" in result.output and "BOXES must name" in result.output
    assert not (tmp_path / "out").exists()


@pytest.fixture
def terminal(monkeypatch):
    """Bars drawn as where stderr is a terminal."""
    monkeypatch.setattr("labelwise._stage_progress.progress_enabled", lambda verbose: verbose is not False)


@pytest.mark.parametrize("method", ["wbf", "consensus"])
def test_a_terminal_shows_a_bar_per_stage_and_quiet_shows_none(tmp_path, terminal, method):
    """Reading (one unit per file), merging and writing (one per file written) end complete on stderr;
    stdout holds the report alone; ``--quiet`` draws nothing."""
    paths = [_labels_file(tmp_path, n, NAMED, BOXES) for n in ("a", "b", "c")]
    result = _run(*paths, "--coco", "--method", method, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    found = assert_complete(
        result.stderr, ["reading 3 COCO files", f"merging boxes ({method})", "writing boxes.csv and more"]
    )
    assert found["reading 3 COCO files"] == (3, "3")
    assert found["writing boxes.csv and more"][0] == (4 if method == "consensus" else 3)
    assert final_stages(result.stdout) == {} and "wrote" in result.stdout
    quiet = _run(*paths, "--coco", "--method", method, "--out", tmp_path / "quiet", "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == ""
