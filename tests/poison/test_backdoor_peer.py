"""labelwise's backdoor against ART 1.20.1's ``PoisoningAttackBackdoor`` with its image triggers.

ART poisons the rows it is given; labelwise draws the rows itself. Handed labelwise's rows, ART must
stamp exactly the same pixels with exactly the same values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import labelwise as lw

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # ART warns that PyTorch is absent
    art_poisoning = pytest.importorskip("art.attacks.poisoning")
    from art.attacks.poisoning.perturbations import add_pattern_bd, add_single_bd

ART_TRIGGERS = {"pattern": add_pattern_bd, "pixel": add_single_bd}


def art_poisoned(X, rows, target, perturbation):
    """ART's poisoned training set: its attack applied to ``rows``, the other rows kept."""
    attack = art_poisoning.PoisoningAttackBackdoor(perturbation)
    stamped, y_attack = attack.poison(X[rows], y=np.full(len(rows), target))
    out = X.copy()
    out[rows] = stamped
    return out, y_attack


class TestBackdoorAgainstART:
    @pytest.mark.parametrize("trigger", ["pattern", "pixel"])
    @pytest.mark.parametrize(
        ("shape", "dtype", "pixel_value", "distance"),
        [
            ((12, 10), np.float64, 1, 2),
            ((9, 9, 3), np.float32, 0.75, 1),
            ((16, 16, 1), np.uint8, 255, 3),
            ((7, 11), np.int64, -4, 4),
        ],
    )
    def test_stamps_the_pixels_art_stamps(self, trigger, shape, dtype, pixel_value, distance):
        """On 2-D and channel-last images of floats and integers, for ART's pixel values and
        distances, the poisoned rows equal ART's on the same rows, value for value."""
        rng = np.random.default_rng(len(shape) + distance)
        X = (rng.random((40, *shape)) * 200).astype(dtype)
        y = np.arange(40) % 4
        out = lw.poison.backdoor(
            X, y, 0.25, target=2, trigger=trigger, distance=distance, pixel_value=pixel_value, random_state=3
        )
        perturbation = lambda x: ART_TRIGGERS[trigger](x, distance=distance, pixel_value=pixel_value)  # noqa: E731
        expected, y_attack = art_poisoned(X, out.flipped_indices, 2, perturbation)
        assert out.X.dtype == X.dtype
        np.testing.assert_array_equal(out.X, expected)
        np.testing.assert_array_equal(out.labels[out.flipped_indices], y_attack)

    @pytest.mark.parametrize("trigger", ["pattern", "pixel"])
    def test_flat_rows_with_image_shape_match_art_on_the_images(self, trigger):
        """Flat rows read through ``image_shape`` get ART's trigger of the images they reshape to."""
        rng = np.random.default_rng(7)
        images = rng.random((30, 8, 6, 2))
        y = np.repeat(["cat", "dog", "eel"], 10)
        out = lw.poison.backdoor(
            images.reshape(30, -1), y, 9, target="dog", trigger=trigger, image_shape=(8, 6, 2), random_state=1
        )
        expected, _ = art_poisoned(images, out.flipped_indices, 1, ART_TRIGGERS[trigger])
        np.testing.assert_array_equal(out.X, expected.reshape(30, -1))

    def test_art_triggers_composed_match_a_user_array(self):
        """ART's two triggers applied one after the other equal one labelwise array trigger with the
        pattern's pixels at distance 1 and the single pixel at distance 4."""
        X = np.random.default_rng(0).random((20, 10, 10))
        y = np.arange(20) % 2
        plan = np.full((10, 10), np.nan)
        plan[[9, 8, 9, 7], [9, 8, 7, 9]] = 1.0
        plan[6, 6] = 0.5
        out = lw.poison.backdoor(X, y, 0.5, target=0, trigger=plan, random_state=0)
        both = [lambda x: add_pattern_bd(x, distance=1), lambda x: add_single_bd(x, distance=4, pixel_value=0.5)]
        expected, _ = art_poisoned(X, out.flipped_indices, 0, both)
        np.testing.assert_array_equal(out.X, expected)
