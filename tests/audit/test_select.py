"""The exact top selections behind prune_by_noise_rate and prune_by_class."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.audit import _select


def _reference_top(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per column, the ``counts[j]`` largest values by a stable sort (ties: lower row first)."""
    mask = np.zeros(values.shape, dtype=bool)
    for j in range(values.shape[1]):
        order = np.argsort(-values[:, j], kind="stable")[: counts[j]]
        mask[order, j] = True
    return mask


_matrices = st.tuples(st.integers(1, 40), st.integers(1, 6), st.integers(0, 2**31 - 1)).map(
    lambda t: (
        # few distinct values, some negative, some -inf: many ties, at the cut too
        np.round(np.random.default_rng(t[2]).normal(size=(t[0], t[1])), 1).astype(np.float32),
        np.random.default_rng(t[2] + 1).integers(0, t[0] + 2, t[1]),
    )
)


class TestTopCountsMask:
    @settings(max_examples=80, deadline=None)
    @given(data=_matrices, above=st.sampled_from([None, 0.0, -np.inf, 0.3]))
    def test_matches_a_stable_sort_and_above_is_the_same_as_masking_after(self, data, above):
        """The mask is a stable sort's top counts; ``above`` equals ``& (values > above)``."""
        values, counts = data
        values[values < -1.5] = -np.inf
        expected = _reference_top(values, counts)
        if above is not None:
            expected &= values > above
        chosen, _ = _select.top_counts_mask(values.copy(), counts, above=above)
        np.testing.assert_array_equal(chosen, expected)

    @settings(max_examples=60, deadline=None)
    @given(data=_matrices, above=st.sampled_from([0.0, -np.inf]))
    def test_best_within_bound_equals_top_counts_of_the_margins_within_it(self, data, above):
        """Taking all margins within the bound (when few enough) is the same as ranking them."""
        values, counts = data
        least = np.quantile(values, 0.6, axis=0).astype(np.float32)
        bounded = values.copy()
        bounded[bounded < least] = -np.inf
        expected = _reference_top(bounded, counts) & (bounded > above)
        np.testing.assert_array_equal(_select._best_within_bound(values.copy(), least, counts, above), expected)
