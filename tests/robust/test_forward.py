"""``ForwardCorrection``: the corrected loss, its gradient, scikit-learn's LogisticRegression as peer."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import check_grad
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from labelwise.errors import InvalidLabelsError, InvalidParameterError, InvalidProbabilitiesError
from labelwise.robust import ForwardCorrection
from labelwise.robust import _corrected_loss as closs

#: Agreement with scikit-learn's LogisticRegression when both are solved to tol=1e-10.
PEER_ATOL = 1e-6


def _blobs(seed: int, n: int, k: int, d: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    centres = rng.normal(scale=2.0, size=(k, d))
    return centres[y] + rng.normal(size=(n, d)), y


def _pair_noise(y: np.ndarray, k: int, rate: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels flipped to the next class with probability ``rate``, and the T that did it."""
    T = (1 - rate) * np.eye(k) + rate * np.roll(np.eye(k), 1, axis=1)
    rng = np.random.default_rng(seed)
    flip = rng.random(y.size) < rate
    return np.where(flip, (y + 1) % k, y), T


_CV_SPLITS = "the check passes cv as a list of splits; cv here is a fold count (of the out-of-fold estimate of T)"


@pytest.mark.slow
@parametrize_with_checks(
    [ForwardCorrection(cv=2, random_state=0)],
    expected_failed_checks=lambda est: {
        "check_sample_weight_equivalence_on_dense_data": _CV_SPLITS,
        "check_sample_weight_equivalence_on_sparse_data": _CV_SPLITS,
    },
)
def test_sklearn_estimator_checks(estimator, check):
    """ForwardCorrection passes scikit-learn's estimator checks."""
    check(estimator)


class TestPeerLogisticRegression:
    @pytest.mark.parametrize("k", [2, 3, 4])
    def test_identity_transition_is_logistic_regression(self, k):
        """With T = I the model is scikit-learn's LogisticRegression (same C) to 1e-6."""
        X, y = _blobs(k, 120, k)
        peer = LogisticRegression(C=0.3, tol=1e-10, max_iter=10_000).fit(X, y)
        ours = ForwardCorrection(C=0.3, transition=np.eye(k), tol=1e-10, max_iter=10_000).fit(X, y)
        assert np.abs(ours.predict_proba(X) - peer.predict_proba(X)).max() < PEER_ATOL
        assert ours.coef_.shape == peer.coef_.shape
        assert np.allclose(ours.coef_, peer.coef_, atol=1e-5)

    def test_identity_with_sample_weight_sparse_and_no_intercept(self):
        """Sample weights, a sparse X and fit_intercept=False are handled as scikit-learn does."""
        X, y = _blobs(5, 90, 3)
        w = np.random.default_rng(0).uniform(0.2, 3.0, size=y.size)
        peer = LogisticRegression(C=2.0, fit_intercept=False, tol=1e-10, max_iter=10_000).fit(X, y, sample_weight=w)
        ours = ForwardCorrection(C=2.0, transition=np.eye(3), fit_intercept=False, tol=1e-10, max_iter=10_000)
        ours.fit(sp.csr_matrix(X), y, sample_weight=w)
        assert np.abs(ours.predict_proba(X) - peer.predict_proba(X)).max() < PEER_ATOL

    def test_backward_with_identity_is_logistic_regression_too(self):
        """Backward correction with T = I is the plain log loss."""
        X, y = _blobs(6, 90, 3)
        peer = LogisticRegression(tol=1e-10, max_iter=10_000).fit(X, y)
        ours = ForwardCorrection(transition=np.eye(3), correction="backward", tol=1e-10, max_iter=10_000).fit(X, y)
        assert np.abs(ours.predict_proba(X) - peer.predict_proba(X)).max() < PEER_ATOL


class TestLoss:
    @pytest.mark.parametrize("correction", ["forward", "backward"])
    @pytest.mark.parametrize("k", [2, 3])
    def test_gradient_matches_finite_differences(self, correction, k):
        """The analytic gradient agrees with a finite-difference one."""
        X, y = _blobs(1, 40, k)
        T = 0.7 * np.eye(k) + 0.3 / k
        matrix = T if correction == "forward" else np.linalg.inv(T)
        n_out = 1 if k == 2 else k
        w = np.full(y.size, 1 / y.size)
        theta = np.random.default_rng(2).normal(size=X.shape[1] * n_out + n_out)
        args = (X, y, w, matrix, 0.05, True, correction)
        err = check_grad(lambda t: closs.objective(t, *args)[0], lambda t: closs.objective(t, *args)[1], theta)
        assert err < 1e-5

    def test_forward_loss_is_minus_log_of_the_noisy_probability(self):
        """The forward loss of one example is -log((T^T softmax(z))_y)."""
        X = np.array([[1.0, -2.0]])
        T = np.array([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]])
        theta = np.arange(9, dtype=float) / 10  # W (2x3) then b
        value, _ = closs.objective(theta, X, np.array([2]), np.ones(1), T, 0.0, True, "forward")
        z = X @ theta[:6].reshape(2, 3) + theta[6:]
        q = np.exp(z) / np.exp(z).sum()
        assert value == pytest.approx(-np.log((q @ T)[0, 2]))


class TestCorrection:
    def test_true_transition_beats_the_plain_model_under_pair_noise(self):
        """With the T that flipped 40% of the labels, the model predicts the true classes better than plain LR."""
        X, y = _blobs(3, 900, 3, d=2)
        noisy, T = _pair_noise(y, 3, 0.4, 0)
        plain = LogisticRegression().fit(X, noisy).score(X, y)
        corrected = ForwardCorrection(transition=T).fit(X, noisy).score(X, y)
        assert corrected > plain + 0.05

    @pytest.mark.parametrize("method", ["anchor", "confident_joint"])
    def test_estimated_transition_and_probabilities_are_kept(self, method):
        """A named estimator fills transition_ (rows summing to 1) and the out-of-fold pred_probs_."""
        X, y = _blobs(4, 120, 3)
        model = ForwardCorrection(transition=method, cv=3, random_state=0).fit(X, y)
        assert np.allclose(model.transition_.sum(axis=1), 1.0)
        assert model.pred_probs_.shape == (120, 3)

    def test_given_transition_is_used_as_is(self):
        """A given T is transition_, and no out-of-fold probabilities are computed."""
        X, y = _blobs(4, 60, 2)
        T = np.array([[0.9, 0.1], [0.2, 0.8]])
        model = ForwardCorrection(transition=T).fit(X, y)
        assert np.array_equal(model.transition_, T)
        assert model.pred_probs_ is None

    def test_string_classes_come_back(self):
        """Labels of any kind are predicted back as given."""
        X, y = _blobs(7, 60, 3)
        names = np.array(["cat", "dog", "eel"])
        model = ForwardCorrection(transition=np.eye(3)).fit(X, names[y])
        assert set(model.predict(X)) <= set(names)
        assert list(model.classes_) == list(names)


class TestErrors:
    def _fit(self, **params):
        X, y = _blobs(0, 30, 3)
        return ForwardCorrection(**params).fit(X, y)

    @pytest.mark.parametrize(
        ("params", "match"),
        [
            ({"C": 0}, "C must be a positive number"),
            ({"correction": "sideways"}, "correction must be one of"),
            ({"transition": "oracle"}, "transition must be one of"),
            ({"transition": None}, "transition must be one of"),
            ({"max_iter": 0}, "max_iter must be an integer"),
            ({"cv": 1}, "cv must be an integer >= 2"),
            ({"percentile": 0}, "percentile"),
        ],
    )
    def test_bad_parameters_are_named(self, params, match):
        """Each bad parameter raises a labelwise error naming it."""
        with pytest.raises(InvalidParameterError, match=match):
            self._fit(**params)

    def test_transition_of_the_wrong_size(self):
        """A T with a row per class of another problem is refused."""
        with pytest.raises(InvalidProbabilitiesError, match=r"transition must have shape \(3, 3\)"):
            self._fit(transition=np.eye(2))

    def test_backward_needs_an_invertible_transition(self):
        """Backward correction with a singular T is refused, naming invertible."""
        with pytest.raises(InvalidProbabilitiesError, match="invertible"):
            self._fit(transition=np.full((3, 3), 1 / 3), correction="backward")

    def test_one_class(self):
        """A single class cannot be trained on."""
        with pytest.raises(InvalidLabelsError, match="at least 2 classes"):
            ForwardCorrection(transition=np.eye(2)).fit(np.ones((4, 2)), np.zeros(4))

    def test_text_features(self):
        """Non-numeric features raise a labelwise error naming X."""
        with pytest.raises(InvalidParameterError, match="X is not a valid feature matrix"):
            ForwardCorrection(transition=np.eye(2)).fit(np.array([["a"], ["b"]] * 4), [0, 1] * 4)


class TestProperties:
    @settings(max_examples=10, deadline=None)
    @given(seed=st.integers(0, 10_000), k=st.integers(2, 4))
    def test_row_order_does_not_change_the_model(self, seed, k):
        """Shuffling the examples gives the same coefficients (to the solver's tolerance)."""
        X, y = _blobs(seed, 20 * k, k)
        T = 0.8 * np.eye(k) + 0.2 / k
        order = np.random.default_rng(seed).permutation(y.size)
        a = ForwardCorrection(transition=T, tol=1e-9).fit(X, y)
        b = ForwardCorrection(transition=T, tol=1e-9).fit(X[order], y[order])
        assert np.abs(a.predict_proba(X) - b.predict_proba(X)).max() < 1e-4

    @settings(max_examples=10, deadline=None)
    @given(seed=st.integers(0, 10_000))
    def test_renaming_classes_renames_predictions(self, seed):
        """Relabelling the classes (and T with them) relabels the probabilities' columns."""
        k = 3
        X, y = _blobs(seed, 60, k)
        T = np.array([[0.8, 0.2, 0.0], [0.0, 0.7, 0.3], [0.1, 0.0, 0.9]])
        perm = np.random.default_rng(seed).permutation(k)  # class c becomes perm[c]
        T_renamed = np.empty_like(T)
        T_renamed[np.ix_(perm, perm)] = T
        a = ForwardCorrection(transition=T, tol=1e-9).fit(X, y).predict_proba(X)
        b = ForwardCorrection(transition=T_renamed, tol=1e-9).fit(X, perm[y]).predict_proba(X)
        assert np.abs(b[:, perm] - a).max() < 1e-4

    @settings(max_examples=5, deadline=None)
    @given(seed=st.integers(0, 10_000))
    def test_deterministic(self, seed):
        """Two fits with the same random_state give the same bits."""
        X, y = _blobs(seed, 45, 3)
        a = ForwardCorrection(cv=3, random_state=seed).fit(X, y)
        b = ForwardCorrection(cv=3, random_state=seed).fit(X, y)
        assert np.array_equal(a.coef_, b.coef_) and np.array_equal(a.transition_, b.transition_)
