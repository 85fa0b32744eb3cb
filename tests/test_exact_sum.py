"""Sums whose bits do not depend on the order of the terms (labelwise._exact_sum)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from labelwise._exact_sum import MAX_ABS, exact_bincount, join_limbs, scattered_limb_sums, split_limbs


def _terms(seed: int, n: int = 5000) -> tuple[np.ndarray, np.ndarray]:
    """Signed thirds, sixths and random values in (-MAX_ABS, MAX_ABS), scattered into 7 rows."""
    rng = np.random.default_rng(seed)
    values = np.where(rng.random(n) < 0.5, rng.choice([1 / 3, -1 / 6, 5 / 6, -2 / 3], n), rng.uniform(-3.9, 3.9, n))
    return rng.integers(0, 7, n), values


class TestExactBincount:
    def test_any_order_and_any_split_into_blocks_gives_the_same_bits(self):
        """Permuted terms, and terms summed per block then added, give the very same totals, where
        float bincounts of the same terms differ in their last bits."""
        index, values = _terms(0)
        whole = exact_bincount(index, values, 7)
        rng = np.random.default_rng(1)
        for _ in range(5):
            p = rng.permutation(index.shape[0])
            np.testing.assert_array_equal(exact_bincount(index[p], values[p], 7), whole)
            cuts = np.sort(rng.integers(0, index.shape[0], 4))
            parts = sum(
                scattered_limb_sums(i, v, 7)
                for i, v in zip(np.split(index[p], cuts), np.split(values[p], cuts), strict=True)
            )
            np.testing.assert_array_equal(join_limbs(parts), whole)

    def test_totals_are_the_exact_sums_of_the_terms_to_rounding(self):
        """Each total is within a few ulps of the exact (rational) sum of the float terms."""
        index, values = _terms(2)
        got = exact_bincount(index, values, 7)
        for row in range(7):
            exact = sum((Fraction(float(v)) for v in values[index == row]), Fraction(0))
            assert abs(Fraction(float(got[row])) - exact) <= Fraction(1, 2**40) * (1 + abs(exact))

    def test_terms_that_cancel_exactly_sum_to_zero(self):
        """x and -x in any order and any number: exactly 0, not a few ulps either side."""
        rng = np.random.default_rng(3)
        x = rng.uniform(-MAX_ABS, MAX_ABS, 1000) * 0.999
        values = rng.permutation(np.r_[x, -x])
        assert exact_bincount(np.zeros(2000, dtype=np.int64), values, 1)[0] == 0.0


def test_limbs_carry_the_sign_of_their_value_and_rebuild_it():
    """Every limb of a negative value is <= 0 and of a positive one >= 0; the limbs give back the value."""
    values = np.array([-1 / 6, 1 / 3, -3.5, 2.0**-60, -(2.0**-60), 0.0])
    limbs = split_limbs(values)
    assert ((limbs <= 0) | (values >= 0)).all() and ((limbs >= 0) | (values <= 0)).all()
    np.testing.assert_array_equal(join_limbs(limbs), values)
