"""null: missing values per row, counted before imputation."""

from __future__ import annotations

import numpy as np

from labelwise.checks import find_data_issues


def test_rows_with_every_value_missing_are_flagged():
    """Score = share present; only fully missing rows are flagged."""
    X = np.random.default_rng(0).normal(size=(40, 4))
    X[3, :2] = np.nan
    X[5] = np.nan
    found = find_data_issues(X, impute=True, checks="null")
    score = found.issues["null_score"].to_numpy()
    assert score[3] == 0.5 and score[5] == 0.0 and score[0] == 1.0
    assert np.flatnonzero(found.issues["is_null_issue"]).tolist() == [5]


def test_features_constant_after_imputation_are_scored_by_the_null_check():
    """The null check reads the missing counts only: features whose imputed columns never vary are
    scored (as Datalab does), not refused."""
    X = np.array([[1.0, np.nan], [1.0, 2.0], [np.nan, 2.0], [np.nan, np.nan]])
    found = find_data_issues(X, impute=True, checks="null")
    np.testing.assert_array_equal(found.issues["null_score"], [0.5, 1.0, 0.5, 0.0])
    assert np.flatnonzero(found.issues["is_null_issue"]).tolist() == [3]


def test_checks_without_a_graph_take_features_that_never_vary():
    """Identical rows: every row is an exact duplicate, every column constant, no value missing."""
    found = find_data_issues(np.ones((20, 3)), checks=["null", "exact_duplicate", "identifier_column"])
    assert found.issues["is_exact_duplicate_issue"].all()
    assert found.info["identifier_column"]["constant_columns"] == [0, 1, 2]
    assert not found.issues["is_null_issue"].any()
