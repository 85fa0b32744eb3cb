"""Tests of labelwise.audit.segmentation."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw
from labelwise.audit import segmentation
from labelwise.errors import (
    InvalidLabelsError,
    InvalidProbabilitiesError,
    ShapeMismatchError,
)

from ._tasks_data import segmentation_case


class TestFlags:
    @pytest.mark.parametrize("filter_by", ["low_self_confidence", "prune_by_class", "confident_learning"])
    def test_flags_equal_find_label_issues_on_flat_pixels(self, filter_by):
        """Pixel flags are labelwise.find_label_issues with the same filter on all pixels."""
        noisy, probs = segmentation_case()
        res = segmentation.find_label_issues(noisy.labels, probs, filter_by=filter_by, images_per_block=2)
        flat_probs = np.moveaxis(probs, 1, -1).reshape(-1, probs.shape[1])
        ref = lw.find_label_issues(noisy.labels.ravel(), flat_probs, filter_by=filter_by)
        np.testing.assert_array_equal(res.is_issue.ravel(), ref.is_issue)
        np.testing.assert_array_equal(res.confident_joint, ref.confident_joint)
        np.testing.assert_allclose(res.noise_matrix, ref.noise_matrix)

    @pytest.mark.parametrize("block", [1, 2, 5])
    def test_images_per_block_does_not_change_the_answer(self, block):
        """Any number of images per block gives the same flags, scores and regions."""
        noisy, probs = segmentation_case(seed=1)
        a = segmentation.find_label_issues(noisy.labels, probs)
        b = segmentation.find_label_issues(noisy.labels, probs, images_per_block=block)
        np.testing.assert_array_equal(a.is_issue, b.is_issue)
        np.testing.assert_allclose(a.image_quality, b.image_quality)
        assert a.regions.equals(b.regions)

    def test_memory_mapped_inputs_and_mask(self, tmp_path):
        """probs from np.load(mmap_mode='r') and a mask_path give the same result as in-memory arrays."""
        noisy, probs = segmentation_case(seed=2)
        np.save(tmp_path / "p.npy", probs)
        mm = np.load(tmp_path / "p.npy", mmap_mode="r")
        a = segmentation.find_label_issues(noisy.labels, probs)
        b = segmentation.find_label_issues(noisy.labels, mm, images_per_block=2, mask_path=tmp_path / "m.npy")
        np.testing.assert_array_equal(np.load(tmp_path / "m.npy"), a.is_issue)
        np.testing.assert_array_equal(b.n_flagged, a.n_flagged)

    def test_regions_match_scipy_labels_and_are_stored_compactly(self):
        """Each region is a 4-connected component of an image's flagged pixels (its area, box and
        majority classes recomputed here with scipy), stored in 36 bytes (int32, int16, float32)."""
        from scipy import ndimage

        noisy, probs = segmentation_case(n=4, seed=5)
        res = segmentation.find_label_issues(noisy.labels, probs, images_per_block=3)
        assert res.regions.memory_usage(index=False).sum() == 36 * len(res.regions)
        pred = probs.argmax(axis=1)
        rows = []
        for img in range(res.is_issue.shape[0]):
            ids, n_reg = ndimage.label(res.is_issue[img])
            for r, box in enumerate(ndimage.find_objects(ids)):
                inside = ids == r + 1
                rows.append(
                    (
                        img,
                        r,
                        int(inside.sum()),
                        box[0].start,
                        box[1].start,
                        box[0].stop,
                        box[1].stop,
                        np.bincount(noisy.labels[img][inside], minlength=probs.shape[1]).argmax(),
                        np.bincount(pred[img][inside], minlength=probs.shape[1]).argmax(),
                    )
                )
        got = res.regions.drop(columns="mean_quality").to_numpy().tolist()
        assert got == [list(map(int, row)) for row in rows]

    def test_correlated_noise_is_found_as_regions(self):
        """Spatially correlated flips are mostly flagged, and regions cover the flagged pixels."""
        noisy, probs = segmentation_case(n=8, seed=3)
        res = segmentation.find_label_issues(noisy.labels, probs)
        hits = (res.is_issue & noisy.is_corrupted).sum()
        assert hits / res.n_issues > 0.8 and hits / noisy.is_corrupted.sum() > 0.6
        assert res.regions.area.sum() == res.n_issues
        worst = res.regions.sort_values("area").iloc[-1]
        img, t, lft, btm, rgt = (int(worst[c]) for c in ["image", "top", "left", "bottom", "right"])
        assert res.is_issue[img, t:btm, lft:rgt].any()
        frame = res.to_frame()
        assert frame.n_regions.sum() == len(res.regions)

    def test_min_region_size_drops_small_regions(self):
        """Regions smaller than min_region_size disappear with their pixels."""
        noisy, probs = segmentation_case(seed=4)
        res = segmentation.find_label_issues(noisy.labels, probs, min_region_size=5)
        assert (res.regions.area >= 5).all()
        assert res.regions.area.sum() == res.is_issue.sum()

    def test_f1_at_least_cleanlabs_on_correlated_noise(self):
        """On spatially correlated noise the flagged pixels have F1 >= cleanlab's segmentation filter."""
        filt = pytest.importorskip("cleanlab.segmentation.filter")
        noisy, probs = segmentation_case(n=6, seed=5)
        ours = segmentation.find_label_issues(noisy.labels, probs).is_issue
        theirs = filt.find_label_issues(noisy.labels, probs, verbose=False)

        def f1(mask):
            hits = (mask & noisy.is_corrupted).sum()
            return 2 * hits / (mask.sum() + noisy.is_corrupted.sum())

        assert f1(ours) >= f1(theirs) - 1e-9


class TestBadInput:
    def test_class_axis_last_is_named(self):
        """(N, H, W, K) probs: the message says the class axis is 3 and must be 1."""
        labels = np.zeros((2, 4, 5), int)
        with pytest.raises(ShapeMismatchError, match="class axis last .* must be axis 1"):
            segmentation.find_label_issues(labels, np.full((2, 4, 5, 3), 1 / 3))

    def test_shape_mismatch(self):
        """Masks and probs of different image sizes."""
        with pytest.raises(ShapeMismatchError, match="different images"):
            segmentation.find_label_issues(np.zeros((2, 4, 4), int), np.full((2, 2, 4, 5), 0.5))

    def test_class_index_out_of_range_names_the_image(self):
        """A label 3 with 2 classes names the image."""
        labels = np.zeros((3, 2, 2), int)
        labels[2, 0, 0] = 3
        with pytest.raises(InvalidLabelsError, match="image 2 has 3"):
            segmentation.find_label_issues(labels, np.full((3, 2, 2, 2), 0.5))

    def test_probs_not_summing_to_one(self):
        """Probabilities must sum to 1 over axis 1."""
        with pytest.raises(InvalidProbabilitiesError, match="axis 1"):
            segmentation.find_label_issues(np.zeros((1, 2, 2), int), np.full((1, 2, 2, 2), 0.3))
