"""labelwise.out_of_fold_probs: out-of-sample probabilities for any classifier."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

import labelwise as lw
from labelwise.errors import EstimatorError, InvalidParameterError, ShapeMismatchError, TooFewExamplesError


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    return X, y


class TestOutOfFoldProbs:
    """Shape, column order, determinism and errors."""

    def test_rows_are_probabilities_in_sorted_class_order(self, data):
        """One row per example summing to 1, columns in sorted label order (strings too)."""
        X, y = data
        names = np.array(["zebra", "ant", "mole"])[y]
        probs = lw.out_of_fold_probs(LogisticRegression(max_iter=500), X, names, cv=3, random_state=0)
        assert probs.shape == (300, 3)
        np.testing.assert_allclose(probs.sum(axis=1), 1.0)
        # Column 0 is "ant" (sorted), which was class 1.
        assert probs[y == 1, 0].mean() > max(probs[y == 1, 1].mean(), probs[y == 1, 2].mean())

    def test_probabilities_are_out_of_sample(self, data):
        """Each example is predicted by a model that did not see it: a memorising model is unsure out of fold."""
        X, y = data
        rng = np.random.default_rng(0)
        y_random = rng.integers(0, 3, 300)
        probs = lw.out_of_fold_probs(KNeighborsClassifier(n_neighbors=1), X, y_random, cv=3, random_state=0)
        assert (probs.argmax(axis=1) == y_random).mean() < 0.5

    def test_deterministic_under_random_state(self, data):
        """The same seed gives the same probabilities."""
        X, y = data
        a = lw.out_of_fold_probs(LogisticRegression(max_iter=500), X, y, random_state=3)
        b = lw.out_of_fold_probs(LogisticRegression(max_iter=500), X, y, random_state=3)
        np.testing.assert_array_equal(a, b)

    def test_parallel_folds_match_sequential(self, data):
        """n_jobs=2 gives the same result as one job."""
        X, y = data
        a = lw.out_of_fold_probs(LogisticRegression(max_iter=500), X, y, random_state=1)
        with joblib.parallel_config(backend="threading"):  # same code path, no worker start-up cost
            b = lw.out_of_fold_probs(LogisticRegression(max_iter=500), X, y, random_state=1, n_jobs=2)
        np.testing.assert_allclose(a, b)

    def test_dataframe_features(self, data):
        """A DataFrame of features is split with iloc."""
        X, y = data
        probs = lw.out_of_fold_probs(
            LogisticRegression(max_iter=500), pd.DataFrame(X), pd.Series(y), cv=4, random_state=0
        )
        assert probs.shape == (300, 3)

    def test_sparse_features(self, data):
        """A scipy sparse matrix of features works (it has no len())."""
        import scipy.sparse as sp

        X, y = data
        probs = lw.out_of_fold_probs(LogisticRegression(max_iter=500), sp.csr_matrix(X), y, cv=3, random_state=0)
        assert probs.shape == (300, 3)

    def test_estimator_without_predict_proba(self, data):
        """An estimator with no predict_proba is rejected with a hint."""
        X, y = data
        with pytest.raises(EstimatorError, match="predict_proba.*CalibratedClassifierCV"):
            lw.out_of_fold_probs(SVC(), X, y)

    def test_class_with_fewer_examples_than_folds(self, data):
        """A class smaller than cv is named, with a suggestion to lower cv."""
        X, y = data
        y = y.copy()
        y[:3] = 7
        with pytest.raises(TooFewExamplesError, match=r"cv=5 .*class 7 has 3 .*lower --cv"):
            lw.out_of_fold_probs(LogisticRegression(), X, y, cv=5)

    def test_a_class_with_one_example_is_not_told_to_lower_cv(self, data):
        """cv cannot go below 2, so a one-example class is told to be dropped or merged, not to lower cv."""
        X, y = data
        y = y.copy()
        y[0] = 7
        with pytest.raises(TooFewExamplesError, match=r"class 7 has 1 ") as caught:
            lw.out_of_fold_probs(LogisticRegression(), X, y, cv=5)
        assert "lower" not in str(caught.value) and "drop or merge" in str(caught.value)
        with pytest.raises(TooFewExamplesError, match=r"class 7 has 1 ") as caught:
            lw.out_of_fold_probs("auto", X, y, cv=5)
        assert "lower" not in str(caught.value)

    @pytest.mark.parametrize("name", ["Auto", "logistic", "forest"])
    def test_a_string_other_than_auto_is_named_in_the_error(self, data, name):
        """A family name or a typo of "auto" gets an error that says what strings are accepted."""
        X, y = data
        with pytest.raises(
            EstimatorError, match=rf"estimator must be a classifier .* or \"auto\", got the string '{name}'"
        ):
            lw.out_of_fold_probs(name, X, y)

    def test_length_mismatch(self, data):
        """X and labels of different lengths are rejected."""
        X, y = data
        with pytest.raises(ShapeMismatchError):
            lw.out_of_fold_probs(LogisticRegression(), X[:10], y)

    def test_a_python_list_is_the_same_X_as_its_array(self, data):
        """X as a list of rows (or of texts, for a text pipeline) gives the array's probabilities."""
        X, y = data
        as_array = lw.out_of_fold_probs(LogisticRegression(max_iter=500), X, y, cv=3, random_state=0)
        as_list = lw.out_of_fold_probs(LogisticRegression(max_iter=500), X.tolist(), y, cv=3, random_state=0)
        np.testing.assert_allclose(as_list, as_array)

    def test_time_budget_is_checked_with_any_estimator(self, data):
        """A bad time_budget is refused even when only the "auto" estimator would use it."""
        X, y = data
        with pytest.raises(InvalidParameterError, match="time_budget"):
            lw.out_of_fold_probs(LogisticRegression(), X, y, time_budget=-1)

    def test_cv_must_be_at_least_two(self, data):
        """cv=1 is not cross-validation."""
        X, y = data
        with pytest.raises(InvalidParameterError, match="cv must be an integer >= 2"):
            lw.out_of_fold_probs(LogisticRegression(), X, y, cv=1)


class TestWorkers:
    """n_jobs is checked before any fold is fitted (session 15 sweep)."""

    @pytest.mark.parametrize("estimator", ["auto", "logistic regression"])
    @pytest.mark.parametrize("n_jobs", [0, "2"])
    def test_bad_n_jobs_is_a_labelwise_error(self, data, estimator, n_jobs):
        """n_jobs=0 reached joblib ('n_jobs == 0 in Parallel has no meaning'), a traceback on the command line."""
        X, y = data
        model = "auto" if estimator == "auto" else LogisticRegression(max_iter=200)
        with pytest.raises(InvalidParameterError, match="n_jobs must be None or a non-zero integer"):
            lw.out_of_fold_probs(model, X, y, cv=3, n_jobs=n_jobs, time_budget=5)


class TestRenamingProperty:
    @settings(max_examples=10, deadline=None)
    @given(seed=st.integers(0, 1000), k=st.integers(2, 4))
    def test_renaming_classes_permutes_the_columns(self, seed, k):
        """Labels renamed by a bijection to strings whose sorted order is not the integers' give the
        same folds (stratified by first appearance) and the same probabilities, their columns in the
        sorted order of the new names: ``probs'[:, rank(name[c])] == probs[:, c]`` to 1e-12 (a
        closed-form estimator, so no solver path can differ; its normalising sum adds the columns
        in another order)."""
        from sklearn.naive_bayes import GaussianNB

        rng = np.random.default_rng(seed)
        y = np.repeat(np.arange(k), 12)
        X = rng.normal(size=(len(y), 3)) + y[:, None]
        names = np.array([f"c{v}" for v in rng.permutation(k)])
        a = lw.out_of_fold_probs(GaussianNB(), X, y, cv=3, random_state=seed)
        b = lw.out_of_fold_probs(GaussianNB(), X, names[y], cv=3, random_state=seed)
        np.testing.assert_allclose(b[:, np.searchsorted(np.sort(names), names)], a, rtol=0, atol=1e-12)
