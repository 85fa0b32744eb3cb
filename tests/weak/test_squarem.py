"""Tests of weak._squarem: SQUAREM reaches EM's fixed point, in fewer steps, never losing likelihood."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.stats import norm

from labelwise.weak._squarem import squarem


def _mixture_problem(seed: int = 0):
    """EM for the weight π of N(0,1) vs N(1,1) in a sample: slow, as the components overlap."""
    rng = np.random.default_rng(seed)
    x = np.where(rng.random(3000) < 0.3, rng.normal(0, 1, 3000), rng.normal(1, 1, 3000))
    f0, f1 = norm.pdf(x, 0, 1), norm.pdf(x, 1, 1)
    calls = []

    def loglik(pi: float) -> float:
        return float(np.mean(np.log(pi * f0 + (1 - pi) * f1)))

    def step(theta: np.ndarray):
        calls.append(1)
        pi = float(theta[0])
        resp = pi * f0 / (pi * f0 + (1 - pi) * f1)
        return loglik(pi), np.array([resp.mean()]), resp

    return step, loglik, calls


def _plain_em(step, theta, n_iter):
    for _ in range(n_iter):
        _, theta, _ = step(theta)
    return theta


class TestSquarem:
    def test_reaches_the_maximum_likelihood_found_by_a_scalar_optimiser(self):
        """The accelerated EM converges to the MLE of the mixture weight (scipy's bounded minimiser)."""
        step, loglik, _ = _mixture_problem()
        theta = squarem(step, np.array([0.9]), max_evals=500, tol=1e-14, low=1e-6).theta
        best = minimize_scalar(
            lambda p: -loglik(p), bounds=(1e-6, 1 - 1e-6), method="bounded", options={"xatol": 1e-10}
        )
        assert abs(theta[0] - best.x) < 1e-4

    def test_needs_far_fewer_steps_than_plain_em_for_the_same_point(self):
        """Plain EM needs many more steps to get as close to the fixed point."""
        step, _, calls = _mixture_problem()
        theta = squarem(step, np.array([0.9]), max_evals=500, tol=1e-14, low=1e-6).theta
        accelerated = len(calls)
        reference = _plain_em(step, np.array([0.9]), 20_000)
        assert abs(theta[0] - reference[0]) < 1e-6
        plain, n = np.array([0.9]), 0
        while abs(plain[0] - reference[0]) > abs(theta[0] - reference[0]) + 1e-9 and n < 20_000:
            plain, n = _plain_em(step, plain, 1), n + 1
        assert accelerated * 2 < n

    def test_log_likelihood_never_decreases_from_cycle_to_cycle(self):
        """Every recorded log-likelihood is at least the previous one."""
        step, _, _ = _mixture_problem(seed=3)
        history = squarem(step, np.array([0.05]), max_evals=300, tol=0.0, low=1e-6).history
        assert len(history) > 3
        assert np.all(np.diff(history) >= -1e-12)

    def test_stays_within_the_step_budget(self):
        """No more step calls than max_evals."""
        step, _, calls = _mixture_problem()
        run = squarem(step, np.array([0.9]), max_evals=10, tol=0.0, low=1e-6)
        assert len(calls) == run.n_evals <= 10
        assert not run.converged

    def test_reports_convergence_and_the_tracked_values_at_the_accepted_points(self):
        """A run that stops on ``tol`` says so; ``track`` sees each accepted point's E-step."""
        step, loglik, calls = _mixture_problem()
        run = squarem(step, np.array([0.9]), max_evals=500, tol=1e-12, low=1e-6, track=lambda resp: float(resp.mean()))
        assert run.converged and run.n_evals == len(calls) < 500
        assert len(run.tracked) == len(run.history)
        assert run.tracked[-1] == pytest.approx(float(run.extra.mean()))

    def test_an_objective_with_a_prior_rises_every_cycle_and_stops_on_its_gain(self):
        """MAP-EM (a Beta prior on the weight) with its log posterior as the objective: never falls."""
        step_ml, _, _ = _mixture_problem(seed=3)

        def step(theta):
            _, _, resp = step_ml(theta)
            a = 40.0  # pseudo-counts toward 1/2
            pi = float(theta[0])
            objective = step_ml(theta)[0] + a * (np.log(pi) + np.log(1 - pi)) / len(resp)
            return objective, np.array([(resp.sum() + a) / (len(resp) + 2 * a)]), resp

        run = squarem(step, np.array([0.05]), max_evals=300, tol=1e-13, low=1e-6, high=1 - 1e-6)
        assert run.converged
        assert np.all(np.diff(run.history) >= -1e-15)
