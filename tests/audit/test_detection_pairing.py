"""Detection's inputs are paired by position: images in labels, predictions and image_sizes, boxes inside an
image. shapes47: pandas inputs listing the same keys in another order were paired by position in silence
(every image scored against another image's predictions), and an image_sizes list shorter than the images
left the images past its end unscored (image quality 1, as if perfect)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.audit import detection
from labelwise.errors import InvalidLabelsError, InvalidParameterError, ShapeMismatchError

N = 6


def _images() -> tuple[list[dict], list[dict]]:
    rng = np.random.default_rng(0)
    labels, preds = [], []
    for _ in range(N):
        xy = rng.uniform(0, 50, (2, 2))
        boxes = np.hstack([xy, xy + rng.uniform(5, 20, (2, 2))])
        classes = rng.integers(0, 3, 2)
        labels.append({"boxes": boxes, "labels": classes})
        preds.append({"boxes": boxes + 0.5, "labels": classes, "scores": np.array([0.9, 0.8])})
    return labels, preds


def _series(entries: list) -> pd.Series:
    return pd.Series(entries, index=[f"img{i}" for i in range(N)])


def _shuffled(s: pd.Series) -> pd.Series:
    return s.iloc[np.random.default_rng(1).permutation(len(s))]


class TestImagesInAnotherOrder:
    def test_predictions_series_in_another_order_is_refused(self):
        """predictions holding labels' image keys in another order: an error naming predictions and the fix."""
        labels, preds = _images()
        with pytest.raises(InvalidParameterError, match=r"^predictions must list the rows in the order of labels' index.*predictions\.reindex\(labels\.index\)"):  # fmt: skip
            detection.find_label_issues(_series(labels), _shuffled(_series(preds)))

    def test_image_sizes_series_in_another_order_is_refused(self):
        """image_sizes holding the images' keys in another order is refused, naming image_sizes."""
        labels, preds = _images()
        sizes = _series([(100.0, 100.0)] * N)
        with pytest.raises(
            InvalidParameterError, match=r"^image_sizes must list the rows in the order of labels' index"
        ):
            detection.find_label_issues(_series(labels), _series(preds), image_sizes=_shuffled(sizes))

    def test_a_reset_index_is_read_by_position(self):
        """predictions on another index (reset) give the result of the lists themselves."""
        labels, preds = _images()
        res = detection.find_label_issues(_series(labels), _series(preds).reset_index(drop=True))
        ref = detection.find_label_issues(labels, preds)
        np.testing.assert_array_equal(res.image_quality, ref.image_quality)
        assert ref.n_issues == 0

    def test_box_labels_in_another_order_than_the_boxes_are_refused(self):
        """Inside an image, a labels Series listing the boxes' DataFrame rows in another order is refused."""
        labels, preds = _images()
        labels[2] = {"boxes": pd.DataFrame(labels[2]["boxes"]), "labels": pd.Series(labels[2]["labels"]).iloc[::-1]}
        with pytest.raises(InvalidParameterError, match=r"^labels\[2\]\['labels'\] must list the rows in the order of labels\[2\]\['boxes'\]'s index"):  # fmt: skip
            detection.find_label_issues(labels, preds)


class TestImageSizes:
    @pytest.mark.parametrize("n_sizes", [N - 2, N + 1])
    def test_one_size_per_image_is_required(self, n_sizes):
        """image_sizes of another length than the images: an error giving both counts (zip dropped the rest)."""
        labels, preds = _images()
        with pytest.raises(ShapeMismatchError, match=rf"^image_sizes must give one \(width, height\) per image, got {n_sizes} for {N} images"):  # fmt: skip
            detection.find_label_issues(labels, preds, image_sizes=[(100.0, 100.0)] * n_sizes)

    @pytest.mark.parametrize("size", [(np.nan, 100.0), (0.0, 100.0), (-1.0, 100.0), 100, (100.0,), "100x100"])
    def test_a_size_that_is_not_two_positive_numbers_is_refused(self, size):
        """A NaN, zero or negative width, or a size not (width, height), is an error naming image_sizes[i]."""
        labels, preds = _images()
        sizes = [(100.0, 100.0)] * N
        sizes[3] = size
        with pytest.raises(InvalidParameterError, match=r"^image_sizes\[3\] must be the image's \(width, height\), two positive finite numbers"):  # fmt: skip
            detection.find_label_issues(labels, preds, image_sizes=sizes)

    def test_an_array_of_sizes_is_accepted(self):
        """An (n, 2) array of sizes wide enough changes no score."""
        labels, preds = _images()
        res = detection.find_label_issues(labels, preds, image_sizes=np.full((N, 2), 100.0))
        ref = detection.find_label_issues(labels, preds)
        np.testing.assert_array_equal(res.image_quality, ref.image_quality)


class TestDicts:
    def test_a_dict_keyed_by_image_is_refused_naming_a_series(self):
        """labels as {image_id: entry}: an error saying a dict keyed by image is not read, and what to give."""
        labels, preds = _images()
        keyed = {f"img{i}": entry for i, entry in enumerate(labels)}
        with pytest.raises(InvalidLabelsError, match=r"^labels must be a list \(or pandas Series\) with one dict per image, got a dict keyed by image \(first key 'img0'\)"):  # fmt: skip
            detection.find_label_issues(keyed, preds)

    def test_one_images_dict_is_refused_naming_the_list(self):
        """predictions as one image's dict (not in a list): an error saying to wrap it in a list."""
        labels, preds = _images()
        with pytest.raises(InvalidLabelsError, match=r"^predictions must be a list with one dict per image, got one image's dict"):  # fmt: skip
            detection.find_label_issues(labels[:1], preds[0])
