"""SelfTrainer with pandas' nullable columns as the target: <NA> marks unlabeled rows, classes keep their type."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from labelwise.semi import SelfTrainer

N = 90
Y = np.arange(N) % 3
NAMES = np.array(["cat", "dog", "fox"])
X = np.random.default_rng(0).normal(size=(N, 2)) + Y[:, None]
UNLABELED = np.arange(N) % 4 == 1


def _fit(y: pd.Series) -> SelfTrainer:
    return SelfTrainer(LogisticRegression(), max_iter=2).fit(X, y)


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]"])
def test_a_string_column_with_na_trains_on_its_labeled_rows(dtype):
    """<NA> in a nullable string target marks unlabeled rows (it raised pandas' 'boolean value of NA')."""
    model = _fit(pd.Series(pd.array(np.where(UNLABELED, None, NAMES[Y]), dtype=dtype)))
    assert list(model.classes_) == ["cat", "dog", "fox"]
    assert set(np.flatnonzero(model.labeled_iter_ == 0)) == set(np.flatnonzero(~UNLABELED))


def test_a_boolean_column_with_na_keeps_bool_classes():
    """A nullable boolean target with <NA> gives classes False, True of dtype bool."""
    model = _fit(pd.Series(pd.array(np.where(UNLABELED, None, Y == 1), dtype="boolean")))
    assert model.classes_.dtype == bool
    assert model.predict(X).dtype == bool


@pytest.mark.parametrize("dtype", ["Int64", "int64[pyarrow]"])
def test_an_integer_column_with_na_keeps_integer_classes(dtype):
    """Int64 with <NA> gives integer classes and predictions (they were floats 0.0, 1.0, 2.0)."""
    model = _fit(pd.Series(pd.array(np.where(UNLABELED, None, Y + 10), dtype=dtype)))
    assert model.classes_.dtype.kind == "i"
    assert list(model.classes_) == [10, 11, 12]
    assert model.predict(X).dtype.kind == "i"


def test_a_categorical_of_integers_with_a_missing_value_keeps_integer_classes():
    """A categorical of ints with NaN for unlabeled rows gives its ints back, not floats."""
    model = _fit(pd.Series(pd.Categorical(np.where(UNLABELED, None, Y).tolist(), categories=[0, 1, 2, 3])))
    assert model.classes_.dtype.kind == "i"
    assert list(model.classes_) == [0, 1, 2]
