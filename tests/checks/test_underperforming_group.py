"""underperforming_group: a cluster whose labels are mixed up is flagged."""

from __future__ import annotations

import numpy as np

from labelwise.checks import find_data_issues


def _data(seed=0):
    rng = np.random.default_rng(seed)
    centers = np.array([[0, 0], [10, 0], [0, 10], [10, 10]], dtype=float)
    g = np.repeat(np.arange(4), 150)
    X = centers[g] + rng.normal(size=(600, 2))
    y = g % 2
    bad = g == 3
    y[bad] = rng.integers(0, 2, bad.sum())  # labels in cluster 3 are coin flips
    return X, y, bad


def test_cluster_with_random_labels_is_flagged():
    """The graph's clusters find the blob whose labels are noise."""
    X, y, bad = _data()
    found = find_data_issues(X, y, checks=["underperforming_group"])
    flagged = found.issues["is_underperforming_group_issue"].to_numpy()
    assert flagged[bad].mean() > 0.8
    assert flagged[~bad].mean() < 0.05


def test_user_groups_replace_the_clusters():
    """Given groups, the group with noisy labels is flagged as a whole."""
    X, y, bad = _data()
    found = find_data_issues(X, y, groups=np.where(bad, "night", "day"), checks=["underperforming_group"])
    flagged = found.issues["is_underperforming_group_issue"].to_numpy()
    assert flagged[bad].all() and not flagged[~bad].any()
    assert found.info["underperforming_group"]["groups_from"] == "user groups"
