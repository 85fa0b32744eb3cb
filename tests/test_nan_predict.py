"""NaN features at prediction time: a labelwise error naming X's first NaN, as fit names it (fix44a)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

import labelwise as lw
from labelwise.errors import InvalidParameterError
from labelwise.models import SubsampledExtraTrees

METHODS = ["predict", "predict_proba", "predict_log_proba", "decision_function", "score"]


def _data(n: int = 90, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    X = rng.normal(size=(n, 4)) + y[:, None]
    return X, y


def _with_nan(X: np.ndarray, rows=(7, 12), col=2) -> np.ndarray:
    X = X.copy()
    X[list(rows), col] = np.nan
    return X


def _answers(y: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"item": np.repeat(np.arange(y.size), 2), "annotator": np.tile(["a", "b"], y.size),
                         "label": np.repeat(y, 2)})  # fmt: skip


def _fitted(name: str):
    X, y = _data()
    if name == "CleanClassifier":
        return lw.robust.CleanClassifier(LogisticRegression(), cv=3, random_state=0).fit(X, y)
    if name == "ImportanceReweighting":
        return lw.robust.ImportanceReweighting(LogisticRegression(), cv=3, random_state=0).fit(X, y)
    if name == "SelfTrainer":
        return lw.semi.SelfTrainer(LogisticRegression()).fit(X, np.where(np.arange(90) % 4 == 0, -1, y))
    return lw.robust.CrowdClassifier(cv=None, max_iter=3, random_state=0).fit(X, _answers(y))


def _call(model, method: str, X: np.ndarray):
    if method == "score":
        return model.score(X, _data()[1])
    return getattr(model, method)(X)


class TestMetaEstimators:
    @pytest.mark.parametrize("method", METHODS)
    @pytest.mark.parametrize("name", ["CleanClassifier", "ImportanceReweighting", "SelfTrainer", "CrowdClassifier"])
    def test_nan_at_prediction_names_row_column_and_remedy(self, name, method):
        """Each prediction method of a fitted meta-estimator names X's first NaN, scikit-learn's error chained."""
        model = _fitted(name)
        with pytest.raises(InvalidParameterError, match=r"^X must have no missing values") as info:
            _call(model, method, _with_nan(_data()[0]))
        message = str(info.value)
        assert "row 7, column 2 (2 row(s) with NaN)" in message
        assert "LogisticRegression does not accept them" in message and "SimpleImputer" in message
        assert isinstance(info.value.__cause__, ValueError)

    def test_a_dataframe_names_the_column_by_its_label(self):
        """predict on a DataFrame names the NaN's column by its label."""
        X, y = _data()
        frame = pd.DataFrame(X, columns=["alcohol", "ash", "magnesium", "hue"])
        model = lw.robust.CleanClassifier(LogisticRegression(), cv=3, random_state=0).fit(frame, y)
        frame.iloc[5, 2] = np.nan
        with pytest.raises(InvalidParameterError, match=r"row 5, column 'magnesium'"):
            model.predict(frame)

    def test_hist_gradient_boosting_predicts_on_nan(self):
        """A wrapped model that accepts NaN predicts on it, as it fits on it."""
        X, y = _data()
        model = lw.robust.CleanClassifier(HistGradientBoostingClassifier(max_iter=10), cv=3, random_state=0)
        proba = model.fit(_with_nan(X), y).predict_proba(_with_nan(X))
        assert proba.shape == (90, 3) and np.allclose(proba.sum(axis=1), 1)

    def test_other_value_errors_pass_through(self):
        """An infinity at prediction is scikit-learn's own error, unchanged."""
        model = _fitted("CleanClassifier")
        X = _data()[0]
        X[3, 1] = np.inf
        with pytest.raises(ValueError, match="infinity") as info:
            model.predict(X)
        assert not isinstance(info.value, InvalidParameterError)


class TestCrowdClassifierFit:
    def test_nan_at_fit_is_named(self):
        """CrowdClassifier(LogisticRegression) fitted on X with NaN names X's first NaN."""
        X, y = _data()
        with pytest.raises(InvalidParameterError, match=r"^X must have no missing values.*row 7, column 2"):
            lw.robust.CrowdClassifier(cv=None, max_iter=3).fit(_with_nan(X), _answers(y))


class TestCleanMultilabelClassifier:
    def _tags(self) -> tuple[np.ndarray, np.ndarray]:
        X, y = _data()
        return X, np.stack([y == 0, y == 1, y != 1], axis=1).astype(int)

    def test_nan_at_fit_is_named(self):
        """Fitting on X with NaN names X's first NaN."""
        X, Y = self._tags()
        with pytest.raises(InvalidParameterError, match=r"^X must have no missing values.*row 7, column 2"):
            lw.robust.CleanMultilabelClassifier(LogisticRegression(), cv=3, random_state=0).fit(_with_nan(X), Y)

    @pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_tags"])
    def test_nan_at_prediction_is_named(self, method):
        """Each prediction method names X's first NaN."""
        X, Y = self._tags()
        model = lw.robust.CleanMultilabelClassifier(LogisticRegression(), cv=3, random_state=0).fit(X, Y)
        with pytest.raises(InvalidParameterError, match=r"row 7, column 2 \(2 row\(s\) with NaN\)"):
            getattr(model, method)(_with_nan(X))


class TestOwnClassifiers:
    """labelwise's own classifiers: the defences, ForwardCorrection and SubsampledExtraTrees."""

    @pytest.mark.parametrize(
        "make",
        [
            lambda: lw.poison.LNSVC(),
            lambda: lw.poison.LabelSanitizedSVC(),
            lambda: lw.poison.AuditThenTrain(),
            lambda: lw.robust.ForwardCorrection(cv=3, random_state=0),
            lambda: SubsampledExtraTrees(n_estimators=5, random_state=0),
        ],
        ids=["LNSVC", "LabelSanitizedSVC", "AuditThenTrain", "ForwardCorrection", "SubsampledExtraTrees"],
    )
    def test_nan_at_fit_and_prediction_names_the_cell(self, make):
        """fit and predict on X with NaN name row and column, scikit-learn's error chained."""
        X, y = _data()
        y = y % 2  # the binary defences
        with pytest.raises(InvalidParameterError, match=r"row 7, column 2 \(2 row\(s\) with NaN\)") as info:
            make().fit(_with_nan(X), y)
        assert isinstance(info.value.__cause__, ValueError)
        model = make().fit(X, y)
        with pytest.raises(InvalidParameterError, match=r"^X must have no missing values.*row 7, column 2"):
            model.predict(_with_nan(X))

    def test_a_wrong_width_keeps_its_message(self):
        """A feature count that differs from fit's is still 'X is not a valid feature matrix'."""
        X, y = _data()
        model = lw.poison.LNSVC().fit(X, y % 2)
        with pytest.raises(InvalidParameterError, match=r"^X is not a valid feature matrix: .*4 features"):
            model.predict(X[:, :3])
