"""SelfTrainer.score: accuracy on the labeled rows of y, so cross_val_score and GridSearchCV score what they should."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score

from labelwise.errors import InvalidLabelsError
from labelwise.semi import SelfTrainer

N = 120
Y = np.arange(N) % 3
X = np.random.default_rng(0).normal(size=(N, 2)) + Y[:, None]
UNLABELED = np.random.default_rng(1).random(N) < 0.5


def _model() -> SelfTrainer:
    return SelfTrainer(LogisticRegression(), max_iter=2)


def test_unlabeled_rows_are_not_counted_as_mistakes():
    """With -1 on half the rows the score is the accuracy on the others (it counted every -1 as wrong)."""
    y = np.where(UNLABELED, -1, Y)
    model = _model().fit(X, y)
    expected = float(np.mean(model.predict(X[~UNLABELED]) == Y[~UNLABELED]))
    assert model.score(X, y) == pytest.approx(expected)
    assert model.score(X, y) > 0.6


def test_cross_val_score_over_a_target_with_na_scores_the_labeled_rows():
    """cross_val_score (KFold) on an Int64 target with <NA> gives each fold's accuracy on its labeled rows."""
    y = pd.Series(pd.array(np.where(UNLABELED, None, Y), dtype="Int64"))
    scores = cross_val_score(_model(), X, y, cv=KFold(3), error_score="raise")
    for score, (train, test) in zip(scores, KFold(3).split(X), strict=True):
        predicted = _model().fit(X[train], y.iloc[train]).predict(X[test])
        labeled = ~UNLABELED[test]
        assert score == pytest.approx(np.mean(predicted[labeled] == Y[test][labeled]))


def test_sample_weight_weighs_the_labeled_rows():
    """Weights of the labeled rows are used; those of unlabeled rows cannot change the score."""
    y = np.where(UNLABELED, -1, Y)
    model = _model().fit(X, y)
    weights = np.where(UNLABELED, 1000.0, 1.0)
    assert model.score(X, y, sample_weight=weights) == pytest.approx(model.score(X, y))


def test_a_y_without_labeled_rows_is_a_labels_error():
    """All rows unlabeled: a labelwise error, not accuracy over nothing."""
    model = _model().fit(X, np.where(UNLABELED, -1, Y))
    with pytest.raises(InvalidLabelsError, match="y must hold labeled rows to score on"):
        model.score(X, np.full(N, -1))
