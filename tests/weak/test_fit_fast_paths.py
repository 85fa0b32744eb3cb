"""The label model fit's vectorised steps (speedfit51) equal the straightforward code they replaced, to the bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate.priors import diagonal_confusion_prior
from labelwise.weak import _dependencies
from labelwise.weak._dependencies import same_vote_counts
from labelwise.weak._em import diagonal_pseudo_counts
from labelwise.weak._moments import Overlaps, fit_mu, indicator, weighted_gram
from labelwise.weak._posterior import outcome_patterns, voted_outcomes
from labelwise.weak._votes import _positions, kept_entries

FAST = settings(max_examples=60, deadline=None)


@st.composite
def label_matrices(draw, max_rows: int = 40, max_lfs: int = 7) -> tuple[np.ndarray, int]:
    """A label matrix (-1 = abstain) and its number of classes."""
    k = draw(st.integers(2, 5))
    n = draw(st.integers(1, max_rows))
    m = draw(st.integers(1, max_lfs))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    cover = rng.uniform(0.0, 1.0)
    return np.where(rng.random((n, m)) < cover, rng.integers(0, k, size=(n, m)), -1), k


@st.composite
def partitions(draw, max_lfs: int = 8) -> list[list[int]]:
    """Functions 0..m-1 split into groups of 1-3, the groups in the order of their first member."""
    m = draw(st.integers(1, max_lfs))
    order = draw(st.permutations(list(range(m))))
    groups, rest = [], list(order)
    while rest:
        size = draw(st.integers(1, min(3, len(rest))))
        groups.append(sorted(rest[:size]))
        rest = rest[size:]
    return sorted(groups)


def reference_patterns(groups: list[list[int]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """The loop over groups that ``outcome_patterns`` replaced."""
    base = k + 1
    pattern_of, group_of, next_id = [], [], 0
    for g, members in enumerate(groups):
        codes = np.arange(base ** len(members))
        bits = np.zeros(len(codes), dtype=np.int64)
        for t in range(len(members)):
            bits += ((codes // base**t) % base > 0).astype(np.int64) << t
        pattern_of.append(next_id + bits)
        group_of.append(np.full(2 ** len(members), g))
        next_id += 2 ** len(members)
    return np.concatenate(pattern_of), np.concatenate(group_of)


def reference_pseudo_counts(groups, k, smoothing, accuracy, strength) -> np.ndarray:
    """The loop over groups that ``diagonal_pseudo_counts`` replaced for single functions."""
    mean = diagonal_confusion_prior(k, strength=strength, accuracy=accuracy) / max(strength, 1e-6)
    base = k + 1
    sizes = [base ** len(g) for g in groups]
    out = np.full((int(sum(sizes)), k), smoothing)
    offset = 0
    for g, size in zip(groups, sizes, strict=True):
        codes = np.arange(size)
        joint = np.ones((size, k))
        for t in range(len(g)):
            digit = (codes // base**t) % base
            joint[digit > 0] *= mean.T[digit[digit > 0] - 1]
        voted = codes > 0
        out[offset + np.flatnonzero(voted)] = strength * joint[voted]
        offset += size
    return out


class TestSameVoteCounts:
    @FAST
    @given(label_matrices(), st.booleans(), st.integers(0, 2**31 - 1), st.sampled_from([0, 1024]))
    def test_equals_the_dense_gram_block_diagonals(self, votes, whole, seed, dense_up_to):
        """The per-class agreements from the stored entries (and from the dense gram, on small grams) equal
        ``einsum("iaja->ij")`` of the dense gram, to the bit."""
        matrix, k = votes
        rng = np.random.default_rng(seed)
        w = rng.integers(1, 30, len(matrix)).astype(float) if whole else rng.random(len(matrix)) * 7
        gram = weighted_gram(indicator(matrix, k), w)
        m = matrix.shape[1]
        dense = np.einsum("iaja->ij", gram.toarray().reshape(m, k, m, k))
        saved = _dependencies.DENSE_GRAM
        _dependencies.DENSE_GRAM = dense_up_to
        try:
            assert same_vote_counts(gram, m, k).tobytes() == dense.tobytes()
        finally:
            _dependencies.DENSE_GRAM = saved


class TestKeptEntries:
    @FAST
    @given(st.integers(0, 30), st.integers(0, 6), st.integers(0, 2**31 - 1))
    def test_equals_the_boolean_gather_and_row_counts(self, n, g, seed):
        """The kept cells, row by row, and the running counts per row equal ``columns[keep]`` and ``cumsum``."""
        rng = np.random.default_rng(seed)
        columns = rng.integers(0, 100, size=(n, g))
        keep = rng.random((n, g)) < rng.uniform()
        indices, indptr = kept_entries(columns, keep)
        np.testing.assert_array_equal(indices, columns[keep])
        np.testing.assert_array_equal(indptr, np.concatenate([[0], np.cumsum(np.count_nonzero(keep, axis=1))]))

    @FAST
    @given(label_matrices(), partitions())
    def test_outcome_indicator_equals_the_full_one_without_abstain_outcomes(self, votes, groups):
        """``voted_outcomes`` still holds the full indicator's entries other than each group's all-abstain one."""
        matrix, k = votes
        m = max(j for g in groups for j in g) + 1
        matrix = np.resize(matrix, (matrix.shape[0], m))
        voted = voted_outcomes(matrix, k, groups)[0]
        base = k + 1
        full = np.zeros((matrix.shape[0], voted.lam.shape[1]))
        offset = 0
        for g in groups:
            code = sum((matrix[:, j] + 1) * base**t for t, j in enumerate(g))
            full[np.arange(len(matrix)), offset + code] = 1.0
            offset += base ** len(g)
        full[:, voted.starts] = 0.0
        np.testing.assert_array_equal(voted.lam.toarray(), full)


class TestPatterns:
    @FAST
    @given(partitions(), st.integers(2, 5))
    def test_outcome_patterns_equal_the_loop_over_groups(self, groups, k):
        """Each column's voting pattern and each pattern's group are the loop's, dtypes included."""
        got, want = outcome_patterns(groups, k), reference_patterns(groups, k)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)
            assert a.dtype == b.dtype

    @FAST
    @given(partitions(), st.integers(2, 5), st.floats(0.0, 2.0), st.none() | st.floats(0.05, 0.95), st.floats(0.5, 8))
    def test_diagonal_pseudo_counts_equal_the_loop_over_groups(self, groups, k, smoothing, accuracy, strength):
        """The diagonal prior's pseudo-counts equal the loop's, to the bit."""
        got = diagonal_pseudo_counts(groups, k, smoothing, accuracy, strength)
        assert got.tobytes() == reference_pseudo_counts(groups, k, smoothing, accuracy, strength).tobytes()


class TestPositions:
    @pytest.mark.parametrize(
        "index",
        [pd.RangeIndex(7), pd.RangeIndex(3, 40, 4), pd.RangeIndex(10, 0, -2), pd.Index([0, 1, 2, 3]), pd.Index([0, 2])],
    )
    def test_integer_positions_equal_get_indexer(self, index):
        """Integer values map to the positions ``get_indexer`` gives (-1 where absent), on ranges and classes alike."""
        values = pd.Series(np.arange(-3, 45), dtype=np.int64)
        np.testing.assert_array_equal(_positions(index, values), index.get_indexer(values))


class TestMomentFit:
    @FAST
    @given(label_matrices(max_lfs=5))
    def test_no_dependency_skips_the_identity_product_to_the_same_estimate(self, votes):
        """Without declared dependencies the moment fit equals the one through the (identity) excluded blocks."""
        matrix, k = votes
        m = matrix.shape[1]
        lam = indicator(matrix, k)
        ov = Overlaps.build(lam, m, k)
        ov_through = Overlaps.build(lam, m, k)
        ov_through.__dict__["only_self"] = False  # force the product with the identity
        p = np.full(k, 1.0 / k)
        mu0 = np.full((m * k, k), 0.3)
        a, b = fit_mu(ov, p, mu0, max_iter=20), fit_mu(ov_through, p, mu0, max_iter=20)
        assert a[0].tobytes() == b[0].tobytes() and a[1:] == b[1:]
