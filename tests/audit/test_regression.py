"""Tests of labelwise.audit.regression."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from labelwise.audit import regression
from labelwise.errors import (
    InvalidLabelsError,
    InvalidParameterError,
    ShapeMismatchError,
)
from labelwise.noise import corrupt_targets


def _linear(n=600, seed=0, hetero=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    sd = 0.2 + (np.abs(X[:, 0]) if hetero else 0.3)
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(0, 1, n) * sd
    noisy = corrupt_targets(y, rate=0.05, kind="shift", random_state=seed + 1)
    return X, noisy


class TestFlags:
    def test_finds_shifted_targets_from_features(self):
        """With X and a linear model, shifted targets are flagged with high precision and recall."""
        X, noisy = _linear()
        res = regression.find_label_issues(noisy.labels, X=X, model=LinearRegression())
        hits = (res.is_issue & noisy.is_corrupted).sum()
        assert hits / res.n_issues > 0.8 and hits / noisy.n_corrupted > 0.8
        np.testing.assert_array_equal(
            res.ranked_indices, np.flatnonzero(res.is_issue)[np.argsort(-res.score[res.is_issue], kind="stable")]
        )

    def test_residual_scale_model_beats_a_constant_scale_on_heteroscedastic_noise(self):
        """Modelling |residual| from X gives better F1 than one global scale when noise varies."""
        X, noisy = _linear(n=1500, seed=3, hetero=True)
        model = LinearRegression()
        pred = regression.find_label_issues(noisy.labels, X=X, model=model).predicted

        def f1(res):
            hits = (res.is_issue & noisy.is_corrupted).sum()
            return 2 * hits / (res.n_issues + noisy.n_corrupted)

        from sklearn.ensemble import HistGradientBoostingRegressor

        scale_model = HistGradientBoostingRegressor(loss="absolute_error", max_iter=50, random_state=0)
        local = regression.find_label_issues(noisy.labels, pred, X=X, model=scale_model)
        constant = regression.find_label_issues(noisy.labels, pred)
        assert f1(local) >= f1(constant)

    def test_predictions_only_uses_a_global_scale(self):
        """Without X, the scale is the same for every row and the worst residual ranks first."""
        rng = np.random.default_rng(1)
        y = rng.normal(size=300)
        pred = y + rng.normal(0, 0.1, 300)
        y[[5, 50]] += [3.0, -6.0]
        res = regression.find_label_issues(y, pred)
        assert np.ptp(res.scale) == 0
        assert res.ranked_indices[:2].tolist() == [50, 5]
        frame = res.to_frame()
        assert frame.row.iloc[0] == 50 and frame.suggested_label.iloc[0] == pred[50]

    def test_permuting_rows_permutes_flags(self):
        """Given predictions, flags follow the rows."""
        rng = np.random.default_rng(2)
        y, pred = rng.normal(size=200), rng.normal(size=200)
        perm = rng.permutation(200)
        a = regression.find_label_issues(y, pred)
        b = regression.find_label_issues(y[perm], pred[perm])
        np.testing.assert_array_equal(a.is_issue[perm], b.is_issue)

    def test_uncertainty_replaces_the_scale_model(self):
        """A given per-row uncertainty is used as the scale."""
        y, pred = np.zeros(10), np.arange(10.0)
        res = regression.find_label_issues(y, pred, uncertainty=np.arange(1.0, 11.0))
        np.testing.assert_array_equal(res.scale, np.arange(1.0, 11.0))


class TestCleanRegressor:
    def test_fits_on_kept_rows_and_predicts_better_than_on_all(self):
        """Dropping flagged targets before fitting recovers the clean coefficients better."""
        X, noisy = _linear(n=800, seed=5)
        clean = regression.CleanRegressor(LinearRegression()).fit(X, noisy.labels)
        dirty = LinearRegression().fit(X, noisy.labels)
        truth = LinearRegression().fit(X, noisy.true_labels)
        assert clean.n_removed_ == clean.label_issues_.n_issues > 0
        err_clean = np.abs(clean.estimator_.coef_ - truth.coef_).sum()
        err_dirty = np.abs(dirty.coef_ - truth.coef_).sum()
        assert err_clean < err_dirty
        assert clean.predict(X[:3]).shape == (3,)

    def test_passes_scikit_learn_estimator_checks(self):
        """sklearn.utils.estimator_checks.check_estimator passes."""
        from sklearn.utils.estimator_checks import check_estimator

        check_estimator(regression.CleanRegressor(LinearRegression(), cv=2))

    def test_is_a_scikit_learn_estimator(self):
        """get_params/clone work and an unfitted predict raises NotFittedError."""
        from sklearn.base import clone
        from sklearn.exceptions import NotFittedError

        est = clone(regression.CleanRegressor(LinearRegression(), threshold=4.0))
        assert est.get_params()["threshold"] == 4.0
        with pytest.raises(NotFittedError):
            est.predict(np.zeros((2, 3)))


class TestBadInput:
    def test_nan_target_is_named(self):
        """A NaN target raises InvalidLabelsError naming the row."""
        with pytest.raises(InvalidLabelsError, match="row 2 is nan"):
            regression.find_label_issues([1.0, 2.0, np.nan, 4.0], [1.0, 2.0, 3.0, 4.0])

    def test_length_mismatch(self):
        """predictions of another length is a ShapeMismatchError."""
        with pytest.raises(ShapeMismatchError):
            regression.find_label_issues([1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0])

    def test_needs_predictions_or_features(self):
        """Neither predictions nor X is an InvalidParameterError."""
        with pytest.raises(InvalidParameterError, match="predictions= .* or X="):
            regression.find_label_issues([1.0, 2.0, 3.0])
