"""`labelwise audit --task detection` on COCO files with boxes at the images' edges (session 38's walk)."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _coco(tmp_path, *, given_x2=40.0, given_x1=10.0):
    images = [{"id": 7 + i, "file_name": f"im{i}.jpg", "width": 100, "height": 80} for i in range(3)]
    anns = [
        {
            "id": 1 + i,
            "image_id": 7 + i,
            "category_id": 3,
            "bbox": [
                given_x1 if i == 1 else 10.0,
                10.0,
                (given_x2 if i == 1 else 40.0) - (given_x1 if i == 1 else 10.0),
                20.0,
            ],
        }
        for i in range(3)
    ]
    preds = [{"image_id": 7 + i, "category_id": 3, "bbox": [10.0, 10.0, 30.0, 20.0], "score": 0.9} for i in range(3)]
    preds.append({"image_id": 8, "category_id": 3, "bbox": [70.0, 50.0, 35.0, 33.0], "score": 0.97})  # cut by the frame
    (tmp_path / "gt.json").write_text(json.dumps({"images": images, "annotations": anns, "categories": [{"id": 3}]}))
    (tmp_path / "pred.json").write_text(json.dumps(preds))
    args = ["audit", str(tmp_path / "gt.json"), "--task", "detection", "--predictions", str(tmp_path / "pred.json")]
    return CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])


def test_predictions_past_the_edge_are_audited(tmp_path):
    """An unclipped prediction past the right and bottom edges: the audit runs, the box reported inside."""
    result = _coco(tmp_path)
    assert result.exit_code == 0, result.output
    issues = pd.read_csv(tmp_path / "out" / "issues.csv")
    overlooked = issues[issues.source == "predicted"]
    assert overlooked[["image_id", "x1", "y1", "x2", "y2"]].to_numpy().tolist() == [[8, 70.0, 50.0, 100.0, 80.0]]


def test_a_given_box_outside_the_image_names_the_coco_image(tmp_path):
    """The error names the COCO image_id the user knows, not a list position (a box past an edge is clipped
    since session 39: tests/cli/test_walk39_given_box_clipped_cli.py)."""
    result = _coco(tmp_path, given_x1=101.0, given_x2=120.0)
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert (
        "DATA image_id 8: given box 0 [101.0, 10.0, 120.0, 30.0] lies entirely outside the image (width 100.0" in said
    )
    assert "labels[" not in said


def test_an_image_of_zero_width_is_named_by_its_image_id(tmp_path):
    """A COCO image with width 0: an error naming DATA's image_id and the size (shapes47)."""
    images = [{"id": 7 + i, "file_name": f"im{i}.jpg", "width": 0 if i == 1 else 100, "height": 80} for i in range(3)]
    anns = [{"id": 1 + i, "image_id": 7 + i, "category_id": 3, "bbox": [10.0, 10.0, 30.0, 20.0]} for i in range(3)]
    preds = [{"image_id": 7, "category_id": 3, "bbox": [10.0, 10.0, 30.0, 20.0], "score": 0.9}]
    (tmp_path / "gt.json").write_text(json.dumps({"images": images, "annotations": anns, "categories": [{"id": 3}]}))
    (tmp_path / "pred.json").write_text(json.dumps(preds))
    args = ["audit", str(tmp_path / "gt.json"), "--task", "detection", "--predictions", str(tmp_path / "pred.json")]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert "DATA image_id 8: width and height must be two positive finite numbers, got (0.0, 80.0)" in result.output
