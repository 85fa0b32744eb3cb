"""Tests of the shared SQUAREM (labelwise._squarem): faster than plain EM on a known contraction,
never lowering the objective, each stop rule honoured, the budget kept, convergence told truly."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise._squarem as squarem_module
from labelwise._squarem import gain_stop, residual_stop, squarem

OPTIONS = [
    {},
    {"stabilise": False, "plain_tail": True},
    {"backtrack": False, "cap": True, "rounding": 1e-12},
    {"cap": True, "plain_tail": True},
]


def _linear(rates, seed: int = 0):
    """``F(θ) = θ* + A(θ − θ*)``, ``A`` symmetric with eigenvalues ``rates``: a contraction whose
    objective ``−‖θ − θ*‖²`` F never lowers. Returns step, the fixed point and the call list."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(len(rates), len(rates))))
    a = q @ np.diag(rates) @ q.T
    fixed = rng.normal(size=len(rates))
    calls: list[np.ndarray] = []

    def step(theta):
        calls.append(theta)
        d = theta - fixed
        return -float(d @ d), fixed + a @ d, None

    return step, fixed, calls


def _mixtures(n_groups: int = 3, seed: int = 0):
    """EM for the weight of N(0,1) vs N(1,1) in ``n_groups`` independent samples (overlapping
    components: slow EM); the objective is each sample's mean log-likelihood."""
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.2, 0.8, n_groups)
    x = np.where(rng.random((n_groups, 500)) < weights[:, None], rng.normal(0, 1, (n_groups, 500)), 0.0)
    x = np.where(x == 0.0, rng.normal(1, 1, (n_groups, 500)), x)
    f0 = np.exp(-0.5 * x**2)
    f1 = np.exp(-0.5 * (x - 1) ** 2)

    def step(theta):
        mix = theta[:, None] * f0 + (1 - theta[:, None]) * f1
        return np.log(mix).mean(axis=1), (theta[:, None] * f0 / mix).mean(axis=1), None

    return step, np.arange(n_groups)


class TestFixedPointOfALinearContraction:
    def test_reaches_the_fixed_point_in_far_fewer_steps_than_plain_iteration(self):
        """Rates up to 0.99: plain iteration needs about 1800 steps for 1e-8; SQUAREM a small fraction."""
        step, fixed, calls = _linear([0.3, 0.9, 0.99])
        run = squarem(step, np.zeros(3), max_evals=2000, stop=residual_stop(1e-10))
        assert run.converged
        assert np.max(np.abs(run.theta - fixed)) < 1e-8
        plain, n = np.zeros(3), 0
        while np.max(np.abs(plain - fixed)) >= 1e-8:
            plain, n = step(plain)[1], n + 1
        assert run.n_evals * 5 < n

    def test_plain_iteration_when_not_accelerated(self):
        """accelerate=False: exactly F applied max_evals times."""
        step, _, _ = _linear([0.5, 0.95])
        run = squarem(step, np.ones(2), max_evals=7, stop=gain_stop(0.0), accelerate=False, plain_tail=True)
        plain = np.ones(2)
        for _ in range(6):
            plain = step(plain)[1]
        assert run.n_evals == 7 and not run.converged
        np.testing.assert_array_equal(run.theta, plain)
        np.testing.assert_array_equal(run.theta_next, step(plain)[1])


class TestObjectiveGuard:
    @pytest.mark.parametrize("options", OPTIONS)
    def test_history_never_falls_on_an_em(self, options):
        """Grouped mixture-weight EM from far off: the summed log-likelihood never falls."""
        step, groups = _mixtures()
        run = squarem(
            step,
            np.full(3, 0.02),
            max_evals=200,
            stop=gain_stop(0.0),
            groups=groups,
            low=1e-6,
            high=1 - 1e-6,
            **options,
        )
        assert len(run.history) > 3
        assert np.all(np.diff(run.history) >= -1e-12)

    def test_a_jump_to_an_infinite_objective_is_backtracked_not_kept(self):
        """1-D map θ ↦ θ/2 with objective −log θ: S3 jumps exactly to 0, where the objective is
        +inf (an overflow); the run backtracks to a shorter jump instead and stays positive."""
        calls = []

        def step(theta):
            calls.append(theta.copy())
            with np.errstate(divide="ignore"):
                return -float(np.log(theta[0])), 0.5 * theta, None

        run = squarem(step, np.ones(1), max_evals=9, stop=gain_stop(0.0), stabilise=False)
        assert any(c[0] == 0.0 for c in calls)  # the exact jump was tried
        assert run.theta[0] > 0 and np.isfinite(run.history).all()
        assert 0 < run.theta[0] < 0.5**2  # a shorter jump was kept: further than plain EM's two steps

    def test_groups_reach_each_groups_maximum(self):
        """Each group of a grouped run ends at its own sample's fixed point (plain EM's, run long)."""
        step, groups = _mixtures()
        run = squarem(
            step, np.full(3, 0.5), max_evals=500, stop=residual_stop(1e-12), groups=groups, low=1e-6, high=1 - 1e-6
        )
        plain = np.full(3, 0.5)
        for _ in range(2000):
            plain = step(plain)[1]
        assert run.converged
        np.testing.assert_allclose(run.theta_next, plain, atol=1e-6)


class TestStopRules:
    def test_gain_stop_ends_at_the_first_small_gain(self):
        step, _ = _mixtures(1)
        run = squarem(step, np.array([0.05]), max_evals=500, stop=gain_stop(1e-9), low=1e-6, high=1 - 1e-6)
        gains = np.diff(run.history)
        assert run.converged and gains[-1] < 1e-9 and np.all(gains[:-1] >= 1e-9)

    def test_residual_stop_ends_where_one_step_moves_nothing(self):
        step, fixed, _ = _linear([0.5, 0.97], seed=2)
        run = squarem(step, np.zeros(2), max_evals=500, stop=residual_stop(1e-9))
        assert run.converged and np.max(np.abs(run.theta_next - run.theta)) <= 1e-9

    def test_residual_stop_at_a_fixed_point_takes_one_step(self):
        step, fixed, _ = _linear([0.5, 0.97])
        run = squarem(step, fixed.copy(), max_evals=50, stop=residual_stop(0.0))
        assert run.converged and run.n_evals == 1 and run.history == [0.0]

    def test_a_callers_rule_sees_every_accepted_point(self):
        seen = []

        def rule(history, theta, theta_next):
            seen.append(len(history))
            return len(history) == 4

        step, _, _ = _linear([0.5, 0.97])
        run = squarem(step, np.zeros(2), max_evals=500, stop=rule)
        assert run.converged and len(run.history) == 4 and seen == [1, 2, 3, 4]


class TestBudget:
    @pytest.mark.parametrize("options", OPTIONS)
    @pytest.mark.parametrize("max_evals", [1, 2, 4, 5, 9, 16])
    def test_never_more_calls_than_the_budget_and_no_false_convergence(self, options, max_evals):
        """A run that cannot meet its rule in the budget says it did not converge."""
        step, groups = _mixtures(2)
        calls = []

        def counted(theta):
            calls.append(1)
            return step(theta)

        run = squarem(
            counted,
            np.full(2, 0.02),
            max_evals=max_evals,
            stop=residual_stop(0.0),
            groups=groups,
            low=1e-6,
            high=1 - 1e-6,
            **options,
        )
        assert len(calls) == run.n_evals <= max_evals
        assert not run.converged
        if options.get("plain_tail"):
            assert run.n_evals == max_evals


@settings(max_examples=30, deadline=None)
@given(
    rates=st.lists(st.floats(0.0, 0.995), min_size=1, max_size=5),
    seed=st.integers(0, 1000),
    max_evals=st.integers(1, 60),
    options=st.sampled_from(OPTIONS),
)
def test_linear_contractions_any_options_keep_the_guard_budget_and_honest_convergence(rates, seed, max_evals, options):
    """Property: on any linear contraction, the objective never falls, the budget holds, and a
    converged run meets its rule at the returned point."""
    step, _, calls = _linear(rates, seed)
    run = squarem(step, np.zeros(len(rates)), max_evals=max_evals, stop=residual_stop(1e-9), **options)
    assert len(calls) == run.n_evals <= max(max_evals, 1)
    assert np.all(np.diff(run.history) >= -1e-9 * np.maximum(1.0, np.abs(run.history[:-1])))
    if run.converged:
        assert np.max(np.abs(run.theta_next - run.theta)) <= 1e-9


def test_the_module_imports_only_numpy_and_the_standard_library():
    """A lower layer: no labelwise, scipy or pandas import."""
    tree = ast.parse(Path(squarem_module.__file__).read_text(encoding="utf-8"))
    names = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    names |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert names <= {"numpy", "__future__", "collections", "typing"}
