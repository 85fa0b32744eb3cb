"""The detection audit does not depend on the order the boxes of an image are listed in (COCO
annotations and a detector's output come in any order): permuting them permutes the box rows."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.audit import detection

from .test_invariants import detection_case

KEY = ["image", "source", "box"]


def _shuffled(entries, rng):
    """Each image's boxes in a random order, and per image the old index of each new position."""
    orders = [rng.permutation(len(e["labels"])) for e in entries]
    moved = [{key: np.asarray(value)[o] for key, value in e.items()} for e, o in zip(entries, orders, strict=True)]
    return moved, orders


def _exact_swap_ties(labels, preds, iou_match: float = 0.5, min_score: float = 0.5) -> set[tuple[int, int]]:
    """(image, given box) pairs whose most confident other-class predictions in its place tie on
    both score and IoU between two classes: the one case the documented rule leaves to the order."""
    ties = set()
    for i, (g, p) in enumerate(zip(labels, preds, strict=True)):
        if not len(g["labels"]) or not len(p["labels"]):
            continue
        iou = detection.box_iou(np.asarray(g["boxes"], float), np.asarray(p["boxes"], float))
        for j, cls in enumerate(g["labels"]):
            other = (p["labels"] != cls) & (iou[j] >= iou_match) & (p["scores"] >= min_score)
            if not other.any():
                continue
            top = other & (p["scores"] == p["scores"][other].max())
            best = top & (iou[j] == iou[j][top].max())
            if len(set(p["labels"][best].tolist())) > 1:
                ties.add((i, j))
    return ties


class TestBoxOrder:
    @settings(max_examples=60, deadline=None)
    @given(n=st.integers(1, 10), k=st.integers(2, 4), seed=st.integers(0, 100_000), zero_area=st.booleans())
    def test_permuting_the_boxes_of_each_image_permutes_the_rows(self, n, k, seed, zero_area):
        """Given and predicted boxes of every image listed in another order: the same rows (box
        numbers mapped back), every score, kind, flag and ``image_quality`` equal, and the same
        ``suggested`` class except where the most confident other-class predictions in a box's place
        tie on both score and IoU (boxes on a coarse grid and scores in quarters make ties common)."""
        rng = np.random.default_rng(seed)
        labels, preds = detection_case(rng, n, k, zero_area)
        labels2, gorders = _shuffled(labels, rng)
        preds2, porders = _shuffled(preds, rng)
        a = detection.find_label_issues(labels, preds)
        b = detection.find_label_issues(labels2, preds2)
        np.testing.assert_array_equal(a.image_quality, b.image_quality)
        old = [
            (gorders if s == "given" else porders)[i][j]
            for i, j, s in zip(b.boxes.image, b.boxes.box, b.boxes.source, strict=True)
        ]
        left = a.boxes.sort_values(KEY).reset_index(drop=True)
        right = b.boxes.assign(box=np.asarray(old, dtype=np.int64)).sort_values(KEY).reset_index(drop=True)
        same = [c for c in left.columns if c != "suggested"]
        assert left[same].equals(right[same])
        ties = _exact_swap_ties(labels, preds)
        free = [(s != "given" or (i, j) not in ties) for i, j, s in zip(left.image, left.box, left.source, strict=True)]
        np.testing.assert_array_equal(left.suggested[free], right.suggested[free])

    def test_equally_confident_swaps_suggest_the_class_in_the_same_place(self):
        """Two predictions of other classes, both 0.9 confident, on a given box of class 0: the one
        that covers it exactly (IoU 1) is suggested, not the first listed (props38: main suggested 2
        or 1 by the order of the predictions)."""
        labels = [{"boxes": [[0, 0, 20, 20]], "labels": [0]}]
        exact, partial = [0, 0, 20, 20], [0, 0, 20, 18]
        for boxes, classes in (([exact, partial], [1, 2]), ([partial, exact], [2, 1])):
            preds = [{"boxes": boxes, "labels": classes, "scores": [0.9, 0.9]}]
            row = detection.find_label_issues(labels, preds).boxes.iloc[0]
            assert (row.kind, int(row.suggested)) == ("swapped", 1)
