"""The poison defences' fit refuses a y Series holding X's rows in another order (fix44a).

They are scikit-learn classifiers that pair ``X`` and ``y`` by position; a ``y`` on another index
(one side reset) is still read by position, as scikit-learn reads it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import labelwise as lw
from labelwise.errors import InvalidParameterError

N = 60
DEFENCES = {
    "FloralSVC": lambda: lw.poison.FloralSVC(budget=0.1, random_state=0),
    "LNSVC": lambda: lw.poison.LNSVC(),
    "CurieSVC": lambda: lw.poison.CurieSVC(),
    "LabelSanitizedSVC": lambda: lw.poison.LabelSanitizedSVC(),
    "GraphSanitizedSVC": lambda: lw.poison.GraphSanitizedSVC(),
    "AuditThenTrain": lambda: lw.poison.AuditThenTrain(random_state=0),
}


def _frame() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    y = np.arange(N) % 2
    X = pd.DataFrame(rng.normal(size=(N, 3)) + y[:, None], columns=["a", "b", "c"], index=np.arange(100, 100 + N))
    return X, pd.Series(y, index=X.index, name="label")


def _shuffled(s: pd.Series) -> pd.Series:
    return s.iloc[np.random.default_rng(1).permutation(len(s))]


@pytest.mark.parametrize("make", DEFENCES.values(), ids=DEFENCES.keys())
def test_a_reordered_y_series_is_refused_naming_y_and_the_fix(make):
    """y with X's index keys in another order: an error naming y, the first position that differs and the fix."""
    X, y = _frame()
    shuffled = _shuffled(y)
    with pytest.raises(InvalidParameterError, match=r"^y must list the rows in the order of X's index") as info:
        make().fit(X, shuffled)
    first = int(np.flatnonzero(shuffled.index != X.index)[0])
    assert f"its position {first} is index {shuffled.index[first]}" in str(info.value)
    assert "pass y.reindex(X.index)" in str(info.value)


@pytest.mark.parametrize("make", DEFENCES.values(), ids=DEFENCES.keys())
def test_y_on_another_index_is_read_by_position(make):
    """A y whose index was reset pairs by position: the same model as y on X's index."""
    X, y = _frame()
    by_position = make().fit(X, y.reset_index(drop=True)).predict(X)
    np.testing.assert_array_equal(by_position, make().fit(X, y).predict(X))


def test_the_fix_gives_the_model_of_aligned_labels():
    """y.reindex(X.index), the message's fix, fits the model of y in X's order."""
    X, y = _frame()
    fixed = lw.poison.LNSVC().fit(X, _shuffled(y).reindex(X.index))
    np.testing.assert_array_equal(fixed.decision_function(X), lw.poison.LNSVC().fit(X, y).decision_function(X))
