"""The robust estimators read pandas nullable targets by their values: <NA> is named, ints stay ints."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from labelwise.errors import InvalidLabelsError
from labelwise.robust import CleanClassifier, ImportanceReweighting


def _data(dtype: str, values: list) -> tuple[np.ndarray, pd.Series]:
    rng = np.random.default_rng(0)
    y = pd.Series(values * 50, dtype=dtype)
    X = rng.normal(size=(len(y), 2)) + np.asarray(y.astype("Int64").astype(float))[:, None]
    return X, y


@pytest.mark.parametrize("owner", [CleanClassifier, ImportanceReweighting])
@pytest.mark.parametrize(
    ("dtype", "values"), [("Int64", [0, 1]), ("boolean", [False, True]), ("int64[pyarrow]", [0, 1])]
)
class TestMissingTargetNamed:
    def test_missing_target_is_named_na_not_nan(self, owner, dtype, values):
        """A <NA> target is named '<NA>' in its row (to_numpy would have shown it as nan)."""
        X, y = _data(dtype, values)
        y.iloc[89] = pd.NA
        with pytest.raises(InvalidLabelsError, match=r"row 89 is <NA> \(1 such row"):
            owner(LogisticRegression(), cv=3).fit(X, y)


class TestNullableTargetsFit:
    def test_int64_target_without_na_gives_int_classes(self):
        """An Int64 target without <NA> fits and keeps integer classes and predictions."""
        X, y = _data("Int64", [0, 1])
        model = CleanClassifier(LogisticRegression(), cv=3, random_state=0).fit(X, y)
        assert model.classes_.dtype.kind == "i"
        assert model.predict(X).dtype.kind == "i"
