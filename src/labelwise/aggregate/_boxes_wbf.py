"""The clustering pass of weighted boxes fusion, run on every (image, class) group at once.

WBF visits a group's boxes by decreasing score; each box joins the fused box it overlaps most when
that IoU exceeds the threshold, else it starts a new cluster, and the joined cluster's fused box
becomes the score-weighted mean of its members (Solovyev, Wang & Gabruseva 2021, Algorithm 1).
The visit is sequential within a group, but the groups are independent, so this pass visits the
r-th box of every group in one vectorised step: ``max(group size)`` steps in all, each one IoU
matrix of (active groups x their clusters). Groups are sorted by size and taken in blocks whose
padded arrays stay under ``block_cells`` (one large group does not pad every other group to its size).
"""

from __future__ import annotations

import numpy as np

from ._boxes_input import group_starts, rowwise_iou

#: Padded (group x cluster) cells per block: 4M cells hold ~160 MB of float64 sums and fused boxes.
BLOCK_CELLS = 1 << 22


def _blocks(sizes: np.ndarray, block_cells: int) -> list[tuple[int, int]]:
    """Consecutive ranges of the size-sorted groups whose (count x largest size) stays under ``block_cells``."""
    out, start = [], 0
    n = len(sizes)
    while start < n:
        # sizes ascend: the block [start, stop) costs (stop - start) * sizes[stop - 1]
        fits = np.arange(1, n - start + 1) * sizes[start:] <= block_cells
        stop = start + max(1, int(np.argmin(fits)) if not fits.all() else n - start)
        out.append((start, stop))
        start = stop
    return out


def wbf_clusters(
    coords: np.ndarray, weight: np.ndarray, group: np.ndarray, iou_thr: float, *, block_cells: int | None = None
) -> np.ndarray:
    """The cluster of each box, numbered within its group from 0 in the order clusters are opened.

    ``coords`` (``(n, 4)``), ``weight`` (score x annotator weight) and ``group`` must be sorted by
    group, then by decreasing score (the visiting order). A box joins the cluster whose current
    fused box it overlaps most when that IoU is > ``iou_thr`` (the first such cluster on ties).
    ``block_cells`` bounds each block's padded cells (default :data:`BLOCK_CELLS`).
    """
    starts, sizes = group_starts(group)
    by_size = np.argsort(sizes, kind="stable")
    local = np.empty(len(group), dtype=np.int64)
    for lo, hi in _blocks(sizes[by_size], BLOCK_CELLS if block_cells is None else block_cells):
        chosen = by_size[lo:hi]
        _cluster_block(coords, weight, starts[chosen], sizes[chosen], iou_thr, local)
    return local


def _cluster_block(
    coords: np.ndarray,
    weight: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    iou_thr: float,
    local: np.ndarray,
) -> None:
    """Cluster the groups starting at ``starts`` (sizes ascending), writing each box's cluster into ``local``."""
    n_groups, width = len(starts), int(sizes[-1])
    sums = np.zeros((n_groups, width, 4))
    weights = np.zeros((n_groups, width))
    fused = np.zeros((n_groups, width, 4))
    n_open = np.zeros(n_groups, dtype=np.int64)
    for r in range(width):
        first = int(np.searchsorted(sizes, r, side="right"))  # groups with more than r boxes: a suffix
        active = np.arange(first, n_groups)
        rows = starts[first:] + r
        box, w = coords[rows], weight[rows]
        if r == 0:
            slot = np.zeros(len(active), dtype=np.int64)
            n_open[active] = 1
        else:
            n_cols = int(n_open[first:].max())
            iou = rowwise_iou(box[:, None, :], fused[first:, :n_cols])
            iou[np.arange(n_cols)[None, :] >= n_open[first:, None]] = -1.0
            best = np.argmax(iou, axis=1)
            join = iou[np.arange(len(active)), best] > iou_thr
            slot = np.where(join, best, n_open[first:])
            n_open[first:] += ~join
        sums[active, slot] += w[:, None] * box
        weights[active, slot] += w
        fused[active, slot] = sums[active, slot] / weights[active, slot][:, None]
        local[rows] = slot
