"""underperforming_group: a cluster whose labels are mixed up is flagged."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import find_data_issues
from labelwise.errors import InvalidParameterError


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


def test_labels_no_better_than_chance_flag_no_group_and_say_why():
    """Probabilities of the given labels below chance overall: no group can be judged against the
    data set's level, so nothing is flagged (it flagged every row) and the summary gives the reason."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 4))
    y = rng.integers(0, 3, 60)
    probs = np.full((60, 3), 0.4)
    probs[np.arange(60), y] = 0.2  # every given label below 1/K
    found = find_data_issues(X, y, probs=probs, checks=["underperforming_group"])
    assert not found.issues["is_underperforming_group_issue"].any()
    row = found.summary.set_index("check").loc["underperforming_group"]
    assert row["status"] == "ran" and "not above chance" in row["reason"]


def test_user_groups_replace_the_clusters():
    """Given groups, the group with noisy labels is flagged as a whole."""
    X, y, bad = _data()
    found = find_data_issues(X, y, groups=np.where(bad, "night", "day"), checks=["underperforming_group"])
    flagged = found.issues["is_underperforming_group_issue"].to_numpy()
    assert flagged[bad].all() and not flagged[~bad].any()
    assert found.info["underperforming_group"]["groups_from"] == "user groups"


def _groups_with_noise(seed=0):
    """600 rows in four blobs (groups 0-3); the rows of blob 3 have coin-flip labels."""
    X, y, bad = _data(seed)
    return X, y, bad, np.repeat(np.arange(4), 150)


@pytest.mark.parametrize("dtype", [int, float, object])
def test_group_minus_one_means_no_group_and_is_never_judged(dtype):
    """Rows of group -1 (scikit-learn's and Datalab's noise label) are in no group: with the coin-flip
    rows marked -1 nothing is flagged, they score 1, and the other groups are judged as before."""
    X, y, bad, g = _groups_with_noise()
    groups = np.where(bad, -1, g).astype(dtype)
    found = find_data_issues(X, y, groups=groups, checks=["underperforming_group"])
    assert not found.issues["is_underperforming_group_issue"].any()
    np.testing.assert_array_equal(found.issues["underperforming_group_score"].to_numpy()[bad], 1.0)
    info = found.info["underperforming_group"]
    assert info["rows_in_no_group"] == bad.sum() and info["n_groups"] == 3
    assert set(info["group"]) == {-1, 0, 1, 2}


def test_sklearn_dbscan_labels_can_be_passed_as_groups():
    """DBSCAN's noise rows (-1) are left out; its clusters are judged (the noisy blob is flagged)."""
    from sklearn.cluster import DBSCAN

    X, y, bad, _ = _groups_with_noise()
    labels = DBSCAN(eps=0.8, min_samples=8).fit_predict(X)
    assert (labels == -1).any()
    found = find_data_issues(X, y, groups=labels, checks=["underperforming_group"])
    flagged = found.issues["is_underperforming_group_issue"].to_numpy()
    assert not flagged[labels == -1].any()
    np.testing.assert_array_equal(found.issues["underperforming_group_score"].to_numpy()[labels == -1], 1.0)
    assert flagged[bad & (labels >= 0)].all() and not flagged[~bad].any()


def test_the_string_minus_one_is_an_ordinary_group():
    """Only the number -1 means no group; a group named "-1" is judged like any other."""
    X, y, bad, g = _groups_with_noise()
    found = find_data_issues(X, y, groups=np.where(bad, "-1", g.astype(str)), checks=["underperforming_group"])
    assert found.issues["is_underperforming_group_issue"].to_numpy()[bad].all()


def test_every_row_in_no_group_flags_nothing():
    """Groups all -1: no group to judge, nothing flagged."""
    X, y, _, _ = _groups_with_noise()
    found = find_data_issues(X, y, groups=np.full(len(y), -1), checks=["underperforming_group"])
    assert not found.issues["is_underperforming_group_issue"].any()
    assert found.info["underperforming_group"]["n_groups"] == 0


def _small_bad_group():
    """Probs that put 0.9 on each given label, but a 3-row group whose labels get 0.05."""
    rng = np.random.default_rng(4)
    y = rng.integers(0, 3, 300)
    probs = np.full((300, 3), 0.05)
    probs[np.arange(300), y] = 0.9
    groups = rng.integers(0, 5, 300)
    groups[:3] = 5
    probs[:3] = np.roll(probs[:3], 1, axis=1)  # the given label of rows 0-2 now gets 0.05
    return y, probs, groups


def test_user_groups_under_min_group_size_are_not_judged():
    """A 3-row group whose labels are all wrong is below the default minimum (5): not flagged, and
    counted in ``info``; with ``min_group_size=1`` it is judged and flagged."""
    y, probs, groups = _small_bad_group()
    found = find_data_issues(labels=y, probs=probs, groups=groups, checks=["underperforming_group"])
    assert not found.issues["is_underperforming_group_issue"].any()
    assert found.info["underperforming_group"]["small_groups"] == 1
    judged = find_data_issues(
        labels=y,
        probs=probs,
        groups=groups,
        checks=["underperforming_group"],
        check_options={"underperforming_group": {"min_group_size": 1}},
    )
    flagged = judged.issues["is_underperforming_group_issue"].to_numpy()
    assert flagged[:3].all() and not flagged[3:].any()


@pytest.mark.parametrize("bad", [0, -2, 2.5, "5", True])
def test_min_group_size_must_be_a_positive_integer(bad):
    """The option is checked and named in the error."""
    y, probs, groups = _small_bad_group()
    with pytest.raises(InvalidParameterError, match=r"min_group_size.*integer >= 1"):
        find_data_issues(
            labels=y,
            probs=probs,
            groups=groups,
            checks=["underperforming_group"],
            check_options={"underperforming_group": {"min_group_size": bad}},
        )


def _dbscan_whole_arrays(graph, min_cluster_size):
    """The graph-DBSCAN on whole n x k arrays (the implementation before the row blocks), as the reference."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n, k = graph.indices.shape
    reach = graph.distances[:, min(max(2, k // 2), k) - 1]
    eps = float(np.median(reach))
    core = reach <= eps
    near = graph.distances <= eps
    rows, cols = np.nonzero(near & core[:, None] & core[graph.indices])
    adj = coo_matrix((np.ones(rows.size, dtype=np.int8), (rows, graph.indices[rows, cols])), shape=(n, n))
    _, comp = connected_components(adj.tocsr(), directed=True, connection="weak")
    labels = np.where(core, comp, -1)
    border_ok = near & core[graph.indices] & ~core[:, None]
    has = border_ok.any(axis=1)
    first = np.argmax(border_ok, axis=1)
    labels[has] = comp[graph.indices[has, first[has]]]
    clustered = labels >= 0
    sizes = np.bincount(labels[clustered])
    labels[clustered & (sizes[np.maximum(labels, 0)] < min_cluster_size)] = -1
    noise = labels < 0
    clustered_nb = labels[graph.indices[noise]] >= 0
    has = clustered_nb.any(axis=1)
    rows = np.flatnonzero(noise)[has]
    labels[rows] = labels[graph.indices[rows, np.argmax(clustered_nb[has], axis=1)]]
    _, codes = np.unique(labels[labels >= 0], return_inverse=True)
    labels[labels >= 0] = codes
    return labels


def test_graph_dbscan_by_row_blocks_equals_the_whole_array_version(monkeypatch):
    """Every block size gives the clusters of the whole-array implementation, on clustered and on uniform data."""
    from labelwise.checks import NeighborGraph, underperforming_group

    X, _, _ = _data(seed=4)
    uniform = np.random.default_rng(5).uniform(size=(500, 3))
    for features, size in ((X, 10), (uniform, 5), (uniform, 40)):
        graph = NeighborGraph.build(features, k=10, method="exact")
        expected = _dbscan_whole_arrays(graph, size)
        assert (expected >= 0).any()
        assert features is uniform or len(np.unique(expected)) >= 4  # the four blobs
        for block in (1, 33, 16_384):
            monkeypatch.setattr(underperforming_group, "ROW_BLOCK", block)
            np.testing.assert_array_equal(underperforming_group.graph_dbscan(graph, size), expected)


def test_group_scores_are_the_same_with_or_without_the_label_check():
    """The group check reads the given label's vote left by the label check, or counts it itself: same scores."""
    X, y, _ = _data(seed=6)
    alone = find_data_issues(X, y, checks=["underperforming_group"])
    after = find_data_issues(X, y, checks=["label", "underperforming_group"])
    for col in ("underperforming_group_score", "is_underperforming_group_issue"):
        np.testing.assert_array_equal(alone.issues[col], after.issues[col])


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 120),
    k=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    block=st.integers(1, 130),
)
def test_core_components_equal_scipy_at_any_block_size(n, k, seed, block):
    """Hooking and pointer jumping by row blocks give scipy's weak components of the core pairs, each
    labelled by its smallest row (so they sort as scipy numbers them), whatever the block size."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from labelwise.checks import NeighborGraph, underperforming_group

    k = min(k, n - 1) if n > 1 else 1
    rng = np.random.default_rng(seed)
    indices = np.stack([rng.choice(np.delete(np.arange(n), i), k, replace=False) for i in range(n)])
    distances = np.sort(rng.uniform(size=(n, k)).astype(np.float32), axis=1)
    graph = NeighborGraph(indices=indices, distances=distances)
    core = rng.random(n) < 0.7
    eps = float(rng.uniform(0.1, 1.0))
    rows, cols = np.nonzero((distances <= eps) & core[indices] & core[:, None])
    adj = coo_matrix((np.ones(rows.size, dtype=np.int8), (rows, indices[rows, cols])), shape=(n, n)).tocsr()
    _, expected = connected_components(adj, directed=True, connection="weak")
    old = underperforming_group.ROW_BLOCK
    try:
        underperforming_group.ROW_BLOCK = block
        found = underperforming_group.core_components(graph, core, eps)
    finally:
        underperforming_group.ROW_BLOCK = old
    smallest = np.full(n, n)
    np.minimum.at(smallest, expected, np.arange(n))
    np.testing.assert_array_equal(found, smallest[expected])
    # the same partition in the same order: scipy numbers components by their smallest row
    np.testing.assert_array_equal(np.unique(found, return_inverse=True)[1].ravel(), expected)


def test_a_graph_of_one_neighbour_per_row_is_clustered_on_that_neighbour():
    """k = 1: DBSCAN's m-th neighbour is the first (it read a second one that does not exist)."""
    from labelwise.checks import NeighborGraph, underperforming_group

    X, _, _ = _data(seed=6)
    graph = NeighborGraph.build(X, k=1, method="exact")
    clusters = underperforming_group.graph_dbscan(graph, 3)
    assert (clusters >= 0).any()
    np.testing.assert_array_equal(clusters, _dbscan_whole_arrays(graph, 3))
    assert underperforming_group.core_neighbour(1) == 1 and underperforming_group.core_neighbour(10) == 5


def test_labels_whose_mean_quality_is_exactly_chance_judge_no_group_however_the_sum_rounds():
    """Half the rows' given labels at 0.9 and half at 0.1 (two classes): the mean is chance in exact
    arithmetic; memory's float sum came out a few ulps above it and judged the groups, a chunked
    sum below it and did not. Both now read it as not above chance."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = rng.integers(0, 2, 60)
    groups = np.array([1] * 26 + [0] * 26 + [1, 0, 0, 0, 1, 1, 1, 0])
    good = np.where(np.arange(2) == y[:, None], 0.9, 0.1)
    probs = np.where((groups == 1)[:, None], 1.0 - good, good)
    result = find_data_issues(X, y, probs=probs, groups=groups, checks=["underperforming_group"])
    assert not result.issues["is_underperforming_group_issue"].any()
    assert "not above chance" in result.summary.loc[0, "reason"]


def _tied_group_rows(q_other: float, q_group: float, seed: int = 1):
    """Two groups of 20 rows whose given labels have quality ``q_other`` and ``q_group``: with
    ``q_group = 0.5 + (q_other - 0.5) / 3`` the second group's score is 0.5 in exact arithmetic."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 40)
    groups = np.repeat([0, 1], 20)
    q = np.where(groups == 1, q_group, q_other)
    probs = np.where(np.arange(2) == y[:, None], q[:, None], 1 - q[:, None])
    return rng.normal(size=(40, 2)), y, probs, groups


def test_a_group_whose_score_equals_the_threshold_is_not_weak_however_its_sums_round():
    """Scores of 0.5 in exact arithmetic came out 0.49999999999999895 in memory (flagged) and a few
    ulps above in chunked sums (not flagged); a tie is now not below the threshold."""
    for q_other, q_group in [(0.9, 0.6333333333333333), (0.7, 0.5666666666666667), (0.99, 0.6633333333333333)]:
        X, y, probs, groups = _tied_group_rows(q_other, q_group)
        result = find_data_issues(X, y, probs=probs, groups=groups, checks=["underperforming_group"])
        assert abs(result.issues["underperforming_group_score"].iloc[-1] - 0.5) < 1e-12
        assert not result.issues["is_underperforming_group_issue"].any()
        assert result.info["underperforming_group"]["weak_groups"] == []
