"""CrowdClassifier's default model standardises the features inside each fit (fix44a)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from labelwise.robust import CrowdClassifier

from ._crowd_data import simulated_crowd

SCALES = np.array([1e-3, 1.0, 1e3])
pytestmark = pytest.mark.filterwarnings("ignore:CrowdClassifier did not converge")


def _fit(X, answers, **params):
    return CrowdClassifier(**{"random_state": 0, "max_iter": 5, **params}).fit(X, answers)


def test_the_default_does_not_depend_on_the_units_of_the_columns():
    """Columns rescaled by 1e-3 and 1e3: the default's soft labels and predictions are those of the raw columns."""
    X, _, answers = simulated_crowd(150, seed=2)
    raw = _fit(X, answers)
    rescaled = _fit(X * SCALES, answers)
    np.testing.assert_allclose(rescaled.posterior_, raw.posterior_, atol=1e-6)
    np.testing.assert_array_equal(rescaled.predict(X * SCALES), raw.predict(X))


def test_the_default_converges_on_columns_of_very_different_scales():
    """No fit of the default reaches lbfgs' max_iter on columns 1e-3 to 1e3 wide (the plain logistic one did)."""
    X, _, answers = simulated_crowd(150, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = _fit(X * SCALES + np.array([0.0, 5.0, 2e4]), answers)
    assert model.estimator_[-1].n_iter_[0] < 1000


def test_a_given_estimator_is_used_as_it_is():
    """A given LogisticRegression is not wrapped in a scaler."""
    X, _, answers = simulated_crowd(90)
    model = _fit(X, answers, estimator=LogisticRegression(max_iter=1000))
    assert type(model.estimator_) is LogisticRegression


def test_sparse_features_are_scaled_without_centring():
    """A sparse X keeps working with the default: scaled, not centred (with_mean=False)."""
    X, y, answers = simulated_crowd(90)
    model = _fit(sp.csr_matrix(np.abs(X)), answers)
    assert model.estimator_[0].with_mean is False
    assert (model.predict(sp.csr_matrix(np.abs(X))) == y).mean() > 0.6


@pytest.mark.parametrize("method", ["predict_proba", "decision_function", "predict_log_proba"])
def test_the_default_has_the_logistic_methods(method):
    """Before fit the default offers the logistic regression's prediction methods."""
    assert hasattr(CrowdClassifier(), method)
