"""labelwise._binary_scale: column scales by powers of two, exact on ordinary columns, finite on extreme ones."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.preprocessing import StandardScaler

from labelwise._binary_scale import BinaryRangeScaler, binary_magnitude, root_mean_square

#: Values whose squares neither overflow nor underflow.
ORDINARY = st.floats(-1e6, 1e6).filter(lambda v: v == 0 or abs(v) > 1e-100)


class TestBinaryMagnitude:
    def test_divided_values_lie_in_one_to_two(self):
        """Every nonzero finite value divided by its magnitude lies in [1, 2), and the magnitude is a power of two."""
        values = np.array([3.0, -1e200, 1e-200, 0.75, 1.0, 1.7e308, 5e-324])
        p = binary_magnitude(values)
        ratio = np.abs(values) / p
        assert np.all((ratio >= 1.0) & (ratio < 2.0))
        assert np.all(np.frexp(p)[0] == 0.5)

    def test_zero_and_non_finite_get_one(self):
        """A zero, NaN or infinite peak gets the divisor 1 (nothing to scale)."""
        assert binary_magnitude([0.0, np.nan, np.inf, -np.inf]).tolist() == [1.0, 1.0, 1.0, 1.0]


class TestRootMeanSquare:
    @settings(max_examples=60, deadline=None)
    @given(arrays(np.float64, st.integers(1, 20), elements=ORDINARY))
    def test_equals_the_plain_formula_on_ordinary_values(self, values):
        """Where the squares neither overflow nor underflow, the same number as sqrt(mean(v**2))."""
        expected = np.sqrt(np.mean(np.square(values)))
        assert root_mean_square(values) == pytest.approx(expected, rel=1e-12, abs=1e-300)

    @pytest.mark.parametrize("factor", [1e200, 1e-200, 2.0**1000])
    def test_is_finite_and_scales_with_the_values(self, factor):
        """Values of 1e200 (squares overflow) or 1e-200 (squares underflow) give factor times the plain result."""
        values = np.array([0.3, 1.2, 0.9, 2.0])
        assert root_mean_square(values * factor) == pytest.approx(root_mean_square(values) * factor, rel=1e-12)


class TestBinaryRangeScaler:
    @settings(max_examples=40, deadline=None)
    @given(arrays(np.float64, st.tuples(st.integers(2, 15), st.integers(1, 4)), elements=ORDINARY))
    @example(np.array([[699051.20902078, 0.0, 0.0]] * 3))  # CI's draw: a constant column of a large value
    def test_standard_scaler_after_it_gives_the_same_z_scores(self, X):
        """On ordinary columns, StandardScaler after the division gives the z-scores it gives alone, bit
        for bit. A column StandardScaler takes as constant keeps the divisor 1, so its "z-scores" are
        the rounding residues of ``x - mean``, which the division scales exactly: they equal alone's
        divided by the power of two (a constant 699051.2 left -1.2e-10 alone and -2.2e-16 after)."""
        divide = BinaryRangeScaler().fit(X)
        alone = StandardScaler().fit(X)
        after = StandardScaler().fit(divide.transform(X))
        z_alone, z_after = alone.transform(X), after.transform(divide.transform(X))
        for j in range(X.shape[1]):
            if alone.scale_[j] == 1.0 and after.scale_[j] == 1.0:  # taken as constant (or a spread of 1)
                assert np.array_equal(z_after[:, j] * divide.scale_[j], z_alone[:, j]) or np.array_equal(
                    z_after[:, j], z_alone[:, j]
                ), j
            else:
                assert np.array_equal(z_after[:, j], z_alone[:, j]), j

    @pytest.mark.parametrize("factor", [1e155, 1e200, 1e300, 1e-200])
    def test_extreme_columns_get_the_z_scores_of_the_ordinary_ones(self, factor):
        """A column times 1e200 (StandardScaler alone: nan) or 1e-200 (alone: taken as constant) gets its z-scores."""
        X = np.random.default_rng(0).normal(size=(50, 3))
        big = X.copy()
        big[:, 1] *= factor
        z = StandardScaler().fit_transform(BinaryRangeScaler().fit_transform(big))
        np.testing.assert_allclose(z, StandardScaler().fit_transform(X), rtol=1e-12, atol=1e-12)

    def test_transform_uses_the_fitted_divisors(self):
        """New rows are divided by the powers of two seen in fit, not their own."""
        scaler = BinaryRangeScaler().fit(np.array([[3.0, -1e200], [1.0, 2e199]]))
        assert scaler.scale_[0] == 2.0
        np.testing.assert_array_equal(scaler.transform(np.array([[8.0, 0.0]])), [[4.0, 0.0]])
