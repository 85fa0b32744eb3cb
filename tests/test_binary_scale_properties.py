"""Properties of the power-of-two column scales: the magnitude of any finite value, exact round trips
through the scaler, fits that do not depend on the rows' order or chunking, and a root mean square
that scales with its values bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from labelwise._binary_scale import BinaryRangeScaler, binary_magnitude, root_mean_square

SETTINGS = settings(max_examples=80, deadline=None)
#: Any finite float, subnormals and the largest ones included.
FINITE = st.floats(allow_nan=False, allow_infinity=False)
#: Values of ordinary size, which stay normal floats when scaled by ``2**±900``.
ORDINARY = st.floats(1e-10, 1e10) | st.floats(-1e10, -1e-10) | st.just(0.0)
TINY = np.finfo(np.float64).tiny


class TestBinaryMagnitude:
    @SETTINGS
    @given(FINITE.filter(lambda v: v != 0))
    def test_any_finite_value_divided_by_it_lies_in_one_to_two(self, value):
        """A power of two (subnormal peaks included), the same for ``-value``, with ``|value| / p`` in [1, 2)."""
        p = binary_magnitude(value)
        assert np.frexp(p)[0] == 0.5
        assert 1.0 <= abs(value) / p < 2.0
        assert binary_magnitude(-value) == p

    @SETTINGS
    @given(ORDINARY.filter(lambda v: v != 0), st.integers(-900, 900))
    def test_scaling_by_a_power_of_two_scales_the_magnitude(self, value, j):
        """``binary_magnitude(v * 2**j) == binary_magnitude(v) * 2**j`` in the normal range."""
        assert binary_magnitude(np.ldexp(value, j)) == np.ldexp(binary_magnitude(value), j)


class TestBinaryRangeScaler:
    @SETTINGS
    @given(arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 3)), elements=FINITE))
    @example(np.array([[1.94064762e230], [3.04637671e-94]]))  # 3e-94 / 2**764 underflows to 0
    def test_transform_round_trips_exactly(self, X):
        """The divided values lie in (-2, 2) and, multiplied back, are the data bit for bit wherever
        the division left a normal float (or the value was zero): a value far below its column's
        peak falls into the subnormal range, or to 0, where the division rounds."""
        scaler = BinaryRangeScaler().fit(X)
        Z = scaler.transform(X)
        assert np.all(np.abs(Z) < 2.0)
        exact = (X == 0) | (np.abs(Z) >= TINY)
        np.testing.assert_array_equal((Z * scaler.scale_)[exact], X[exact])

    @SETTINGS
    @given(
        X=arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 3)), elements=FINITE),
        seed=st.integers(0, 2**16),
        cuts=st.lists(st.integers(1, 12), max_size=4),
    )
    @example(X=np.array([[0.5], [0.0]]), seed=0, cuts=[1])  # a chunk of zeros
    def test_any_row_order_or_chunking_fits_the_same_divisors(self, X, seed, cuts):
        """Rows in any order give the same ``scale_``; so does, for any row chunking, the largest of
        the chunks' own ``scale_`` over the chunks where the column is not all zeros (a chunk of
        zeros gets the divisor 1, "nothing to scale", not a measurement: 1 > 0.5 for a column
        peaking at 0.5), 1 where every chunk is zeros."""
        scale = BinaryRangeScaler().fit(X).scale_
        perm = np.random.default_rng(seed).permutation(X.shape[0])
        np.testing.assert_array_equal(BinaryRangeScaler().fit(X[perm]).scale_, scale)
        blocks = [b for b in np.split(X, sorted(min(c, X.shape[0]) for c in cuts)) if len(b)]
        scales = np.array([BinaryRangeScaler().fit(b).scale_ for b in blocks])
        measured = np.array([(b != 0).any(axis=0) for b in blocks])
        reduced = np.where(measured.any(axis=0), np.max(np.where(measured, scales, 0.0), axis=0), 1.0)
        np.testing.assert_array_equal(reduced, scale)


class TestRootMeanSquare:
    @SETTINGS
    @given(arrays(np.float64, st.integers(1, 20), elements=ORDINARY), st.integers(-900, 900))
    def test_scales_with_its_values_bit_for_bit(self, values, j):
        """``rms(v * 2**j) == rms(v) * 2**j`` exactly, for values whose squares overflow or underflow
        (``2**900``: squares of ``1e280``) as for ordinary ones; and ``rms(-v) == rms(v)``."""
        assert root_mean_square(np.ldexp(values, j)) == np.ldexp(root_mean_square(values), j)
        assert root_mean_square(-values) == root_mean_square(values)
