"""Tests of labelwise.audit._residual_scale (the prediction-local robust residual scale)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import median_abs_deviation

from labelwise.audit._residual_scale import local_location_scale


class TestLocalLocationScale:
    def test_one_bin_equals_scipy_mad_of_the_other_half(self):
        """With one bin, each half gets scipy's normal-consistent MAD and median of the other half."""
        rng = np.random.default_rng(0)
        pred, res = rng.normal(size=90), rng.standard_t(4, 90)
        loc, scale = local_location_scale(res, pred)
        order = np.argsort(pred)
        for half in (0, 1):
            mine, other = order[half::2], order[1 - half :: 2]
            np.testing.assert_allclose(scale[mine], median_abs_deviation(res[other], scale="normal"))
            np.testing.assert_allclose(loc[mine], np.median(res[other]))

    def test_tracks_a_scale_that_grows_with_the_prediction(self):
        """Residual sd 0.1 + |prediction|: the estimate is within 15% of the truth over the bulk."""
        rng = np.random.default_rng(1)
        pred = rng.uniform(-3, 3, 40_000)
        sd = 0.1 + np.abs(pred)
        _, scale = local_location_scale(rng.normal(size=pred.size) * sd, pred)
        bulk = (np.abs(pred) > 0.5) & (np.abs(pred) < 2.8)
        assert np.median(np.abs(scale[bulk] / sd[bulk] - 1)) < 0.15

    def test_removes_a_bias_that_varies_with_the_prediction(self):
        """A residual median of 0.5 * prediction is estimated as the location."""
        rng = np.random.default_rng(2)
        pred = rng.uniform(-2, 2, 20_000)
        loc, _ = local_location_scale(0.5 * pred + rng.normal(0, 0.1, pred.size), pred)
        assert np.median(np.abs(loc - 0.5 * pred)) < 0.1

    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 10_000), n=st.integers(3, 700))
    def test_permuting_rows_permutes_the_result(self, seed, n):
        """The result depends on the rows only through their (prediction, residual) order, ties included."""
        rng = np.random.default_rng(seed)
        pred = rng.integers(0, 5, n).astype(float)  # many ties
        res = rng.normal(size=n)
        perm = rng.permutation(n)
        loc, scale = local_location_scale(res, pred)
        loc_p, scale_p = local_location_scale(res[perm], pred[perm])
        np.testing.assert_array_equal(loc[perm], loc_p)
        np.testing.assert_array_equal(scale[perm], scale_p)
        assert (scale > 0).all()
