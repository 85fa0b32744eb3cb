"""underperforming_group: a cluster whose labels are mixed up is flagged."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _dbscan_whole_arrays(graph, min_cluster_size):
    """The graph-DBSCAN on whole n x k arrays (the implementation before the row blocks), as the reference."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n, k = graph.indices.shape
    reach = graph.distances[:, max(2, k // 2) - 1]
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
