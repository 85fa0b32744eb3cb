"""The exact top selections behind prune_by_noise_rate and prune_by_class."""

from __future__ import annotations

from functools import partial

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


class _Rows:
    """Sliceable by rows but not a numpy array: select_top takes its chunked, two-round path."""

    def __init__(self, values: np.ndarray) -> None:
        self.values, self.shape, self.dtype = values, values.shape, values.dtype

    def __getitem__(self, rows: slice) -> np.ndarray:
        return self.values[rows]


class TestSelectTopInRounds:
    @settings(max_examples=40, deadline=None)
    @given(
        n=st.integers(5, 400),
        chunk=st.integers(1, 120),
        sort=st.booleans(),
        seed=st.integers(0, 2**31 - 1),
    )
    def test_two_rounds_over_chunks_equal_one_selection_over_all_rows(self, n, chunk, sort, seed):
        """Chunked TPUT rounds (round two re-reading the chunks whose lists may be short) are exact."""
        from labelwise._chunks import RowChunks, chunk_bounds

        rng = np.random.default_rng(seed)
        k = 3
        codes = rng.integers(0, k, n)
        scores = np.round(rng.random(n), 2).astype(np.float32)  # ties
        if sort:  # the best entries crowd into the first chunks: their round-one lists fall short
            scores = np.sort(scores)
        limits = rng.integers(0, n // 2 + 2, k)
        fn = partial(_select.score_entries, by_class=True)
        whole = RowChunks(n, [(0, n)], use_dask=False, n_jobs=1)
        expected = _select.merge_top([_select.select_top(whole, fn, [codes, scores], limits)], limits)
        chunks = RowChunks(n, chunk_bounds(n, chunk), use_dask=False, n_jobs=1)
        got = _select.select_top(chunks, fn, [_Rows(codes), _Rows(scores)], limits)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)


class TestOrderByKey:
    @settings(max_examples=80, deadline=None)
    @given(
        n=st.integers(0, 300),
        dtype=st.sampled_from([np.float32, np.float64]),
        seed=st.integers(0, 2**31 - 1),
        with_nan=st.booleans(),
    )
    def test_equals_a_stable_argsort_with_ties_signed_zeros_and_infinities(self, n, dtype, seed, with_nan):
        rng = np.random.default_rng(seed)
        keys = rng.choice(np.array([-np.inf, -1.5, -0.0, 0.0, 0.25, 0.5, np.inf], dtype=dtype), n)
        if with_nan and n:
            keys[rng.integers(0, n)] = np.nan
        rows = np.sort(rng.choice(10 * n + 1, n, replace=False)).astype(np.int64)
        expected = rows[np.argsort(keys, kind="stable")]
        np.testing.assert_array_equal(_select.order_by_key(keys, rows), expected)
