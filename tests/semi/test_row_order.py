"""SelfTrainer pairs X and y by position (scikit-learn's fit); a y Series holding X's rows in another order is
refused (pair46: main trained on other rows' labels without a word)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from labelwise.errors import InvalidParameterError
from labelwise.semi import SelfTrainer

N = 60


def _data() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    y = np.arange(N) % 2
    X = pd.DataFrame(rng.normal(size=(N, 2)) + 2 * y[:, None], columns=["a", "b"], index=np.arange(100, 100 + N))
    labels = pd.Series(np.where(np.arange(N) % 3 == 0, -1, y), index=X.index)
    return X, labels


def test_reordered_y_is_refused_naming_the_fix():
    """y with X's index keys in another order: an error naming y and y.reindex(X.index)."""
    X, y = _data()
    shuffled = y.iloc[np.random.default_rng(1).permutation(N)]
    with pytest.raises(
        InvalidParameterError,
        match=r"^y must list the rows in the order of X's index.*"
        r"self-training estimators.*y\.reindex\(X\.index\)",
    ):
        SelfTrainer(LogisticRegression()).fit(X, shuffled)


def test_y_on_a_reset_index_is_read_by_position():
    """y indexed 0..n-1 beside X indexed 100.. gives the model of the aligned y."""
    X, y = _data()
    a = SelfTrainer(LogisticRegression()).fit(X, y.reset_index(drop=True)).predict_proba(X)
    np.testing.assert_array_equal(a, SelfTrainer(LogisticRegression()).fit(X, y).predict_proba(X))
