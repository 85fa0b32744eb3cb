"""Differential tests: the object detection audit against ``cleanlab.object_detection`` 2.9.

labelwise scores each box from its own image only (overlooked ``1 - s``, badly located = best IoU
with a prediction of its class, swapped ``1 - s`` of another class's prediction in the same place)
and flags a score below one threshold. cleanlab's ObjectLab scores mix IoU and box distances into a
similarity, pool them with a softmin, and set per-class thresholds from the whole data set, so its
scores are deliberately not labelwise's (benchmarks/RESULTS.md, "Label shapes": F1 1.000 vs 0.534
on the benchmark's simulation). They coincide in their IoU and in the outcomes where errors are
gross: clean images flagged by neither, and every image cleanlab flags flagged by labelwise too.
"""

from __future__ import annotations

import numpy as np
import pytest

cleanlab_od_filter = pytest.importorskip("cleanlab.object_detection.filter")
cleanlab_od_rank = pytest.importorskip("cleanlab.object_detection.rank")

from labelwise.audit import detection  # noqa: E402

from ._tasks_data import detection_case  # noqa: E402

K = 3


def _cleanlab_format(labels, predictions, k=K):
    """labelwise's per-image dicts as cleanlab's: ``bboxes`` / ``labels``, predictions per class ``(m, 5)``."""
    given = [
        {"bboxes": np.asarray(g["boxes"], float).reshape(-1, 4), "labels": np.asarray(g["labels"])} for g in labels
    ]
    preds = []
    for p in predictions:
        boxes, cls, score = np.asarray(p["boxes"], float), np.asarray(p["labels"]), np.asarray(p["scores"], float)
        per_class = [np.hstack([boxes[cls == j], score[cls == j, None]]).reshape(-1, 5) for j in range(k)]
        preds.append(np.array(per_class, dtype=object))
    return given, preds


class TestIoU:
    """``box_iou`` equals cleanlab's IoU matrix."""

    def test_random_boxes_equal_cleanlab(self):
        """Overlapping, disjoint, nested and identical boxes, to floating-point precision."""
        rng = np.random.default_rng(0)
        xy = rng.uniform(0, 50, (40, 2))
        a = np.hstack([xy, xy + rng.uniform(1, 30, (40, 2))])
        b = np.vstack(
            [a[:10], a[10:20] + rng.normal(0, 5, (10, 4)).clip(-0.9, 0.9), [[0, 0, 100, 100], [200, 200, 201, 201]]]
        )
        theirs = cleanlab_od_rank._get_overlap_matrix(a, b)
        np.testing.assert_allclose(detection.box_iou(a, b), theirs, rtol=1e-12, atol=1e-12)

    def test_touching_and_degenerate_boxes_have_zero_overlap_in_both(self):
        """Boxes sharing only an edge, and a zero-area box against other boxes, overlap 0 in both libraries."""
        a = np.array([[0.0, 0, 10, 10], [5, 5, 5, 5], [3, 0, 3, 8]])
        b = np.array([[10.0, 0, 20, 10], [0, 10, 10, 20], [15, 15, 16, 16], [3, 1, 3, 8]])
        np.testing.assert_allclose(detection.box_iou(a, b), cleanlab_od_rank._get_overlap_matrix(a, b), atol=1e-12)
        assert (detection.box_iou(a, b) == 0).all()

    def test_identical_zero_area_boxes_differ_only_there(self):
        """An identical zero-area pair: labelwise 1 (same place), cleanlab 0 (0/0); every other pair agrees."""
        a = np.array([[0.0, 0, 10, 10], [5, 5, 5, 5], [3, 0, 3, 8]])
        b = np.array([[0.0, 0, 10, 10], [5, 5, 5, 5], [3, 0, 3, 8], [3, 0, 4, 8]])
        ours, theirs = detection.box_iou(a, b), cleanlab_od_rank._get_overlap_matrix(a, b)
        differ = ~np.isclose(ours, theirs, atol=1e-12)
        assert differ.tolist() == [[False] * 4, [False, True, False, False], [False, False, True, False]]
        assert ours[1, 1] == ours[2, 2] == 1.0 and theirs[1, 1] == theirs[2, 2] == 0.0


class TestZeroAreaOutcome:
    """A zero-area given box predicted exactly: flagged by neither library."""

    def test_identical_zero_area_box_is_flagged_by_neither(self):
        """A line box (x1 == x2) and a point box, each predicted exactly with confidence 0.95: no flag anywhere."""
        labels = [{"boxes": [[10.0, 10, 50, 50], [60, 60, 60, 80], [5, 5, 5, 5]], "labels": [0, 1, 2]}] * 4
        preds = [{**labels[0], "scores": [0.95, 0.95, 0.95]}] * 4
        ours = detection.find_label_issues(labels, preds)
        theirs = cleanlab_od_filter.find_label_issues(*_cleanlab_format(labels, preds))
        assert not ours.is_image_issue.any() and not theirs.any()
        np.testing.assert_array_equal(ours.boxes["badly_located_quality"].to_numpy(), 1.0)


@pytest.mark.slow
class TestFlaggedImages:
    """Image-level flags agree where the two methods' definitions agree."""

    @pytest.mark.parametrize("seed", [0, 1])
    def test_clean_images_are_flagged_by_neither(self, seed):
        """Given boxes equal to the truth and predictions close to it: no image flagged by either."""
        truth, _, preds = detection_case(n_images=120, k=K, seed=seed)
        ours = detection.find_label_issues(truth, preds)
        theirs = cleanlab_od_filter.find_label_issues(*_cleanlab_format(truth, preds))
        assert not ours.is_image_issue.any() and not theirs.any()

    @pytest.mark.parametrize("seed", [0, 1])
    def test_every_image_cleanlab_flags_labelwise_flags(self, seed):
        """Dropped, jittered and swapped boxes: cleanlab's flagged images are a subset of labelwise's, all truly corrupted."""
        truth, noisy, preds = detection_case(n_images=150, k=K, seed=seed)
        ours = detection.find_label_issues(noisy.labels, preds).is_image_issue
        theirs = cleanlab_od_filter.find_label_issues(*_cleanlab_format(noisy.labels, preds))
        corrupted = np.array(
            [
                (np.asarray(kind) != "").any() or len(d["labels"]) > 0
                for kind, d in zip(noisy.kind, noisy.dropped, strict=True)
            ]
        )
        assert theirs.sum() >= 5
        assert not (theirs & ~ours).any()
        assert not (theirs & ~corrupted).any()
