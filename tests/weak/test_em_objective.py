"""Tests of the label model's EM objective (weak._em.log_prior, run_em): EM stops on the quantity it raises."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from labelwise.errors import LabelwiseWarning
from labelwise.weak import LabelModel, as_votes, simulate_lfs
from labelwise.weak._em import diagonal_pseudo_counts, log_prior
from labelwise.weak._posterior import VotedOutcomes, em_m_step, em_m_step_missing, outcome_patterns, voted_outcomes


def _crowd_votes(seed: int = 3):
    from labelwise.aggregate import simulate_sparse_crowd

    crowd = simulate_sparse_crowd(1500, 3, 40, answers_per_item=2, random_state=seed)
    return as_votes(crowd.answers.rename(columns={"annotator": "labeler"}).astype({"labeler": str}))


def _expected_log_posterior(voted: VotedOutcomes, post: np.ndarray, mu: np.ndarray, prior: float) -> float:
    """``Σ counts · log μ`` (EM's expected complete-data log-likelihood, class balance left out) plus ``prior``."""
    return float((voted.counts(post) * np.log(np.maximum(mu, 1e-300))).sum()) + prior


class TestLogPrior:
    @pytest.mark.parametrize("missing", [False, True])
    def test_the_m_step_maximises_the_expected_log_likelihood_plus_the_log_prior(self, missing):
        """The M-step's μ beats every other μ of the model (other M-steps' outputs) on Q + log prior."""
        rng = np.random.default_rng(0)
        matrix = simulate_lfs(300, 4, 3, random_state=1).votes.matrix()
        groups = [[0, 1], [2], [3]]
        voted, n_outcomes = voted_outcomes(matrix, 3, groups)
        patterns = outcome_patterns(groups, 3)
        prior = diagonal_pseudo_counts(groups, 3, 0.5, 0.7, 8.0) if missing else None

        def m_step(post):
            if missing:
                return em_m_step_missing(voted, post, 0.5, *patterns, prior=prior)[0]
            return em_m_step(voted, post, 0.5, n_outcomes)[0]

        def score(post, mu):
            return _expected_log_posterior(voted, post, mu, log_prior(mu, 0.5, patterns if missing else None, prior))

        post = rng.dirichlet(np.ones(3), size=matrix.shape[0])
        best = score(post, m_step(post))
        for _ in range(20):
            other = m_step(rng.dirichlet(np.ones(3) * 0.3, size=matrix.shape[0]))
            assert score(post, other) < best

    def test_without_pseudo_counts_it_is_zero(self):
        """smoothing=0 and no prior: EM is maximum likelihood and the objective is the likelihood."""
        mu = np.random.default_rng(1).random((12, 3))
        assert log_prior(mu, 0.0, None) == 0.0
        assert log_prior(mu, 0.0, outcome_patterns([[0], [1], [2]], 3)) == 0.0


class TestObjectiveStop:
    @pytest.mark.parametrize("kind", ["rules", "crowd"])
    def test_the_objective_never_decreases_and_the_fit_converges(self, kind):
        """At the default (MAP) settings the reported objective rises every cycle and EM stops on tol."""
        votes = simulate_lfs(3000, 8, 3, random_state=5).votes if kind == "rules" else _crowd_votes()
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            model = LabelModel().fit(votes)
        assert model.abstains_ == ("informative" if kind == "rules" else "missing")
        history = np.asarray(model.em_objective_history_)
        assert len(history) >= 2
        assert np.all(np.diff(history) >= -1e-12)
        assert np.diff(history)[-1] < model.tol
        assert model.em_converged_ and 0 < model.n_em_evals_ <= model.n_em_iter
        # the prior's term: the objective is above or below the likelihood, never equal
        assert history[-1] != pytest.approx(model.log_likelihood_history_[-1], abs=1e-9)

    def test_maximum_likelihood_objective_is_the_likelihood(self):
        """smoothing=0 and prior_strength=0: the objective history is the log-likelihood's."""
        model = LabelModel(smoothing=0, prior_strength=0).fit(simulate_lfs(1000, 5, 2, random_state=2).votes)
        np.testing.assert_allclose(model.em_objective_history_, model.log_likelihood_history_[1:], rtol=0, atol=1e-12)

    def test_a_binding_budget_is_reported_and_warned(self):
        """EM cut by n_em_iter says so: em_converged_ False and a LabelwiseWarning naming n_em_iter."""
        votes = simulate_lfs(2000, 6, 3, random_state=4).votes
        with pytest.warns(LabelwiseWarning, match="n_em_iter=5"):
            model = LabelModel(n_em_iter=5, tol=0.0).fit(votes)
        assert not model.em_converged_
        assert model.n_em_evals_ <= 5

    def test_without_em_nothing_is_left_to_converge(self):
        """n_em_iter=0: converged, no EM step, no objective."""
        model = LabelModel(n_em_iter=0).fit(simulate_lfs(500, 4, 2, random_state=0).votes)
        assert model.em_converged_ and model.n_em_evals_ == 0 and model.em_objective_history_ == []
