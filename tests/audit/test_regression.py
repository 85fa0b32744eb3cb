"""Tests of labelwise.audit.regression."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression

from labelwise.audit import regression
from labelwise.errors import (
    InvalidLabelsError,
    InvalidParameterError,
    ShapeMismatchError,
    TooFewExamplesError,
)
from labelwise.noise import corrupt_targets


def _linear(n=600, seed=0, hetero=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    sd = 0.2 + (np.abs(X[:, 0]) if hetero else 0.3)
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(0, 1, n) * sd
    noisy = corrupt_targets(y, rate=0.05, kind="shift", random_state=seed + 1)
    return X, noisy


def _hetero_in_prediction(n, seed):
    """Noise sd 0.2 + 0.5 |prediction|, 5% of the targets corrupted (mixed kinds)."""
    rng = np.random.default_rng(seed)
    pred = rng.normal(0, 2, n)
    y = pred + rng.normal(size=n) * (0.2 + 0.5 * np.abs(pred))
    noisy = corrupt_targets(y, rate=0.05, random_state=seed + 1)
    return noisy.labels, pred, noisy.is_corrupted


def _f1(flags, truth):
    return 2 * int((flags & truth).sum()) / max(int(flags.sum()) + int(truth.sum()), 1)


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

    def test_predictions_only_ranks_the_worst_residual_first(self):
        """Without X on homoscedastic noise, the scale is nearly constant and the big errors lead."""
        rng = np.random.default_rng(1)
        y = rng.normal(size=300)
        pred = y + rng.normal(0, 0.1, 300)
        y[[5, 50]] += [3.0, -6.0]
        res = regression.find_label_issues(y, pred)
        assert np.ptp(res.scale) < 0.2 * np.median(res.scale)
        assert res.ranked_indices.tolist() == [50, 5]
        frame = res.to_frame()
        assert frame.row.iloc[0] == 50 and frame.suggested_label.iloc[0] == pred[50]
        assert frame.error_probability.iloc[0] > 0.5 > frame.error_probability.iloc[2]

    def test_local_scale_follows_noise_that_grows_with_the_prediction(self):
        """Without X, the scale is larger where the noise is (it is a function of the prediction)."""
        y, pred, _ = _hetero_in_prediction(n=6000, seed=4)
        res = regression.find_label_issues(y, pred)
        low, high = np.abs(pred) < 0.5, np.abs(pred) > 3
        assert np.median(res.scale[high]) > 3 * np.median(res.scale[low])

    def test_a_row_does_not_widen_its_own_scale(self):
        """Cross-fitting: a row's scale does not depend on its own target."""
        y, pred, _ = _hetero_in_prediction(n=2000, seed=5)
        before = regression.find_label_issues(y, pred)
        y2 = y.copy()
        y2[17] += 1e6
        after = regression.find_label_issues(y2, pred)
        assert after.scale[17] == before.scale[17]
        assert after.ranked_indices[0] == 17

    def test_mixture_needs_no_error_count_and_beats_the_z_rule_when_noise_varies(self):
        """Noise growing with the prediction: the mixture's F1 is above |z| > 3's and at least that of
        its own ranking cut at the true number of errors (which it is not told)."""
        y, pred, truth = _hetero_in_prediction(n=5000, seed=6)
        mix = regression.find_label_issues(y, pred)
        z = regression.find_label_issues(y, pred, rule="zscore")
        at_true_count = np.zeros(y.size, bool)
        at_true_count[np.argsort(-mix.score, kind="stable")[: truth.sum()]] = True
        assert _f1(mix.is_issue, truth) > 0.7
        assert _f1(mix.is_issue, truth) >= _f1(at_true_count, truth)
        assert _f1(mix.is_issue, truth) >= _f1(z.is_issue, truth)
        assert mix.summary()["rule"] == "mixture" and z.error_probability is None
        assert z.mixture_fit is None and z.summary()["mixture_fit"] is None

    def test_few_false_alarms_on_clean_heavy_tailed_residuals(self):
        """Clean Student-t(3) residuals: the mixture flags under 1% of the rows."""
        rng = np.random.default_rng(7)
        pred = rng.normal(size=5000)
        y = pred + rng.standard_t(3, 5000)
        assert regression.find_label_issues(y, pred).is_issue.mean() < 0.01

    def test_flags_are_the_top_scores(self):
        """Every flagged row scores above every kept row (the posterior grows with |u|)."""
        y, pred, _ = _hetero_in_prediction(n=3000, seed=8)
        res = regression.find_label_issues(y, pred)
        assert res.score[res.is_issue].min() > res.score[~res.is_issue].max()

    @settings(max_examples=15, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        shift=st.sampled_from([-1024.0, 0.0, 3.0]),
        factor=st.sampled_from([0.25, 1.0, 8.0]),
    )
    def test_permuting_shifting_and_scaling_give_the_same_flags(self, seed, shift, factor):
        """Permuting rows permutes the flags; shifting or scaling y and predictions together keeps them."""
        y, pred, _ = _hetero_in_prediction(n=400, seed=seed)
        base = regression.find_label_issues(y, pred)
        perm = np.random.default_rng(seed).permutation(y.size)
        permuted = regression.find_label_issues(y[perm], pred[perm])
        np.testing.assert_array_equal(base.is_issue[perm], permuted.is_issue)
        np.testing.assert_allclose(base.score[perm], permuted.score)
        moved = regression.find_label_issues(y * factor + shift, pred * factor + shift)
        np.testing.assert_array_equal(base.is_issue, moved.is_issue)
        np.testing.assert_allclose(moved.scale, base.scale * factor, rtol=1e-9)

    def test_small_table_with_moderate_errors_is_flagged_in_any_row_order_and_units(self):
        """n = 300, Gaussian noise, 10% errors of 1.75 target sd, where maximum likelihood's error weight
        collapses (main flagged nothing): the MAP fit flags the planted errors, and permuting the rows
        or shifting and scaling y and the predictions together gives the same flags and fit."""
        rng = np.random.default_rng(1)
        pred = 2 * np.sin(rng.uniform(-2, 2, 300))
        y = pred + rng.normal(0, 0.5, 300)
        wrong = np.zeros(300, bool)
        wrong[rng.choice(300, 30, replace=False)] = True
        y = y + wrong * rng.choice([-1, 1], 300) * 1.75 * y.std()
        base = regression.find_label_issues(y, pred)
        assert base.mixture_fit == "map" and base.summary()["mixture_fit"] == "map"
        assert (base.is_issue & wrong).sum() >= 24 and not (base.is_issue & ~wrong).any()
        perm = np.random.default_rng(2).permutation(300)
        permuted = regression.find_label_issues(y[perm], pred[perm])
        np.testing.assert_array_equal(permuted.is_issue, base.is_issue[perm])
        for shift, factor in ((-1024.0, 1.0), (3.0, 0.25), (0.0, 8.0)):
            moved = regression.find_label_issues(y * factor + shift, pred * factor + shift)
            assert moved.mixture_fit == "map"
            np.testing.assert_array_equal(moved.is_issue, base.is_issue)

    def test_large_table_keeps_the_maximum_likelihood_mixture(self):
        """n = 5000, t(3) noise, 2% errors of 3 sd: maximum likelihood finds errors, so it decides and the
        flags are its own (the prior never enters)."""
        from labelwise.audit._residual_mixture import fit_residual_mixture

        rng = np.random.default_rng(3)
        pred = rng.normal(0, 2, 5000)
        noisy = corrupt_targets(pred + 0.5 * rng.standard_t(3, 5000), rate=0.02, kind="shift", random_state=4)
        res = regression.find_label_issues(noisy.labels, pred)
        u = (noisy.labels - pred - res.location) / res.scale
        assert res.mixture_fit == "ml" and res.n_issues > 0
        np.testing.assert_array_equal(res.error_probability, fit_residual_mixture(u).posterior)

    def test_is_deterministic(self):
        """Two calls on the same input give identical results."""
        y, pred, _ = _hetero_in_prediction(n=1500, seed=9)
        a, b = regression.find_label_issues(y, pred), regression.find_label_issues(y, pred)
        np.testing.assert_array_equal(a.error_probability, b.error_probability)
        np.testing.assert_array_equal(a.is_issue, b.is_issue)

    def test_uncertainty_replaces_the_scale_model(self):
        """A given per-row uncertainty sets the scale's shape (one robust factor puts it in sd units)."""
        y, pred = np.zeros(10), np.arange(10.0)
        res = regression.find_label_issues(y, pred, uncertainty=np.arange(1.0, 11.0))
        ratio = res.scale / np.arange(1.0, 11.0)
        np.testing.assert_allclose(ratio, ratio[0])


def _moderate_errors_at_300(seed=1):
    """n = 300, Gaussian noise, 10% of targets shifted by 1.75 target sd: maximum likelihood's error
    weight collapses here (it flags nothing), the MAP fit flags the errors."""
    rng = np.random.default_rng(seed)
    pred = 2 * np.sin(rng.uniform(-2, 2, 300))
    y = pred + rng.normal(0, 0.5, 300)
    wrong = np.zeros(300, bool)
    wrong[rng.choice(300, 30, replace=False)] = True
    return y + wrong * rng.choice([-1, 1], 300) * 1.75 * y.std(), pred, wrong


class TestMixturePrior:
    @staticmethod
    def _u(res):
        return (res.residual - res.location) / res.scale

    def test_none_is_the_maximum_likelihood_fit_bit_for_bit(self):
        """mixture_prior="none" decides by maximum likelihood even where "auto" refits with the prior:
        its posteriors are fit_residual_mixture's, bit for bit, and it flags nothing there."""
        from labelwise.audit._residual_mixture import fit_residual_mixture

        y, pred, _ = _moderate_errors_at_300()
        auto = regression.find_label_issues(y, pred)
        ml = regression.find_label_issues(y, pred, mixture_prior="none")
        assert auto.mixture_fit == "map" and ml.mixture_fit == "ml"
        np.testing.assert_array_equal(ml.error_probability, fit_residual_mixture(self._u(ml)).posterior)
        np.testing.assert_array_equal(ml.score, auto.score)
        assert ml.n_issues < auto.n_issues
        assert ml.summary()["mixture_prior"] == "none" and auto.summary()["mixture_prior"] == "auto"

    def test_tail_is_the_map_fit_bit_for_bit_even_where_auto_keeps_maximum_likelihood(self):
        """mixture_prior="tail" always takes the MAP fit with the prior, also on a large table where "auto"
        keeps maximum likelihood: posteriors equal fit_residual_mixture(tail_prior=TAIL_PRIOR)'s."""
        from labelwise.audit._residual_mixture import TAIL_PRIOR, fit_residual_mixture

        rng = np.random.default_rng(3)
        pred = rng.normal(0, 2, 5000)
        noisy = corrupt_targets(pred + 0.5 * rng.standard_t(3, 5000), rate=0.02, kind="shift", random_state=4)
        auto = regression.find_label_issues(noisy.labels, pred)
        tail = regression.find_label_issues(noisy.labels, pred, mixture_prior="tail")
        assert auto.mixture_fit == "ml" and tail.mixture_fit == "map"
        expected = fit_residual_mixture(self._u(tail), tail_prior=TAIL_PRIOR).posterior
        np.testing.assert_array_equal(tail.error_probability, expected)
        assert tail.summary()["mixture_prior"] == "tail" and tail.summary()["mixture_fit"] == "map"

    def test_auto_is_the_default(self):
        """Passing mixture_prior="auto" gives the default call's result."""
        y, pred, _ = _moderate_errors_at_300(seed=2)
        a, b = regression.find_label_issues(y, pred), regression.find_label_issues(y, pred, mixture_prior="auto")
        np.testing.assert_array_equal(a.error_probability, b.error_probability)
        assert a.mixture_fit == b.mixture_fit and a.mixture_prior == b.mixture_prior == "auto"

    @pytest.mark.parametrize("value", ["ml", "Tail", None, 1])
    def test_unknown_value_is_named(self, value):
        """A mixture_prior outside auto / none / tail is an InvalidParameterError naming it and the choices."""
        with pytest.raises(InvalidParameterError, match=r"mixture_prior must be one of \['auto', 'none', 'tail'\]"):
            regression.find_label_issues([1.0, 2.0, 3.0], [1.0, 2.0, 3.5], mixture_prior=value)

    def test_refused_with_the_zscore_rule(self):
        """mixture_prior other than "auto" with rule="zscore" (no mixture) is an error, not ignored; the
        z rule records no prior."""
        with pytest.raises(InvalidParameterError, match="mixture_prior applies to rule='mixture' only"):
            regression.find_label_issues([1.0, 2.0, 3.0], [1.0, 2.0, 3.5], rule="zscore", mixture_prior="tail")
        z = regression.find_label_issues([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.5, 4.0], rule="zscore")
        assert z.mixture_prior is None and z.summary()["mixture_prior"] is None

    def test_clean_regressor_passes_it_on(self):
        """CleanRegressor(mixture_prior=...) audits with that fit (a get_params key, cloned with the rest)."""
        from sklearn.base import clone

        X, noisy = _linear(n=300, seed=5)
        est = clone(regression.CleanRegressor(LinearRegression(), mixture_prior="none"))
        assert est.get_params()["mixture_prior"] == "none"
        fitted = est.fit(X, noisy.labels)
        assert fitted.label_issues_.mixture_prior == "none" and fitted.label_issues_.mixture_fit == "ml"


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

        est = clone(regression.CleanRegressor(LinearRegression(), rule="zscore", threshold=4.0))
        assert est.get_params()["threshold"] == 4.0 and est.get_params()["rule"] == "zscore"
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

    def test_unknown_rule_is_named(self):
        """An unknown rule is an InvalidParameterError listing the choices."""
        with pytest.raises(InvalidParameterError, match="rule"):
            regression.find_label_issues([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], rule="median")

    @pytest.mark.parametrize(("rule", "threshold"), [("mixture", 1.5), ("mixture", 0.0), ("zscore", -1.0)])
    def test_threshold_outside_the_rule_range(self, rule, threshold):
        """A posterior cut outside (0, 1) or a non-positive z cut is an InvalidParameterError."""
        with pytest.raises(InvalidParameterError, match=f"threshold.*rule='{rule}'"):
            regression.find_label_issues([1.0, 2.0, 3.0, 5.0], [1.0, 2.0, 3.0, 4.0], rule=rule, threshold=threshold)

    def test_negative_uncertainty(self):
        """A negative uncertainty is an InvalidParameterError."""
        with pytest.raises(InvalidParameterError, match="uncertainty must be finite and non-negative; row 0 is -1"):
            regression.find_label_issues([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], uncertainty=-1.0)

    def test_uncertainty_of_another_length(self):
        """An uncertainty array of the wrong length is a ShapeMismatchError naming both shapes."""
        with pytest.raises(
            ShapeMismatchError, match=r"uncertainty must be a number or have shape \(3,\), got shape \(2,\)"
        ):
            regression.find_label_issues([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], uncertainty=[1.0, 2.0])

    def test_constant_residuals_flag_nothing(self):
        """Perfect predictions (all residuals 0) flag no row instead of dividing by zero."""
        y = np.arange(50.0)
        res = regression.find_label_issues(y, y.copy())
        assert res.n_issues == 0 and np.isfinite(res.score).all()

    def test_text_target_names_the_row_that_is_not_a_number(self):
        """Targets as numeric text are numbers; 'abc' among them named only the dtype ('<U32'), not the row."""
        y = np.array(["1.5", "2.0", "abc", "0.5"])
        with pytest.raises(InvalidLabelsError, match="y must be numbers .* row 2 is 'abc'"):
            regression.find_label_issues(y, np.zeros(4))
        res = regression.find_label_issues(y[[0, 1, 3]], np.array([1.4, 2.1, 0.6]))
        np.testing.assert_allclose(res.to_frame().sort_values("row")["given_label"], [1.5, 2.0, 0.5])


@pytest.mark.parametrize("given", [False, True])
def test_fewer_rows_than_folds_with_X_is_a_labelwise_error(given):
    """The out-of-fold fits on X (the predictions, or the residual scale beside given predictions) need cv rows."""
    X = np.array([[2.0, 3.0], [3.0, 1.0], [1.0, 2.0]])
    pred = np.array([1.1, 2.0, 3.0]) if given else None
    with pytest.raises(TooFewExamplesError, match="at least cv=5 rows .* got 3"):
        regression.find_label_issues(np.array([1.0, 2.0, 3.5]), pred, X=X)
    assert regression.find_label_issues(np.array([1.0, 2.0, 3.5]), pred, X=X, cv=3).is_issue.shape == (3,)
