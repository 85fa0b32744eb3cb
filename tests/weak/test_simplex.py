"""The projection onto sub-probability vectors that keeps the moment fit's estimate a distribution."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from labelwise.weak._moments import Overlaps, fit_mu, indicator
from labelwise.weak._simplex import project_sub_simplex, sub_stochastic

ROWS = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.floats(-3, 3))


def _bisected(row: np.ndarray) -> np.ndarray:
    """The projection by bisection on the threshold θ ≥ 0 of ``max(row − θ, 0)`` (a slow reference)."""
    clipped = np.maximum(row, 0.0)
    if clipped.sum() <= 1.0:
        return clipped
    lo, hi = 0.0, float(row.max())
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.maximum(row - mid, 0.0).sum() > 1.0 else (lo, mid)
    return np.maximum(row - hi, 0.0)


class TestProjectSubSimplex:
    @settings(max_examples=60, deadline=None)
    @given(v=ROWS)
    def test_each_row_is_non_negative_sums_to_at_most_one_and_is_the_bisection_reference(self, v):
        """Every projected row is feasible and equals the threshold found by bisection."""
        out = project_sub_simplex(v)
        assert (out >= 0).all() and (out.sum(axis=1) <= 1 + 1e-12).all()
        np.testing.assert_allclose(out, np.array([_bisected(r) for r in v]).reshape(v.shape), atol=1e-9)

    @settings(max_examples=60, deadline=None)
    @given(v=ROWS, seed=st.integers(0, 2**31 - 1))
    def test_no_feasible_point_is_closer(self, v, seed):
        """The variational inequality of a projection: (v − x)·(z − x) ≤ 0 for feasible z."""
        out = project_sub_simplex(v)
        rng = np.random.default_rng(seed)
        z = rng.dirichlet(np.ones(v.shape[1] + 1), size=v.shape[0])[:, :-1]  # random sub-probability rows
        assert (np.einsum("ij,ij->i", v - out, z - out) <= 1e-9).all()

    def test_feasible_rows_are_unchanged(self):
        """A row already non-negative with sum <= 1 is its own projection."""
        v = np.array([[0.2, 0.3, 0.5], [0.0, 0.1, 0.0]])
        np.testing.assert_array_equal(project_sub_simplex(v), v)


def test_sub_stochastic_projects_each_function_and_class_column_of_mu():
    """On mu's layout (row j·K + a, column y) each (j, y) column sums to at most 1 after projection."""
    rng = np.random.default_rng(0)
    mu = rng.uniform(0, 1, size=(3 * 4, 4))
    out = sub_stochastic(3, 4)(mu.ravel()).reshape(mu.shape)
    sums = out.reshape(3, 4, 4).sum(axis=1)
    assert (sums <= 1 + 1e-12).all() and (out >= 0).all()
    fine = mu.reshape(3, 4, 4).sum(axis=1) <= 1
    np.testing.assert_array_equal(
        out.reshape(3, 4, 4).transpose(0, 2, 1)[fine], mu.reshape(3, 4, 4).transpose(0, 2, 1)[fine]
    )


def test_the_simplex_fit_of_mu_keeps_every_abstain_probability_non_negative():
    """fit_mu(simplex=True) on votes where the box fit exceeds 1 ends with Σ_a μ[(j, a), y] ≤ 1 for all j, y."""
    matrix = np.array([[0, 0, 0], [1, 1, 1], [0, -1, 1], [-1, 1, -1], [-1, 1, -1], [-1, 0, 1]])
    lam = indicator(matrix, 2)
    ov = Overlaps.build(lam, 3, 2)
    p = np.array([0.5, 0.5])
    mu0 = np.zeros((6, 2))
    mu0[[0, 2, 4], 0] = mu0[[1, 3, 5], 1] = 0.7
    box = fit_mu(ov, p, mu0)[0].reshape(3, 2, 2).sum(axis=1)
    simplex = fit_mu(ov, p, mu0, simplex=True)[0].reshape(3, 2, 2).sum(axis=1)
    assert box.max() > 1.0  # the input shows the box's violation
    assert simplex.max() <= 1.0 + 1e-12
