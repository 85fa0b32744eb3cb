"""label: confident learning on probs, or on the neighbours' votes without them."""

from __future__ import annotations

import numpy as np

import labelwise as lw
from labelwise.checks import find_data_issues

from ._data import blobs_with_issues


def test_with_probs_equals_find_label_issues():
    """With probs the check is lw.find_label_issues: same flags, same quality."""
    data = blobs_with_issues()
    probs = np.random.default_rng(0).dirichlet(np.ones(3) * 0.5, size=len(data.y))
    found = find_data_issues(labels=data.y, probs=probs, checks="label")
    ref = lw.find_label_issues(data.y, probs)
    np.testing.assert_array_equal(found.issues["is_label_issue"], ref.is_issue)
    np.testing.assert_allclose(found.issues["label_score"], ref.label_quality)


def test_without_probs_neighbour_votes_rank_the_flipped_labels_worst():
    """On separated blobs the neighbours' votes rank flipped labels worst; flags are mostly flips."""
    from sklearn.metrics import roc_auc_score

    data = blobs_with_issues()
    found = find_data_issues(data.X, data.y, checks="label")
    truth = np.zeros(len(data.y), dtype=bool)
    truth[data.flipped] = True
    assert roc_auc_score(truth, -found.issues["label_score"]) > 0.97
    flagged = found.issues["is_label_issue"].to_numpy()
    assert flagged[truth].sum() >= 5 and flagged[~truth].sum() <= 3
    loose = find_data_issues(
        data.X, data.y, checks="label", check_options={"label": {"filter_by": "predicted_neq_given"}}
    )
    assert loose.issues["is_label_issue"].to_numpy()[truth].all()
    assert found.info["label"]["probs_from"] == "neighbour votes"


def test_string_labels_come_back_as_given():
    """given_label and predicted_label are in the user's label values."""
    data = blobs_with_issues()
    names = np.array(["cat", "dog", "emu"])[data.y]
    found = find_data_issues(data.X, names, checks="label")
    assert set(found.issues["given_label"]) == {"cat", "dog", "emu"}
    assert (found.issues["predicted_label"].isin(["cat", "dog", "emu"])).all()
