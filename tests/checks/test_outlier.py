"""outlier: off-manifold points and points only too far out, and the probs-only fallback."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from labelwise.checks import find_data_issues

from ._data import blobs_with_issues


def test_far_points_score_lowest_and_are_flagged():
    """Injected far outliers are ranked worst and flagged."""
    data = blobs_with_issues()
    found = find_data_issues(data.X, checks="outlier")
    truth = np.zeros(len(data.X), dtype=bool)
    truth[data.outliers] = True
    assert roc_auc_score(truth, -found.issues["outlier_score"]) > 0.99
    assert found.issues["is_outlier_issue"].to_numpy()[data.outliers].all()


def test_a_point_off_a_tight_manifold_is_found_although_globally_close():
    """A point just off a dense line (small global distance, large local ratio) is flagged."""
    rng = np.random.default_rng(1)
    line = np.c_[np.linspace(0, 10, 400), rng.normal(scale=0.01, size=400)]
    wide = rng.normal(size=(400, 2)) * 3 + [30, 0]
    off = np.array([[5.0, 0.5]])
    X = np.vstack([line, wide, off])
    found = find_data_issues(X, checks="outlier")
    score = found.issues["outlier_score"].to_numpy()
    assert found.issues["is_outlier_issue"].iloc[-1]
    assert score[-1] <= np.sort(score)[2]


def test_probs_only_uses_entropy():
    """Without features, uniform probabilities score 0 and confident ones near 1."""
    probs = np.vstack([np.full((1, 4), 0.25), np.tile([0.97, 0.01, 0.01, 0.01], (50, 1))])
    labels = np.r_[0, np.zeros(50, dtype=int)]
    labels[1::2] = 1
    found = find_data_issues(labels=labels, probs=probs, checks="outlier")
    score = found.issues["outlier_score"].to_numpy()
    assert score[0] == 0.0 and score[1:].min() > 0.8


def test_distance_ratios_do_not_depend_on_the_row_block(monkeypatch):
    """The neighbours' mean distances by row blocks equal the whole-array computation."""
    from labelwise.checks import NeighborGraph, outlier

    data = blobs_with_issues(seed=2)
    graph = NeighborGraph.build(data.X, k=10, method="exact")
    a = graph.distances.mean(axis=1, dtype=np.float64)
    expected = np.maximum(a / np.median(a), a / a[graph.indices].mean(axis=1))
    for block in (1, 37, 65_536):
        monkeypatch.setattr(outlier, "ROW_BLOCK", block)
        np.testing.assert_array_equal(outlier.distance_ratios(graph.distances, graph.indices), expected)
