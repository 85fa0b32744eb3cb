"""Tests of labelwise.audit.detection."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.audit import detection
from labelwise.errors import InvalidLabelsError, ShapeMismatchError

from ._tasks_data import detection_case


def _truth_sets(noisy):
    given_bad = {(i, j) for i, kinds in enumerate(noisy.kind) for j in np.flatnonzero(kinds != "")}
    images_dropped = {i for i, d in enumerate(noisy.dropped) if len(d["labels"])}
    return given_bad, images_dropped


class TestFindsEachKind:
    def test_swapped_and_jittered_boxes_are_flagged_as_such(self):
        """Most swapped boxes come out 'swapped' and most jittered ones 'badly_located'."""
        _, noisy, preds = detection_case()
        res = detection.find_label_issues(noisy.labels, preds)
        given = res.boxes[res.boxes.source == "given"].set_index(["image", "box"])
        for kind, expected in (("swap", "swapped"), ("jitter", "badly_located")):
            keys = [(i, j) for i, k in enumerate(noisy.kind) for j in np.flatnonzero(k == kind)]
            found = [given.loc[key, "is_issue"] and given.loc[key, "kind"] == expected for key in keys]
            assert np.mean(found) > 0.8, kind
        bad, _ = _truth_sets(noisy)
        flagged = set(map(tuple, given[given.is_issue].index))
        assert len(flagged & bad) / len(flagged) > 0.8

    def test_dropped_boxes_show_up_as_overlooked_predictions(self):
        """Images with a dropped box get an overlooked prediction flagged; other overlooked flags come
        from boxes jittered away from their object (the object itself is then unannotated)."""
        _, noisy, preds = detection_case(seed=1)
        res = detection.find_label_issues(noisy.labels, preds)
        over = res.boxes[(res.boxes.kind == "overlooked") & res.boxes.is_issue]
        _, dropped = _truth_sets(noisy)
        assert len(set(over.image) & dropped) / len(dropped) > 0.8
        jittered = {i for i, k in enumerate(noisy.kind) if (k == "jitter").any()}
        assert len(set(over.image) - dropped - jittered) / max(len(set(over.image)), 1) < 0.1

    def test_results_do_not_depend_on_batching(self):
        """Auditing images in two halves gives the same per-image scores as all at once."""
        _, noisy, preds = detection_case(seed=2, n_images=40)
        whole = detection.find_label_issues(noisy.labels, preds).image_quality
        a = detection.find_label_issues(noisy.labels[:17], preds[:17]).image_quality
        b = detection.find_label_issues(noisy.labels[17:], preds[17:]).image_quality
        np.testing.assert_array_equal(whole, np.concatenate([a, b]))

    def test_a_box_with_nothing_wrong_has_kind_none(self):
        """A given box its prediction matches exactly scored 1 everywhere and was listed as kind 'overlooked'
        (the first of the tied scores), a kind no given box can have."""
        box = np.array([[10.0, 10.0, 40.0, 40.0]])
        res = detection.find_label_issues(
            [{"boxes": box, "labels": np.array([0])}],
            [{"boxes": box, "labels": np.array([0]), "scores": np.array([0.9])}],
        )
        row = res.boxes.iloc[0]
        assert (row.source, row.label_quality, row.kind, row.is_issue) == ("given", 1.0, "none", False)

    def test_clean_labels_are_not_flagged(self):
        """With the true boxes, almost nothing is flagged."""
        truth, _, preds = detection_case(seed=3)
        res = detection.find_label_issues(truth, preds)
        assert res.n_issues <= 2
        assert res.summary()["n_images"] == len(truth)


class TestZeroAreaBoxes:
    def test_identical_zero_area_box_is_a_perfect_match(self):
        """A line box (x1 == x2) predicted exactly: IoU 1, not badly located, and the prediction is not overlooked."""
        labels = [{"boxes": [[60.0, 60, 60, 80]], "labels": [1]}]
        preds = [{"boxes": [[60.0, 60, 60, 80]], "labels": [1], "scores": [0.95]}]
        res = detection.find_label_issues(labels, preds)
        assert detection.box_iou(np.array([[60.0, 60, 60, 80]]), np.array([[60.0, 60, 60, 80]])).item() == 1.0
        assert res.boxes["source"].tolist() == ["given"]
        assert res.boxes.loc[0, "badly_located_quality"] == 1.0 and not res.is_image_issue.any()

    def test_zero_area_box_against_a_real_box_is_badly_located(self):
        """A point box inside a confidently predicted 10x10 box of its class: IoU 0, flagged badly located."""
        labels = [{"boxes": [[5.0, 5, 5, 5]], "labels": [0]}]
        preds = [{"boxes": [[0.0, 0, 10, 10]], "labels": [0], "scores": [0.9]}]
        res = detection.find_label_issues(labels, preds)
        given = res.boxes[res.boxes.source == "given"].iloc[0]
        assert given.badly_located_quality == 0.0 and given.kind == "badly_located" and given.is_issue

    def test_two_different_zero_area_boxes_do_not_overlap(self):
        """Zero-area boxes that are not the same box have IoU 0 (crossing lines, a point on a line)."""
        a = np.array([[5.0, 0, 5, 10], [5, 5, 5, 5]])
        b = np.array([[0.0, 5, 10, 5], [5, 0, 5, 9]])
        np.testing.assert_array_equal(detection.box_iou(a, b), 0.0)


class TestEmptyResult:
    def test_images_without_boxes_give_a_table_with_the_usual_column_types(self):
        """No given and no predicted box: an empty box table whose column types match a non-empty one's."""
        empty = detection.find_label_issues([{"boxes": [], "labels": []}], [{"boxes": [], "labels": [], "scores": []}])
        labels = [{"boxes": [[0, 0, 10, 10]], "labels": [0]}]
        preds = [{"boxes": [[0, 0, 10, 10], [20, 20, 30, 30]], "labels": [0, 1], "scores": [0.9, 0.95]}]
        full = detection.find_label_issues(labels, preds)
        assert len(empty.boxes) == 0 and empty.image_quality.tolist() == [1.0]
        assert empty.boxes.dtypes.to_dict() == full.boxes.dtypes.to_dict()


class TestBadInput:
    def test_negative_width_is_named(self):
        """A box with x2 < x1 names the image and box."""
        with pytest.raises(InvalidLabelsError, match=r"labels\[0\] box 1 has negative width"):
            detection.find_label_issues(
                [{"boxes": [[0, 0, 5, 5], [5, 0, 1, 5]], "labels": [0, 0]}], [{"boxes": [], "labels": [], "scores": []}]
            )

    def test_box_outside_the_image(self):
        """With image_sizes, a box wholly right of the image is an error (one past an edge is clipped)."""
        with pytest.raises(InvalidLabelsError, match="entirely outside the image"):
            detection.find_label_issues(
                [{"boxes": [[45, 0, 50, 5]], "labels": [0]}],
                [{"boxes": [], "labels": [], "scores": []}],
                image_sizes=[(40, 40)],
            )

    def test_image_count_mismatch(self):
        """Different numbers of images is a ShapeMismatchError."""
        with pytest.raises(ShapeMismatchError):
            detection.find_label_issues([{"boxes": [], "labels": []}], [])

    def test_predictions_need_scores(self):
        """Predictions without scores are rejected."""
        with pytest.raises(InvalidLabelsError, match="scores"):
            detection.find_label_issues([{"boxes": [], "labels": []}], [{"boxes": [], "labels": []}])

    def test_class_names_instead_of_ids_are_named(self):
        """String class labels were int()'s ValueError; now the error names the image, the box and the value."""
        given = [{"boxes": [[0, 0, 10, 10]], "labels": ["cat"]}]
        preds = [{"boxes": [[0, 0, 10, 10]], "labels": [0], "scores": [0.9]}]
        with pytest.raises(
            InvalidLabelsError, match=r"labels\[0\] 'labels' must be integer class ids.*box 0 has 'cat'"
        ):
            detection.find_label_issues(given, preds)

    def test_fractional_class_id_is_not_truncated(self):
        """A class id of 1.7 was silently read as 1; whole floats such as 1.0 still read as 1."""
        preds = [{"boxes": [[0, 0, 10, 10]], "labels": [1.0], "scores": [0.9]}]
        ok = detection.find_label_issues([{"boxes": [[0, 0, 10, 10]], "labels": [1.0]}], preds)
        assert ok.to_frame()["given"].tolist() == [1]
        with pytest.raises(InvalidLabelsError, match="box 0 has 1.7"):
            detection.find_label_issues([{"boxes": [[0, 0, 10, 10]], "labels": [1.7]}], preds)

    @pytest.mark.parametrize("boxes", [[[0, 0, 10], [1, 1, 5]], np.zeros((4, 2))])
    def test_boxes_not_of_four_coordinates_are_refused(self, boxes):
        """(m, 3) boxes were numpy's reshape error; (4, 2) point pairs were silently reshaped into two boxes."""
        preds = [{"boxes": [], "labels": [], "scores": []}]
        with pytest.raises(ShapeMismatchError, match=r"labels\[0\] 'boxes' must have shape \(m, 4\)"):
            detection.find_label_issues([{"boxes": boxes, "labels": [0] * len(boxes)}], preds)

    @pytest.mark.parametrize("score", [1.5, -0.1, np.nan])
    def test_scores_outside_zero_one_are_refused(self, score):
        """A score above 1 made an overlooked quality 1 - s below 0; NaN made no comparison hold."""
        preds = [{"boxes": [[0, 0, 10, 10]], "labels": [0], "scores": [score]}]
        with pytest.raises(InvalidLabelsError, match=r"predictions\[0\] 'scores' must be confidences in \[0, 1\]"):
            detection.find_label_issues([{"boxes": [], "labels": []}], preds)
