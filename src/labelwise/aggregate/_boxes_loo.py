"""Consensus clusters of a box table, and the leave-one-out skill table of ``BoxConsensus``.

:func:`cluster_consensus` is the clustering and fusion step of ``BoxConsensus.fit``.
:func:`leave_one_out_skill` scores each annotator against the consensus of the *other*
annotators of each image it labeled, so that its own box never votes for the box it is scored
against: every (image, annotator) pair becomes a pseudo-image holding the image's boxes less that
annotator's, all pseudo-images are clustered in one pass, and the annotator's boxes are matched to
its pseudo-image's consensus (the jackknife's leave-one-out idea, Quenouille 1956, applied to the
reference rather than to the statistic).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._boxes_input import BoxTable
from ._boxes_match import consensus_clusters, group_medians
from ._boxes_skill import skill_table


def cluster_consensus(
    coords: np.ndarray, annotator: np.ndarray, group: np.ndarray, iou_thr: float, fuse: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cluster the boxes (any order) within their groups and fuse each cluster.

    Returns
    -------
    order : ndarray
        The rows in clustering order (group, coordinates, annotator: not the input's order).
    cluster : ndarray
        The cluster of each row of ``order`` (codes from 0).
    fused : ndarray of shape (n_clusters, 4)
        The per-coordinate median (``fuse="median"``) or mean of each cluster.
    votes : ndarray
        Boxes (one per annotator) in each cluster.
    """
    order = np.lexsort((annotator, *coords.T[::-1], group))
    if len(order) == 0:
        return order, order, np.zeros((0, 4)), order
    cluster = consensus_clusters(coords[order], annotator[order], group[order], iou_thr)
    n = int(cluster.max()) + 1 if len(cluster) else 0
    votes = np.bincount(cluster, minlength=n)
    if fuse == "median":
        fused = group_medians(coords[order], cluster, n)
    else:
        fused = np.column_stack([np.bincount(cluster, weights=coords[order, k], minlength=n) for k in range(4)])
        fused /= np.maximum(votes, 1)[:, None]
    return order, cluster, fused, votes


def leave_one_out_skill(
    table: BoxTable,
    pairs: np.ndarray,
    iou_thr: float,
    min_votes: int | None,
    fuse: str,
    *,
    index_name: str = "annotator",
) -> pd.DataFrame:
    """Each annotator's boxes against the consensus of the other annotators of each image it labeled.

    ``pairs`` are the distinct (image, annotator) codes that were labeled, sorted (as
    :func:`~labelwise.aggregate._boxes_input.read_labeled` returns them). The other annotators'
    consensus keeps a cluster drawn by the votes that, with the annotator's own, make a consensus
    box: ``min_votes - 1`` of them (at least 1), or by default at least half of them (``n // 2``
    of the image's ``n`` annotators: 1 of the 2 others of 3 annotators, 2 of 4). An image the
    annotator labeled alone has no consensus to score against and is left out of its row
    (``n_images`` counts the images scored).
    """
    n_ann, n_labels = len(table.annotators), max(len(table.labels), 1)
    labelers = np.bincount(pairs[:, 0], minlength=len(table.images))
    pairs = pairs[labelers[pairs[:, 0]] >= 2]
    pair_image, pair_ann = pairs[:, 0], pairs[:, 1]
    by_image = np.argsort(table.image, kind="stable")
    per_image = np.bincount(table.image, minlength=len(table.images))
    first = np.r_[0, np.cumsum(per_image)[:-1]]
    # every pair's pseudo-image: all boxes of its image, less its annotator's
    count = per_image[pair_image]
    pseudo = np.repeat(np.arange(len(pairs)), count)
    within = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    rows = by_image[np.repeat(first[pair_image], count) + within]
    others = table.annotator[rows] != pair_ann[pseudo]
    rows, pseudo = rows[others], pseudo[others]
    group = pseudo * n_labels + table.label[rows]
    order, cluster, fused, votes = cluster_consensus(table.coords[rows], table.annotator[rows], group, iou_thr, fuse)
    n = len(votes)
    ref_pseudo = np.empty(n, dtype=np.int64)
    ref_label = np.empty(n, dtype=np.int64)
    ref_pseudo[cluster], ref_label[cluster] = pseudo[order], table.label[rows][order]
    # the votes that, with the annotator's own, would make the cluster a consensus box: half the others
    need = labelers[pair_image[ref_pseudo]] // 2 if min_votes is None else np.full(n, max(int(min_votes) - 1, 1))
    keep = votes >= need
    # the annotators' own boxes, each on the pseudo-image of its (image, annotator) pair
    key = pair_image * n_ann + pair_ann
    own_key = table.image * n_ann + table.annotator
    at = np.minimum(np.searchsorted(key, own_key), max(len(key) - 1, 0))
    scored = (key[at] == own_key) if len(key) else np.zeros(table.n_boxes, dtype=bool)
    own = BoxTable(
        at[scored],
        table.annotator[scored],
        table.label[scored],
        table.coords[scored],
        table.score[scored],
        pd.RangeIndex(len(pairs)),
        table.annotators,
        table.labels,
    )
    return skill_table(
        own,
        np.arange(len(pairs)),
        pair_ann,
        fused[keep],
        ref_pseudo[keep],
        ref_label[keep],
        iou_thr,
        index_name=index_name,
    )
