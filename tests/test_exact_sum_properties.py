"""Properties of the order-free sums (``labelwise._exact_sum``): any permutation of the terms and
any split of them into parts give the same bits, and the total is ``math.fsum`` of the terms to a
stated bound.

The bound. Each term is truncated once to a multiple of ``2**-88`` (``LIMB_BITS * N_LIMBS``); the
limb sums are exact; :func:`join_limbs` then rounds at most at its last two additions (the first
ones add integers and fractions of at most 44 + log2(n) bits, exact in float64), each by half an
ulp of a partial total no larger than the sum of the terms' magnitudes. So
``|total - fsum(terms)| <= n * 2**-88 + 2**-52 * sum(|terms|)`` (half-ulps, counted as whole ulps for
room), and the total is 0 exactly when the terms cancel exactly.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise._exact_sum import LIMB_BITS, MAX_ABS, N_LIMBS, exact_bincount, join_limbs, scattered_limb_sums

SETTINGS = settings(max_examples=200, deadline=None)

#: Terms in (-MAX_ABS, MAX_ABS): ordinary values, tiny ones (below the truncation unit too),
#: subnormals and round fractions; zeros of both signs.
terms = st.one_of(
    st.floats(-MAX_ABS, MAX_ABS, exclude_min=True, exclude_max=True, allow_nan=False),
    st.floats(-1e-20, 1e-20, allow_nan=False),
    st.sampled_from([1 / 3, -1 / 3, 1 / 6, -2 / 3, 0.1, -0.1, 2.0**-88, -(2.0**-90), 5e-324, -0.0, 0.0]),
)


@st.composite
def scattered(draw):
    """Terms scattered into ``n`` rows: ``(index, values, n)``."""
    n = draw(st.integers(1, 4))
    values = np.array(draw(st.lists(terms, min_size=0, max_size=60)), dtype=np.float64)
    index = np.array(draw(st.lists(st.integers(0, n - 1), min_size=values.size, max_size=values.size)), dtype=np.int64)
    return index, values, n


def _bound(values: np.ndarray) -> float:
    return values.size * 2.0 ** -(LIMB_BITS * N_LIMBS) + 2.0**-52 * float(np.abs(values).sum())


class TestExactBincountProperties:
    @SETTINGS
    @given(case=scattered(), data=st.data())
    def test_any_permutation_and_any_split_into_parts_give_the_same_bits(self, case, data):
        """The terms permuted, then cut into any number of parts whose limb sums are added in any
        order: the totals of every row are the same float64 bits as the whole's."""
        index, values, n = case
        whole = exact_bincount(index, values, n)
        perm = np.array(data.draw(st.permutations(range(values.size))), dtype=np.int64)
        np.testing.assert_array_equal(exact_bincount(index[perm], values[perm], n), whole)
        cuts = sorted(data.draw(st.lists(st.integers(0, values.size), max_size=5)))
        parts = [
            scattered_limb_sums(i, v, n)
            for i, v in zip(np.split(index[perm], cuts), np.split(values[perm], cuts), strict=True)
        ]
        order = data.draw(st.permutations(range(len(parts))))
        total = np.zeros_like(parts[0])
        for p in order:
            total = total + parts[p]
        np.testing.assert_array_equal(join_limbs(total), whole)
        assert (np.signbit(join_limbs(total)) == np.signbit(whole)).all()

    @SETTINGS
    @given(case=scattered())
    def test_each_total_is_fsum_to_the_stated_bound(self, case):
        """Every row's total is within ``n * 2**-88 + 2**-52 * sum|terms|`` of ``math.fsum`` of its
        terms (the module docstring says why)."""
        index, values, n = case
        got = exact_bincount(index, values, n)
        for row in range(n):
            mine = values[index == row]
            assert abs(float(got[row]) - math.fsum(mine.tolist())) <= _bound(mine)

    @SETTINGS
    @given(values=st.lists(terms, max_size=40), data=st.data())
    def test_terms_that_cancel_exactly_total_zero(self, values, data):
        """The terms and their negations, in any order: exactly 0 (no ulps either side)."""
        x = np.array(values, dtype=np.float64)
        both = np.r_[x, -x]
        both = both[np.array(data.draw(st.permutations(range(both.size))), dtype=np.int64)]
        assert exact_bincount(np.zeros(both.size, dtype=np.int64), both, 1)[0] == 0.0
