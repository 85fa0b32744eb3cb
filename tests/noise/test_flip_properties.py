"""Properties of ``noise._flip``: ``flip_counts`` hands out exactly each class's count, every entry
within one of its expectation, for any matrix ``check_noise_matrix`` accepts (columns summing to 1
within its tolerance) and any class sizes; ``flip_labels`` realises exactly that table, with labels
of any dtype (int32, int64, texts) flipped alike; ``instance_dependent_flips`` flips exactly
``round(rate * n)`` labels, each to another class, and reports the realised matrix."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseError
from labelwise.noise import check_noise_matrix, flip_counts, flip_labels, instance_dependent_flips, noise_matrix

SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def accepted_matrices(draw):
    """A (K, K) noise matrix whose columns sum to 1 up to ``check_noise_matrix``'s tolerance (as a
    matrix estimated and rounded elsewhere does), and class counts up to ten million."""
    k = draw(st.integers(2, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    m = rng.dirichlet(np.full(k, draw(st.sampled_from([0.3, 1.0, 5.0]))), size=k).T
    if draw(st.booleans()):
        r = np.round(m, draw(st.integers(1, 4)))  # rounded entries: many exact ties of remainders
        r[-1] = 1.0 - r[:-1].sum(axis=0)
        m = r if (r >= 0).all() else m
    m = m * (1.0 + rng.uniform(-9e-7, 9e-7, k))[None, :]  # within _COLUMN_ATOL = 1e-6
    counts = rng.integers(0, draw(st.sampled_from([10, 1000, 10**7])), k)
    return check_noise_matrix(m, k), counts


class TestFlipCounts:
    @SETTINGS
    @given(case=accepted_matrices())
    @example(case=(np.array([[0.7, 0.2], [0.3, 0.8]]) * (1 + 9e-7), np.array([3 * 10**6, 3 * 10**6])))
    def test_every_column_hands_out_exactly_its_class_count(self, case):
        """Column ``j`` sums to ``class_counts[j]`` exactly, each entry within 1 of ``count * matrix``
        (the matrix's columns taken as the distributions they stand for)."""
        m, counts = case
        got = flip_counts(counts, m)
        np.testing.assert_array_equal(got.sum(axis=0), counts)
        assert (got >= 0).all()
        expected = m / m.sum(axis=0) * counts
        assert (np.abs(got - expected) < 1 + 1e-6).all()


@st.composite
def labelled(draw):
    k = draw(st.integers(2, 5))
    n = draw(st.integers(1, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    y = rng.integers(0, k, n)
    rate = draw(st.sampled_from([0.0, 0.1, 0.3, 0.45]))
    kind = draw(st.sampled_from(["symmetric", "pair", "random"]))
    rate = min(rate, 0.5 * (k - 1) / k)
    m = noise_matrix(k, rate, kind=kind, random_state=int(rng.integers(2**31)))
    return y, k, m, int(rng.integers(2**31))


NAMES = np.array(["zeta", "alpha", "mu", "beta", "kappa"], dtype=object)


class TestFlipLabels:
    @SETTINGS
    @given(case=labelled())
    def test_the_realised_table_is_flip_counts(self, case):
        """The table of (given, true) pairs after flipping is ``flip_counts(bincount(y), matrix)``."""
        y, k, m, seed = case
        out = flip_labels(y, m, random_state=seed, classes=np.arange(k))
        table = np.zeros((k, k), np.int64)
        np.add.at(table, (out.labels, y), 1)
        np.testing.assert_array_equal(table, flip_counts(np.bincount(y, minlength=k), m))
        np.testing.assert_array_equal(out.is_flipped, out.labels != y)

    @SETTINGS
    @given(case=labelled(), dtype=st.sampled_from([np.int8, np.int32, np.uint16, "names"]))
    def test_labels_of_any_dtype_are_flipped_alike(self, case, dtype):
        """int8/int32/uint16 labels and texts (``classes`` in matrix order) flip the same rows to the same classes."""
        y, k, m, seed = case
        ref = flip_labels(y, m, random_state=seed, classes=np.arange(k))
        if dtype == "names":
            got = flip_labels(NAMES[y], m, random_state=seed, classes=NAMES[:k])
            np.testing.assert_array_equal(got.labels, NAMES[ref.labels])
        else:
            got = flip_labels(y.astype(dtype), m, random_state=seed, classes=np.arange(k).astype(dtype))
            np.testing.assert_array_equal(got.labels, ref.labels)
            assert got.labels.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got.is_flipped, ref.is_flipped)


class TestInstanceDependentFlips:
    @SETTINGS
    @given(case=labelled(), sharpness=st.sampled_from([0.5, 1.0, 4.0]), one_hot=st.booleans())
    def test_exactly_round_rate_n_labels_flip_each_to_another_class(self, case, sharpness, one_hot):
        """``round(rate * n)`` labels change, each to another class; the realised matrix counts them."""
        y, k, _, seed = case
        rng = np.random.default_rng(seed)
        n = len(y)
        probs = np.eye(k)[y] if one_hot else rng.dirichlet(np.ones(k), n)
        rate = float(rng.uniform(0, (k - 1) / k * 0.99))
        out = instance_dependent_flips(y, probs, rate, random_state=seed, sharpness=sharpness)
        assert out.is_flipped.sum() == round(rate * n)
        np.testing.assert_array_equal(out.is_flipped, out.labels != y)
        np.testing.assert_array_equal(out.true_labels, y)
        realised = np.zeros((k, k))
        np.add.at(realised, (out.labels, y), 1)
        sizes = np.bincount(y, minlength=k)
        realised = np.divide(realised, sizes, out=np.zeros_like(realised), where=sizes > 0)
        present = sizes > 0
        np.testing.assert_allclose(out.noise_matrix[:, present], realised[:, present], atol=1e-12)


def test_a_matrix_off_by_its_tolerance_flips_a_class_of_millions():
    """Columns summing to ``1 + 9e-7`` (accepted) on 3 million labels per class: every label is
    handed out once (on main this raised numpy's broadcast error: 3 more labels than rows)."""
    y = np.repeat(np.array([0, 1], dtype=np.int8), 3 * 10**6)
    m = np.array([[0.7, 0.2], [0.3, 0.8]]) * (1 + 9e-7)
    out = flip_labels(y, m, random_state=0)
    assert out.labels.shape == y.shape
    assert out.is_flipped.sum() == 3 * 10**6 * (3 + 2) // 10


JUNK_COUNTS = [None, "abc", {"a": 1}, [[1, 2], [3]], [1.5, 2.0], [-1, 2], [np.nan, 1], [1, 2, 3], np.ones((2, 2)), 7]


@SETTINGS
@given(bad=st.sampled_from(JUNK_COUNTS))
def test_flip_counts_refuses_counts_that_are_not_one_whole_number_per_class(bad):
    """Counts of the wrong length or shape, negative, fractional, NaN or not numbers raise a labelwise
    error naming ``class_counts`` (on main: numpy's broadcast, int() or index errors)."""
    with pytest.raises(LabelwiseError, match="class_counts"):
        flip_counts(bad, noise_matrix(2, 0.2))
