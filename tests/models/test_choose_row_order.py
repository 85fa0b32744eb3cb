"""choose_model and out_of_fold_probs pair X and labels by position; a labels Series holding X's rows in another
order is refused (pair46: main returned every row another row's out-of-fold probabilities)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import labelwise as lw
from labelwise.errors import InvalidParameterError
from labelwise.models import choose_model

N = 60


def _data() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    y = np.arange(N) % 2
    X = pd.DataFrame(rng.normal(size=(N, 2)) + 2 * y[:, None], columns=["a", "b"], index=np.arange(100, 100 + N))
    return X, pd.Series(y, index=X.index)


def _shuffled(s):
    return s.iloc[np.random.default_rng(1).permutation(len(s))]


def test_out_of_fold_probs_refuses_reordered_labels():
    """out_of_fold_probs(est, X, labels) with labels in another row order: an error naming labels and the fix."""
    X, y = _data()
    with pytest.raises(
        InvalidParameterError,
        match=r"^labels must list the rows in the order of X's index.*"
        r"out-of-fold fits.*labels\.reindex\(X\.index\)",
    ):
        lw.out_of_fold_probs(LogisticRegression(), X, _shuffled(y), cv=3, random_state=0)


def test_choose_model_refuses_reordered_labels():
    """choose_model(features, labels) with labels in another row order is refused before any fit."""
    X, y = _data()
    with pytest.raises(InvalidParameterError, match=r"^labels must list the rows in the order of features' index"):
        choose_model(X, _shuffled(y), cv=3, random_state=0)


def test_out_of_fold_probs_reads_a_reset_index_by_position():
    """labels indexed 0..n-1 beside X indexed 100.. give the aligned labels' probabilities."""
    X, y = _data()
    a = lw.out_of_fold_probs(LogisticRegression(), X, y.reset_index(drop=True), cv=3, random_state=0)
    np.testing.assert_array_equal(a, lw.out_of_fold_probs(LogisticRegression(), X, y, cv=3, random_state=0))
