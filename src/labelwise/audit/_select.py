"""Exact "the c best rows per cell" over chunks: per-chunk candidates merged in order.

A selection is a set of *entries* ``(cell, key, row)``: ``cell`` is what the rows compete for (a
class, or a pair ``(given, true)`` flattened to ``given * K + true``), ``key`` the value sorted
ascending (a negated margin when the largest margins win) and ``row`` the global row index, which
breaks ties (lower row first, as a stable sort does). The ``limits[cell]`` first entries of each
cell in ``(key, row)`` order are selected. Keeping only those per chunk and merging chunks' lists
keeps exactly the same entries as one selection over all rows, whatever the chunking
(:func:`labelwise.audit._selection.select_top` runs the selection over chunks).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from .._scratch import scratch
from ._blocks import index_dtype
from ._columns import block_rows, gather_margins_by_column, top_counts_by_row
from ._packed_cut import ordered_bits as _ordered_bits
from ._packed_cut import packed_cut_mask

Entries = tuple[np.ndarray, np.ndarray, np.ndarray]


def empty_entries(dtype: np.dtype) -> Entries:
    """No entries, keys of ``dtype``."""
    return np.empty(0, np.int64), np.empty(0, dtype), np.empty(0, np.int64)


def _stable_order(bits: np.ndarray) -> np.ndarray:
    """``argsort(bits, kind="stable")`` of fewer than ``2**32`` uint32 values, by one vectorised sort:
    each value packed with its position into a distinct ``uint64``."""
    packed = (bits.astype(np.uint64) << np.uint64(32)) | np.arange(bits.size, dtype=np.uint64)
    packed.sort()
    return (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)


def order_by_key(keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``rows`` sorted by ``keys``, ties in their order: ``rows[argsort(keys, kind="stable")]``.

    float32 keys without NaN go through :func:`_stable_order` (several times faster than a stable
    argsort); NaN keys keep numpy's rule (all NaN last, in order).
    """
    if keys.dtype == np.float32 and keys.size < 2**32 and not np.isnan(keys).any():
        return rows[_stable_order(_ordered_bits(keys))]
    return rows[np.argsort(keys, kind="stable")]


def concat_entries(parts: list[Entries]) -> Entries:
    """Entries of several parts, unsorted."""
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))  # type: ignore[return-value]


def merge_top(parts: list[Entries], limits: np.ndarray) -> Entries:
    """Concatenate entries and keep the ``limits[cell]`` first of each cell in ``(key, row)`` order.

    ``parts`` must come in row order (each part sorted by ``(cell, key, row)``, and for a given
    cell the rows of a part below those of the next), as chunk results are: then stable sorts by
    ``(cell, key)`` give ``(cell, key, row)`` order, merging the sorted runs quickly. The result
    is sorted by ``(cell, key, row)``.
    """
    cell = np.concatenate([p[0] for p in parts])
    key = np.concatenate([p[1] for p in parts])
    row = np.concatenate([p[2] for p in parts])
    if cell.size == 0:
        return cell, key, row
    bits = _ordered_bits(key)
    if bits.dtype == np.uint32 and int(cell.max()) < 2**15 and cell.size < 2**32:
        # by key (packed sort), then by cell (a stable sort of 16-bit integers is a radix sort)
        order = _stable_order(bits)
        order = order[np.argsort(cell[order].astype(np.int16), kind="stable")]
    elif bits.dtype == np.uint32 and int(cell.max()) < 2**31:
        order = np.argsort((cell.astype(np.uint64) << np.uint64(32)) | bits, kind="stable")
    else:
        order = np.argsort(bits, kind="stable")
        order = order[np.argsort(cell[order], kind="stable")]
    cell, key, row = cell[order], key[order], row[order]
    starts = np.flatnonzero(np.concatenate([[True], cell[1:] != cell[:-1]]))
    sizes = np.diff(np.concatenate([starts, [cell.size]]))
    rank = np.arange(cell.size) - np.repeat(starts, sizes)
    keep = rank < limits[cell]
    return cell[keep], key[keep], row[keep]


def merge_within(parts: list[Entries], limits: np.ndarray) -> Entries:
    """The same entries as :func:`merge_top`, unsorted: only cells holding more than their limit
    are sorted and cut, the others are kept whole, in their order (no sort of every entry).

    Like :func:`merge_top`, it needs ``parts`` in row order with, within a part and a cell, equal
    keys in row order; its result keeps that property, so it can be merged again.
    """
    cell, key, row = concat_entries(parts)
    if key.dtype == np.float32 and limits.shape[0] <= 2**32:  # one sort of packed keys (no stable sorts)
        keep = packed_cut_mask(cell, key, limits)
        return (cell, key, row) if keep.all() else (cell[keep], key[keep], row[keep])
    over = np.bincount(cell, minlength=limits.shape[0]) > limits
    if not over.any():
        return cell, key, row
    cut = over[cell]
    keep = ~cut
    top = merge_top([(cell[cut], key[cut], row[cut])], limits)
    return tuple(np.concatenate([a[keep], b]) for a, b in zip((cell, key, row), top, strict=True))  # type: ignore[return-value]


def members_by_class(codes: np.ndarray, n_classes: int) -> list[np.ndarray]:
    """Row indices of each class, in row order."""
    # A stable sort of 16-bit integers is a radix sort: several times faster than of int64 codes.
    order = np.argsort(codes.astype(index_dtype(n_classes), copy=False), kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=n_classes))])
    return [order[bounds[k] : bounds[k + 1]] for k in range(n_classes)]


def margin_members(
    probs: np.ndarray,
    codes: np.ndarray,
    predicted: np.ndarray,
    *,
    limits: np.ndarray,
    mispredicted_only: bool,
    lo: int,
    hi: int,
) -> list[np.ndarray]:
    """Per class, the rows ``lo..hi-1`` that :func:`margin_entries` reads for it (global indices, in
    row order; fresh arrays, so other threads may read them): the rows of every class with a wanted
    cell, with ``mispredicted_only`` only those whose prediction is not their label."""
    k = probs.shape[1]
    classes = np.asarray(limits.reshape(k, k).any(axis=1))
    rows, order, bounds = _class_rows(codes[lo:hi], predicted[lo:hi], classes, mispredicted_only)
    ordered = rows[order]
    ordered += lo
    return [ordered[bounds[c] : bounds[c + 1]] for c in range(k)]


def _class_rows(
    codes: np.ndarray, predicted: np.ndarray, classes: np.ndarray, mispredicted_only: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, order, bounds)``: the rows of the ``classes`` marked (with ``mispredicted_only``,
    mispredicted ones only); class ``c``'s are ``rows[order[bounds[c]:bounds[c + 1]]]``, in row order."""
    take = scratch("audit._select.margin.take", codes.shape[0], bool)
    if not mispredicted_only:
        np.take(np.asarray(classes), codes, out=take, mode="clip")  # codes are in 0..K-1
    else:
        np.not_equal(predicted, codes, out=take)
        if not np.all(classes):  # a class without a wanted cell (usually every class has one)
            take &= np.take(classes, codes, out=scratch("audit._select.margin.other", take.shape, bool), mode="clip")
    rows = np.flatnonzero(take)
    # A stable sort of 16-bit integers is a radix sort: several times faster than of int64 codes.
    small = index_dtype(classes.shape[0])
    class_codes = np.take(codes, rows, out=scratch("audit._select.margin.codes", rows.shape[0], small), mode="clip")
    order = np.argsort(class_codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(class_codes, minlength=classes.shape[0]))])
    return rows, order, bounds


def margin_entries(
    start: int,
    probs: np.ndarray,
    codes: np.ndarray,
    predicted: np.ndarray,
    *,
    limits: np.ndarray,
    mispredicted_only: bool,
    merge: bool = True,
    members: list[list[np.ndarray]] | None = None,
    queue: ClassQueue | None = None,
) -> Entries:
    """Candidates of ``prune_by_noise_rate`` in a chunk: cell ``(i, j)``, key ``-(p_j - p_i)``.

    ``limits[i * K + j]`` is how many examples labelled ``i`` to take for true class ``j``. Per
    class, each column's ``limits`` largest margins of the chunk are kept. With
    ``mispredicted_only`` only rows whose prediction is not their label (the only rows with a
    positive margin) are looked at, and only positive margins kept; otherwise every row of a
    class with a wanted cell. ``merge=False`` leaves the entries unsorted
    (each cell already holds its best entries only). ``members`` (in memory, ``start`` 0): per
    class, the pieces of its rows in row order (:func:`margin_members` of consecutive row ranges),
    found once for all the calls that share out the classes, instead of by this call. ``queue``
    (with ``members``): the classes this call selects are taken from it one at a time, as the
    threads sharing it get free (:class:`ClassQueue`), in one call per thread.
    """
    k = probs.shape[1]
    wanted = limits.reshape(k, k)
    classes = np.asarray(wanted.any(axis=1))
    active = np.flatnonzero(classes).tolist()
    if members is None:
        rows, order, bounds = _class_rows(codes, predicted, classes, mispredicted_only)
        sizes = {c: int(bounds[c + 1] - bounds[c]) for c in active}
    else:
        sizes = {c: sum(piece.size for piece in members[c]) for c in active}
    active = [c for c in active if sizes[c]]
    if not active:
        return empty_entries(probs.dtype)
    # Buffers for the largest class, reused by every class, and taken from the thread's scratch
    # buffers (reused by its next chunk): on Dask workers, whose allocator hands every large freed
    # block back to the system, each fresh temporary is page-faulted again.
    most = max(sizes.values())
    by_column = scratch("audit._select.margin.by_column", k * most, probs.dtype)  # contiguous (k, m) views
    mask = scratch("audit._select.margin.mask", k * most, bool)
    work = scratch("audit._select.margin.work", k * most, probs.dtype)
    # the gather's block: as many rows as the largest class has, up to a cache-sized block
    block = scratch("audit._select.margin.block", (min(block_rows(k), most), k), probs.dtype)
    found = _EntryBuffer(sum(int(np.minimum(wanted[c], sizes[c]).sum()) for c in active), probs.dtype)
    for cls in active if queue is None else iter(queue.take, None):
        if cls not in sizes or not sizes[cls]:  # a queue's class without wanted cells or rows
            continue
        idx = scratch("audit._select.margin.idx", sizes[cls], np.int64)
        if members is None:
            np.take(rows, order[bounds[cls] : bounds[cls + 1]], out=idx, mode="clip")
        else:
            np.concatenate(members[cls], out=idx)
        margins = by_column[: k * idx.size].reshape(k, idx.size)
        gather_margins_by_column(probs, idx, cls, margins, block)
        chosen, _ = top_counts_by_row(
            margins,
            wanted[cls],
            above=0.0 if mispredicted_only else -np.inf,
            out=mask[: k * idx.size].reshape(k, -1),
            work=work,
        )
        # flatnonzero of the raveled mask is several times faster than a 2-D nonzero (same order);
        # column-major entries: each cell's rows ascending
        found.add(cls * k, np.flatnonzero(chosen), margins, start, idx)
    entries = found.entries()
    return merge_top([entries], limits) if merge else entries


class ClassQueue:
    """Classes handed out one at a time to the threads that share a selection (:func:`margin_entries`'
    ``queue``): each :meth:`take` gives the next class of ``order`` that no thread has taken yet.

    With the classes in decreasing order of their work, a free thread taking the next is greedy list
    scheduling, largest first (Graham, 1969): its finish is within 4/3 of the best, and a thread that
    another process slows takes fewer classes instead of holding the call up.

    References
    ----------
    .. [1] Graham, R. L. (1969). Bounds on multiprocessing timing anomalies. SIAM Journal on
       Applied Mathematics, 17(2), 416-429.
    """

    def __init__(self, order: list[int]) -> None:
        self._order = list(order)
        self._next = 0
        self._lock = threading.Lock()

    def take(self) -> int | None:
        """The next class, or None when every class has been taken."""
        with self._lock:
            i = self._next
            self._next += 1
        return self._order[i] if i < len(self._order) else None


class _EntryBuffer:
    """The entries of :func:`margin_entries`, class after class, in the thread's scratch vectors
    (``size``: at most how many there can be); :meth:`entries` copies them out once, exactly sized:
    the arrays a concatenation of the classes' entries gives, without one fresh temporary per class."""

    def __init__(self, size: int, dtype: np.dtype) -> None:
        self.cell = scratch("audit._select.entries.cell", size, np.int64)
        self.key = scratch("audit._select.entries.key", size, dtype)
        self.row = scratch("audit._select.entries.row", size, np.int64)
        self.end = 0

    def add(self, base: int, flat: np.ndarray, margins: np.ndarray, start: int, idx: np.ndarray) -> None:
        """The entries at the positions ``flat`` of the raveled ``(K, m)`` mask: with ``j, r =
        divmod(flat, m)``, cells ``base + j``, keys ``-margins[j, r]``, rows ``start + idx[r]``.

        Every step writes into the thread's scratch vectors: with a Dask worker's allocator setting
        (``MALLOC_TRIM_THRESHOLD_``) even small freed temporaries are handed back and faulted again.
        """
        lo, hi = self.end, self.end + flat.shape[0]
        if hi > self.cell.shape[0]:  # not expected (``size`` bounds every class's entries): grow
            self.cell, self.key, self.row = (
                np.concatenate([a[:lo], np.empty(hi - lo, a.dtype)]) for a in self.arrays()
            )
        j = scratch("audit._select.entries.j", flat.shape[0], np.int64)
        r = scratch("audit._select.entries.r", flat.shape[0], np.int64)
        np.divmod(flat, margins.shape[1], out=(j, r))
        np.add(j, base, out=self.cell[lo:hi])
        key = np.take(margins.ravel(), flat, out=self.key[lo:hi], mode="clip")  # margins[j, r]
        np.negative(key, out=key)
        row = np.take(idx, r, out=self.row[lo:hi], mode="clip")
        row += start
        self.end = hi

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.cell, self.key, self.row

    def entries(self) -> Entries:
        """The entries added, as fresh arrays of their own."""
        return self.cell[: self.end].copy(), self.key[: self.end].copy(), self.row[: self.end].copy()


def score_entries(
    start: int,
    codes: np.ndarray,
    scores: np.ndarray,
    *,
    limits: np.ndarray,
    by_class: bool,
    merge: bool = True,
) -> Entries:
    """Candidates for "the lowest scores" in a chunk: per given class (``by_class``) or overall (cell 0)."""
    groups = members_by_class(codes, limits.shape[0]) if by_class else [np.arange(codes.shape[0])]
    parts = [empty_entries(scores.dtype)]
    for cell, idx in enumerate(groups):
        if idx.size == 0 or limits[cell] == 0:
            continue
        chosen = top_counts_by_row(-scores[idx][None, :], limits[cell : cell + 1])[0][0]
        picked = idx[chosen]
        parts.append((np.full(picked.size, cell, np.int64), scores[picked], start + picked.astype(np.int64)))
    return merge_top(parts, limits) if merge else concat_entries(parts)


def balanced_groups(weights: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Classes shared among ``n_groups`` threads, the heaviest first, each to the least loaded group
    (Graham's longest-processing-time rule: the largest load is at most 4/3 of the optimum).

    References
    ----------
    .. [1] Graham, R. L. (1969). Bounds on multiprocessing timing anomalies. SIAM Journal on
       Applied Mathematics, 17(2), 416-429.
    """
    loads = [0.0] * max(1, min(n_groups, weights.shape[0]))
    values = np.asarray(weights, dtype=np.float64)
    owner = np.empty(weights.shape[0], dtype=np.int64)
    for cls in np.argsort(-values, kind="stable").tolist():  # Python scalars: a few µs per class, not tens
        group = loads.index(min(loads))  # the first least loaded, as argmin
        owner[cls] = group
        loads[group] += float(values[cls])
    return [np.flatnonzero(owner == g) for g in range(len(loads))]


def cell_counts(entries: Entries, n_cells: int) -> np.ndarray:
    """How many entries each cell holds."""
    return np.bincount(entries[0], minlength=n_cells)


def drop_cells(entries: Entries, drop: np.ndarray) -> Entries:
    """The entries whose cell is not marked in the boolean array ``drop``."""
    keep = ~drop[entries[0]]
    return entries[0][keep], entries[1][keep], entries[2][keep]


def rows_mask(start: int, stop: int, entries: Entries) -> np.ndarray:
    """Boolean mask of rows ``start..stop-1``: True at the rows of ``entries`` (all in that range)."""
    mask = np.zeros(stop - start, dtype=bool)
    mask[entries[2] - start] = True
    return mask


def flagged_entries(start: int, is_issue: np.ndarray, quality: np.ndarray) -> Entries:
    """The flagged rows of a chunk with their quality, for ranking (cell 0)."""
    idx = np.flatnonzero(is_issue)
    return merge_top([(np.zeros(idx.size, np.int64), quality[idx], start + idx)], np.array([idx.size]))


def ranking_part(start: int, is_issue: np.ndarray, quality: np.ndarray, *, packed: bool) -> Any:
    """A chunk's flagged rows for the ranking, sorted by ``(quality, row)``: with ``packed`` (float32
    quality, rows below ``2**32``), one ``uint64`` array of ``quality bits << 32 | row`` (a third of
    the entries' bytes, and one array to allocate where each fresh allocation is page-faulted, as on
    Dask workers); otherwise entries (:func:`flagged_entries`)."""
    if not packed:
        return flagged_entries(start, is_issue, quality)
    idx = np.flatnonzero(is_issue)
    out = (_ordered_bits(quality[idx]).astype(np.uint64) << np.uint64(32)) | (start + idx).astype(np.uint64)
    out.sort()
    return out


def merge_ranking(parts: list[Any]) -> Any:
    """Merge :func:`ranking_part` results, kept in ``(quality, row)`` order."""
    if not parts or not isinstance(parts[0], np.ndarray):
        return merge_all(parts)
    out = np.concatenate(parts)
    out.sort(kind="stable")  # sorted runs: timsort merges them (values are distinct)
    return out


def ranked_rows(merged: Any) -> np.ndarray:
    """The rows of merged :func:`ranking_part` results, in ranking order."""
    if isinstance(merged, np.ndarray):
        return (merged & np.uint64(0xFFFFFFFF)).astype(np.int64)
    return merged[2]


def merge_all(parts: list[Entries]) -> Entries:
    """Merge ranking entries (one cell) keeping all of them, in ``(key, row)`` order.

    float32 keys and rows below ``2**32``: one sort of ``uint64`` values ``key bits << 32 | row``
    (distinct, so no stable sort is needed); otherwise :func:`merge_top`.
    """
    cell, key, row = concat_entries(parts)
    if key.dtype == np.float32 and row.size and int(row.max()) < 2**32:
        packed = (_ordered_bits(key).astype(np.uint64) << np.uint64(32)) | row.astype(np.uint64)
        packed.sort()
        key = from_ordered_bits((packed >> np.uint64(32)).astype(np.uint32))
        return cell, key, (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
    return merge_top(parts, np.array([cell.size]))


def from_ordered_bits(bits: np.ndarray) -> np.ndarray:
    """float32 values of :func:`_ordered_bits` (``-0.0`` comes back as ``0.0``)."""
    sign = np.uint32(1 << 31)
    return np.where(bits & sign, bits ^ sign, ~bits).view(np.float32)
