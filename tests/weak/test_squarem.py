"""Tests of weak._squarem: SQUAREM reaches EM's fixed point, in fewer steps, never losing likelihood."""

from __future__ import annotations

import numpy as np
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
        theta, _, _ = squarem(step, np.array([0.9]), max_evals=500, tol=1e-14, low=1e-6)
        best = minimize_scalar(
            lambda p: -loglik(p), bounds=(1e-6, 1 - 1e-6), method="bounded", options={"xatol": 1e-10}
        )
        assert abs(theta[0] - best.x) < 1e-4

    def test_needs_far_fewer_steps_than_plain_em_for_the_same_point(self):
        """Plain EM needs many more steps to get as close to the fixed point."""
        step, _, calls = _mixture_problem()
        theta, _, _ = squarem(step, np.array([0.9]), max_evals=500, tol=1e-14, low=1e-6)
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
        _, _, history = squarem(step, np.array([0.05]), max_evals=300, tol=0.0, low=1e-6)
        assert len(history) > 3
        assert np.all(np.diff(history) >= -1e-12)

    def test_stays_within_the_step_budget(self):
        """No more step calls than max_evals."""
        step, _, calls = _mixture_problem()
        squarem(step, np.array([0.9]), max_evals=10, tol=0.0, low=1e-6)
        assert len(calls) <= 10
