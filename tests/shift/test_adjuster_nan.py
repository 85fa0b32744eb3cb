"""NaN in the X given to PriorShiftAdjuster is named by parameter, row and column."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from labelwise.errors import InvalidParameterError
from labelwise.shift import PriorShiftAdjuster

RNG = np.random.default_rng(0)
X = RNG.normal(size=(80, 3))
Y = (X[:, 0] + 0.3 * RNG.normal(size=80) > 0).astype(int)
X_NAN = X.copy()
X_NAN[5, 1] = np.nan
MODEL = LogisticRegression().fit(X, Y)


def _message(param):
    return (
        rf"^{param} must have no missing values .*LogisticRegression.*row 5, column 1 .*HistGradientBoostingClassifier$"
    )


def test_fit_names_nan_in_x_val():
    with pytest.raises(InvalidParameterError, match=_message("X_val")):
        PriorShiftAdjuster(MODEL).fit(X_NAN, Y)


def test_adapt_names_nan_in_x_target():
    adjuster = PriorShiftAdjuster(MODEL).fit(X, Y)
    with pytest.raises(InvalidParameterError, match=_message("X_target")):
        adjuster.adapt(X_NAN)


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_prediction_names_nan_in_x(method):
    adjuster = PriorShiftAdjuster(MODEL).fit(X, Y).adapt(X)
    with pytest.raises(InvalidParameterError, match=_message("X")):
        getattr(adjuster, method)(X_NAN)
