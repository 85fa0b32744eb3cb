"""Tests of labelwise.audit._residual_mixture (t clean + Cauchy error mixture by EM)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from labelwise.audit._residual_mixture import NU_GRID, fit_guarded_mixture, fit_residual_mixture


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


def _moderate_errors(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian noise (sd 0.5) around a smooth prediction, 10% of targets shifted by 1.75 target sd."""
    rng = np.random.default_rng(seed)
    pred = 2 * np.sin(rng.uniform(-2, 2, n))
    y = pred + rng.normal(0, 0.5, n)
    wrong = np.zeros(n, bool)
    wrong[rng.choice(n, n // 10, replace=False)] = True
    return y + wrong * rng.choice([-1, 1], n) * 1.75 * y.std(), pred, wrong


class TestFitResidualMixtureTailPrior:
    def test_zero_prior_is_maximum_likelihood_exactly(self):
        """tail_prior=0 gives main's maximum-likelihood fit bit for bit, labelled 'ml'; a positive one 'map'."""
        u = np.random.default_rng(3).standard_t(3, 2000)
        ml, zero = fit_residual_mixture(u), fit_residual_mixture(u, tail_prior=0.0)
        np.testing.assert_array_equal(ml.posterior, zero.posterior)
        assert (ml.nu, ml.sigma, ml.fit) == (zero.nu, zero.sigma, "ml")
        assert fit_residual_mixture(u, tail_prior=20.0).fit == "map"

    def test_prior_pulls_the_clean_tails_towards_the_gaussian(self):
        """A tight cluster of moderate errors at n = 300: maximum likelihood takes a heavy clean t and no
        error weight; with the prior nu is larger and the error weight is about the planted 10%."""
        u = np.concatenate([np.random.default_rng(4).normal(size=270), np.linspace(4.5, 6.5, 30)])
        ml, map_ = fit_residual_mixture(u), fit_residual_mixture(u, tail_prior=20.0)
        assert ml.error_weight * u.size < 1 and ml.nu <= 3
        assert map_.nu > ml.nu and map_.error_weight == pytest.approx(0.1, abs=0.03)
        assert (map_.posterior[270:] > 0.5).all() and (map_.posterior[:270] > 0.5).sum() <= 2


class TestFitGuardedMixture:
    def test_small_table_with_moderate_errors_refits_with_the_prior(self):
        """n = 300, Gaussian noise, 10% errors of 1.75 sd: maximum likelihood flags nothing (its error
        weight collapsed below one row); the guarded fit is the MAP one and flags the planted errors."""
        from labelwise.audit import regression

        y, pred, wrong = _moderate_errors(1)
        res = regression.find_label_issues(y, pred)
        u = (y - pred - res.location) / res.scale
        ml = fit_residual_mixture(u)
        assert ml.error_weight * u.size < 1 and not (ml.posterior > 0.5).any()
        guarded = fit_guarded_mixture(u)
        assert guarded.fit == "map" and res.mixture_fit == "map"
        flags = guarded.posterior > 0.5
        np.testing.assert_array_equal(flags, res.is_issue)
        assert (flags & wrong).sum() >= 0.8 * wrong.sum() and not (flags & ~wrong).any()

    def test_large_table_keeps_the_maximum_likelihood_fit(self):
        """n = 20,000, t(3) residuals with 2% wide errors: maximum likelihood finds them, so the guarded
        fit is exactly main's fit (same posteriors, bit for bit)."""
        rng = np.random.default_rng(5)
        u = rng.standard_t(3, 20_000)
        u[:400] += rng.choice([-1, 1], 400) * rng.uniform(8, 15, 400)
        ml, guarded = fit_residual_mixture(u), fit_guarded_mixture(u)
        assert guarded.fit == "ml" and ml.error_weight * u.size >= 1
        np.testing.assert_array_equal(guarded.posterior, ml.posterior)
        assert (guarded.nu, guarded.sigma, guarded.error_weight) == (ml.nu, ml.sigma, ml.error_weight)

    def test_permuting_the_rows_permutes_the_flags(self):
        """The guarded fit does not depend on the row order (posteriors permute with the rows)."""
        u = np.concatenate([np.random.default_rng(6).normal(size=270), np.linspace(4.5, 6.5, 30)])
        perm = np.random.default_rng(7).permutation(u.size)
        fit, fit_p = fit_guarded_mixture(u), fit_guarded_mixture(u[perm])
        assert fit.fit == fit_p.fit == "map"
        np.testing.assert_allclose(fit_p.posterior, fit.posterior[perm], rtol=1e-9, atol=1e-12)

    def test_all_zero_residuals_keep_the_maximum_likelihood_fit(self):
        """All residuals zero: nothing to separate, no refit, nothing flagged."""
        fit = fit_guarded_mixture(np.zeros(10))
        assert fit.fit == "ml" and not fit.posterior.any()
