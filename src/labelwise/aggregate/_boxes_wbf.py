"""The clustering pass of weighted boxes fusion, run on every (image, class) group at once.

WBF visits a group's boxes by decreasing score; each box joins the fused box it overlaps most when
that IoU exceeds the threshold, else it starts a new cluster, and the joined cluster's fused box
becomes the score-weighted mean of its members (Solovyev, Wang & Gabruseva 2021, Algorithm 1).
The visit is sequential within a group, but the groups are independent, so this pass visits the
r-th box of every group in one vectorised step: ``max(group size)`` steps in all, each one IoU
matrix of (active groups x their clusters). Groups are sorted by size and taken in blocks whose
padded arrays stay under ``block_cells`` (one large group does not pad every other group to its size).

A group of more than :data:`LARGE_GROUP` boxes (a crowded image: a model ensemble's 20,000 boxes)
is visited box by box instead, each box compared only with the clusters that can overlap it: a
cluster's fused box is a weighted mean of its boxes, so it lies inside their bounding rectangle
(the hull), and a grid of cells indexes each cluster under the cells its hull covers. A box that
overlaps no cell of a cluster's hull has IoU 0 with its fused box, which can never exceed the
threshold (> 0), so leaving it out changes nothing: the same IoUs (the same floats) decide, and
the clusters are exactly those of the full comparison, at a cost of the nearby clusters rather
than all of them.
"""

from __future__ import annotations

import numpy as np

from ._boxes_input import group_starts, rowwise_iou

#: Padded (group x cluster) cells per block: 4M cells hold ~160 MB of float64 sums and fused boxes.
BLOCK_CELLS = 1 << 22
#: Groups with more boxes than this are clustered box by box against the nearby clusters only.
LARGE_GROUP = 2048
#: A box or hull covering more grid cells than this is compared with (or a candidate of) every cluster.
WIDE_CELLS = 16


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
    coords: np.ndarray,
    weight: np.ndarray,
    group: np.ndarray,
    iou_thr: float,
    *,
    block_cells: int | None = None,
    large_group: int | None = None,
) -> np.ndarray:
    """The cluster of each box, numbered within its group from 0 in the order clusters are opened.

    ``coords`` (``(n, 4)``), ``weight`` (score x annotator weight) and ``group`` must be sorted by
    group, then by decreasing score (the visiting order). A box joins the cluster whose current
    fused box it overlaps most when that IoU is > ``iou_thr`` (the first such cluster on ties).
    ``block_cells`` bounds each block's padded cells (default :data:`BLOCK_CELLS`); groups of more
    than ``large_group`` boxes (default :data:`LARGE_GROUP`) are clustered by :func:`_cluster_large`.
    """
    starts, sizes = group_starts(group)
    large = sizes > (LARGE_GROUP if large_group is None else large_group)
    local = np.empty(len(group), dtype=np.int64)
    for start, size in zip(starts[large], sizes[large], strict=True):
        rows = slice(int(start), int(start + size))
        local[rows] = _cluster_large(coords[rows], weight[rows], iou_thr)
    starts, sizes = starts[~large], sizes[~large]
    by_size = np.argsort(sizes, kind="stable")
    for lo, hi in _blocks(sizes[by_size], BLOCK_CELLS if block_cells is None else block_cells):
        chosen = by_size[lo:hi]
        _cluster_block(coords, weight, starts[chosen], sizes[chosen], iou_thr, local)
    return local


def _register(index: dict[tuple[int, int], list[int]], slot: int, old: tuple, new: tuple) -> None:
    """List cluster ``slot`` under the cells of its hull's range ``new`` that its ``old`` range did not cover."""
    for cx in range(new[0], new[2] + 1):
        for cy in range(new[1], new[3] + 1):
            if not (old[0] <= cx <= old[2] and old[1] <= cy <= old[3]):
                index.setdefault((cx, cy), []).append(slot)


def _cluster_large(coords: np.ndarray, weight: np.ndarray, iou_thr: float) -> np.ndarray:
    """The clusters of one group's boxes (in visiting order), each box compared with the clusters near it.

    Cells are the group's median box width and height; ``index`` maps a cell to the clusters whose
    hull covers it. A box over more than :data:`WIDE_CELLS` cells is compared with every cluster,
    and a cluster whose hull covers more is in ``wide``, a candidate of every box (so a group of
    very unequal boxes costs at most the full comparison's IoUs).
    """
    n = len(coords)
    cell = np.maximum(np.median(coords[:, 2:] - coords[:, :2], axis=0), 1e-300)
    origin = coords[:, :2].min(axis=0)
    lo_cell = np.floor((coords[:, :2] - origin) / cell).astype(np.int64).tolist()
    hi_cell = np.floor((coords[:, 2:] - origin) / cell).astype(np.int64).tolist()
    sums = np.zeros((n, 4))
    weights = np.zeros(n)
    fused = np.zeros((n, 4))
    hull: list[tuple[int, int, int, int]] = []  # cell range (x0, y0, x1, y1) of each cluster's hull
    index: dict[tuple[int, int], list[int]] = {}
    wide: set[int] = set()
    local = np.empty(n, dtype=np.int64)
    n_open = 0
    for r in range(n):
        x0, y0 = lo_cell[r]
        x1, y1 = hi_cell[r]
        if (x1 - x0 + 1) * (y1 - y0 + 1) > WIDE_CELLS:
            near = set(range(n_open))
        else:
            near = set(wide)
            for cx in range(x0, x1 + 1):
                for cy in range(y0, y1 + 1):
                    near.update(index.get((cx, cy), ()))
        slot = n_open
        if near:
            candidates = np.fromiter(sorted(near), dtype=np.int64, count=len(near))
            iou = rowwise_iou(coords[r], fused[candidates])
            best = int(np.argmax(iou))  # the first of equal IoUs: the lowest code, as over every cluster
            if iou[best] > iou_thr:
                slot = int(candidates[best])
        if slot == n_open:
            n_open += 1
            old = (0, 0, -1, -1)
            new = (x0, y0, x1, y1)
        else:
            old = hull[slot]
            new = (min(old[0], x0), min(old[1], y0), max(old[2], x1), max(old[3], y1))
        if slot == len(hull):
            hull.append(new)
        if new != old and slot not in wide:
            hull[slot] = new
            if (new[2] - new[0] + 1) * (new[3] - new[1] + 1) > WIDE_CELLS:
                wide.add(slot)  # a candidate of every box from now on: its cells need no more entries
            else:
                _register(index, slot, old, new)
        sums[slot] += weight[r] * coords[r]
        weights[slot] += weight[r]
        fused[slot] = sums[slot] / weights[slot]
        local[r] = slot
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
