"""Tests of labelwise.audit.segmentation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.audit import segmentation
from labelwise.errors import (
    InvalidLabelsError,
    InvalidParameterError,
    InvalidProbabilitiesError,
    ShapeMismatchError,
    TooFewExamplesError,
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


def _with_ignored(seed: int = 0, share: float = 0.15, value: int = 255):
    """The usual case with a block of boundary pixels and scattered pixels marked ``value`` (uint8 masks, VOC-style)."""
    noisy, probs = segmentation_case(seed=seed)
    rng = np.random.default_rng(seed + 7)
    masks = noisy.labels.astype(np.uint8) if value <= 255 else noisy.labels.copy()
    ignored = rng.random(masks.shape) < share
    ignored[:, 10:14, :] = True  # a band of "boundary" pixels across every image
    masks[ignored] = value
    return masks, probs, ignored


class TestIgnoreIndex:
    @pytest.mark.parametrize("filter_by", segmentation.SEGMENTATION_FILTERS)
    def test_results_equal_the_audit_of_the_other_pixels_alone(self, filter_by):
        """Flags, confident joint and noise matrix equal labelwise.find_label_issues on the non-ignored pixels."""
        masks, probs, ignored = _with_ignored()
        res = segmentation.find_label_issues(masks, probs, filter_by=filter_by, ignore_index=255, images_per_block=2)
        kept = ~ignored.ravel()
        flat_probs = np.moveaxis(probs, 1, -1).reshape(-1, probs.shape[1])[kept]
        ref = lw.find_label_issues(masks.ravel()[kept].astype(int), flat_probs, filter_by=filter_by)
        np.testing.assert_array_equal(res.is_issue.ravel()[kept], ref.is_issue)
        assert not res.is_issue[ignored].any()
        np.testing.assert_array_equal(res.confident_joint, ref.confident_joint)
        np.testing.assert_allclose(res.noise_matrix, ref.noise_matrix)
        np.testing.assert_array_equal(res.label_counts, np.bincount(masks.ravel()[kept], minlength=3))
        np.testing.assert_array_equal(res.n_ignored, ignored.sum(axis=(1, 2)))

    def test_image_score_is_the_softmin_of_the_scored_pixels(self):
        """image_quality: sum w s / sum w, w = exp((1 - s) / T), over the non-ignored pixels only."""
        masks, probs, ignored = _with_ignored(seed=1)
        res = segmentation.find_label_issues(masks, probs, ignore_index=255, temperature=0.2)
        for i in range(masks.shape[0]):
            y = np.where(ignored[i], 0, masks[i]).astype(int)
            s = np.take_along_axis(probs[i], y[None], axis=0)[0][~ignored[i]]
            w = np.exp((1 - s) / 0.2)
            assert res.image_quality[i] == pytest.approx((w * s).sum() / w.sum(), rel=1e-12)

    @given(seed=st.integers(0, 2**31 - 1), nan=st.booleans())
    @settings(max_examples=15, deadline=None)
    def test_probabilities_at_ignored_pixels_change_no_result(self, seed, nan):
        """Any other probabilities (even NaN) at the ignored pixels: same flags, scores, regions and joints."""
        masks, probs, ignored = _with_ignored(seed=2)
        a = segmentation.find_label_issues(masks, probs, ignore_index=255, min_region_size=2)
        other = probs.copy()
        rng = np.random.default_rng(seed)
        fresh = rng.dirichlet(np.full(probs.shape[1], 0.3), size=int(ignored.sum()))
        moved = np.moveaxis(other, 1, -1)
        moved[ignored] = np.nan if nan else fresh
        b = segmentation.find_label_issues(masks, other, ignore_index=255, min_region_size=2)
        np.testing.assert_array_equal(a.is_issue, b.is_issue)
        np.testing.assert_array_equal(a.image_quality, b.image_quality)
        np.testing.assert_array_equal(a.confident_joint, b.confident_joint)
        np.testing.assert_array_equal(a.thresholds, b.thresholds)
        assert a.regions.equals(b.regions)

    def test_an_image_all_ignored_has_no_score_and_is_listed_last(self):
        """Every pixel of image 1 ignored: quality NaN, never flagged, last in to_frame, counted in the summary."""
        masks, probs, _ = _with_ignored()
        masks[1] = 255
        res = segmentation.find_label_issues(masks, probs, ignore_index=255)
        assert np.isnan(res.image_quality[1]) and np.isfinite(np.delete(res.image_quality, 1)).all()
        assert res.n_flagged[1] == 0 and 1 not in res.ranked_images
        frame = res.to_frame()
        assert frame["image"].iloc[-1] == 1 and frame["n_ignored_pixels"].iloc[-1] == masks[1].size
        summary = res.summary()
        assert summary["n_images_all_ignored"] == 1 and summary["ignore_index"] == 255

    def test_an_ignore_value_no_pixel_holds_changes_nothing(self):
        """ignore_index=255 (and -100, torch's default) on masks without it: the result of ignore_index=None."""
        noisy, probs = segmentation_case(seed=3)
        a = segmentation.find_label_issues(noisy.labels, probs)
        for value in (255, -100):
            b = segmentation.find_label_issues(noisy.labels.astype(np.uint8), probs, ignore_index=value)
            np.testing.assert_array_equal(a.is_issue, b.is_issue)
            np.testing.assert_array_equal(a.image_quality, b.image_quality)
            assert a.regions.equals(b.regions) and b.summary()["n_pixels_ignored"] == 0

    def test_a_negative_ignore_value_works_on_signed_masks(self):
        """ignore_index=-100 on int64 masks ignores those pixels exactly as 255 does on uint8 ones."""
        masks, probs, _ = _with_ignored()
        signed = masks.astype(np.int64)
        signed[masks == 255] = -100
        a = segmentation.find_label_issues(masks, probs, ignore_index=255)
        b = segmentation.find_label_issues(signed, probs, ignore_index=-100)
        np.testing.assert_array_equal(a.is_issue, b.is_issue)
        np.testing.assert_array_equal(a.image_quality, b.image_quality)

    def test_every_pixel_ignored_is_an_error(self):
        """Nothing left to audit: TooFewExamplesError naming ignore_index."""
        with pytest.raises(TooFewExamplesError, match="every pixel holds the ignore_index 255"):
            segmentation.find_label_issues(
                np.full((2, 4, 4), 255, np.uint8), np.full((2, 2, 4, 4), 0.5), ignore_index=255
            )

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (1, r"must not be a class \(0..2.*got 1"),
            (0, r"must not be a class \(0..2.*got 0"),
            (2.5, r"ignore_index must be None or an integer.*float 2.5"),
            ("255", r"ignore_index must be None or an integer.*str '255'"),
            (True, r"ignore_index must be None or an integer.*bool True"),
        ],
    )
    def test_bad_ignore_index_is_named(self, value, message):
        """A class, a float, a string or a bool as ignore_index: InvalidParameterError naming it."""
        noisy, probs = segmentation_case()
        with pytest.raises(InvalidParameterError, match=message):
            segmentation.find_label_issues(noisy.labels, probs, ignore_index=value)

    def test_255_without_ignore_index_suggests_it(self):
        """A VOC mask read without ignore_index: the error names the image and suggests ignore_index=255."""
        masks, probs, _ = _with_ignored()
        with pytest.raises(
            InvalidLabelsError,
            match=r"pass ignore_index=255, --ignore-index 255 on the command line.*; image 0 has 255",
        ):
            segmentation.find_label_issues(masks, probs)

    def test_another_out_of_range_value_with_ignore_index_is_still_an_error(self):
        """With ignore_index=255 a 7 (not a class, not the ignore value) is an error naming both."""
        masks, probs, _ = _with_ignored()
        masks[3, 0, 0] = 7
        with pytest.raises(InvalidLabelsError, match=r"or ignore_index=255; image 3 has 7"):
            segmentation.find_label_issues(masks, probs, ignore_index=255)
