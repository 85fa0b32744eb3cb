"""Properties of the residual mixture (``audit._residual_mixture``): the fit sees only ``u ** 2`` (a sign
flip changes nothing, bit for bit), the row order only through rounding, a refit is identical, the
posterior grows with ``|u|`` (the error scale is kept wide enough), and the guard returns the ML fit
exactly when it expects at least one error, else the MAP fit with the tail prior."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.audit._residual_mixture import TAIL_PRIOR, fit_guarded_mixture, fit_residual_mixture


@st.composite
def residuals(draw):
    """Standardised residuals: clean t or Gaussian rows, a share of wide errors, ties and zeros."""
    n = draw(st.integers(2, 600))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    nu = draw(st.sampled_from([2.0, 3.0, 10.0, np.inf]))
    u = rng.standard_normal(n) if np.isinf(nu) else rng.standard_t(nu, n)
    errors = rng.random(n) < draw(st.sampled_from([0.0, 0.02, 0.1, 0.4]))
    u[errors] += rng.choice([-1, 1], errors.sum()) * rng.uniform(3, 30, errors.sum())
    if draw(st.booleans()):  # ties: values on a coarse grid, some exact zeros
        u = np.round(u * 4) / 4
    return u


def _same(a, b) -> None:
    assert (a.error_weight, a.sigma, a.nu, a.tau, a.n_iter, a.fit) == (
        b.error_weight,
        b.sigma,
        b.nu,
        b.tau,
        b.n_iter,
        b.fit,
    )
    np.testing.assert_array_equal(a.posterior, b.posterior)


class TestFitProperties:
    @settings(max_examples=40, deadline=None)
    @given(u=residuals(), data=st.data())
    def test_a_sign_flip_of_any_rows_changes_nothing_and_a_refit_is_identical(self, u, data):
        """ML, MAP and guarded fits: flipping the sign of any rows gives the same fit bit for bit."""
        flip = np.array(data.draw(st.lists(st.booleans(), min_size=u.size, max_size=u.size)))
        v = np.where(flip, -u, u)
        for fit in (fit_residual_mixture, fit_guarded_mixture):
            _same(fit(u), fit(v))
            _same(fit(u), fit(u.copy()))
        _same(fit_residual_mixture(u, tail_prior=TAIL_PRIOR), fit_residual_mixture(v, tail_prior=TAIL_PRIOR))

    @settings(max_examples=40, deadline=None)
    @given(u=residuals(), seed=st.integers(0, 2**16))
    def test_permuting_the_rows_permutes_the_posterior(self, u, seed):
        """The sums' order moves the fit by rounding only: the same kind of fit and ``nu``, the
        posteriors and parameters to 1e-6."""
        perm = np.random.default_rng(seed).permutation(u.size)
        a, b = fit_guarded_mixture(u), fit_guarded_mixture(u[perm])
        assert (a.fit, a.nu) == (b.fit, b.nu)
        np.testing.assert_allclose(b.posterior, a.posterior[perm], rtol=0, atol=1e-6)
        np.testing.assert_allclose(
            [b.error_weight, b.sigma, b.tau], [a.error_weight, a.sigma, a.tau], rtol=1e-6, atol=1e-9
        )

    @settings(max_examples=40, deadline=None)
    @given(u=residuals(), prior=st.sampled_from([0.0, TAIL_PRIOR]))
    def test_the_posterior_grows_with_the_residuals_size(self, u, prior):
        """The error scale is at least ``MIN_WIDTH`` clean scales, so the error component's tails are
        the heavier everywhere: a larger ``|u|`` never has a smaller posterior (up to rounding)."""
        fit = fit_residual_mixture(u, tail_prior=prior)
        order = np.argsort(np.abs(u), kind="stable")
        post = fit.posterior[order]
        assert (np.diff(post) >= -1e-12).all()
        assert ((fit.posterior >= 0) & (fit.posterior <= 1)).all()
        assert 0 <= fit.error_weight <= 0.5 and fit.tau >= 5.0 * fit.sigma * (1 - 1e-12)

    @settings(max_examples=40, deadline=None)
    @given(u=residuals())
    def test_the_guard_keeps_the_ml_fit_exactly_when_it_expects_an_error(self, u):
        """``n * error_weight >= 1`` (or all zeros): the ML fit, else the MAP fit, each bit for bit."""
        ml, guarded = fit_residual_mixture(u), fit_guarded_mixture(u)
        if ml.error_weight * u.size >= 1 or not u.any():
            _same(guarded, ml)
            assert guarded.fit == "ml"
        else:
            _same(guarded, fit_residual_mixture(u, tail_prior=TAIL_PRIOR))
            assert guarded.fit == "map"
