"""``ImportanceReweighting`` and its weights (Liu & Tao, 2016)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from labelwise.errors import EstimatorError, InvalidParameterError, InvalidProbabilitiesError
from labelwise.robust import ImportanceReweighting
from labelwise.robust.reweighting import importance_weights


def _blobs(seed: int, n: int, k: int, d: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    centres = rng.normal(scale=2.0, size=(k, d))
    return centres[y] + rng.normal(size=(n, d)), y


_CV_SPLITS = "the check passes cv as a list of splits; cv here is a fold count (of the out-of-fold probabilities)"


@pytest.mark.slow
@parametrize_with_checks(
    [ImportanceReweighting(LogisticRegression(), cv=2, random_state=0)],
    expected_failed_checks=lambda est: {
        "check_sample_weight_equivalence_on_dense_data": _CV_SPLITS,
        "check_sample_weight_equivalence_on_sparse_data": _CV_SPLITS,
        "check_sample_weights_list": "labels without signal give equal rows of T: refused as not invertible",
    },
)
def test_sklearn_estimator_checks(estimator, check):
    """ImportanceReweighting passes scikit-learn's estimator checks."""
    check(estimator)


class TestWeights:
    def test_binary_weights_are_liu_and_tao_eq_8(self):
        """For two classes, beta = (P(noisy=y|x) - rho_-y) / ((1 - rho_+ - rho_-) P(noisy=y|x))."""
        rho_neg, rho_pos = 0.2, 0.1  # P(noisy=1 | true=0), P(noisy=0 | true=1)
        T = np.array([[1 - rho_neg, rho_neg], [rho_pos, 1 - rho_pos]])
        p1 = np.array([0.3, 0.5, 0.85, 0.6])  # inside (rho_neg, 1 - rho_pos): nothing clipped
        noisy = np.column_stack([1 - p1, p1])
        labels = np.array([0, 1, 1, 0])
        p_label = noisy[np.arange(4), labels]
        rho_other = np.where(labels == 1, rho_neg, rho_pos)
        expected = (p_label - rho_other) / ((1 - rho_pos - rho_neg) * p_label)
        assert np.allclose(importance_weights(noisy, labels, T), expected)

    def test_identity_transition_gives_unit_weights(self):
        """Without noise every weight is 1."""
        noisy = np.random.default_rng(0).dirichlet(np.ones(3), size=20)
        assert np.allclose(importance_weights(noisy, np.arange(20) % 3, np.eye(3)), 1.0)

    def test_weights_are_bounded_by_the_inverse_diagonal(self):
        """Even where the noisy posterior of the label is near 0, beta <= 1 / T[y, y]."""
        T = np.array([[0.6, 0.4, 0.0], [0.0, 0.6, 0.4], [0.4, 0.0, 0.6]])
        noisy = np.random.default_rng(1).dirichlet(np.full(3, 0.2), size=200)
        labels = np.arange(200) % 3
        beta = importance_weights(noisy, labels, T)
        assert np.all(beta >= 0) and np.all(beta <= 1 / 0.6 + 1e-9)


class TestFit:
    def test_identity_transition_fits_the_plain_estimator(self):
        """With T = I the weights are 1 and the model is the estimator fitted on the noisy labels."""
        X, y = _blobs(0, 90, 3)
        model = ImportanceReweighting(LogisticRegression(), transition=np.eye(3), cv=3, random_state=0).fit(X, y)
        plain = LogisticRegression().fit(X, y)
        assert np.allclose(model.sample_weight_, 1.0)
        assert np.allclose(model.predict_proba(X), plain.predict_proba(X))

    def test_true_transition_helps_under_pair_noise(self):
        """With the T of 35% pair noise, the reweighted model predicts the true classes better than plain."""
        X, y = _blobs(3, 600, 3)
        rng = np.random.default_rng(0)
        rate = 0.35
        T = (1 - rate) * np.eye(3) + rate * np.roll(np.eye(3), 1, axis=1)
        noisy = np.where(rng.random(y.size) < rate, (y + 1) % 3, y)
        plain = LogisticRegression().fit(X, noisy).score(X, y)
        model = ImportanceReweighting(LogisticRegression(), transition=T, cv=3, random_state=0).fit(X, noisy)
        assert model.score(X, y) > plain + 0.02
        flipped = noisy != y
        assert model.sample_weight_[flipped].mean() < model.sample_weight_[~flipped].mean()

    def test_sample_weight_multiplies_the_weights(self):
        """A zero sample weight leaves an example out; the others keep beta times their weight."""
        X, y = _blobs(2, 60, 2)
        w = np.ones(60)
        w[:5] = 0.0
        model = ImportanceReweighting(transition=np.eye(2), cv=3, random_state=0).fit(X, y, sample_weight=w)
        assert np.array_equal(model.sample_weight_, w)

    def test_string_labels(self):
        """Labels of any kind are predicted back as given."""
        X, y = _blobs(5, 60, 2)
        names = np.array(["no", "yes"])
        model = ImportanceReweighting(cv=3, random_state=0).fit(X, names[y])
        assert set(model.predict(X)) <= {"no", "yes"}


class TestErrors:
    def test_estimator_without_sample_weight(self):
        """An estimator whose fit takes no sample_weight cannot use importance weights."""
        X, y = _blobs(0, 30, 2)
        with pytest.raises(EstimatorError, match="sample_weight"):
            ImportanceReweighting(KNeighborsClassifier(3), cv=3).fit(X, y)

    def test_estimator_without_predict_proba(self):
        """The noisy posterior needs predict_proba."""
        X, y = _blobs(0, 30, 2)
        with pytest.raises(EstimatorError, match="predict_proba"):
            ImportanceReweighting(SVC(), cv=3).fit(X, y)

    def test_singular_transition(self):
        """T must be invertible to recover the clean posterior."""
        X, y = _blobs(0, 30, 2)
        with pytest.raises(InvalidProbabilitiesError, match="invertible"):
            ImportanceReweighting(transition=np.full((2, 2), 0.5), cv=3).fit(X, y)

    @pytest.mark.parametrize(("params", "match"), [({"transition": "best"}, "transition"), ({"cv": 1}, "cv")])
    def test_bad_parameters(self, params, match):
        """Bad parameters are named."""
        X, y = _blobs(0, 30, 2)
        with pytest.raises(InvalidParameterError, match=match):
            ImportanceReweighting(**params).fit(X, y)


class TestProperties:
    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 10_000), k=st.integers(2, 5))
    def test_row_order_permutes_the_weights(self, seed, k):
        """The weights are per example: shuffling the rows shuffles them the same way."""
        rng = np.random.default_rng(seed)
        noisy = rng.dirichlet(np.ones(k), size=10 * k)
        labels = rng.integers(0, k, size=10 * k)
        T = 0.7 * np.eye(k) + 0.3 * rng.dirichlet(np.ones(k), size=k)
        order = rng.permutation(labels.size)
        a = importance_weights(noisy, labels, T)
        assert np.allclose(importance_weights(noisy[order], labels[order], T), a[order], rtol=1e-12, atol=0)

    @settings(max_examples=8, deadline=None)
    @given(seed=st.integers(0, 10_000))
    def test_renaming_classes_keeps_the_weights(self, seed):
        """Relabelling the classes (and T with them) changes no weight."""
        k = 3
        X, y = _blobs(seed, 60, k)
        T = np.array([[0.8, 0.2, 0.0], [0.0, 0.7, 0.3], [0.1, 0.0, 0.9]])
        perm = np.random.default_rng(seed).permutation(k)
        T_renamed = np.empty_like(T)
        T_renamed[np.ix_(perm, perm)] = T
        names = np.array(["a", "b", "c"])
        a = ImportanceReweighting(GaussianNB(), transition=T, cv=3, random_state=1).fit(X, y)
        # the sorted names of the renamed labels are the codes perm[c]: T's rows follow them
        b = ImportanceReweighting(GaussianNB(), transition=T_renamed, cv=3, random_state=1).fit(X, names[perm[y]])
        assert np.allclose(a.sample_weight_, b.sample_weight_)
        assert np.array_equal(b.predict(X), names[perm[a.predict(X)]])

    @settings(max_examples=5, deadline=None)
    @given(seed=st.integers(0, 10_000))
    def test_deterministic(self, seed):
        """Two fits with the same random_state give the same weights and transition."""
        X, y = _blobs(seed, 45, 3)
        a = ImportanceReweighting(GaussianNB(), cv=3, random_state=seed).fit(X, y)
        b = ImportanceReweighting(GaussianNB(), cv=3, random_state=seed).fit(X, y)
        assert np.array_equal(a.sample_weight_, b.sample_weight_) and np.array_equal(a.transition_, b.transition_)
