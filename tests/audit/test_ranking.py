"""The flagged rows in ranking order, sorted on several threads (``audit._ranking``)."""

from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.audit import _ranking


def _reference(is_issue: np.ndarray, quality: np.ndarray) -> np.ndarray:
    """Flagged rows by a stable argsort of their quality (ties: lower row first; NaN last)."""
    flagged = np.flatnonzero(is_issue)
    return flagged[np.argsort(quality[flagged], kind="stable")]


class TestRankedFlagged:
    @settings(max_examples=80, deadline=None)
    @given(
        n=st.integers(0, 400),
        n_jobs=st.integers(1, 5),
        share=st.floats(0.0, 1.0),
        dtype=st.sampled_from([np.float32, np.float64]),
        with_nan=st.booleans(),
        step=st.integers(1, 9),
        seed=st.integers(0, 2**31 - 1),
    )
    def test_equals_a_stable_argsort_for_any_number_of_threads(self, n, n_jobs, share, dtype, with_nan, step, seed):
        """Any thread count and sample step: the one-thread ranking, with ties, signed zeros, infinities and NaN."""
        rng = np.random.default_rng(seed)
        quality = rng.choice(np.array([-np.inf, -0.0, 0.0, 0.125, 0.5, 0.75, np.inf], dtype=dtype), n)
        distinct = rng.random(n) < 0.5  # the others: few values, many ties
        quality[distinct] = rng.random(int(distinct.sum())).astype(dtype)
        if with_nan and n:
            quality[rng.integers(0, n)] = np.nan
        is_issue = rng.random(n) < share
        with mock.patch.object(_ranking, "MIN_THREAD_ROWS", 0), mock.patch.object(_ranking, "SAMPLE_STEP", step):
            got = _ranking.ranked_flagged(is_issue, quality, n_jobs)
        np.testing.assert_array_equal(got, _reference(is_issue, quality))
        assert got.dtype == np.int64

    def test_large_input_on_threads_is_the_one_thread_ranking(self):
        """Above the thread threshold, with many equal qualities: the same rows in the same order."""
        rng = np.random.default_rng(3)
        n = 4 * _ranking.MIN_THREAD_ROWS
        quality = np.round(rng.random(n), 3).astype(np.float32)
        is_issue = rng.random(n) < 0.3
        expected = _ranking.ranked_flagged(is_issue, quality, 1)
        for jobs in (2, 3, 4):
            np.testing.assert_array_equal(_ranking.ranked_flagged(is_issue, quality, jobs), expected)
        np.testing.assert_array_equal(expected, _reference(is_issue, quality))

    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(0, 300),
        n_jobs=st.integers(1, 5),
        share=st.floats(0.0, 1.0),
        with_nan=st.booleans(),
        seed=st.integers(0, 2**31 - 1),
    )
    def test_one_sort_below_the_threshold_for_any_number_of_threads(self, n, n_jobs, share, with_nan, seed):
        """Below the thread threshold, one sort of packed values on the calling thread: the stable argsort's answer."""
        rng = np.random.default_rng(seed)
        quality = rng.choice(np.array([-np.inf, -0.0, 0.0, 0.25, np.inf], dtype=np.float32), n)
        distinct = rng.random(n) < 0.5
        quality[distinct] = rng.random(int(distinct.sum())).astype(np.float32)
        if with_nan and n:
            quality[rng.integers(0, n)] = np.nan
        is_issue = rng.random(n) < share
        with mock.patch.object(_ranking, "ThreadPoolExecutor", side_effect=AssertionError("no threads")):
            got = _ranking.ranked_flagged(is_issue, quality, n_jobs)
        np.testing.assert_array_equal(got, _reference(is_issue, quality))
        assert got.dtype == np.int64

    def test_threads_from_the_threshold_of_flagged_rows(self):
        """The sample sort starts threads when the flagged rows, not the rows, reach the threshold."""
        rng = np.random.default_rng(4)
        quality = rng.random(1000).astype(np.float32)
        is_issue = np.zeros(1000, dtype=bool)
        is_issue[:40] = True
        with (
            mock.patch.object(_ranking, "MIN_THREAD_ROWS", 41),
            mock.patch.object(_ranking, "ThreadPoolExecutor", side_effect=AssertionError("no threads")),
        ):
            np.testing.assert_array_equal(_ranking.ranked_flagged(is_issue, quality, 2), _reference(is_issue, quality))
        started = mock.MagicMock(wraps=_ranking.ThreadPoolExecutor)
        with (
            mock.patch.object(_ranking, "MIN_THREAD_ROWS", 40),
            mock.patch.object(_ranking, "ThreadPoolExecutor", started),
        ):
            np.testing.assert_array_equal(_ranking.ranked_flagged(is_issue, quality, 2), _reference(is_issue, quality))
        assert started.call_count == 1
