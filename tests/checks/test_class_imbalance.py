"""class_imbalance: examples of a class far below a uniform share."""

from __future__ import annotations

import numpy as np

from labelwise.checks import find_data_issues


def test_rare_class_is_flagged_and_scored_by_its_share():
    """A class with 1% of 3 classes (below 0.1/3) is flagged; the others are not."""
    labels = np.array(["a"] * 500 + ["b"] * 495 + ["c"] * 5)
    found = find_data_issues(labels=labels, checks="class_imbalance")
    flagged = found.issues["is_class_imbalance_issue"].to_numpy()
    assert flagged[-5:].all() and not flagged[:-5].any()
    assert found.issues["class_imbalance_score"].iloc[-1] == 0.015
    assert found.info["class_imbalance"]["rare_classes"] == ["c"]
