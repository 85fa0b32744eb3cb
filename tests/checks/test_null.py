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
