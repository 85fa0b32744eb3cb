"""NaN in X of a regression audit is named by row and column, with a regressor's remedy."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from labelwise.audit.regression import CleanRegressor, find_label_issues
from labelwise.errors import InvalidParameterError

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 3))
Y = X @ np.array([1.0, 2.0, 3.0]) + RNG.normal(size=60)
X_NAN = X.copy()
X_NAN[7, 2] = np.nan
NAMED = r"X must have no missing values .*LinearRegression does not accept them.*row 7, column 2"
REGRESSOR_REMEDY = r"HistGradientBoostingRegressor$"


def _refusal(call):
    with pytest.raises(InvalidParameterError, match=NAMED) as info:
        call()
    message = str(info.value)
    assert "Classifier" not in message
    assert re.search(REGRESSOR_REMEDY, message), message
    assert isinstance(info.value.__cause__, ValueError)


def test_find_label_issues_names_the_nan_cell():
    _refusal(lambda: find_label_issues(Y, X=X_NAN, model=LinearRegression()))


def test_clean_regressor_fit_names_the_nan_cell():
    _refusal(lambda: CleanRegressor(LinearRegression()).fit(X_NAN, Y))


def test_clean_regressor_predict_names_the_nan_cell():
    fitted = CleanRegressor(LinearRegression()).fit(X, Y)
    _refusal(lambda: fitted.predict(X_NAN))


def test_a_frame_names_the_column_by_its_label():
    frame = pd.DataFrame(X_NAN, columns=["a", "b", "c"])
    with pytest.raises(InvalidParameterError, match=r"row 7, column 'c'"):
        CleanRegressor(LinearRegression()).fit(frame, Y)


def test_the_default_model_still_fits_nan():
    """The default regressor takes NaN (guard: nothing is checked up front)."""
    model = CleanRegressor().fit(X_NAN, Y)
    assert np.isfinite(model.predict(X_NAN)).all()
