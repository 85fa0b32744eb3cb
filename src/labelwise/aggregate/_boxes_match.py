"""Matching boxes across annotators (consensus clusters) and against a reference (skill, accuracy).

:func:`consensus_clusters` clusters each (image, class) group by complete linkage on ``1 - IoU``
with boxes of one annotator kept apart, so every cluster holds at most one box per annotator and
every two of its boxes overlap at IoU >= the threshold. :func:`match_to_reference` pairs boxes
one to one with reference boxes of the same image and class, greedily by decreasing IoU (the
PASCAL VOC / COCO matching rule, with IoU instead of the detector's score as the order).
:func:`group_medians` is the per-cluster, per-coordinate median by one sort per coordinate.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform

from ._boxes_input import pairwise_iou, rowwise_iou

#: Distance given to two boxes of one annotator: above any 1 - IoU, so complete linkage never joins them.
APART = 2.0


def consensus_clusters(coords: np.ndarray, annotator: np.ndarray, group: np.ndarray, iou_thr: float) -> np.ndarray:
    """The cluster of each box (codes from 0), boxes sorted by group.

    Complete linkage (Müllner 2011) on ``1 - IoU`` with :data:`APART` between boxes of one
    annotator, cut at ``1 - iou_thr``, within each group. Two clusters join only when every pair
    across them is an edge (IoU >= ``iou_thr``, annotators differ), so the clusters never cross
    the connected components of that edge graph: the components, found for all groups at once,
    that are cliques are clusters as they are, and scipy's linkage runs only on the others.
    """
    n = len(group)
    i, j = overlapping_pairs(group, coords, group, coords)
    upper = i < j
    i, j = i[upper], j[upper]
    edge = (annotator[i] != annotator[j]) & (rowwise_iou(coords[i], coords[j]) >= iou_thr)
    i, j = i[edge], j[edge]
    graph = sp.coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n)).tocsr()
    n_comp, comp = connected_components(graph, directed=False)
    size = np.bincount(comp, minlength=n_comp)
    edges = np.bincount(comp[i], minlength=n_comp)
    cluster = comp.copy()
    next_code = n_comp
    members = np.argsort(comp, kind="stable")
    starts = np.r_[0, np.cumsum(size)[:-1]]
    cut = 1.0 - iou_thr + 1e-12
    for c in np.flatnonzero(edges < size * (size - 1) // 2):  # not a clique: cut its complete-linkage tree
        rows = members[starts[c] : starts[c] + size[c]]
        box = coords[rows]
        distance = 1.0 - pairwise_iou(box, box)
        who = annotator[rows]
        distance[who[:, None] == who[None, :]] = APART
        np.fill_diagonal(distance, 0.0)
        flat = fcluster(linkage(squareform(distance, checks=False), method="complete"), t=cut, criterion="distance")
        cluster[rows] = np.where(flat == flat[0], c, next_code + flat - 1)  # the first box keeps the code c
        next_code += int(flat.max())
    _, codes = np.unique(cluster, return_inverse=True)
    return codes.astype(np.int64)


def group_medians(values: np.ndarray, cluster: np.ndarray, n_clusters: int) -> np.ndarray:
    """Median of each column of ``values`` (``(n, k)``) within each cluster (the mean of the two middle values)."""
    sizes = np.bincount(cluster, minlength=n_clusters)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    lower, upper = starts + (sizes - 1) // 2, starts + sizes // 2
    out = np.empty((n_clusters, values.shape[1]))
    for k in range(values.shape[1]):
        ordered = values[np.lexsort((values[:, k], cluster)), k]
        out[:, k] = (ordered[lower] + ordered[upper]) / 2
    return out


def _starting_within(
    g_owner: np.ndarray, lo: np.ndarray, hi: np.ndarray, g_other: np.ndarray, other_lo: np.ndarray, strict: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with ``g_owner[i] == g_other[j]`` and ``other_lo[j]`` in ``[lo[i], hi[i])``
    (``(lo[i], hi[i])`` where ``strict``), by one sort of integer keys (group, rank of the edge)."""
    _, rank = np.unique(np.concatenate([lo, hi, other_lo]), return_inverse=True)
    n, span = len(lo), int(rank.max()) + 2 if len(rank) else 1
    key_lo = g_owner * span + rank[:n]
    key_hi = g_owner * span + rank[n : 2 * n]
    other_key = g_other * span + rank[2 * n :]
    order = np.argsort(other_key, kind="stable")
    sorted_key = other_key[order]
    start = np.searchsorted(sorted_key, key_lo, side="right" if strict else "left")
    count = np.clip(np.searchsorted(sorted_key, key_hi, side="left") - start, 0, None)
    i = np.repeat(np.arange(n), count)
    within = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return i, order[np.repeat(start, count) + within]


def overlapping_pairs(ga: np.ndarray, a: np.ndarray, gb: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with ``ga[i] == gb[j]`` (group codes) whose boxes' x ranges overlap: the only
    pairs that can have IoU > 0 (boxes have ``x_max > x_min``).

    A sweep on the left edges, not every pair of a group: pair j starts within box i's x range, or
    box i starts strictly within pair j's, so an image with thousands of boxes spread over it costs
    memory in its overlapping pairs, not in the square of its boxes.
    """
    i1, j1 = _starting_within(ga, a[:, 0], a[:, 2], gb, b[:, 0], strict=False)
    j2, i2 = _starting_within(gb, b[:, 0], b[:, 2], ga, a[:, 0], strict=True)
    return np.concatenate([i1, i2]), np.concatenate([j1, j2])


def match_to_reference(
    coords: np.ndarray,
    group: np.ndarray,
    owner: np.ndarray,
    ref_coords: np.ndarray,
    ref_group: np.ndarray,
    iou_thr: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Match each box to at most one reference box of its ``group`` (image and class) at IoU >=
    ``iou_thr``, and each reference box to at most one box of each ``owner`` (annotator: every
    annotator is matched against the reference on its own, all at once).

    Greedy by decreasing IoU, in rounds: every pair that is the best of both its box and its
    (reference box, owner) is taken, and both leave; the round's best pair is always taken, so the
    rounds end, and the result is the one-by-one greedy order's (ties aside).

    Returns
    -------
    matched : ndarray of int64
        The reference index of each box, -1 where none.
    iou : ndarray of float64
        The IoU with it, NaN where none.
    """
    i, j = overlapping_pairs(group, coords, ref_group, ref_coords)
    iou = rowwise_iou(coords[i], ref_coords[j])
    keep = iou >= iou_thr
    i, j, iou = i[keep], j[keep], iou[keep]
    n_owners = int(owner.max()) + 1 if len(owner) else 1
    matched = np.full(len(group), -1, dtype=np.int64)
    matched_iou = np.full(len(group), np.nan)
    while len(i):
        ref = j * n_owners + owner[i]  # a reference box, as seen by one owner
        take = _best_per(i, ref, iou) & _best_per(ref, i, iou)
        matched[i[take]], matched_iou[i[take]] = j[take], iou[take]
        gone = np.zeros(len(group), dtype=bool)
        gone[i[take]] = True
        stay = ~gone[i] & ~np.isin(ref, ref[take])
        i, j, iou = i[stay], j[stay], iou[stay]
    return matched, matched_iou


def _best_per(owner: np.ndarray, other: np.ndarray, iou: np.ndarray) -> np.ndarray:
    """Whether each pair is its ``owner``'s best (highest IoU, then lowest ``other``)."""
    order = np.lexsort((other, -iou, owner))
    first = np.r_[True, owner[order][1:] != owner[order][:-1]]
    best = np.zeros(len(owner), dtype=bool)
    best[order[first]] = True
    return best
