"""FloralSVC's ``sample_weight``: a per-row box ``0 <= alpha_i <= C w_i`` on the dual (weighted hinge loss)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_moons
from sklearn.ensemble import BaggingClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.validation import has_fit_parameter

from labelwise.errors import InvalidParameterError, ShapeMismatchError
from labelwise.poison import FloralSVC, project_dual
from labelwise.poison._common import rbf_kernel
from labelwise.poison._dual import dual_violation


@pytest.fixture(scope="module")
def weighted_moons():
    """60 noisy moons, weights in [0.1, 2] (seed 0), 200 test points."""
    X, y = make_moons(60, noise=0.3, random_state=0)
    w = np.random.default_rng(0).uniform(0.1, 2.0, 60)
    X_test = make_moons(200, noise=0.3, random_state=1)[0]
    return X, y, w, X_test


def _converged(**params) -> FloralSVC:
    """No attacker and a step of 1 / max eigenvalue of the kernel: projected gradient to the SVM optimum."""
    return FloralSVC(C=1.0, gamma=1.0, budget=0, lr=1.0 / 18.4, n_rounds=2000, verbose=False, **params)


class TestFloralSampleWeight:
    def test_zero_budget_matches_sklearn_weighted_svc(self, weighted_moons):
        """At budget 0, run to convergence, the decision function is SVC(sample_weight=w)'s."""
        X, y, w, X_test = weighted_moons
        svc = SVC(C=1.0, gamma=1.0, tol=1e-8).fit(X, y, sample_weight=w)
        floral = _converged().fit(X, y, sample_weight=w)
        np.testing.assert_allclose(floral.decision_function(X_test), svc.decision_function(X_test), atol=1e-4)
        # the weights matter here: the unweighted optimum is far from the weighted one
        unweighted = SVC(C=1.0, gamma=1.0, tol=1e-8).fit(X, y)
        assert np.abs(unweighted.decision_function(X_test) - svc.decision_function(X_test)).max() > 0.1

    def test_dual_respects_each_rows_box(self, weighted_moons):
        """Every round's dual stays in 0 <= alpha_i <= C w_i and y'alpha = 0."""
        X, y, w, _ = weighted_moons
        clf = FloralSVC(C=1.0, n_rounds=200, lr=0.05, budget=3, random_state=0).fit(X, y, sample_weight=w)
        assert dual_violation(clf.alpha_[0], clf.dual_labels_[0], 1.0 * w) < 1e-10
        assert np.isclose(clf.alpha_[0], w).any()  # some rows sit on their own bound, below C

    def test_unit_weights_are_the_unweighted_fit(self, weighted_moons):
        """sample_weight of ones gives the fit without weights, to the bit."""
        X, y, _, X_test = weighted_moons
        a = FloralSVC(n_rounds=50, lr=0.01, random_state=3).fit(X, y)
        b = FloralSVC(n_rounds=50, lr=0.01, random_state=3).fit(X, y, sample_weight=np.ones(60))
        np.testing.assert_array_equal(a.alpha_, b.alpha_)
        np.testing.assert_array_equal(a.decision_function(X_test), b.decision_function(X_test))

    def test_zero_weight_rows_are_never_support_vectors_nor_flipped(self, weighted_moons):
        """A row of weight 0 keeps alpha 0, so the attacker never draws it."""
        X, y, w, _ = weighted_moons
        w0 = w.copy()
        w0[:20] = 0.0
        clf = FloralSVC(C=1.0, n_rounds=100, lr=0.05, budget=5, random_state=0).fit(X, y, sample_weight=w0)
        assert np.all(clf.alpha_[:, :20] == 0.0)
        assert np.all(clf.flip_counts_[:, :20] == 0)
        assert not np.isin(np.arange(20), clf.support_).any()

    def test_multiclass_weights_reach_every_one_vs_rest_model(self):
        """Three classes: each one-vs-rest dual is boxed by C w."""
        rng = np.random.default_rng(1)
        X = rng.normal(size=(45, 2)) + np.repeat([[0, 0], [3, 0], [0, 3]], 15, axis=0)
        y = np.repeat(["a", "b", "c"], 15)
        w = rng.uniform(0.01, 0.05, 45)
        clf = FloralSVC(C=1.0, n_rounds=100, lr=0.05, random_state=0).fit(X, y, sample_weight=w)
        assert clf.alpha_.shape == (3, 45)
        assert np.all(clf.alpha_ <= w + 1e-12)
        assert clf.score(X, y) > 0.8

    @pytest.mark.parametrize(
        "weights, match",
        [
            (-np.ones(60), r"sample_weight must be finite and not negative, row 0 is -1.0"),
            (np.zeros(60), "sample_weight must have a positive weight, got all zeros"),
            (np.ones(59), r"sample_weight must be a 1-D array of one weight per example \(60\)"),
            (np.full(60, np.nan), "sample_weight must be finite"),
        ],
    )
    def test_bad_weights_are_refused_by_name(self, weighted_moons, weights, match):
        """Negative, all-zero, mis-sized or NaN weights raise a labelwise error naming sample_weight."""
        X, y, _, _ = weighted_moons
        with pytest.raises(InvalidParameterError, match=match):
            FloralSVC(n_rounds=5).fit(X, y, sample_weight=weights)

    def test_pipeline_routes_weights_to_floral(self, weighted_moons):
        """A Pipeline's step__sample_weight reaches FloralSVC.fit."""
        X, y, w, X_test = weighted_moons
        pipe = make_pipeline(StandardScaler(), FloralSVC(n_rounds=20, random_state=0))
        pipe.fit(X, y, floralsvc__sample_weight=w)
        alone = FloralSVC(n_rounds=20, random_state=0).fit(StandardScaler().fit_transform(X), y, sample_weight=w)
        np.testing.assert_array_equal(pipe[-1].alpha_, alone.alpha_)

    def test_meta_estimators_see_the_parameter(self, weighted_moons):
        """has_fit_parameter is True, and BaggingClassifier over FloralSVC fits."""
        X, y, _, _ = weighted_moons
        assert has_fit_parameter(FloralSVC(), "sample_weight")
        model = BaggingClassifier(FloralSVC(n_rounds=30, lr=0.01), n_estimators=2, random_state=0).fit(X, y)
        assert model.score(X, y) > 0.7


class TestProjectDualPerRowBox:
    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(2, 12),
        seed=st.integers(0, 2**31 - 1),
    )
    def test_projection_is_feasible_and_nearest(self, n, seed):
        """With one bound per row the result is feasible and no farther from v than random feasible points."""
        rng = np.random.default_rng(seed)
        v = rng.normal(scale=2.0, size=n)
        y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        y[0], y[1] = 1.0, -1.0
        C = rng.uniform(0.0, 2.0, n)
        a = project_dual(v, y, C)
        assert dual_violation(a, y, C) < 1e-9
        # a feasible point: equal mass t on one row of each class
        t = min(C[0], C[1])
        other = np.zeros(n)
        other[0], other[1] = t, t
        assert np.linalg.norm(a - v) <= np.linalg.norm(other - v) + 1e-9

    def test_scalar_box_is_the_per_row_box_of_equal_bounds(self):
        """project_dual(v, y, C) equals project_dual(v, y, [C] * n)."""
        rng = np.random.default_rng(0)
        v, y = rng.normal(size=30), np.where(rng.random(30) < 0.5, -1.0, 1.0)
        np.testing.assert_array_equal(project_dual(v, y, 0.7), project_dual(v, y, np.full(30, 0.7)))

    def test_bad_box_is_refused_by_name(self):
        """A negative bound or a box of the wrong length is refused naming C."""
        v, y = np.zeros(3), np.array([1.0, -1.0, 1.0])
        with pytest.raises(InvalidParameterError, match="C must be finite and not negative in every row, row 1"):
            project_dual(v, y, np.array([1.0, -1.0, 1.0]))
        with pytest.raises(ShapeMismatchError, match=r"C must be a number or one bound per row, shape \(3,\)"):
            project_dual(v, y, np.ones(2))


def test_kernel_of_the_fixture_has_the_step_used():
    """The step 1 / 18.4 of the convergence test is below 1 / max eigenvalue of its kernel (a guard)."""
    X, _ = make_moons(60, noise=0.3, random_state=0)
    assert np.linalg.eigvalsh(rbf_kernel(X, X, 1.0)).max() <= 18.4
