"""`labelwise audit --task detection` with a given COCO box past its image's edge (session 39's walk).

On main the whole audit was refused ("DATA image_id 8: given box 0 [...] lies outside the image").
"""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def test_a_given_box_past_the_edge_is_audited_clipped_with_a_warning(tmp_path):
    """A given box 1 px past the right edge: the audit runs, lists the clipped box, and a warning counts it."""
    images = [{"id": 7 + i, "file_name": f"im{i}.jpg", "width": 100, "height": 80} for i in range(2)]
    anns = [
        {"id": 1, "image_id": 7, "category_id": 3, "bbox": [10.0, 10.0, 30.0, 20.0]},
        {"id": 2, "image_id": 8, "category_id": 3, "bbox": [71.0, 10.0, 30.0, 20.0]},
    ]
    preds = [
        {"image_id": 7 + i, "category_id": 3, "bbox": [10.0 + 61 * i, 10.0, 29.0, 20.0], "score": 0.9} for i in range(2)
    ]
    (tmp_path / "gt.json").write_text(json.dumps({"images": images, "annotations": anns, "categories": [{"id": 3}]}))
    (tmp_path / "pred.json").write_text(json.dumps(preds))
    args = ["audit", str(tmp_path / "gt.json"), "--task", "detection", "--predictions", str(tmp_path / "pred.json")]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert (
        "warning: 1 given box past the edge of its image was clipped to it and scored so (the first: image_id 8 box 0"
        in said
    )
    issues = pd.read_csv(tmp_path / "out" / "issues.csv")
    given = issues[(issues.source == "given") & (issues.image_id == 8)]
    assert given[["x1", "y1", "x2", "y2"]].to_numpy().tolist() == [[71.0, 10.0, 100.0, 30.0]]
