"""``check_no_infinity``: the feature check the model pipelines need before fitting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils import assert_all_finite

from labelwise.errors import InvalidParameterError
from labelwise.models import choose_model, default_model
from labelwise.models._finite import check_no_infinity


def _frame(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "count": rng.integers(0, 9, n),
            "word": rng.choice(["inf", "-inf", "a"], n),
        }
    )


class TestCheckNoInfinity:
    """Infinite numbers are named by column and row; missing values, integers and text pass."""

    def test_names_the_column_and_the_rows(self):
        """The first column holding inf is named with the count and the first rows."""
        frame = _frame()
        frame.loc[[3, 17], "x"] = [np.inf, -np.inf]
        with pytest.raises(InvalidParameterError, match=r"column 'x' holds inf or -inf in 2 rows, e.g. rows \[3, 17\]"):
            check_no_infinity(frame)

    def test_missing_values_and_text_pass(self):
        """NaN (imputed later), pd.NA in a nullable column and the strings 'inf' are not infinite numbers."""
        frame = _frame()
        frame.loc[4, "x"] = np.nan
        frame["nullable"] = pd.array([0.5, None] * 20, dtype="Float64")
        check_no_infinity(frame)

    def test_arrays_name_the_column_by_position(self):
        """A 2-D float array's column is named x<j>, as choose_model names array columns."""
        X = np.zeros((5, 3))
        X[2, 1] = np.inf
        with pytest.raises(InvalidParameterError, match=r"column 'x1' .* in 1 row, e.g. rows \[2\]"):
            check_no_infinity(X, name="X")

    @settings(max_examples=40, deadline=None)
    @given(
        st.lists(
            st.sampled_from([0.0, 1.5, -2.0, np.nan, np.inf, -np.inf]),
            min_size=2,
            max_size=12,
        ),
        st.integers(1, 3),
    )
    def test_agrees_with_scikit_learn(self, values, n_columns):
        """It raises exactly when scikit-learn's assert_all_finite(allow_nan=True) rejects the floats."""
        X = np.resize(np.array(values), (len(values), n_columns))
        try:
            with np.errstate(invalid="ignore", over="ignore"):
                assert_all_finite(X, allow_nan=True)
            sklearn_rejects = False
        except ValueError:
            sklearn_rejects = True
        try:
            check_no_infinity(pd.DataFrame(X, columns=[f"c{j}" for j in range(n_columns)]))
            ours_rejects = False
        except InvalidParameterError:
            ours_rejects = True
        assert ours_rejects == sklearn_rejects


class TestModelsRefuseInfinity:
    """The model entry points check before fitting (no scikit-learn traceback without a column)."""

    def test_default_model(self):
        """default_model names the column."""
        frame = _frame()
        frame.loc[5, "x"] = np.inf
        with pytest.raises(InvalidParameterError, match="column 'x'"):
            default_model(frame)

    def test_choose_model(self):
        """choose_model names the column instead of reporting that every family failed."""
        frame = _frame()
        frame.loc[5, "x"] = -np.inf
        labels = np.array(["a", "b"] * 20)
        with pytest.raises(InvalidParameterError, match=r"column 'x' .* rows \[5\]"):
            choose_model(frame, labels, cv=2, time_budget=5)
