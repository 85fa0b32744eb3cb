"""Tests of labelwise.audit._residual_mixture (t clean + Cauchy error mixture by EM)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from labelwise.audit._residual_mixture import NU_GRID, fit_residual_mixture


class TestFitResidualMixture:
    def test_matches_scipy_t_fit_on_clean_data(self):
        """Without errors, the clean t is close to scipy's maximum-likelihood t: nu within one grid step
        of scipy's (the error component takes a sliver of the tails, so not exactly), same scale."""
        u = stats.t.rvs(4, size=20_000, random_state=np.random.default_rng(0))
        fit = fit_residual_mixture(u)
        nu_ref, _, scale_ref = stats.t.fit(u, floc=0)
        assert fit.error_weight < 0.01
        i = int(np.searchsorted(NU_GRID, nu_ref))
        assert NU_GRID[max(i - 2, 0)] <= fit.nu <= NU_GRID[min(i + 1, NU_GRID.size - 1)]
        assert (fit.posterior > 0.5).mean() < 0.001  # a handful of extreme tail draws at most
        # scipy's nu is not on the grid, so the scales agree to a few percent, not exactly.
        assert fit.sigma == pytest.approx(scale_ref, rel=0.05)

    def test_recovers_the_share_of_wide_errors(self):
        """5% Cauchy(scale 30) errors among Gaussian residuals: weight and posteriors recovered."""
        rng = np.random.default_rng(1)
        n = 20_000
        wrong = rng.random(n) < 0.05
        u = np.where(wrong, 30 * rng.standard_cauchy(n), rng.normal(size=n))
        fit = fit_residual_mixture(u)
        assert fit.error_weight == pytest.approx(0.05, abs=0.01)
        assert fit.nu >= 15 and fit.sigma == pytest.approx(1.0, rel=0.05)
        flags = fit.posterior > 0.5
        assert (flags & wrong).sum() / wrong.sum() > 0.9 and (flags & ~wrong).sum() < 0.005 * n

    def test_posterior_grows_with_the_residual(self):
        """The error probability is non-decreasing in |u| (so flags are a top set of |u|)."""
        rng = np.random.default_rng(2)
        u = np.concatenate([rng.standard_t(3, 5000), rng.uniform(-50, 50, 200)])
        post = fit_residual_mixture(u).posterior
        order = np.argsort(np.abs(u), kind="stable")
        assert (np.diff(post[order]) >= -1e-12).all()

    def test_all_zero_residuals(self):
        """All residuals zero: no error, no iteration, no division by zero."""
        fit = fit_residual_mixture(np.zeros(10))
        assert fit.n_iter == 0 and not fit.posterior.any()
