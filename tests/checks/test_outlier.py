"""outlier: off-manifold points and points only too far out, and the probs-only fallback."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from labelwise.checks import find_data_issues, outlier
from labelwise.errors import InvalidParameterError

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


def _confident_probs(n=2000, K=10, n_uniform=20, seed=0):
    """A confident model's probabilities (entropies piled up near 0) and ``n_uniform`` rows near uniform."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, K, n)
    logits = rng.normal(size=(n, K))
    logits[np.arange(n), labels] += rng.normal(9.0, 2.0, n)
    logits[:n_uniform] = rng.normal(scale=0.1, size=(n_uniform, K))
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    return labels, probs / probs.sum(axis=1, keepdims=True)


def test_probs_only_flags_the_near_uniform_rows_of_a_confident_model_and_few_others():
    """Entropies piled up near 0 put a fence on them among ordinary rows; the median ratio flags
    the near-uniform rows and under 1% of the rest."""
    labels, probs = _confident_probs()
    found = find_data_issues(labels=labels, probs=probs, checks="outlier")
    flagged = found.issues["is_outlier_issue"].to_numpy()
    assert flagged[:20].all()
    assert flagged[20:].mean() < 0.01
    score = found.issues["outlier_score"].to_numpy()
    assert found.info["outlier"]["cutoff_score"] == pytest.approx(outlier.RATIO * np.median(score))


def test_probs_only_does_not_flag_every_row_off_an_atom_of_one_hot_predictions():
    """A forest predicts most rows one-hot: their entropies are all equal and the IQR is 0, so a
    fence flagged every other row; the ratio flags only the rows near uniform."""
    rng = np.random.default_rng(1)
    probs = np.zeros((1000, 4))
    probs[np.arange(1000), rng.integers(0, 4, 1000)] = 1.0
    probs[800:990] = rng.dirichlet(np.full(4, 0.3), 190)  # ordinary hesitations
    probs[990:] = 0.25  # knows nothing
    found = find_data_issues(labels=probs.argmax(axis=1), probs=probs, checks="outlier")
    flagged = found.issues["is_outlier_issue"].to_numpy()
    assert flagged[990:].all() and flagged[:800].sum() == 0
    assert flagged[800:990].mean() < 0.1


def test_probs_only_ratio_option():
    """``ratio`` 0 flags nothing, 1 flags the rows below the median score; it must be in [0, 1]."""
    labels, probs = _confident_probs()
    none = find_data_issues(labels=labels, probs=probs, checks="outlier", check_options={"outlier": {"ratio": 0}})
    assert not none.issues["is_outlier_issue"].any()
    half = find_data_issues(labels=labels, probs=probs, checks="outlier", check_options={"outlier": {"ratio": 1}})
    score = half.issues["outlier_score"].to_numpy()
    np.testing.assert_array_equal(half.issues["is_outlier_issue"], score < np.median(score))
    for bad in (-0.1, 1.5, "0.1", True):
        with pytest.raises(InvalidParameterError, match=r"\['ratio'\] must be a number in \[0, 1\]"):
            find_data_issues(labels=labels, probs=probs, checks="outlier", check_options={"outlier": {"ratio": bad}})
