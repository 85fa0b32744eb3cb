"""The audits pair labels with probs (and y with predictions and X) by position, as scikit-learn does.

A pandas labels Series whose index holds the probs frame's rows in another order gave every row
another row's label without a word (pair46); it is now refused, naming the fix. An index of other
values (one side reset) is still read by position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

import labelwise as lw
from labelwise.audit import multilabel, regression
from labelwise.errors import InvalidParameterError

N = 40
INDEX = np.arange(100, 100 + N)


def _probs() -> tuple[pd.Series, pd.DataFrame]:
    rng = np.random.default_rng(0)
    labels = np.arange(N) % 2
    p = np.clip(np.where(labels == 1, 0.8, 0.2) + rng.normal(0, 0.15, N), 0.01, 0.99)
    p[:3] = 1 - p[:3]  # three rows the model disputes
    return pd.Series(labels, index=INDEX), pd.DataFrame({0: 1 - p, 1: p}, index=INDEX)


def _shuffled(s):
    return s.iloc[np.random.default_rng(1).permutation(len(s))]


CLASS_CALLS = {
    "find_label_issues": lambda y, p: lw.find_label_issues(y, p).label_quality,
    "label_quality_scores": lambda y, p: lw.label_quality_scores(y, p),
    "class_overlap": lambda y, p: lw.audit.class_overlap(y, p).pairs().to_numpy(),
    "estimate_transition_confident_joint": lambda y, p: lw.robust.estimate_transition(p, y, method="confident_joint"),
}


@pytest.mark.parametrize("call", CLASS_CALLS.values(), ids=CLASS_CALLS.keys())
def test_reordered_labels_series_is_refused_naming_the_fix(call):
    """Labels holding the probs frame's rows in another order: an error naming labels, a position and the fix."""
    labels, probs = _probs()
    with pytest.raises(
        InvalidParameterError,
        match=r"^labels must list the rows in the order of probs' index.*"
        r"the label audits pair rows by position.*labels\.reindex\(probs\.index\)",
    ):
        call(_shuffled(labels), probs)


@pytest.mark.parametrize("call", CLASS_CALLS.values(), ids=CLASS_CALLS.keys())
def test_the_fix_gives_the_aligned_answer(call):
    """``labels.reindex(probs.index)`` gives what the aligned Series gives."""
    labels, probs = _probs()
    np.testing.assert_array_equal(call(_shuffled(labels).reindex(probs.index), probs), call(labels, probs))


@pytest.mark.parametrize("call", CLASS_CALLS.values(), ids=CLASS_CALLS.keys())
def test_labels_on_a_reset_index_are_read_by_position(call):
    """Labels indexed 0..n-1 beside probs indexed 100.. pair by position, as before."""
    labels, probs = _probs()
    np.testing.assert_array_equal(call(labels.reset_index(drop=True), probs), call(labels.to_numpy(), probs))


def test_multilabel_audit_refuses_reordered_tags():
    """A tags Series holding the per-tag probs' rows in another order is refused; in order it audits."""
    rng = np.random.default_rng(0)
    truth = rng.random((N, 3)) < 0.4
    probs = pd.DataFrame(np.where(truth, 0.9, 0.1), index=INDEX, columns=["a", "b", "c"])
    tags = pd.Series(["|".join(t for t, on in zip("abc", row, strict=True) if on) for row in truth], index=INDEX)
    with pytest.raises(InvalidParameterError, match=r"^labels must list the rows in the order of probs' index"):
        multilabel.find_label_issues(_shuffled(tags), probs, classes=["a", "b", "c"])
    assert not multilabel.find_label_issues(tags, probs, classes=["a", "b", "c"]).is_issue.any()


def _regression() -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(N, 2)), index=INDEX, columns=["a", "b"])
    pred = 2 * X["a"]
    y = pred + rng.normal(0, 0.1, N)
    y.iloc[5] += 5  # one wrong target
    return X, y, pred


def test_regression_audit_refuses_reordered_predictions():
    """Predictions holding y's rows in another order are refused (main flagged other rows than row 5)."""
    X, y, pred = _regression()
    with pytest.raises(
        InvalidParameterError, match=r"^predictions must list the rows in the order of y's index.*regression audits"
    ):
        regression.find_label_issues(y, _shuffled(pred))
    assert regression.find_label_issues(y, pred).ranked_indices[0] == 5


def test_regression_audit_refuses_reordered_features():
    """Features holding y's rows in another order are refused."""
    X, y, _ = _regression()
    with pytest.raises(InvalidParameterError, match=r"^X must list the rows in the order of y's index"):
        regression.find_label_issues(y, X=_shuffled(X), model=LinearRegression())


def test_clean_regressor_refuses_a_reordered_target():
    """CleanRegressor.fit(X, y) with y in another row order than X is refused; in order it drops row 5."""
    X, y, _ = _regression()
    with pytest.raises(InvalidParameterError, match=r"^y must list the rows in the order of X's index"):
        regression.CleanRegressor(LinearRegression()).fit(X, _shuffled(y))
    fitted = regression.CleanRegressor(LinearRegression()).fit(X, y)
    assert fitted.label_issues_.is_issue[5]
