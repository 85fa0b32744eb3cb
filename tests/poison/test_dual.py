"""Tests for labelwise.poison.project_dual, the projection onto the SVM dual's feasible set."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import minimize

from labelwise.errors import InvalidParameterError, ShapeMismatchError
from labelwise.poison import dual_violation, project_dual


@st.composite
def _problem(draw):
    n = draw(st.integers(1, 40))
    v = draw(arrays(np.float64, n, elements=st.floats(-50, 50, allow_nan=False)))
    y = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n)))
    C = draw(st.floats(0.01, 20.0))
    return v, y, C


class TestProjectDual:
    @settings(max_examples=200, deadline=None)
    @given(_problem())
    def test_result_is_feasible(self, problem):
        """The projection satisfies 0 <= a <= C and y'a = 0 for any input."""
        v, y, C = problem
        a = project_dual(v, y, C)
        assert dual_violation(a, y, C) <= 1e-9 * max(1.0, np.abs(v).sum())

    @settings(max_examples=100, deadline=None)
    @given(_problem(), st.integers(0, 2**32 - 1))
    def test_result_is_the_closest_feasible_point(self, problem, seed):
        """The variational inequality (v - a)'(w - a) <= 0 holds for feasible w (projections of others)."""
        v, y, C = problem
        a = project_dual(v, y, C)
        rng = np.random.default_rng(seed)
        for _ in range(5):
            w = project_dual(rng.normal(scale=10, size=v.size), y, C)
            assert (v - a) @ (w - a) <= 1e-7 * max(1.0, np.abs(v).sum() * C)

    def test_feasible_point_is_left_unchanged(self):
        """A point already in the set projects onto itself."""
        y = np.array([1.0, -1.0, 1.0, -1.0])
        a = np.array([0.5, 0.5, 1.0, 1.0])
        assert np.allclose(project_dual(a, y, 2.0), a)

    def test_matches_a_generic_qp_solver(self):
        """On small random problems the projection equals SLSQP's constrained least squares."""
        rng = np.random.default_rng(0)
        for _ in range(5):
            n = 7
            v, y, C = rng.normal(scale=3, size=n), rng.choice([-1.0, 1.0], n), 2.0
            ref = minimize(
                lambda x: ((x - v) ** 2).sum(),  # noqa: B023 - minimised within this iteration
                np.zeros(n),
                jac=lambda x: 2 * (x - v),  # noqa: B023
                bounds=[(0, C)] * n,
                constraints=[{"type": "eq", "fun": lambda x: y @ x, "jac": lambda x: y}],  # noqa: B023
                method="SLSQP",
                options={"ftol": 1e-14, "maxiter": 500},
            )
            assert np.allclose(project_dual(v, y, C), ref.x, atol=1e-6)

    def test_bad_inputs_raise(self):
        """Labels outside {-1, +1}, mismatched shapes and a non-positive C are rejected."""
        with pytest.raises(InvalidParameterError, match="-1 and \\+1"):
            project_dual([1.0, 2.0], [0.0, 1.0], 1.0)
        with pytest.raises(ShapeMismatchError):
            project_dual([1.0, 2.0], [1.0], 1.0)
        with pytest.raises(InvalidParameterError, match="C must be positive"):
            project_dual([1.0], [1.0], 0.0)
