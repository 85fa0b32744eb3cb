"""SelfTrainer(safeguard="cv"): cross-validated fallback to the labeled-only estimator."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from labelwise.errors import InvalidParameterError, LabelwiseWarning
from labelwise.semi import SafeguardResult, SelfTrainer


@pytest.fixture(scope="module")
def digits():
    """Scaled digits, 500 for training with 15% labels kept (at least 3 per class, seeded), 300 for testing."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    rng = np.random.default_rng(1)
    order = rng.permutation(y.size)
    train, test = order[:500], order[500:800]
    y_semi = y[train].copy()
    keep = rng.random(train.size) <= 0.15
    for c in range(10):
        keep[np.flatnonzero(y_semi == c)[:3]] = True
    y_semi[~keep] = -1
    return X[train], y_semi, X[test], y[test]


def _lr():
    return LogisticRegression(max_iter=200, tol=1e-3)


def test_harmful_pseudo_labels_fall_back_to_labeled_only(digits):
    """A teacher that calls everything the majority class hurts in CV, so the labeled-only model is kept."""
    X, y, X_test, _ = digits
    model = SelfTrainer(
        _lr(), selection="threshold", teacher=DummyClassifier(strategy="most_frequent"), safeguard="cv", random_state=0
    ).fit(X, y)
    guard = model.safeguard_
    assert isinstance(guard, SafeguardResult)
    assert guard.decision == "labeled_only"
    assert guard.accuracy_labeled_only > guard.accuracy_self_training + 0.2
    assert model.termination_condition_ == "safeguard" and model.n_iter_ == 0
    assert (model.labeled_iter_[y == -1] == -1).all() and (model.transduction_[y == -1] == -1).all()
    alone = _lr().fit(X[y != -1], y[y != -1])
    np.testing.assert_allclose(model.predict_proba(X_test), alone.predict_proba(X_test))


def test_labeled_only_score_matches_manual_cross_validation(digits):
    """accuracy_labeled_only is the out-of-fold accuracy of the estimator over the same stratified folds."""
    X, y, *_ = digits
    model = SelfTrainer(_lr(), selection="adaptive", max_iter=2, safeguard="cv", cv=3, random_state=4).fit(X, y)
    rows = np.flatnonzero(y != -1)
    hits = np.zeros(rows.size, dtype=bool)
    for train, test in StratifiedKFold(3, shuffle=True, random_state=4).split(X[rows], y[rows]):
        hits[test] = _lr().fit(X[rows[train]], y[rows[train]]).predict(X[rows[test]]) == y[rows[test]]
    guard = model.safeguard_
    assert guard.n_splits == 3
    assert guard.accuracy_labeled_only == pytest.approx(hits.mean())
    kept = guard.accuracy_self_training > guard.accuracy_labeled_only
    assert guard.decision == ("self_training" if kept else "labeled_only")
    assert ((model.labeled_iter_ > 0).any()) == kept
    frame = guard.to_frame()
    assert frame["chosen"].sum() == 1
    assert frame.loc[frame["chosen"], "model"].item() == guard.decision


def test_too_few_labels_per_class_warns_and_keeps_self_training(digits):
    """A class with one labeled example cannot be cross-validated: a warning, decision 'unchecked'."""
    X, y, *_ = digits
    y = y.copy()
    sevens = np.flatnonzero(y == 7)
    y[sevens[1:]] = -1
    with pytest.warns(LabelwiseWarning, match="at least 2 labeled examples"):
        model = SelfTrainer(_lr(), selection="threshold", max_iter=1, safeguard="cv").fit(X, y)
    assert model.safeguard_.decision == "unchecked"
    assert model.n_iter_ == 1


def test_seeded_safeguard_is_deterministic(digits):
    """The same random_state gives the same decision and scores."""
    X, y, *_ = digits
    a = SelfTrainer(_lr(), selection="adaptive", max_iter=2, safeguard="cv", random_state=3).fit(X, y)
    b = SelfTrainer(_lr(), selection="adaptive", max_iter=2, safeguard="cv", random_state=3).fit(X, y)
    assert a.safeguard_ == b.safeguard_
    np.testing.assert_array_equal(a.transduction_, b.transduction_)


def test_off_by_default(digits):
    """Without safeguard the attribute is None."""
    X, y, *_ = digits
    assert SelfTrainer(_lr(), max_iter=1).fit(X, y).safeguard_ is None


@pytest.mark.parametrize(
    ("params", "match"),
    [({"safeguard": "holdout"}, "safeguard"), ({"cv": 1}, "cv"), ({"random_state": "x"}, "random_state")],
)
def test_bad_safeguard_parameters(digits, params, match):
    """Invalid safeguard settings raise InvalidParameterError naming the parameter."""
    X, y, *_ = digits
    with pytest.raises(InvalidParameterError, match=match):
        SelfTrainer(**params).fit(X, y)
