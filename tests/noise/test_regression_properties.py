"""Properties of ``noise.regression.corrupt_targets``: on distinct targets every kind corrupts exactly
``round(rate * n)`` rows (a swap takes *another* row's target); ``shift`` moves a target by 1-2
``magnitude`` standard deviations, ``decimal`` multiplies or divides it by 10 (values near 0 are
shifted instead), ``swap`` takes a target of the data; the truth is the input, untouched."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseError
from labelwise.noise import OUTLIER_KINDS, corrupt_targets

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def targets(draw):
    """Distinct targets (a shuffled grid, shifted and scaled), 2 to 400 of them."""
    n = draw(st.integers(2, 400))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    y = rng.permutation(n) * draw(st.sampled_from([0.01, 1.0, 37.5])) + draw(st.sampled_from([0.0, -5.0, 1e3]))
    return y


class TestCorruptTargets:
    @SETTINGS
    @given(
        y=targets(),
        rate=st.sampled_from([0.0, 0.05, 0.3, 1.0]),
        kind=st.sampled_from(OUTLIER_KINDS),
        seed=st.integers(0, 2**32 - 1),
    )
    @example(y=np.arange(10.0), rate=1.0, kind="swap", seed=0)
    def test_distinct_targets_get_exactly_rate_n_corrupted(self, y, rate, kind, seed):
        """``n_corrupted == round(rate * n)`` for every kind when no two targets are equal."""
        out = corrupt_targets(y, rate=rate, kind=kind, random_state=seed)
        assert out.is_corrupted.sum() == round(rate * len(y))
        np.testing.assert_array_equal(out.true_labels, y)
        np.testing.assert_array_equal(out.is_corrupted, out.labels != y)

    @SETTINGS
    @given(y=targets(), kind=st.sampled_from(["shift", "decimal", "swap"]), seed=st.integers(0, 2**32 - 1))
    def test_each_kind_corrupts_as_documented(self, y, kind, seed):
        """A shift is 1-2 ``magnitude`` std away, a decimal error is x10 or /10 (or a shift near 0), a
        swap is another row's target."""
        magnitude = 3.0
        out = corrupt_targets(y, rate=0.5, kind=kind, magnitude=magnitude, random_state=seed)
        old, new = y[out.is_corrupted], out.labels[out.is_corrupted]
        step = np.abs(new - old) / (magnitude * y.std())
        shifted = (step >= 1 - 1e-9) & (step <= 2 + 1e-9)
        if kind == "shift":
            assert shifted.all()
        elif kind == "decimal":
            small = np.abs(old) < 0.5 * y.std()
            tenfold = np.isclose(new, old * 10, rtol=1e-12, atol=0) | np.isclose(new, old / 10, rtol=1e-12, atol=0)
            assert (tenfold[~small]).all()
            assert shifted[small].all()
        else:
            assert np.isin(new, y).all()


@SETTINGS
@given(bad=st.sampled_from([["a", "b"], "abc", {"y": 1.0}, [[1.0], [1.0, 2.0]], None, [1.0, np.nan], np.ones((3, 2))]))
def test_targets_that_are_not_finite_numbers_are_refused(bad):
    """Texts, a dict, ragged lists, None, NaN or a 2-D array raise a labelwise error naming ``y``
    (on main texts and ragged lists raised numpy's ValueError)."""
    with pytest.raises(LabelwiseError, match=r"\by must be a 1-D array of finite numbers"):
        corrupt_targets(bad, rate=0.5, random_state=0)


def test_a_swap_takes_each_other_row_equally_often():
    """Was: a draw of the row itself took the next row, so that row came twice as often (2/n)."""
    n, seeds = 5, range(400)
    y = np.arange(float(n))
    took = np.concatenate([corrupt_targets(y, rate=1.0, kind="swap", random_state=s).labels for s in seeds])
    offset = (took.astype(int) - np.tile(np.arange(n), len(seeds))) % n
    share = np.bincount(offset, minlength=n) / offset.size
    assert share[0] == 0  # never itself
    np.testing.assert_allclose(share[1:], 1 / (n - 1), atol=0.04)
