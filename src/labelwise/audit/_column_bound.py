"""Each column's largest margins of a class, found through a lower bound on every column's cut.

:func:`labelwise.audit._select.margin_entries` needs, for the rows labelled ``i``, the ``c_j``
largest margins ``p_j - p_i`` of every column ``j`` (ties to the lower row). Finding each column's
cut exactly on all of the class's margins (a ``K x rows`` table, a copy of it partitioned, a mask
of it: :func:`labelwise.audit._columns.top_counts_by_row`) moves several MB per class through the
cache. But the cut only has to be found among the margins that can reach it, and a lower bound on
it is known before any row is read again: pass 1 kept every row's top probability and its class,
so the margin of each row in its top class, ``top - p_i``, is already one of the values of that
column, and the ``c_j``-th largest of any subset of a column is at most the column's own (the
subset's rank statistics bound the whole's from below, as the samples of Floyd & Rivest's
selection do, here without any probability of failure). The rows are then read in cache-sized
blocks, in row order, and only the margins at or above their column's bound are kept as
candidates; whenever the candidates outgrow a budget, the bound rises to the ``c_j``-th largest
candidate (again a value of the column) and the candidates below it are dropped. The exact cut
is taken at the end, among the few candidates left. Nothing is approximate: every margin dropped
has at least ``c_j`` margins of its column strictly above it.

References
----------
.. [1] Floyd, R. W., & Rivest, R. L. (1975). Expected time bounds for selection. Communications
   of the ACM, 18(3), 165-172.
"""

from __future__ import annotations

import numpy as np

from ._columns import gather_margins_by_column, top_counts_by_row
from ._packed_cut import ordered_bits, packed_cut_mask

#: The candidates of a class may grow to this many times its wanted entries (and at least one
#: gather block's worth of rows) before the bounds are raised and the candidates cut back.
CANDIDATE_FACTOR = 4
#: Share of a class's rows selected exactly in the column layout first, for the bounds.
FIRST_SHARE = 0.5


class ColumnBuffers:
    """Buffers reused by every class of a chunk (a fresh temporary per class costs page faults on
    Dask workers): the first rows' column table, its partitioned copy and mask, a gather block and
    its mask."""

    def __init__(self, n_rows: int, n_cols: int, dtype: np.dtype, block_rows: int):
        first = max(1, n_rows)
        self.table = np.empty(n_cols * first, dtype)
        self.work = np.empty(n_cols * first, dtype)
        self.mask = np.empty(n_cols * first, bool)
        self.block = np.empty((block_rows, n_cols), dtype)
        self.hits = np.empty((block_rows, n_cols), bool)


def kth_largest(column: np.ndarray, value: np.ndarray, counts: np.ndarray, fill: float) -> np.ndarray:
    """Per column ``j`` (of ``counts.shape[0]``), the ``counts[j]``-th largest of the ``value`` whose
    ``column`` is ``j``; ``fill`` where a column has fewer than ``counts[j]`` values or ``counts[j] <= 0``."""
    k = counts.shape[0]
    out = np.full(k, fill, dtype=value.dtype)
    if value.size == 0:
        return out
    if value.dtype == np.float32 and k < 2**31:
        # descending within a column: the complement of the ordered bits, packed after the column
        packed = (column.astype(np.uint64) << np.uint64(32)) | (~ordered_bits(value)).astype(np.uint64)
        packed.sort()
        order = None
        sorted_column = (packed >> np.uint64(32)).astype(np.int64)
    else:
        order = np.lexsort((-value, column))
        sorted_column = column[order].astype(np.int64)
    starts = np.searchsorted(sorted_column, np.arange(k))
    sizes = np.bincount(sorted_column, minlength=k)
    full = np.flatnonzero((counts > 0) & (sizes >= counts))
    at = starts[full] + counts[full] - 1
    out[full] = value[order[at]] if order is not None else _from_complement(packed[at], value.dtype)
    return out


def _from_complement(packed: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The float32 values of packed ``column << 32 | ~ordered bits`` keys."""
    bits = ~(packed & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    sign = np.uint32(1 << 31)
    return np.where(bits & sign, bits ^ sign, ~bits).view(np.float32).astype(dtype)


def column_top_margins(
    probs: np.ndarray,
    idx: np.ndarray,
    cls: int,
    counts: np.ndarray,
    seed: np.ndarray,
    buffers: ColumnBuffers,
    *,
    above: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(columns, margins, positions)`` of, per column ``j``, the ``counts[j]`` largest margins
    ``probs[idx[r], j] - probs[idx[r], cls]`` over the positions ``r``, ties to the lower position.

    Only margins greater than ``above`` are kept (``None``: all). ``seed[j]`` must be at most column
    ``j``'s ``counts[j]``-th largest margin (e.g. the ``counts[j]``-th largest of a subset of its
    margins; ``-inf`` always is). The first rows (a share :data:`FIRST_SHARE` of them) are selected
    exactly in the column layout (:func:`labelwise.audit._columns.top_counts_by_row`), which gives
    every column's bound; the rest are read in blocks and only margins at or above the bounds kept.
    Each margin is the float operation of the row layout (``rows - rows[:, cls]``), bit for bit.
    Within a column of the result, positions ascend.
    """
    k = probs.shape[1]
    dtype = probs.dtype.type
    floor = -np.inf if above is None else np.nextafter(dtype(above), dtype(np.inf))
    bound = np.where(counts > 0, np.maximum(seed, floor), np.inf).astype(probs.dtype)
    first = min(idx.size, max(int(counts.max(initial=0)) + 1, int(idx.size * FIRST_SHARE)))
    table = buffers.table[: k * first].reshape(k, first)
    gather_margins_by_column(probs, idx[:first], cls, table, buffers.block)
    chosen, cut = top_counts_by_row(
        table, counts, above=above, out=buffers.mask[: k * first].reshape(k, first), work=buffers.work
    )
    flat = np.flatnonzero(chosen)
    j, r = np.divmod(flat, first)
    cols, vals, pos = [j], [table.ravel()[flat]], [r]
    full = np.minimum(counts, first) == counts  # the first rows' cut is a value of rank counts[j]
    bound = np.where(full & (counts > 0), np.maximum(bound, cut), bound)
    held = flat.size
    budget = max(CANDIDATE_FACTOR * int(counts.sum()), 1)
    step = buffers.block.shape[0]
    for lo in range(first, idx.size, step):
        hi = min(lo + step, idx.size)
        rows = np.take(probs, idx[lo:hi], axis=0, out=buffers.block[: hi - lo], mode="clip")  # "raise" would buffer `out`
        rows -= rows[:, cls : cls + 1].copy()
        flat = np.flatnonzero(np.greater_equal(rows, bound, out=buffers.hits[: hi - lo]))
        r, j = np.divmod(flat, k)
        cols.append(j)
        vals.append(rows.ravel()[flat])
        pos.append(r + lo)
        held += flat.size
        if held > budget and hi < idx.size:  # raise the bounds and drop what falls below them
            j, v, p = (np.concatenate(a) for a in (cols, vals, pos))
            bound = np.maximum(bound, kth_largest(j, v, counts, -np.inf))
            keep = v >= bound[j]
            cols, vals, pos = [j[keep]], [v[keep]], [p[keep]]
            held = int(np.count_nonzero(keep))
    j, v, p = (np.concatenate(a) for a in (cols, vals, pos))
    if len(cols) == 1:  # the first rows only: already the answer, by column
        return j, v, p
    keep = _cut(j, v, counts)
    return j[keep], v[keep], p[keep]


def _cut(column: np.ndarray, value: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Mask of the ``counts[j]`` largest ``value`` per column, ties to the earlier entry."""
    if value.dtype == np.float32:
        return packed_cut_mask(column, -value, counts)
    order = np.lexsort((-value, column))  # stable: ties keep their order
    sorted_column = column[order]
    starts = np.searchsorted(sorted_column, np.arange(counts.shape[0]))
    rank = np.arange(order.size) - starts[sorted_column]
    keep = np.zeros(value.size, dtype=bool)
    keep[order[rank < counts[sorted_column]]] = True
    return keep
