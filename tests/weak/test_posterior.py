"""Tests of weak._posterior: the voted-outcome form of the group indicator gives the full one's products."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak._posterior import (
    VotedOutcomes,
    em_m_step,
    em_m_step_missing,
    group_indicator,
    outcome_patterns,
    posterior,
    vote_value_log_likelihood,
    voted_outcomes,
)


def _case(seed: int, coverage: float, clique: bool) -> tuple:
    """Votes of 6 functions on 40 rows (K=3), grouped as singletons or with a clique of three."""
    rng = np.random.default_rng(seed)
    k = 3
    matrix = np.where(rng.random((40, 6)) < coverage, rng.integers(0, k, (40, 6)), -1)
    groups = [[0, 2, 5], [1], [3], [4]] if clique else [[j] for j in range(6)]
    lam, n_outcomes = group_indicator(matrix, k, groups)
    mu = rng.dirichlet(np.ones(lam.shape[1]), k).T  # any positive outcome probabilities
    post = rng.dirichlet(np.ones(k), len(matrix)) * rng.integers(1, 4, len(matrix))[:, None]
    return lam, n_outcomes, groups, mu, post, k


class TestVotedOutcomesFromVotes:
    @settings(max_examples=30, deadline=None)
    @given(seed=st.integers(0, 10_000), coverage=st.floats(0.0, 1.0), clique=st.booleans())
    def test_equals_the_form_built_from_the_full_indicator(self, seed, coverage, clique):
        """voted_outcomes gives VotedOutcomes.build(group_indicator(...)) entry for entry, in order."""
        rng = np.random.default_rng(seed)
        matrix = np.where(rng.random((40, 6)) < coverage, rng.integers(0, 3, (40, 6)), -1)
        groups = [[0, 2, 5], [1], [3], [4]] if clique else [[j] for j in range(6)]
        got, n_outcomes = voted_outcomes(matrix, 3, groups)
        lam, expected_outcomes = group_indicator(matrix, 3, groups)
        want = VotedOutcomes.build(lam, expected_outcomes)
        np.testing.assert_array_equal(n_outcomes, expected_outcomes)
        for a, b in ((got.lam.indptr, want.lam.indptr), (got.lam.indices, want.lam.indices)):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(got.lam.data, want.lam.data)
        np.testing.assert_array_equal(got.baseline, want.baseline)
        np.testing.assert_array_equal(got.starts, want.starts)

    def test_functions_out_of_order_are_gathered(self):
        """Single functions grouped in another order than the columns take their own column's votes."""
        matrix = np.array([[0, -1, 1], [-1, 1, 0]])
        got, _ = voted_outcomes(matrix, 2, [[2], [0], [1]])
        want = VotedOutcomes.build(*group_indicator(matrix, 2, [[2], [0], [1]]))
        np.testing.assert_array_equal(got.lam.toarray(), want.lam.toarray())

    def test_row_subset(self):
        """voted[rows] is the voted outcomes of those rows of the votes."""
        rng = np.random.default_rng(3)
        matrix = np.where(rng.random((30, 5)) < 0.4, rng.integers(0, 3, (30, 5)), -1)
        groups = [[0, 1], [2], [3], [4]]
        rows = np.flatnonzero((matrix >= 0).any(axis=1))
        got = voted_outcomes(matrix, 3, groups)[0][rows]
        want = voted_outcomes(matrix[rows], 3, groups)[0]
        np.testing.assert_array_equal(got.lam.toarray(), want.lam.toarray())
        np.testing.assert_array_equal(got.baseline, want.baseline)


class TestWeightedVotedOutcomes:
    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 10_000), coverage=st.floats(0.0, 1.0), clique=st.booleans())
    def test_m_steps_weigh_rows(self, seed, coverage, clique):
        """Both M-steps on weighted voted outcomes and T equal them on the unweighted ones and w·T."""
        lam, n_outcomes, groups, _, post, k = _case(seed, coverage, clique)
        w = np.random.default_rng(seed).integers(1, 5, lam.shape[0]).astype(float)
        voted = VotedOutcomes.build(lam, n_outcomes)
        weighted = voted.weighted(w)
        np.testing.assert_allclose(weighted.mass(post), (post * w[:, None]).sum(axis=0), rtol=1e-12)
        for a, b in zip(
            em_m_step(weighted, post, 0.01, n_outcomes),
            em_m_step(voted, post * w[:, None], 0.01, n_outcomes),
            strict=True,
        ):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        patterns = outcome_patterns(groups, k)
        for a, b in zip(
            em_m_step_missing(weighted, post, 0.01, *patterns),
            em_m_step_missing(voted, post * w[:, None], 0.01, *patterns),
            strict=True,
        ):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        rows = np.arange(0, lam.shape[0], 2)
        np.testing.assert_allclose(weighted[rows].mass(post[rows]), w[rows] @ post[rows], rtol=1e-12)

    def test_entries_keep_their_values(self):
        """The weighted transpose multiplies each entry (a weighted vote may differ from 1) by its row's weight."""
        lam, n_outcomes, *_ = _case(11, 0.6, False)
        scaled = lam.multiply(np.random.default_rng(0).random((lam.shape[0], 1))).tocsr()
        w = np.arange(1.0, lam.shape[0] + 1)
        got = VotedOutcomes.build(scaled, n_outcomes).weighted(w).lam_t.toarray()
        want = (VotedOutcomes.build(scaled, n_outcomes).lam.toarray() * w[:, None]).T
        np.testing.assert_allclose(got, want, rtol=1e-15)


class TestVoteValueFromLastEStep:
    def test_given_log_votes_equal_its_own(self):
        """vote_value_log_likelihood with the rows' log P(votes) given equals it computing them."""
        lam, n_outcomes, groups, mu, _, k = _case(7, 0.5, True)
        voted, p = VotedOutcomes.build(lam, n_outcomes), np.full(k, 1.0 / k)
        pattern_of, w = outcome_patterns(groups, k)[0], np.arange(1.0, lam.shape[0] + 1)
        _, log_votes = posterior(voted, mu, p)
        want = vote_value_log_likelihood(voted, mu, p, pattern_of, w)
        assert vote_value_log_likelihood(voted, mu, p, pattern_of, w, log_votes=log_votes) == want


class TestVotedOutcomes:
    @settings(max_examples=30, deadline=None)
    @given(seed=st.integers(0, 10_000), coverage=st.floats(0.0, 1.0), clique=st.booleans())
    def test_products_equal_the_full_indicator(self, seed, coverage, clique):
        """λ log μ and λᵀT from the voted outcomes equal those of the full indicator (abstains included)."""
        lam, n_outcomes, _, mu, post, _ = _case(seed, coverage, clique)
        voted = VotedOutcomes.build(lam, n_outcomes)
        log_mu = np.log(mu)
        np.testing.assert_allclose(voted.log_joint(log_mu), lam @ log_mu, rtol=1e-12, atol=1e-10)
        np.testing.assert_allclose(voted.counts(post), lam.T @ post, rtol=1e-12, atol=1e-10)
        assert voted.lam.nnz == int((lam.indices != voted.baseline[lam.indices]).sum())

    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 10_000), coverage=st.floats(0.0, 1.0), clique=st.booleans())
    def test_posterior_and_m_steps_are_unchanged(self, seed, coverage, clique):
        """posterior and both M-steps give the same results with either form."""
        lam, n_outcomes, groups, mu, post, k = _case(seed, coverage, clique)
        voted = VotedOutcomes.build(lam, n_outcomes)
        p = np.full(k, 1.0 / k)
        for a, b in zip(posterior(voted, mu, p), posterior(lam, mu, p), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
        lam_t = lam.T.tocsr()
        for a, b in zip(
            em_m_step(voted, post, 0.01, n_outcomes), em_m_step(lam_t, post, 0.01, n_outcomes), strict=True
        ):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        patterns = outcome_patterns(groups, k)
        for a, b in zip(
            em_m_step_missing(voted, post, 0.01, *patterns),
            em_m_step_missing(lam_t, post, 0.01, *patterns),
            strict=True,
        ):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)

    def test_rows_without_entries_anywhere_are_kept(self):
        """An indicator with empty rows (first, middle, last) keeps its shape and row alignment
        (the voted entries are those of the input less the all-abstain columns)."""
        import scipy.sparse as sp

        lam, n_outcomes, *_ = _case(1, 0.5, True)
        dense = lam.toarray()
        dense[[0, 7, len(dense) - 1]] = 0.0
        holey = sp.csr_matrix(dense)
        voted = VotedOutcomes.build(holey, n_outcomes)
        want = dense.copy()
        want[:, voted.starts] = 0.0
        np.testing.assert_array_equal(voted.lam.toarray(), want)

    def test_rows_with_no_vote_have_no_entries(self):
        """A row where every function abstains keeps no entry: its outcomes are all baselines."""
        lam, n_outcomes, *_ = _case(0, 0.0, True)
        voted = VotedOutcomes.build(lam, n_outcomes)
        assert voted.lam.nnz == 0 and voted.lam.shape == lam.shape

    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 10_000), coverage=st.floats(0.0, 1.0), clique=st.booleans())
    def test_vote_value_log_likelihood_is_unchanged(self, seed, coverage, clique):
        """The log-likelihood of the votes' values given who voted is the same with either form."""
        lam, n_outcomes, groups, mu, _, k = _case(seed, coverage, clique)
        pattern_of = outcome_patterns(groups, k)[0]
        w = np.arange(1.0, lam.shape[0] + 1)
        p = np.array([0.5, 0.3, 0.2])
        want = vote_value_log_likelihood(lam, mu, p, pattern_of, w)
        got = vote_value_log_likelihood(VotedOutcomes.build(lam, n_outcomes), mu, p, pattern_of, w)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-9)


class TestGroupIndicator:
    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 10_000), coverage=st.floats(0.0, 1.0))
    def test_each_group_has_its_outcome_code(self, seed, coverage):
        """Row i has one entry per group, at the group's offset + Σ_t (vote_t + 1)(K+1)^t."""
        rng = np.random.default_rng(seed)
        k, groups = 3, [[4], [0, 2, 5], [1], [3, 6]]
        matrix = np.where(rng.random((25, 7)) < coverage, rng.integers(0, k, (25, 7)), -1)
        lam, n_outcomes = group_indicator(matrix, k, groups)
        sizes = [(k + 1) ** len(g) for g in groups]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        for i in range(len(matrix)):
            want = sorted(
                int(offsets[g] + sum((matrix[i, j] + 1) * (k + 1) ** t for t, j in enumerate(members)))
                for g, members in enumerate(groups)
            )
            assert lam[i].indices.tolist() == want
        assert n_outcomes.tolist() == [s for s in sizes for _ in range(s)]
