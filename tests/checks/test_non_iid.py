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


def test_statistic_and_row_scores_do_not_depend_on_the_row_block(monkeypatch):
    """The blocked gap histogram gives the KS distance of all gaps at once, for any block size."""
    from labelwise.checks import NeighborGraph, non_iid

    X = _drifting(300)
    graph = NeighborGraph.build(X, k=8, method="exact")
    n = graph.n
    position = np.random.default_rng(1).permutation(n)
    gaps = np.abs(position[graph.indices] - position[:, None]).ravel()
    emp = np.cumsum(np.bincount(gaps, minlength=n)[1:]) / gaps.size
    g = np.arange(1, n, dtype=np.float64)
    expected = float(np.max(np.abs(emp - (1.0 - (n - g) * (n - g - 1) / (n * (n - 1.0))))))
    whole = find_data_issues(X, checks=["non_iid"], k=8)
    for block in (1, 13, 65_536):
        monkeypatch.setattr(non_iid, "ROW_BLOCK", block)
        assert non_iid.ks_statistic(position, graph.indices) == expected
        found = find_data_issues(X, checks=["non_iid"], k=8)
        np.testing.assert_array_equal(found.issues["non_iid_score"], whole.issues["non_iid_score"])
        assert found.info["non_iid"]["p_value"] == whole.info["non_iid"]["p_value"]
