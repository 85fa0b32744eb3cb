"""non_iid: the permutation test rejects sorted data and accepts shuffled data."""

from __future__ import annotations

import numpy as np

from labelwise.checks import find_data_issues


def _drifting(n=800, seed=0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 20, n)
    return np.c_[t, np.sin(t)] + rng.normal(scale=0.05, size=(n, 2))


def test_rows_in_drift_order_are_not_iid():
    """Rows ordered along a drift: tiny p-value, most rows flagged."""
    found = find_data_issues(_drifting(), checks="non_iid")
    assert found.info["non_iid"]["p_value"] < 0.05
    assert found.issues["is_non_iid_issue"].mean() > 0.5


def test_shuffled_rows_are_iid():
    """The same rows shuffled: large p-value, nothing flagged."""
    X = _drifting()
    X = X[np.random.default_rng(1).permutation(len(X))]
    found = find_data_issues(X, checks="non_iid")
    assert found.info["non_iid"]["p_value"] > 0.05
    assert not found.issues["is_non_iid_issue"].any()
