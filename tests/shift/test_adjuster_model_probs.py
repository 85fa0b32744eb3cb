"""``PriorShiftAdjuster`` checks the wrapped model's probabilities where it gets them (session 47: ``fit`` and
``predict_proba`` took NaN or rows summing to 2 without a word; ``adapt`` refused them as ``val_probs``)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from labelwise.errors import InvalidProbabilitiesError
from labelwise.shift import PriorShiftAdjuster


class _Broken(ClassifierMixin, BaseEstimator):
    """A fitted model whose predict_proba breaks rows where the first feature exceeds ``above``."""

    def __init__(self, base=None, how="double", above=np.inf):
        self.base, self.how, self.above = base, how, above

    def fit(self, X, y):
        self.classes_ = self.base.classes_
        return self

    def predict_proba(self, X):
        p = self.base.predict_proba(X)
        bad = np.asarray(X)[:, 0] > self.above
        if self.how == "double":
            p[bad] *= 2
        elif self.how == "nan":
            p[bad, 0] = np.nan
        else:
            p[bad] = np.log(p[bad])
        return p


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    return X, y, LogisticRegression().fit(X, y)


@pytest.mark.parametrize(("how", "says"), [("double", "sum to 1"), ("nan", "finite"), ("log", "non-negative")])
def test_fit_refuses_broken_validation_probabilities(data, how, says):
    """The error names the call that gave them, model.predict_proba(X_val)."""
    X, y, base = data
    model = _Broken(base, how, above=-np.inf).fit(X, y)
    with pytest.raises(InvalidProbabilitiesError, match=rf"model\.predict_proba\(X_val\) must .*{says}"):
        PriorShiftAdjuster(model).fit(X[:150], y[:150])


def test_predict_proba_before_adapt_refuses_broken_rows(data):
    """Rows summing to 2 were renormalised by the calibration and returned as if valid."""
    X, y, base = data
    model = _Broken(base, "double", above=1.0).fit(X, y)
    val = X[:150][X[:150, 0] <= 1.0]
    adj = PriorShiftAdjuster(model).fit(val, y[:150][X[:150, 0] <= 1.0])
    with pytest.raises(InvalidProbabilitiesError, match=r"model\.predict_proba\(X\) must sum to 1"):
        adj.predict_proba(X[150:])


def test_adapt_names_x_target(data):
    """Broken target probabilities are named as X_target's, not as validation probabilities."""
    X, y, base = data
    model = _Broken(base, "nan", above=1.0).fit(X, y)
    keep = X[:150, 0] <= 1.0
    adj = PriorShiftAdjuster(model).fit(X[:150][keep], y[:150][keep])
    with pytest.raises(InvalidProbabilitiesError, match=r"model\.predict_proba\(X_target\) must be finite"):
        adj.adapt(X[150:])
