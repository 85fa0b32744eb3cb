"""The meta-estimators' one default model: a logistic regression on standardised features (scale45)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags

from labelwise._default_model import default_estimator
from labelwise.robust import CleanClassifier, CleanMultilabelClassifier, ImportanceReweighting, crowd_classifier
from labelwise.semi import SelfTrainer

SCALES = np.array([1e-3, 1.0, 1e3, 10.0, 0.1, 1e2])
NAMES = ["CleanClassifier", "ImportanceReweighting", "SelfTrainer", "CleanMultilabelClassifier"]


def _data(n: int = 150, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, n_redundant=0, n_classes=3, random_state=seed
    )
    return X, y


def _target(name: str, y: np.ndarray) -> np.ndarray:
    """Labels as each meta-estimator takes them: a third unlabeled for SelfTrainer, one-hot tags for the multilabel one."""
    if name == "SelfTrainer":
        return np.where(np.arange(y.size) % 3 == 0, -1, y)
    if name == "CleanMultilabelClassifier":
        return np.eye(3, dtype=np.int64)[y]
    return y


def _make(name: str, **params):
    cls = {
        "CleanClassifier": CleanClassifier,
        "ImportanceReweighting": ImportanceReweighting,
        "SelfTrainer": SelfTrainer,
        "CleanMultilabelClassifier": CleanMultilabelClassifier,
    }[name]
    return cls(**{"random_state": 0, **params})


def _fit(name: str, X, y, **params):
    return _make(name, **params).fit(X, _target(name, y))


def _fitted_models(model) -> list:
    """The fitted wrapped model(s): ``estimator_``, or the multilabel classifier's per-tag ``estimators_``."""
    return [m for m in getattr(model, "estimators_", [getattr(model, "estimator_", None)]) if m is not None]


class TestDefaultEstimator:
    def test_the_default_is_a_scaler_then_a_logistic_regression(self):
        """default_estimator() is StandardScaler (centring) then LogisticRegression(max_iter=1000)."""
        model = default_estimator()
        assert isinstance(model, Pipeline) and len(model.steps) == 2
        assert isinstance(model[0], StandardScaler) and model[0].with_mean is True
        assert isinstance(model[1], LogisticRegression) and model[1].max_iter == 1000

    def test_sparse_input_is_scaled_without_centring(self):
        """default_estimator(sparse=True) scales without centring, which keeps a sparse matrix sparse."""
        assert default_estimator(sparse=True)[0].with_mean is False

    def test_each_call_gives_a_fresh_model(self):
        """Two calls give two distinct pipelines (no shared, mutable default)."""
        assert default_estimator() is not default_estimator()

    def test_crowd_classifier_uses_the_shared_factory(self):
        """CrowdClassifier's default_estimator is the shared one, not a second copy."""
        assert crowd_classifier.default_estimator is default_estimator


@pytest.mark.parametrize("name", NAMES)
class TestMetaEstimatorsDefault:
    def test_the_fitted_default_is_the_standardised_pipeline(self, name):
        """estimator=None fits a Pipeline: a centring StandardScaler, then LogisticRegression(max_iter=1000)."""
        X, y = _data()
        models = _fitted_models(_fit(name, X, y))
        assert models
        for model in models:
            assert isinstance(model, Pipeline)
            assert isinstance(model[0], StandardScaler) and model[0].with_mean is True
            assert isinstance(model[-1], LogisticRegression) and model[-1].max_iter == 1000

    def test_the_default_does_not_depend_on_the_units_of_the_columns(self, name):
        """Columns rescaled by 1e-3 to 1e3: the default's probabilities are those of the raw columns."""
        X, y = _data()
        raw = _fit(name, X, y)
        rescaled = _fit(name, X * SCALES, y)
        np.testing.assert_allclose(rescaled.predict_proba(X * SCALES), raw.predict_proba(X), atol=1e-4)

    def test_the_default_converges_on_columns_of_very_different_scales(self, name):
        """No fit of the default reaches lbfgs' max_iter on shifted columns 1e-3 to 1e3 wide."""
        X, y = _data()
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            _fit(name, X * SCALES + np.array([0.0, 5.0, 2e4, 0.0, 0.0, -3e3]), y)

    def test_sparse_features_work_scaled_without_centring(self, name):
        """A sparse X fits and predicts with the default, which then scales without centring."""
        X, y = _data()
        Xs = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
        model = _fit(name, Xs, y)
        assert all(m[0].with_mean is False for m in _fitted_models(model))
        proba = model.predict_proba(Xs)
        assert proba.shape == (y.size, 3) and np.isfinite(proba).all()
        assert (proba.argmax(axis=1) == y).mean() > 0.6

    def test_results_are_deterministic_with_random_state(self, name):
        """Two fits with the same random_state give the same probabilities."""
        X, y = _data(seed=1)
        first = _fit(name, X, y, random_state=3).predict_proba(X)
        second = _fit(name, X, y, random_state=3).predict_proba(X)
        np.testing.assert_array_equal(first, second)

    def test_a_given_estimator_is_used_as_it_is(self, name):
        """A given LogisticRegression is not wrapped in a scaler."""
        X, y = _data()
        for model in _fitted_models(_fit(name, X, y, estimator=LogisticRegression(max_iter=1000))):
            assert type(model) is LogisticRegression

    def test_the_default_accepts_sparse_input_in_its_tags(self, name):
        """The meta-estimator's input tags say it takes sparse input and refuses NaN, as its default does."""
        tags = get_tags(_make(name)).input_tags
        assert tags.sparse is True and tags.allow_nan is False
