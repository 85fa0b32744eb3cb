"""NaN features: a labelwise error naming X's first NaN where the estimator refuses NaN (fix43a)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import labelwise as lw
from labelwise._validate.nan_features import first_nan
from labelwise.errors import InvalidParameterError


def _data(n: int = 90, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    X = rng.normal(size=(n, 4)) + y[:, None]
    return X, y


def _with_nan(rows=(7, 12), col=2) -> tuple[np.ndarray, np.ndarray]:
    X, y = _data()
    X[list(rows), col] = np.nan
    return X, y


class TestOutOfFoldProbs:
    def test_nan_with_a_model_that_refuses_it_names_row_column_and_remedy(self):
        """LogisticRegression on X with NaN: an InvalidParameterError naming X, row 7, column 2 and what to do."""
        X, y = _with_nan()
        with pytest.raises(InvalidParameterError, match=r"^X must have no missing values") as info:
            lw.out_of_fold_probs(LogisticRegression(), X, y, cv=3, random_state=0)
        message = str(info.value)
        assert "row 7, column 2 (2 row(s) with NaN)" in message
        assert "LogisticRegression does not accept them" in message
        assert "SimpleImputer" in message and "HistGradientBoostingClassifier" in message
        assert isinstance(info.value.__cause__, ValueError)  # scikit-learn's own error is chained

    def test_parallel_folds_say_the_same(self):
        """With n_jobs=2 the folds' error is named the same way."""
        X, y = _with_nan()
        with pytest.raises(InvalidParameterError, match=r"row 7, column 2"):
            lw.out_of_fold_probs(LogisticRegression(), X, y, cv=3, random_state=0, n_jobs=2)

    def test_dataframe_names_the_column_by_label(self):
        """A DataFrame's NaN is named by its column label."""
        X, y = _with_nan()
        frame = pd.DataFrame(X, columns=["alcohol", "ash", "magnesium", "hue"])
        with pytest.raises(InvalidParameterError, match=r"row 7, column 'magnesium'"):
            lw.out_of_fold_probs(LogisticRegression(), frame, y, cv=3, random_state=0)

    @pytest.mark.parametrize(
        "model",
        [HistGradientBoostingClassifier(max_iter=20), make_pipeline(SimpleImputer(), LogisticRegression())],
        ids=["hist_gradient_boosting", "imputer_pipeline"],
    )
    def test_models_that_take_nan_keep_working(self, model):
        """An estimator that accepts NaN gets X unchanged and returns probabilities."""
        X, y = _with_nan()
        probs = lw.out_of_fold_probs(model, X, y, cv=3, random_state=0)
        assert probs.shape == (90, 3) and np.allclose(probs.sum(axis=1), 1)

    def test_other_value_errors_pass_through(self):
        """A ValueError that is not about NaN is left as it is."""
        X, y = _data()
        X[3, 1] = np.inf
        with pytest.raises(ValueError, match="infinity") as info:
            lw.out_of_fold_probs(LogisticRegression(), X, y, cv=3, random_state=0)
        assert not isinstance(info.value, InvalidParameterError)


class TestCleanClassifier:
    def test_nan_is_named(self):
        """CleanClassifier(LogisticRegression) on X with NaN names X's first NaN."""
        X, y = _with_nan()
        with pytest.raises(InvalidParameterError, match=r"^X must have no missing values.*row 7, column 2"):
            lw.robust.CleanClassifier(LogisticRegression(), cv=3, random_state=0).fit(X, y)

    def test_nan_with_sample_weight_is_named(self):
        """The weighted path (its own folds, not out_of_fold_probs) names it too."""
        X, y = _with_nan()
        with pytest.raises(InvalidParameterError, match=r"row 7, column 2"):
            lw.robust.CleanClassifier(LogisticRegression(), cv=3, random_state=0).fit(
                X, y, sample_weight=np.full(90, 2.0)
            )

    def test_hist_gradient_boosting_takes_nan(self):
        """An estimator that accepts NaN fits and predicts."""
        X, y = _with_nan()
        model = lw.robust.CleanClassifier(HistGradientBoostingClassifier(max_iter=20), cv=3, random_state=0).fit(X, y)
        assert model.predict(X).shape == (90,)


class TestImportanceReweighting:
    def test_nan_is_named(self):
        """ImportanceReweighting(LogisticRegression) on X with NaN names X's first NaN."""
        X, y = _with_nan()
        with pytest.raises(InvalidParameterError, match=r"^X must have no missing values.*row 7, column 2"):
            lw.robust.ImportanceReweighting(LogisticRegression(), cv=3, random_state=0).fit(X, y)


class TestSelfTrainer:
    def test_nan_in_a_labeled_row_is_named(self):
        """SelfTrainer(LogisticRegression) with NaN in a labeled row names it."""
        X, y = _with_nan()
        y = np.where(np.arange(90) % 4 == 0, -1, y)
        with pytest.raises(InvalidParameterError, match=r"^X must have no missing values.*row 7, column 2"):
            lw.semi.SelfTrainer(LogisticRegression()).fit(X, y)

    def test_nan_only_in_the_unlabeled_pool_is_named(self):
        """NaN only in unlabeled rows fails at the pool's prediction; named in X's positions."""
        X, y = _data()
        y = np.where(np.arange(90) % 4 == 0, -1, y)
        X[[8, 40], 3] = np.nan  # rows 8 and 40 are unlabeled
        with pytest.raises(InvalidParameterError, match=r"row 8, column 3 \(2 row\(s\) with NaN\)"):
            lw.semi.SelfTrainer(LogisticRegression()).fit(X, y)

    def test_imputer_pipeline_takes_nan(self):
        """A Pipeline with an imputer self-trains on X with NaN."""
        X, y = _with_nan()
        y = np.where(np.arange(90) % 4 == 0, -1, y)
        model = lw.semi.SelfTrainer(make_pipeline(SimpleImputer(), LogisticRegression())).fit(X, y)
        assert model.n_iter_ >= 1 and model.predict(X).shape == (90,)


class TestFirstNan:
    def test_sparse_matrix(self):
        """A sparse matrix's stored NaN is found by row, then column."""
        X = sp.csr_matrix(np.array([[0, 1.0, 0], [np.nan, 0, 0], [0, np.nan, np.nan]]))
        assert first_nan(X) == (1, 0, 2)

    def test_texts(self):
        """A list of texts with None names the row only."""
        assert first_nan(["a b", None, "c"]) == (1, None, 1)

    def test_no_nan(self):
        """No NaN: None."""
        assert first_nan(np.zeros((3, 2))) is None

    @settings(max_examples=50, deadline=None)
    @given(
        st.integers(1, 6),
        st.integers(1, 5),
        st.lists(st.tuples(st.integers(0, 5), st.integers(0, 4)), min_size=1, max_size=6),
    )
    def test_first_nan_is_the_first_in_row_order(self, n, k, cells):
        """The reported cell is the first NaN in row-major order, and the count is the rows with one."""
        cells = [(r % n, c % k) for r, c in cells]
        X = np.zeros((n, k))
        for r, c in cells:
            X[r, c] = np.nan
        row, col, n_bad = first_nan(X)
        assert (row, col) == min(cells)
        assert n_bad == len({r for r, _ in cells})
