"""Segmentation inputs a user may hold: per-image lists of masks of different sizes, no image, images without
pixels (shapes47: each raised numpy's own ValueError or IndexError), and masks as uint8 or bool."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.audit import segmentation
from labelwise.errors import InvalidProbabilitiesError, ShapeMismatchError

N, K, H, W = 4, 3, 6, 5


def _images() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, K, (N, H, W))
    probs = np.moveaxis(rng.dirichlet(np.ones(K), (N, H, W)), -1, 1).copy()
    return labels, probs


class TestImagesOfDifferentSizes:
    def test_masks_of_different_sizes_are_named(self):
        """A list of masks of two sizes: an error naming the first image of another shape than image 0."""
        labels, probs = _images()
        masks = [labels[0], labels[1], labels[2][:4], labels[3]]
        with pytest.raises(ShapeMismatchError, match=r"^labels must be images of one size.*image 2 has shape \(4, 5\), image 0 has \(6, 5\)"):  # fmt: skip
            segmentation.find_label_issues(masks, probs)

    def test_probabilities_of_different_sizes_are_named(self):
        """A list of per-image probabilities of two sizes: an error naming probs and the image."""
        labels, probs = _images()
        per_image = [probs[0], probs[1][:, :, :3], probs[2], probs[3]]
        with pytest.raises(
            ShapeMismatchError,
            match=r"^probs must be images of one size.*image 1 has shape \(3, 6, 3\), image 0 has \(3, 6, 5\)",
        ):
            segmentation.find_label_issues(labels, per_image)

    def test_lists_of_one_size_give_the_arrays_result(self):
        """Lists of per-image arrays of one size give the result of the stacked arrays."""
        labels, probs = _images()
        got = segmentation.find_label_issues(list(labels), list(probs))
        ref = segmentation.find_label_issues(labels, probs)
        np.testing.assert_array_equal(got.image_quality, ref.image_quality)


@pytest.mark.parametrize(
    ("masks", "pixels"),
    [(np.s_[:0], np.s_[:0]), (np.s_[:, :0, :0], np.s_[:, :, :0, :0])],
    ids=["no image", "no pixel"],
)
def test_no_image_or_no_pixel_is_refused(masks, pixels):
    """Zero images, or images of zero pixels: an error giving the shape."""
    labels, probs = _images()
    with pytest.raises(ShapeMismatchError, match=r"^labels must hold at least one image of at least one pixel, got shape"):  # fmt: skip
        segmentation.find_label_issues(labels[masks], probs[pixels])


@pytest.mark.parametrize("dtype", [np.uint8, np.int16])
def test_masks_of_small_integer_types_give_the_int64_result(dtype):
    """Masks saved as uint8 (PNG) or int16 give the result of int64 masks."""
    labels, probs = _images()
    got = segmentation.find_label_issues(labels.astype(dtype), probs)
    ref = segmentation.find_label_issues(labels, probs)
    np.testing.assert_array_equal(got.image_quality, ref.image_quality)
    np.testing.assert_array_equal(got.is_issue, ref.is_issue)


@pytest.mark.parametrize(
    ("value", "said"), [(np.nan, "hold NaN or inf"), (np.inf, "hold NaN or inf"), (-0.5, "hold -0.5"), (2.0, "sum to")]
)
def test_a_bad_pixel_of_probs_is_named_with_what_is_wrong(value, said):
    """A NaN, inf, negative or oversized probability: the error names the image, the pixel and what is wrong there."""
    labels, probs = _images()
    probs[2, 1, 3, 4] = value
    with pytest.raises(InvalidProbabilitiesError, match=rf"image 2 does not: at row 3, column 4 they {said}"):
        segmentation.find_label_issues(labels, probs)
