"""PriorShiftAdjuster.fit matches a y_val Series to an X_val DataFrame by index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from labelwise.errors import ShapeMismatchError
from labelwise.shift import PriorShiftAdjuster


def _data(n: int, p_cat: float, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    y = np.where(rng.random(n) < p_cat, "cat", "dog fox")
    X = rng.normal(size=(n, 2)) + (y == "cat")[:, None] * 2.0
    index = [f"r{i}" for i in range(n)]
    return pd.DataFrame(X, columns=["a", "b"], index=index), pd.Series(y, index=index)


@pytest.fixture(scope="module")
def setting():
    rng = np.random.default_rng(0)
    X_train, y_train = _data(400, 0.5, rng)
    X_val, y_val = _data(300, 0.5, rng)
    X_target, _ = _data(400, 0.2, rng)
    return LogisticRegression().fit(X_train, y_train), X_val, y_val, X_target


class TestFitIndex:
    def test_reordered_labels_give_the_same_priors(self, setting):
        """y_val in another row order than X_val estimates the priors of y_val in X_val's order."""
        model, X_val, y_val, X_target = setting
        want = PriorShiftAdjuster(model).fit(X_val, y_val).adapt(X_target).priors_
        shuffled = y_val.iloc[np.random.default_rng(1).permutation(len(y_val))]
        got = PriorShiftAdjuster(model).fit(X_val, shuffled).adapt(X_target).priors_
        np.testing.assert_allclose(got, want)

    def test_labels_of_other_rows_are_refused(self, setting):
        """A y_val indexed by keys X_val lacks is an error naming y_val."""
        model, X_val, y_val, _ = setting
        with pytest.raises(ShapeMismatchError, match=r"y_val must have one row per index key of X_val"):
            PriorShiftAdjuster(model).fit(X_val, y_val.set_axis(range(len(y_val))))
