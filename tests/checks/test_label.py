"""label: confident learning on probs, or on the neighbours' votes without them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.checks import find_data_issues
from labelwise.errors import InvalidLabelsError

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


def test_feature_only_score_orders_by_votes_first_then_by_the_distance_weighted_vote():
    """The tie-break never reorders rows whose agreeing-neighbour counts differ; within a count, nearer agreement wins."""
    from labelwise.checks import NeighborGraph
    from labelwise.checks.label import neighbour_vote_probs, weighted_agreement

    data = blobs_with_issues()
    graph = NeighborGraph.build(data.X, k=10, method="exact")
    score = find_data_issues(data.X, data.y, checks="label", graph=graph).issues["label_score"].to_numpy()
    votes = neighbour_vote_probs(graph, data.y, 3)[np.arange(len(data.y)), data.y]
    weighted = weighted_agreement(graph, data.y)
    assert ((score >= 0) & (score <= 1)).all()
    order = np.argsort(score, kind="stable")
    assert (np.diff(votes[order]) >= -1e-12).all()  # sorted by score means sorted by votes
    same = votes[:, None] == votes[None, :]
    assert ((np.sign(score[:, None] - score[None, :]) == np.sign(weighted[:, None] - weighted[None, :])) | ~same).all()


def test_weighted_agreement_prefers_near_agreeing_neighbours_and_survives_zero_distances():
    """Two rows with one agreeing neighbour of two: the one whose agreeing neighbour is nearer scores higher."""
    from labelwise.checks import NeighborGraph
    from labelwise.checks.label import weighted_agreement

    graph = NeighborGraph(
        indices=np.array([[1, 2], [0, 2], [3, 0], [2, 0]]),
        distances=np.array([[1.0, 1.0], [1.0, 3.0], [0.0, 3.0], [0.0, 0.0]], dtype=np.float32),
    )
    labels = np.array([0, 0, 1, 1])
    w = weighted_agreement(graph, labels)
    assert np.isfinite(w).all() and w[0] == 0.5  # equal distances: the plain share
    assert 0.99 < w[2] < 1.0 and w[3] == 0.5  # a twin at distance 0 weighs much more, not infinitely
    near_other = NeighborGraph(indices=np.array([[2, 1]]), distances=np.array([[1.0, 3.0]], dtype=np.float32))
    far_other = NeighborGraph(indices=np.array([[1, 2]]), distances=np.array([[1.0, 3.0]], dtype=np.float32))
    lab = np.array([0, 0, 1])
    assert weighted_agreement(far_other, lab)[0] > weighted_agreement(near_other, lab)[0]


def test_votes_and_weighted_agreement_do_not_depend_on_the_row_block(monkeypatch):
    """The blocked computations give the same values for any block size, and the votes are the smoothed counts."""
    from labelwise.checks import NeighborGraph, label

    data = blobs_with_issues()
    graph = NeighborGraph.build(data.X, k=10, method="exact")
    whole = label.weighted_agreement(graph, data.y)
    votes = label.neighbour_vote_probs(graph, data.y, 3)
    monkeypatch.setattr(label, "ROW_BLOCK", 7)
    np.testing.assert_array_equal(label.weighted_agreement(graph, data.y), whole)
    np.testing.assert_array_equal(label.neighbour_vote_probs(graph, data.y, 3), votes)
    counts = np.stack([(data.y[graph.indices] == c).sum(axis=1) for c in range(3)], axis=1)
    np.testing.assert_allclose(votes, (counts + 1 / 3) / 11)


def test_given_label_vote_equals_the_votes_column_of_the_given_label(monkeypatch):
    """The group check's n-vector is exactly the n x K votes read at the given labels, for any row block."""
    from labelwise.checks import NeighborGraph, label

    data = blobs_with_issues(seed=3)
    graph = NeighborGraph.build(data.X, k=10, method="exact")
    votes = label.neighbour_vote_probs(graph, data.y, 3)
    expected = votes[np.arange(len(data.y)), data.y]
    for block in (5, 64, 65_536):
        monkeypatch.setattr(label, "ROW_BLOCK", block)
        np.testing.assert_array_equal(label.neighbour_vote_given(graph, data.y, 3), expected)
    np.testing.assert_array_equal(label.given_label_probs(votes, data.y), expected)


def test_votes_computed_by_chunk_give_the_dense_tables_flags_and_scores():
    """Votes read as rows computed per chunk give confident learning on the whole n x K vote table,
    whatever the chunk size; the check takes that path when the table outweighs the graph (k = 1
    here) and the same result comes out either way."""
    from labelwise._rows import ComputedRows
    from labelwise.checks import label
    from labelwise.checks.graph import NeighborGraph

    data = blobs_with_issues()
    for k in (1, 7):
        graph = NeighborGraph.build(data.X, k=k)
        dense = label.neighbour_vote_probs(graph, data.y, 3)
        counts = np.array([np.bincount(data.y[row], minlength=3) for row in graph.indices])
        np.testing.assert_array_equal(dense, (counts + 1.0 / 3) / (k + 1.0))
        ref = lw.find_label_issues(data.y, dense)
        rows = label.neighbour_vote_rows(graph, data.y, 3)
        np.testing.assert_array_equal(rows[:], dense)
        assert isinstance(label.vote_source(graph, data.y, 3), ComputedRows) == (k == 1)
        for chunk_rows in (None, 1, 17, len(data.y)):
            got = lw.find_label_issues(data.y, rows, chunk_rows=chunk_rows)
            np.testing.assert_array_equal(got.is_issue, ref.is_issue)
            np.testing.assert_array_equal(got.label_quality, ref.label_quality)
            np.testing.assert_array_equal(got.ranked_indices, ref.ranked_indices)
        found = find_data_issues(data.X, data.y, checks="label", k=k)
        np.testing.assert_array_equal(found.issues["is_label_issue"], ref.is_issue)


@settings(max_examples=15, deadline=None)
@given(chunk=st.integers(1, 700))
def test_label_columns_do_not_depend_on_the_vote_chunk(chunk):
    """The label check reads the computed votes in chunks of ``VOTE_CHUNK_ROWS``: any chunk size gives
    the same flags, scores and labels (k = 1, so the votes are computed per chunk)."""
    from labelwise.checks import label

    data = blobs_with_issues()
    ref = find_data_issues(data.X, data.y, checks="label", k=1).issues
    old = label.VOTE_CHUNK_ROWS
    try:
        label.VOTE_CHUNK_ROWS = chunk
        got = find_data_issues(data.X, data.y, checks="label", k=1).issues
    finally:
        label.VOTE_CHUNK_ROWS = old
    pd.testing.assert_frame_equal(got, ref, check_exact=True)


def test_one_class_without_probs_is_a_labels_error_not_a_probs_error():
    """One class and no probs said 'probs must have at least 2 columns' (probs the user never gave); now the labels."""
    X = np.random.default_rng(0).normal(size=(40, 3))
    with pytest.raises(
        InvalidLabelsError, match=r"labels must contain at least 2 classes for the label check, got 1 \('cat'\)"
    ):
        find_data_issues(X, labels=["cat"] * 40)
    others = find_data_issues(X, labels=["cat"] * 40, checks=["outlier", "class_imbalance"])
    assert others.summary["status"].tolist() == ["ran", "ran"]
