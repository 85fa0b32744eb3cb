"""The robust estimators pair X and y by position (scikit-learn's fit); a y Series holding X's rows in another
order is refused (pair46: main fitted every row on another row's label without a word)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from labelwise.errors import InvalidParameterError
from labelwise.robust import CleanClassifier, CleanMultilabelClassifier, ForwardCorrection, ImportanceReweighting

N = 60


def _data() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    y = np.arange(N) % 2
    X = pd.DataFrame(rng.normal(size=(N, 2)) + 2 * y[:, None], columns=["a", "b"], index=np.arange(100, 100 + N))
    return X, pd.Series(y, index=X.index)


def _shuffled(s):
    return s.iloc[np.random.default_rng(1).permutation(len(s))]


ESTIMATORS = {
    "CleanClassifier": lambda: CleanClassifier(LogisticRegression(), cv=2, random_state=0),
    "ForwardCorrection": lambda: ForwardCorrection(cv=2, random_state=0),
    "ImportanceReweighting": lambda: ImportanceReweighting(LogisticRegression(), cv=2, random_state=0),
}


@pytest.mark.parametrize("make", ESTIMATORS.values(), ids=ESTIMATORS.keys())
def test_reordered_y_is_refused_naming_the_fix(make):
    """y with X's index keys in another order: an error naming y, the first position and y.reindex(X.index)."""
    X, y = _data()
    with pytest.raises(
        InvalidParameterError,
        match=r"^y must list the rows in the order of X's index.*"
        r"the robust estimators pair rows by position.*y\.reindex\(X\.index\)",
    ):
        make().fit(X, _shuffled(y))


@pytest.mark.parametrize("make", ESTIMATORS.values(), ids=ESTIMATORS.keys())
def test_reordered_sample_weight_is_refused(make):
    """A sample_weight Series holding X's rows in another order is refused too."""
    X, y = _data()
    weights = pd.Series(np.linspace(0.5, 1.5, N), index=X.index)
    with pytest.raises(InvalidParameterError, match=r"^sample_weight must list the rows in the order of X's index"):
        make().fit(X, y, sample_weight=_shuffled(weights))


@pytest.mark.parametrize("make", ESTIMATORS.values(), ids=ESTIMATORS.keys())
def test_y_on_a_reset_index_is_read_by_position(make):
    """y indexed 0..n-1 beside X indexed 100.. gives the model of the aligned y."""
    X, y = _data()
    a = make().fit(X, y.reset_index(drop=True)).predict_proba(X)
    np.testing.assert_array_equal(a, make().fit(X, y).predict_proba(X))


def test_multilabel_classifier_refuses_reordered_tags():
    """CleanMultilabelClassifier: a tags frame holding X's rows in another order is refused."""
    X, y = _data()
    tags = pd.DataFrame({"a": y, "b": 1 - y}, index=X.index)
    with pytest.raises(InvalidParameterError, match=r"^y must list the rows in the order of X's index"):
        CleanMultilabelClassifier(LogisticRegression(), cv=2).fit(X, _shuffled(tags))
