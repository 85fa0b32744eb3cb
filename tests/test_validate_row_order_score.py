"""Every labelwise estimator's ``score(X, y)`` refuses a ``y`` holding X's rows in another order (score46).

pair46 made each ``fit`` refuse it; the ``score`` scikit-learn lends (``ClassifierMixin`` /
``RegressorMixin``), which ``cross_val_score`` and ``GridSearchCV`` call, still paired a reordered
``y`` by position without a word. A ``y`` on another index (one side reset) is read by position.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression

import labelwise
import labelwise as lw
from labelwise.audit.regression import CleanRegressor
from labelwise.errors import InvalidParameterError
from labelwise.models import SubsampledExtraTrees
from labelwise.models._forward import ForwardLogistic
from labelwise.models._knn import CappedNeighbors

N = 60
#: Scored by item id, not by row position (``gold_codes``): the weak label models' own rule.
BY_ITEM_ID = {
    "LabelModel",
    "DawidSkeneLabelModel",
    "IWMVLabelModel",
    "MajorityLabelVoter",
    "MajorityClassVoter",
    "RandomVoter",
}


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    y = np.arange(N) % 2
    return pd.DataFrame(
        rng.normal(size=(N, 3)) + 2 * y[:, None], columns=["a", "b", "c"], index=np.arange(100, 100 + N)
    )


def _classes(X: pd.DataFrame) -> pd.Series:
    return pd.Series(np.arange(N) % 2, index=X.index, name="label")


def _answers(X: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"item": np.repeat(X.index, 2), "annotator": np.tile(["a", "b"], N), "label": np.repeat(y.to_numpy(), 2)})  # fmt: skip


def _fit_classifier(make):
    def fitted(X, y):
        return make().fit(X, y), y

    return fitted


def _self_trainer(X, y):
    y = y.where(np.arange(N) % 4 != 0, -1)  # unlabeled rows are left out of score
    return lw.semi.SelfTrainer(LogisticRegression()).fit(X, y), y


def _crowd(X, y):
    return lw.robust.CrowdClassifier(cv=None, max_iter=3, random_state=0).fit(X, _answers(X, y)), y


def _multilabel(X, y):
    tags = pd.DataFrame({"p": y, "q": (X["a"] > 1).astype(int)}, index=X.index)
    return lw.robust.CleanMultilabelClassifier(LogisticRegression(), cv=2, random_state=0).fit(X, tags), tags


def _regressor(X, y):
    target = X["a"] * 2 + X["b"] + np.random.default_rng(2).normal(scale=0.1, size=N)
    return CleanRegressor(LinearRegression(), cv=2).fit(X, target), target


def _adjuster(X, y):
    return lw.shift.PriorShiftAdjuster(LogisticRegression().fit(X, y), calibration="none").fit(X, y), y


FITTED = {
    "CleanClassifier": _fit_classifier(lambda: lw.robust.CleanClassifier(LogisticRegression(), cv=2, random_state=0)),
    "ImportanceReweighting": _fit_classifier(
        lambda: lw.robust.ImportanceReweighting(LogisticRegression(), cv=2, random_state=0)
    ),
    "ForwardCorrection": _fit_classifier(lambda: lw.robust.ForwardCorrection(cv=2, random_state=0)),
    "CrowdClassifier": _crowd,
    "CleanMultilabelClassifier": _multilabel,
    "SelfTrainer": _self_trainer,
    "CleanRegressor": _regressor,
    "PriorShiftAdjuster": _adjuster,
    "SubsampledExtraTrees": _fit_classifier(lambda: SubsampledExtraTrees(n_estimators=5, random_state=0)),
    "ForwardLogistic": _fit_classifier(ForwardLogistic),
    "CappedNeighbors": _fit_classifier(CappedNeighbors),
    "FloralSVC": _fit_classifier(lambda: lw.poison.FloralSVC(budget=0.1, random_state=0)),
    "LNSVC": _fit_classifier(lw.poison.LNSVC),
    "CurieSVC": _fit_classifier(lw.poison.CurieSVC),
    "LabelSanitizedSVC": _fit_classifier(lw.poison.LabelSanitizedSVC),
    "GraphSanitizedSVC": _fit_classifier(lw.poison.GraphSanitizedSVC),
    "AuditThenTrain": _fit_classifier(lambda: lw.poison.AuditThenTrain(random_state=0)),
}


def _shuffled(s):
    return s.iloc[np.random.default_rng(1).permutation(len(s))]


@pytest.mark.parametrize("fit", FITTED.values(), ids=FITTED.keys())
def test_score_refuses_a_reordered_y_naming_y_and_the_fix(fit):
    """score(X, y) with y holding X's index keys in another order: an error naming y, the estimator and the fix."""
    X = _frame()
    model, y = fit(X, _classes(X))
    shuffled = _shuffled(y)
    with pytest.raises(InvalidParameterError, match=r"^y must list the rows in the order of X's index") as info:
        model.score(X, shuffled)
    first = int(np.flatnonzero(shuffled.index != X.index)[0])
    message = str(info.value)
    assert f"its position {first} is index {shuffled.index[first]}" in message
    assert f"{type(model).__name__}.score" in message and "pass y.reindex(X.index)" in message


@pytest.mark.parametrize("fit", FITTED.values(), ids=FITTED.keys())
def test_score_reads_a_reset_y_by_position(fit):
    """A y whose index was reset pairs by position: the score of y on X's index, and of the plain arrays."""
    X = _frame()
    model, y = fit(X, _classes(X))
    aligned = model.score(X, y)
    assert model.score(X, y.reset_index(drop=True)) == aligned
    assert model.score(X, _shuffled(y).reindex(X.index)) == aligned  # the message's fix


def test_score_refuses_a_reordered_sample_weight():
    """sample_weight is paired with X by position too: a reordered Series is refused by name."""
    X = _frame()
    model, y = FITTED["CleanClassifier"](X, _classes(X))
    weights = pd.Series(np.linspace(0.5, 1.5, N), index=X.index)
    with pytest.raises(InvalidParameterError, match=r"^sample_weight must list the rows in the order of X's index"):
        model.score(X, y, sample_weight=_shuffled(weights))
    assert model.score(X, y, sample_weight=weights.reset_index(drop=True)) == model.score(X, y, sample_weight=weights)


def test_every_estimator_with_score_is_covered():
    """Each public labelwise estimator with a score (the weak models score by item id) is in the table above."""
    found = set()
    for info in pkgutil.walk_packages(labelwise.__path__, "labelwise."):
        if ".cli" in info.name:
            continue
        for name, cls in vars(importlib.import_module(info.name)).items():
            if (
                inspect.isclass(cls)
                and issubclass(cls, BaseEstimator)
                and cls.__module__.startswith("labelwise.")
                and hasattr(cls, "score")
                and not name.startswith("_")
            ):
                found.add(name)
    assert found - BY_ITEM_ID == set(FITTED)
