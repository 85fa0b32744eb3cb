"""Tests of the residual scale's choice in the regression audit with X (labelwise.audit._scale_choice)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression

from labelwise.audit import regression
from labelwise.audit._scale_choice import CANDIDATES, choose_scale, log_spread
from labelwise.noise import corrupt_targets


def _table(n, seed, hetero=0.0):
    """X ~ N(0, I_4), a linear target; noise sd ``1 + hetero * |X3|`` (X3 is not in the signal)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    sd = 1.0 if not hetero else 0.05 + hetero * np.abs(X[:, 3])
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.normal(size=n) * sd
    noisy = corrupt_targets(y, rate=0.03, kind="shift", random_state=seed + 1)
    return X, noisy.labels, noisy.is_corrupted


def _candidates_input(n, seed):
    """Residuals whose spread grows with a feature, predictions, and a noisy model of |r|."""
    rng = np.random.default_rng(seed)
    pred = rng.normal(0, 2, n)
    sd = 0.2 + np.abs(rng.normal(size=n))
    res = rng.normal(size=n) * sd
    res[: n // 20] += 8.0
    model_scale = sd * np.exp(rng.normal(0, 0.3, n))
    return res, pred, model_scale


class TestChoice:
    def test_picks_the_global_scale_on_homoscedastic_small_data(self):
        """300 rows of constant noise: one robust scale explains the residuals best (the model of
        |r|, fitted on 240 rows per fold, only adds noise)."""
        X, y, _ = _table(300, seed=0)
        res = regression.find_label_issues(y, X=X)
        assert res.summary()["scale"] == "global"
        assert np.ptp(res.scale) == 0.0

    def test_picks_the_residual_model_on_strongly_feature_heteroscedastic_large_data(self):
        """5,000 rows, noise sd 0.05 + 2 |X3|: only the model of |r| from X follows it."""
        X, y, _ = _table(5000, seed=0, hetero=2.0)
        res = regression.find_label_issues(y, X=X)
        assert res.summary()["scale"] == "model"
        spread = res.scale_spread
        assert spread["model"] < min(spread["global"], spread["local"])

    def test_never_picks_the_residual_model_on_homoscedastic_small_data(self):
        """Over several seeds of 300 constant-noise rows the choice is a single or by-prediction scale."""
        chosen = {regression.find_label_issues(y, X=X).scale_source for X, y, _ in (_table(300, s) for s in range(4))}
        assert chosen <= {"global", "local"}

    def test_the_chosen_candidate_has_the_smallest_spread_and_gives_the_scale(self):
        """The result's scale and location are the chosen candidate's; its spread is the smallest."""
        X, y, _ = _table(400, seed=2)
        res = regression.find_label_issues(y, X=X, model=LinearRegression())
        spread = res.scale_spread
        assert set(spread) == set(CANDIDATES)
        assert spread[res.scale_source] == min(spread.values())
        assert log_spread(res.residual, res.location, res.scale) == pytest.approx(spread[res.scale_source])


class TestSummary:
    def test_summary_records_the_chosen_scale_and_every_candidates_spread(self):
        """With X: summary()["scale"] names the choice, "scale_log_iqr" the spreads; JSON-ready."""
        X, y, _ = _table(300, seed=1)
        summary = regression.find_label_issues(y, X=X).summary()
        assert summary["scale"] in CANDIDATES
        assert set(summary["scale_log_iqr"]) == set(CANDIDATES)
        assert json.loads(json.dumps(summary))["scale"] == summary["scale"]

    def test_summary_says_where_the_scale_came_from_without_a_choice(self):
        """Predictions only: the by-prediction scale; a given uncertainty: that; no spreads."""
        rng = np.random.default_rng(3)
        pred = rng.normal(size=200)
        y = pred + rng.normal(size=200)
        by_pred = regression.find_label_issues(y, pred).summary()
        given_u = regression.find_label_issues(y, pred, uncertainty=1.0).summary()
        assert (by_pred["scale"], by_pred["scale_log_iqr"]) == ("local", None)
        assert (given_u["scale"], given_u["scale_log_iqr"]) == ("uncertainty", None)


class TestProperties:
    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 10_000), n=st.integers(60, 3000))
    def test_permuting_rows_permutes_the_choice(self, seed, n):
        """The choice, location and scale depend on the rows only through their values."""
        res, pred, model_scale = _candidates_input(n, seed)
        base = choose_scale(res, pred, model_scale)
        perm = np.random.default_rng(seed + 1).permutation(n)
        moved = choose_scale(res[perm], pred[perm], model_scale[perm])
        assert moved.name == base.name
        np.testing.assert_allclose(moved.scale, base.scale[perm], rtol=1e-12)
        np.testing.assert_allclose(moved.location, base.location[perm], rtol=1e-12, atol=1e-300)

    @settings(max_examples=20, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        factor=st.sampled_from([2.0**-10, 0.5, 4.0, 1024.0]),
        shift=st.sampled_from([-512.0, 0.0, 64.0]),
    )
    def test_scaling_the_residuals_and_shifting_the_predictions_keep_the_choice(self, seed, factor, shift):
        """Residuals and model scale times a factor, predictions times it plus a shift (y scaled and
        shifted): the same candidate, its scale and location times the factor."""
        res, pred, model_scale = _candidates_input(500, seed)
        base = choose_scale(res, pred, model_scale)
        moved = choose_scale(res * factor, pred * factor + shift, model_scale * factor)
        assert moved.name == base.name
        np.testing.assert_allclose(moved.scale, base.scale * factor, rtol=1e-9)
        np.testing.assert_allclose(moved.location, base.location * factor, rtol=1e-9, atol=1e-12 * factor)

    @pytest.mark.parametrize(("factor", "shift"), [(4.0, 0.0), (0.125, 1000.0), (1.0, -64.0)])
    def test_scaling_and_shifting_y_keep_the_choice_and_the_flags(self, factor, shift):
        """With X and a linear model: y * factor + shift gives the same choice and flags, scale * factor."""
        X, y, _ = _table(400, seed=5, hetero=1.0)
        base = regression.find_label_issues(y, X=X, model=LinearRegression())
        moved = regression.find_label_issues(y * factor + shift, X=X, model=LinearRegression())
        assert moved.scale_source == base.scale_source
        np.testing.assert_array_equal(moved.is_issue, base.is_issue)
        np.testing.assert_allclose(moved.scale, base.scale * factor, rtol=1e-6)

    def test_is_deterministic(self):
        """Two calls with X on the same input choose the same scale and flag the same rows."""
        X, y, _ = _table(300, seed=4)
        a, b = regression.find_label_issues(y, X=X), regression.find_label_issues(y, X=X)
        assert a.scale_source == b.scale_source and a.scale_spread == b.scale_spread
        np.testing.assert_array_equal(a.error_probability, b.error_probability)

    def test_constant_targets_with_features_flag_nothing(self):
        """All-equal targets: every residual 0, every spread finite, nothing flagged."""
        X = np.random.default_rng(0).normal(size=(100, 3))
        res = regression.find_label_issues(np.full(100, 2.5), X=X, model=LinearRegression())
        assert res.n_issues == 0 and all(np.isfinite(v) for v in res.scale_spread.values())
