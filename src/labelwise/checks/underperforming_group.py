"""``underperforming_group`` check: clusters of the data whose labels are of low quality.

Clusters come from DBSCAN run on the neighbour graph (no new distances): with ``m = max(2, k // 2)``,
a row is a core row when its ``m``-th neighbour lies within ``eps``, the median of that distance
over all rows; core rows within ``eps`` of each other (as graph neighbours) form a cluster, a
non-core row joins the cluster of its nearest core neighbour within ``eps``, and clusters smaller
than ``min_cluster_size`` are dissolved; a row left out then joins the cluster of its nearest
clustered neighbour (one pass), so the sparse rims of clusters are judged with them. Users may give their own ``groups`` instead.

A row's label quality is the predicted probability of its given label (``probs``, or the
neighbours' votes without them); a group's score is its mean quality above chance (``1/K``)
over the data set's mean quality above chance, clipped to [0, 1], and every row of a group scoring below ``threshold`` (0.5) is flagged.

References
----------
Ester, M., Kriegel, H.-P., Sander, J., & Xu, X. (1996). A density-based algorithm for
discovering clusters in large spatial databases with noise. KDD, 226-231.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from .graph import NeighborGraph
from .label import neighbour_vote_probs

THRESHOLD = 0.5


def graph_dbscan(graph: NeighborGraph, min_cluster_size: int = 5) -> np.ndarray:
    """Cluster number of every row, ``-1`` for noise (DBSCAN on the kNN graph)."""
    n, k = graph.indices.shape
    m = max(2, k // 2)
    reach = graph.distances[:, m - 1]
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
    noise = labels < 0  # rows left out join the cluster of their nearest clustered neighbour
    clustered_nb = labels[graph.indices[noise]] >= 0
    has = clustered_nb.any(axis=1)
    rows = np.flatnonzero(noise)[has]
    labels[rows] = labels[graph.indices[rows, np.argmax(clustered_nb[has], axis=1)]]
    _, codes = np.unique(labels[labels >= 0], return_inverse=True)
    labels[labels >= 0] = codes
    return labels


def run(inputs: CheckInputs) -> CheckResult:
    """Flag rows of clusters (or given groups) whose mean label quality is low."""
    labels, classes = inputs.labels, inputs.classes
    assert labels is not None and classes is not None  # guaranteed by ``requires``
    threshold = float(inputs.option("underperforming_group", "threshold", THRESHOLD))
    if inputs.groups is not None:
        groups, source = inputs.groups, "user groups"
    else:
        assert inputs.graph is not None  # without groups, ``requires`` guarantees the graph
        size = int(inputs.option("underperforming_group", "min_cluster_size", max(5, inputs.graph.k)))
        groups, source = graph_dbscan(inputs.graph, size), "graph DBSCAN"
    probs = inputs.cache.get("label_probs")
    if probs is None:
        if inputs.probs is not None:
            probs = inputs.probs
        else:
            assert inputs.graph is not None  # without probs, ``requires`` guarantees the graph
            probs = neighbour_vote_probs(inputs.graph, labels, len(classes))
    quality = probs[np.arange(inputs.n), labels]
    chance = 1.0 / len(classes)
    overall = max(float(quality.mean()) - chance, 1e-12)
    member = groups >= 0
    score = np.ones(inputs.n)
    groups_info = []
    if member.any():
        n_groups = int(groups.max()) + 1
        sums = np.bincount(groups[member], weights=quality[member], minlength=n_groups)
        sizes = np.bincount(groups[member], minlength=n_groups)
        group_score = np.clip((sums / np.maximum(sizes, 1) - chance) / overall, 0.0, 1.0)
        score[member] = group_score[groups[member]]
        weak = np.flatnonzero((group_score < threshold) & (sizes > 0))
        groups_info = [{"group": int(g), "size": int(sizes[g]), "score": float(group_score[g])} for g in weak]
    is_issue = score < threshold
    info = {
        "groups_from": source,
        "n_groups": int(groups.max()) + 1 if member.any() else 0,
        "weak_groups": groups_info,
        "group": groups.tolist() if inputs.n <= 10_000 else None,
    }
    return CheckResult(
        columns("underperforming_group", is_issue, score), summary_row("underperforming_group", is_issue, score), info
    )


CHECK = Check("underperforming_group", requires=(("labels", "graph"), ("labels", "groups", "probs")), run=run)
