"""Given boxes past the edge of their image are clipped, as predicted boxes are (session 39's walk).

On main a given box reaching 1 px past the edge refused the whole audit ("lies outside the image"),
while predictions were clipped since session 38: boxes converted from YOLO or Open Images often reach
a little past the edge. Now both are clipped, a warning counts the given ones, and a box that misses
its image altogether is still refused.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.audit import detection
from labelwise.errors import InvalidLabelsError, LabelwiseWarning

SIZE = (100.0, 80.0)
PREDS = [{"boxes": [[60.0, 50.0, 100.0, 80.0], [10.0, 10.0, 30.0, 30.0]], "labels": [1, 2], "scores": [0.9, 0.8]}]


def test_a_given_box_past_the_edge_is_clipped_and_counted():
    """A given box 3 px past the right and bottom edges scores as the box cut at the edge; one warning counts it."""
    past = [{"boxes": [[61.0, 50.0, 103.0, 83.0], [10.0, 10.0, 30.0, 30.0]], "labels": [1, 2]}]
    cut = [{"boxes": [[61.0, 50.0, 100.0, 80.0], [10.0, 10.0, 30.0, 30.0]], "labels": [1, 2]}]
    with pytest.warns(LabelwiseWarning) as said:
        res = detection.find_label_issues(past, PREDS, image_sizes=[SIZE])
    ref = detection.find_label_issues(cut, PREDS, image_sizes=[SIZE])
    assert res.boxes.equals(ref.boxes)
    assert len(said) == 1
    assert str(said[0].message).startswith(
        "1 given box past the edge of its image was clipped to it and scored so (the first: image 0 box 0 "
        "[61.0, 50.0, 103.0, 83.0], width 100, height 80)"
    )


def test_no_warning_when_every_given_box_is_inside():
    """Boxes touching the edges exactly are inside: nothing is said."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        detection.find_label_issues([{"boxes": [[0.0, 0.0, 100.0, 80.0]], "labels": [1]}], PREDS, image_sizes=[SIZE])


def test_a_given_box_that_misses_the_image_is_still_refused():
    """A given box wholly below the image is wrong coordinates: named, not clipped to a line."""
    with pytest.raises(InvalidLabelsError, match=r"labels\[0\] box 0 .* lies entirely outside the image"):
        detection.find_label_issues([{"boxes": [[10, 81, 20, 90]], "labels": [1]}], PREDS, image_sizes=[SIZE])


_coord = st.floats(-30, 130, allow_nan=False, width=32)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_coord, _coord, _coord, _coord), min_size=1, max_size=5))
def test_image_sizes_score_given_boxes_as_clipped_by_hand(raw):
    """With image_sizes, every score equals the audit without them of the given boxes clipped by hand."""
    boxes = np.array([[min(a, c), min(b, d), max(a, c), max(b, d)] for a, b, c, d in raw], dtype=np.float64)
    w, h = SIZE
    touching = (boxes[:, 2] >= 0) & (boxes[:, 3] >= 0) & (boxes[:, 0] <= w) & (boxes[:, 1] <= h)
    boxes = boxes[touching]
    labels = [{"boxes": boxes, "labels": [1 + k % 2 for k in range(len(boxes))]}]
    hand = np.column_stack([np.clip(boxes[:, [0, 2]], 0, w), np.clip(boxes[:, [1, 3]], 0, h)])[:, [0, 2, 1, 3]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LabelwiseWarning)
        res = detection.find_label_issues(labels, PREDS, image_sizes=[SIZE])
    ref = detection.find_label_issues([{"boxes": hand, "labels": labels[0]["labels"]}], PREDS)
    assert res.boxes.equals(ref.boxes)
