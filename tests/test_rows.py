"""ComputedRows: an array whose row slices are computed when read, accepted by the row passes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise._rows import ComputedRows
from labelwise.errors import InvalidParameterError, InvalidProbabilitiesError


def _source(probs: np.ndarray) -> ComputedRows:
    return ComputedRows(probs.shape[0], probs.shape[1], probs.dtype, lambda s, e: probs[s:e].copy())


def test_slices_return_the_computed_rows_and_other_keys_are_refused():
    """a[s:e] is fn(s, e) clipped like a numpy slice; fancy keys and steps name what is allowed."""
    base = np.arange(20.0).reshape(10, 2)
    rows = _source(base)
    assert rows.shape == (10, 2) and len(rows) == 10 and rows.ndim == 2
    np.testing.assert_array_equal(rows[3:7], base[3:7])
    np.testing.assert_array_equal(rows[8:100], base[8:])
    np.testing.assert_array_equal(rows[-2:], base[-2:])
    assert rows[7:3].shape == (0, 2)
    np.testing.assert_array_equal(np.asarray(rows), base)
    np.testing.assert_array_equal(rows[3], base[3])
    np.testing.assert_array_equal(rows[-1], base[-1])
    with pytest.raises(IndexError, match="row 10"):
        rows[10]
    for key in (np.array([1, 2]), slice(0, 10, 2), (1, 0)):
        with pytest.raises(InvalidParameterError, match="row slices"):
            rows[key]


def test_a_function_returning_the_wrong_shape_is_named():
    rows = ComputedRows(5, 3, np.float64, lambda s, e: np.zeros((e - s, 2)))
    with pytest.raises(InvalidParameterError, match=r"returned shape \(5, 2\).*expected \(5, 3\)"):
        rows[:]


def test_bad_computed_probabilities_are_reported_by_row():
    probs = np.full((6, 2), 0.5)
    probs[4] = [0.9, 0.9]
    with pytest.raises(InvalidProbabilitiesError, match="4"):
        lw.find_label_issues([0, 1, 0, 1, 0, 1], _source(probs))


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(10, 120),
    k=st.integers(2, 5),
    chunk_rows=st.integers(1, 130),
    seed=st.integers(0, 2**16),
)
def test_find_label_issues_on_computed_rows_equals_the_array_for_any_chunking(n, k, chunk_rows, seed):
    """The audit of a computed source is the audit of the same values in memory, for any chunk size."""
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(k) * 0.7, size=n)
    labels = np.arange(n) % k
    ref = lw.find_label_issues(labels, probs)
    got = lw.find_label_issues(labels, _source(probs), chunk_rows=chunk_rows)
    np.testing.assert_array_equal(got.is_issue, ref.is_issue)
    np.testing.assert_array_equal(got.label_quality, ref.label_quality)
    np.testing.assert_array_equal(got.ranked_indices, ref.ranked_indices)
    np.testing.assert_array_equal(got.confident_joint, ref.confident_joint)


def test_astype_converts_each_block_when_read_without_building_the_rows():
    """astype is lazy: nothing is computed until a slice is read, and blocks come back in the new dtype."""
    calls: list[tuple[int, int]] = []
    base = np.arange(12).reshape(6, 2)

    def fn(s: int, e: int) -> np.ndarray:
        calls.append((s, e))
        return base[s:e]

    rows = ComputedRows(6, 2, np.int64, fn).astype(np.float32)
    assert calls == [] and isinstance(rows, ComputedRows)
    assert rows.dtype == np.float32 and rows.shape == (6, 2)
    block = rows[1:4]
    assert block.dtype == np.float32 and calls == [(1, 4)]
    np.testing.assert_array_equal(block, base[1:4].astype(np.float32))


def test_integer_computed_rows_are_audited_like_the_same_integers_in_memory():
    """One-hot integer rows (a valid, if extreme, probability table) pass through the float conversion."""
    rng = np.random.default_rng(3)
    n, k = 60, 3
    onehot = np.eye(k, dtype=np.int64)[rng.integers(0, k, size=n)]
    labels = np.arange(n) % k
    ref = lw.find_label_issues(labels, onehot)
    got = lw.find_label_issues(labels, _source(onehot), chunk_rows=7)
    np.testing.assert_array_equal(got.is_issue, ref.is_issue)
    np.testing.assert_array_equal(got.label_quality, ref.label_quality)
    np.testing.assert_array_equal(got.ranked_indices, ref.ranked_indices)
