"""leakage: evaluation rows duplicated (exactly or nearly) in training rows."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.checks import find_data_issues
from labelwise.errors import InvalidParameterError


def test_test_rows_copied_from_train_are_flagged_and_train_rows_never():
    """Exact and near copies of training rows in the test part are flagged; copies within test are not."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 4))
    split = np.array(["train"] * 300 + ["test"] * 100)
    X[300] = X[10]  # exact copy of a training row
    X[301] = X[20] + 1e-5  # near copy of a training row
    X[302] = X[350]  # duplicate inside the test part: not leakage
    found = find_data_issues(X, split=split, checks=["leakage"])
    flagged = np.flatnonzero(found.issues["is_leakage_issue"])
    assert flagged.tolist() == [300, 301]
    assert found.issues["leakage_score"].iloc[300] == 0.0
    assert found.info["leakage"]["n_exact"] == 1


def test_boolean_split_marks_training_rows():
    """A boolean mask is taken as 'is training row'."""
    X = np.random.default_rng(1).normal(size=(100, 3))
    X[90] = X[0]
    found = find_data_issues(X, split=np.arange(100) < 80, checks="leakage")
    assert np.flatnonzero(found.issues["is_leakage_issue"]).tolist() == [90]


@pytest.mark.parametrize("missing", [None, np.nan])
def test_a_split_with_a_missing_value_is_refused_naming_the_row(missing):
    """An empty split cell was taken as an evaluation row (and could be flagged as leaked); now an error."""
    X = np.random.default_rng(2).normal(size=(50, 3))
    split = np.array(["train"] * 40 + ["test"] * 10, dtype=object)
    split[7] = missing
    with pytest.raises(InvalidParameterError, match=r"split must say train or evaluation for every row, row 7 is"):
        find_data_issues(X, split=split, checks="leakage")
