"""WeightedBoxesFusion against ensemble-boxes 1.0.9's ``weighted_boxes_fusion`` on the same boxes.

ensemble-boxes takes one list of boxes per model and per image, in [0, 1] coordinates (it clips
to that range, so the test clips first), and keeps its fused boxes in float32: the coordinates and scores agree within
1e-6. Scores are distinct random numbers so both visit the boxes in the same order (ensemble-boxes
sorts with an unstable argsort).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate.boxes import CONF_TYPES, WeightedBoxesFusion, simulate_boxes

ensemble_boxes = pytest.importorskip("ensemble_boxes")

COLUMNS = ["label", "score", "x_min", "y_min", "x_max", "y_max"]


def _normalised(seed: int, n_images: int = 30) -> pd.DataFrame:
    sim = simulate_boxes(n_images, 4, n_classes=2, jitter=0.08, false_rate=0.5, random_state=seed)
    boxes = sim.boxes.assign(label=sim.boxes.label.str[1:].astype(int))
    boxes[["x_min", "x_max"]] /= 640.0
    boxes[["y_min", "y_max"]] /= 480.0
    coords = ["x_min", "y_min", "x_max", "y_max"]
    boxes[coords] = boxes[coords].clip(0.0, 1.0)  # as ensemble-boxes would
    return boxes[(boxes.x_max > boxes.x_min) & (boxes.y_max > boxes.y_min)].reset_index(drop=True)


def _theirs(boxes: pd.DataFrame, models: list[str], weights: dict, **kwargs) -> dict:
    out = {}
    for image, drawn in boxes.groupby("image"):
        per_model = [drawn[drawn.annotator == m] for m in models]
        fused, scores, labels = ensemble_boxes.weighted_boxes_fusion(
            [d[["x_min", "y_min", "x_max", "y_max"]].to_numpy() for d in per_model],
            [d.score.to_numpy() for d in per_model],
            [d.label.to_numpy() for d in per_model],
            weights=[weights[m] for m in models],
            **kwargs,
        )
        out[image] = np.column_stack([labels, scores, fused])
    return out


def _sorted(rows: np.ndarray) -> np.ndarray:
    return rows[np.lexsort((rows[:, 2], rows[:, 1], rows[:, 0]))]


@pytest.mark.parametrize("conf_type", CONF_TYPES)
@pytest.mark.parametrize(("weighted", "iou_thr"), [(False, 0.55), (True, 0.4)])
def test_fused_boxes_and_scores_equal_ensemble_boxes(conf_type, weighted, iou_thr):
    """Every image's fused boxes, scores and classes are ensemble-boxes' within 1e-6, for each conf_type."""
    boxes = _normalised(seed=len(conf_type) + weighted)
    models = ["a0", "a1", "a2", "a3"]
    weights = dict(zip(models, [1.0, 2.0, 0.5, 1.5] if weighted else [1.0] * 4, strict=True))
    theirs = _theirs(boxes, models, weights, iou_thr=iou_thr, conf_type=conf_type)
    est = WeightedBoxesFusion(iou_thr=iou_thr, conf_type=conf_type, weights=weights, score_col="score").fit(boxes)
    ours = est.boxes_
    assert sorted(ours.image.unique()) == sorted(theirs)
    for image, expected in theirs.items():
        got = ours.loc[ours.image == image, COLUMNS].to_numpy(dtype=float)
        np.testing.assert_allclose(_sorted(got), _sorted(expected), atol=1e-6, rtol=0)


@pytest.mark.parametrize("allow_overflow", [False, True])
def test_overflow_and_skipped_boxes_follow_ensemble_boxes(allow_overflow):
    """allows_overflow and skip_box_thr give ensemble-boxes' boxes; skipped rows have box_index_ -1."""
    boxes = _normalised(seed=7)
    models = ["a0", "a1", "a2", "a3"]
    weights = dict.fromkeys(models, 1.0)
    theirs = _theirs(boxes, models, weights, iou_thr=0.3, skip_box_thr=0.4, allows_overflow=allow_overflow)
    est = WeightedBoxesFusion(
        iou_thr=0.3, skip_box_thr=0.4, allow_overflow=allow_overflow, weights=weights, score_col="score"
    ).fit(boxes)
    got = est.boxes_
    for image, expected in theirs.items():
        rows = got.loc[got.image == image, COLUMNS].to_numpy(dtype=float)
        np.testing.assert_allclose(_sorted(rows), _sorted(expected), atol=1e-6, rtol=0)
    np.testing.assert_array_equal(est.box_index_ == -1, boxes.score.to_numpy() < 0.4)
