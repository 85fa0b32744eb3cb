"""Predicted boxes past the edge of their image (session 38's walk).

A detector that does not clip its outputs predicts past the edge the box of an object the frame
cuts. With ``image_sizes`` the audit refused the whole data set for one such box; it now clips
predicted boxes to their image. A given box outside its image, and a predicted box that misses its
image altogether, stay errors (a given box: ``test_detection.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.audit import detection
from labelwise.errors import InvalidLabelsError

SIZE = (100.0, 80.0)
LABELS = [{"boxes": [[60.0, 50.0, 100.0, 80.0], [10.0, 10.0, 30.0, 30.0]], "labels": [1, 2]}]


def _preds(boxes):
    return [{"boxes": boxes, "labels": [1, 2, 1][: len(boxes)], "scores": [0.9, 0.8, 0.95][: len(boxes)]}]


def test_a_prediction_past_the_edge_is_clipped_not_refused():
    """A prediction 4 px past the right edge scores as the same box cut at the edge."""
    overhang = _preds([[61.0, 50.0, 104.0, 83.0], [10.0, 10.0, 30.0, 30.0]])
    cut = _preds([[61.0, 50.0, 100.0, 80.0], [10.0, 10.0, 30.0, 30.0]])
    res = detection.find_label_issues(LABELS, overhang, image_sizes=[SIZE])
    ref = detection.find_label_issues(LABELS, cut, image_sizes=[SIZE])
    assert res.boxes.equals(ref.boxes)
    assert res.boxes.loc[0, "badly_located_quality"] == pytest.approx(39 * 30 / (40 * 30))


def test_an_overlooked_prediction_past_the_edge_is_reported_inside_the_image():
    """An overlooked object cut by the frame is reported with its box inside the image."""
    preds = _preds([[60.0, 50.0, 100.0, 80.0], [10.0, 10.0, 30.0, 30.0], [-6.0, 60.0, 20.0, 90.0]])
    res = detection.find_label_issues(LABELS, preds, image_sizes=[SIZE])
    found = res.boxes[res.boxes.source == "predicted"]
    assert found[["x1", "y1", "x2", "y2"]].to_numpy().tolist() == [[0.0, 60.0, 20.0, 80.0]]
    assert found.kind.tolist() == ["overlooked"]


def test_a_prediction_that_misses_the_image_is_an_error():
    """A predicted box wholly right of the image is wrong coordinates, not an overhang: named."""
    with pytest.raises(InvalidLabelsError, match=r"predictions\[0\] box 1 .* lies entirely outside the image"):
        detection.find_label_issues(LABELS, _preds([[60, 50, 100, 80], [101, 10, 130, 30]]), image_sizes=[SIZE])


_coord = st.floats(-30, 130, allow_nan=False, width=32)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_coord, _coord, _coord, _coord), min_size=1, max_size=5))
def test_image_sizes_score_predictions_as_clipped_by_hand(raw):
    """With image_sizes, every score equals the audit without them of the predictions clipped by hand."""
    boxes = np.array([[min(a, c), min(b, d), max(a, c), max(b, d)] for a, b, c, d in raw], dtype=np.float64)
    w, h = SIZE
    misses = (boxes[:, 2] < 0) | (boxes[:, 3] < 0) | (boxes[:, 0] > w) | (boxes[:, 1] > h)
    boxes = boxes[~misses]
    scores = np.linspace(0.55, 0.95, len(boxes))
    preds = [{"boxes": boxes, "labels": np.arange(len(boxes)) % 2 + 1, "scores": scores}]
    clipped = boxes.copy()
    clipped[:, [0, 2]] = clipped[:, [0, 2]].clip(0, w)
    clipped[:, [1, 3]] = clipped[:, [1, 3]].clip(0, h)
    by_hand = [{**preds[0], "boxes": clipped}]
    res = detection.find_label_issues(LABELS, preds, image_sizes=[SIZE])
    ref = detection.find_label_issues(LABELS, by_hand)
    assert res.boxes.equals(ref.boxes)
    assert np.array_equal(res.image_quality, ref.image_quality)
