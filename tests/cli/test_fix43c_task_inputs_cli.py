"""``labelwise audit --task``: inputs read otherwise than written are said (session 43's walk, fix43c).

A detection box past the edge is named by its COCO ``image_id`` as errors name it; multilabel tag
cells written ``NA`` or ``a||b`` get a notice; mask files with unpadded numbers warn of the order.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _coco(tmp_path, boxes: list[list[float]], out: str = "out"):
    """Two 100x80 images with ids 7 and 8 (positions 0 and 1), one given box each, a matching prediction each."""
    images = [{"id": 7 + i, "file_name": f"im{i}.jpg", "width": 100, "height": 80} for i in range(2)]
    anns = [{"id": i + 1, "image_id": 7 + i, "category_id": 3, "bbox": box} for i, box in enumerate(boxes)]
    preds = [{"image_id": 7 + i, "category_id": 3, "bbox": [10.0, 10.0, 29.0, 20.0], "score": 0.9} for i in range(2)]
    (tmp_path / "gt.json").write_text(json.dumps({"images": images, "annotations": anns, "categories": [{"id": 3}]}))
    (tmp_path / "pred.json").write_text(json.dumps(preds))
    args = ["audit", str(tmp_path / "gt.json"), "--task", "detection", "--predictions", str(tmp_path / "pred.json")]
    return CliRunner().invoke(main, [*args, "--out", str(tmp_path / out)])


def test_a_box_past_the_edge_is_named_by_its_image_id_as_errors_name_it(tmp_path):
    """The clipped-box warning said 'image 1 box 0' (the position) where an error says 'image_id 8'."""
    warned = _coco(tmp_path, [[10.0, 10.0, 30.0, 20.0], [71.0, 10.0, 30.0, 20.0]])
    assert warned.exit_code == 0, warned.output
    said = " ".join(warned.output.split())
    assert "(the first: image_id 8 box 0 [71.0, 10.0, 101.0, 30.0], width 100, height 80)" in said, said
    refused = _coco(tmp_path, [[10.0, 10.0, 30.0, 20.0], [101.0, 10.0, 19.0, 20.0]], "out2")
    assert refused.exit_code == 2
    assert "DATA image_id 8: given box 0" in " ".join(refused.output.split())


def _multilabel(tmp_path, cells: list[str], *extra: str):
    """``audit --task multilabel`` on a CSV written as ``cells`` (no quoting: NA stays the text NA)."""
    rng = np.random.default_rng(0)
    n = len(cells)
    (tmp_path / "t.csv").write_text("tags,x\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells)))
    np.save(tmp_path / "p.npy", rng.uniform(0.05, 0.95, (n, 2)))
    args = ["audit", str(tmp_path / "t.csv"), "--task", "multilabel", "--label", "tags", "--probs"]
    return CliRunner().invoke(main, [*args, str(tmp_path / "p.npy"), *extra, "--out", str(tmp_path / "out")])


def _summary_notices(tmp_path) -> list[str]:
    return json.loads((tmp_path / "out" / "summary.json").read_text()).get("notices", [])


def test_tag_cells_written_na_get_one_notice_naming_the_count_and_first_row(tmp_path):
    """Two cells 'NA' and one 'null' read as no tags: one notice, 3 cells, the first row and its line."""
    cells = ["a|b", "a", "NA", "b", "", "null", "NA", "a"] * 3
    result = _multilabel(tmp_path, cells[:8] + ["a|b"] * 16)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    expected = (
        "notice: 3 cell(s) of --label column 'tags' hold a missing-value marker and are read as rows without tags "
        "(the first: row 2 (line 4) reads 'NA'); if 'NA' is a tag, pass --na-values \"\""
    )
    assert expected in said, said
    assert said.count("missing-value marker") == 1
    assert any("missing-value marker" in n for n in _summary_notices(tmp_path))


def test_tag_cells_with_an_empty_tag_get_one_notice(tmp_path):
    """'a||b' and 'b|' are read as 'a|b' and 'b': one notice naming 2 cells and the first."""
    result = _multilabel(tmp_path, ["a|b", "a||b", "b", "b|"] + ["a"] * 20)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert (
        "notice: 2 cell(s) of --label column 'tags' hold an empty tag between separators, which is dropped "
        "(the first: row 1 (line 3), 'a||b' read as 'a|b')"
    ) in said, said


def test_empty_cells_and_na_values_given_say_nothing(tmp_path):
    """Empty cells are the usual rows without tags, and --na-values NA is the user's choice: no notice."""
    result = _multilabel(tmp_path, ["a|b", "", "b", "NA"] + ["a"] * 20, "--na-values", "NA")
    assert result.exit_code == 0, result.output
    assert "notice" not in result.output and _summary_notices(tmp_path) == []


def test_mask_files_with_unpadded_numbers_warn_of_the_order_probs_follow(tmp_path):
    """img1, img10, img2: the audit runs in name order and warns that --probs must follow it."""
    from PIL import Image

    folder = tmp_path / "masks"
    folder.mkdir()
    masks = np.zeros((3, 8, 8), np.uint8)
    masks[:, 2:6, 2:6] = 1
    for i, m in zip((1, 2, 10), masks, strict=True):
        Image.fromarray(m, mode="L").save(folder / f"img{i}.png")
    np.save(tmp_path / "p.npy", np.stack([1.0 - masks, masks], axis=1) * 0.9 + 0.05)
    args = ["audit", str(folder), "--task", "segmentation", "--probs", str(tmp_path / "p.npy")]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "warning: the 3 mask files are read in name order, in which 'img10.png' comes before 'img2.png'" in said
    assert pd.read_csv(tmp_path / "out" / "issues.csv").sort_values("image")["file"].tolist() == [
        "img1.png",
        "img10.png",
        "img2.png",
    ]
