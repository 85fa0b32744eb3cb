"""Deterministic annealing EM in ``weak.LabelModel`` (``weak._anneal``, ``LabelModel(annealing=...)``): the
schedule, the tempered E-step, the kept fit and the switch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from labelwise.errors import InvalidParameterError
from labelwise.weak import LabelModel
from labelwise.weak._anneal import N_STEPS, annealed_run, schedule
from labelwise.weak._em import run_em
from labelwise.weak._moments import indicator
from labelwise.weak._posterior import outcome_patterns, vote_shares, voted_outcomes


def crowd(seed: int, n: int = 300, m: int = 12, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Workers of accuracy 0.4-0.8 (wrong answers uniform), each answering about half of the items."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    acc = rng.uniform(0.4, 0.8, m)
    matrix = np.where(rng.random((n, m)) < acc, y[:, None], rng.integers(0, k, (n, m)))
    return np.where(rng.random((n, m)) < 0.5, -1, matrix), y


def fit(matrix: np.ndarray, k: int, **params) -> LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LabelModel(labels=list(range(k)), **params).fit(matrix)


def em_inputs(matrix: np.ndarray, k: int):
    """The outcome indicator, outcome counts, majority vote's posterior and the missing-abstain patterns."""
    m = matrix.shape[1]
    groups = [[j] for j in range(m)]
    voted, n_outcomes = voted_outcomes(matrix, k, groups)
    start = vote_shares(indicator(matrix, k), m, k)
    return voted, n_outcomes, start, outcome_patterns(groups, k)


class TestSchedule:
    def test_stages_rise_geometrically_from_beta0_toward_one(self):
        """The tempered stages are ``β0^(1 − t/3)``: 0.5, 0.63, 0.79 (β = 1 is the final, ordinary run)."""
        assert N_STEPS == 3
        assert schedule(0.5) == pytest.approx([0.5, 0.5 ** (2 / 3), 0.5 ** (1 / 3)])

    def test_no_tempered_stage_from_beta_one(self):
        """``β0 = 1``: no stage below 1, the annealed run is the ordinary one."""
        assert schedule(1.0) == []


class TestTemperedEM:
    def test_beta_one_is_plain_em_bit_for_bit(self):
        """``run_em(beta=1.0)`` and the annealed run from ``β0 = 1`` give plain EM's posterior bit for bit."""
        matrix, _ = crowd(0)
        voted, n_outcomes, start, patterns = em_inputs(matrix, 3)
        w = np.ones(len(matrix))
        settings = dict(w=w, fixed=False, smoothing=0.01, n_iter=100, tol=1e-6)
        plain = run_em(voted, n_outcomes, start, np.full(3, 1 / 3), patterns, **settings)
        same = run_em(voted, n_outcomes, start, np.full(3, 1 / 3), patterns, beta=1.0, **settings)
        annealed = annealed_run(
            lambda post, p, beta=1.0: run_em(voted, n_outcomes, post, p, patterns, beta=beta, **settings),
            start,
            np.full(3, 1 / 3),
            1.0,
            fixed=False,
        )
        for run in (same, annealed):
            np.testing.assert_array_equal(run.post, plain.post)
            np.testing.assert_array_equal(run.mu, plain.mu)
            assert run.objective == plain.objective

    def test_tempered_posterior_is_flatter(self):
        """At ``β < 1`` the posterior's largest class probability is lower than at ``β = 1`` on every row
        where the votes are not unanimous-certain: the tempered E-step spreads the mass."""
        matrix, _ = crowd(1)
        voted, n_outcomes, start, patterns = em_inputs(matrix, 3)
        settings = dict(w=np.ones(len(matrix)), fixed=True, smoothing=0.01, n_iter=1, tol=1e-6)
        cold = run_em(voted, n_outcomes, start, np.full(3, 1 / 3), patterns, **settings)
        warm = run_em(voted, n_outcomes, start, np.full(3, 1 / 3), patterns, beta=0.5, **settings)
        assert (warm.post.max(axis=1) <= cold.post.max(axis=1) + 1e-12).all()
        assert (warm.post.max(axis=1) < cold.post.max(axis=1) - 1e-6).mean() > 0.5


class TestLabelModelAnnealing:
    def test_annealing_is_the_default_and_says_what_came_of_it(self):
        """``LabelModel()`` anneals its Dawid-Skene MAP fit (β0 = 0.5) and records ``annealing_``."""
        matrix, _ = crowd(0)
        model = fit(matrix, 3)
        assert model.annealing == 0.5 and model.abstains_ == "missing"
        assert model.annealing_ in ("kept", "not kept")
        assert fit(matrix, 3, annealing=None).annealing_ == "not run: annealing=None"
        assert fit(matrix, 3, n_em_iter=0).annealing_ == "not run: no EM"

    def test_beta0_one_gives_the_unannealed_fit_bit_for_bit(self):
        """``annealing=1.0`` (no tempered stage) gives ``annealing=None``'s fit, every bit."""
        matrix, _ = crowd(2)
        off, one = fit(matrix, 3, annealing=None), fit(matrix, 3, annealing=1.0)
        np.testing.assert_array_equal(one.probas_.to_numpy(), off.probas_.to_numpy())
        np.testing.assert_array_equal(one.mu_, off.mu_)
        assert one.em_objective_history_ == off.em_objective_history_

    def test_deterministic(self):
        """Two fits of the same votes give the same bits."""
        matrix, _ = crowd(3)
        a, b = fit(matrix, 3), fit(matrix, 3)
        np.testing.assert_array_equal(a.probas_.to_numpy(), b.probas_.to_numpy())
        assert a.annealing_ == b.annealing_

    @pytest.mark.parametrize("seed", range(6))
    def test_objective_never_below_the_unannealed_fit(self, seed):
        """The kept MAP fit's objective is at least that of the fit without annealing (it keeps the higher)."""
        matrix, _ = crowd(seed, k=4)
        on, off = fit(matrix, 4, lured_items=False), fit(matrix, 4, lured_items=False, annealing=None)
        assert on.em_objective_history_[-1] >= off.em_objective_history_[-1]

    def test_informative_abstains_are_not_annealed(self):
        """Keyword-like rules (informative abstains) keep their fit: annealing runs in the Dawid-Skene MAP fit only."""
        matrix = np.array([[0, 0, -1], [1, 1, 1], [0, -1, 0], [1, 0, 1], [-1, 1, 1], [0, 0, 0]] * 20)
        model = fit(matrix, 2, abstains="informative")
        assert model.annealing_ == "not run: no Dawid-Skene MAP fit"

    @pytest.mark.parametrize("value", [0, -0.5, 1.5, True, "0.5", float("nan")])
    def test_annealing_must_be_none_or_in_0_1(self, value):
        """A ``β0`` outside ``(0, 1]`` (or not a number) is refused with its name and value."""
        with pytest.raises(InvalidParameterError, match=r"annealing must be None or a number in \(0, 1\], got"):
            LabelModel(annealing=value).fit(np.array([[0, 1], [1, 1]]))
