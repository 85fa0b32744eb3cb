"""``aggregate._columnwise``: row-wise operations column by column give numpy's broadcast to the bit (fast3, s52)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate._columnwise import columnwise


class TestColumnwise:
    @settings(max_examples=80, deadline=None)
    @given(
        n=st.integers(0, 50),
        k=st.integers(1, 8),
        per_row=st.booleans(),
        ufunc=st.sampled_from([np.add, np.subtract, np.multiply, np.divide]),
        seed=st.integers(0, 2**31 - 1),
    )
    def test_equals_numpy_s_broadcast_to_the_bit(self, n, k, per_row, ufunc, seed):
        """Column by column (few columns) or broadcast (many), the same elementwise operation of every entry with
        its row's value (an (n, 1) operand) or its column's (a (K,) operand)."""
        rng = np.random.default_rng(seed)
        out = rng.normal(size=(n, k)) * 10.0 ** rng.integers(-3, 4)
        operand = rng.normal(size=(n, 1) if per_row else k) + 0.5
        expected = ufunc(out, operand)
        columnwise(ufunc, out, operand)
        assert out.tobytes() == expected.tobytes()
