"""``select_top``: the exact "the c best entries per cell" over all rows, in memory or over chunks.

In memory (numpy arrays and memory maps) the entry function sees all rows at once, its classes
shared out among threads. Over chunks (dask, zarr) the selection runs in the two rounds of the TPUT
scheme and is then cut exactly inside every chunk from per-cell counts, so the selected entries
stay where they were found (:func:`select_top`). The entries and their merges are
:mod:`labelwise.audit._select`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from .._chunks import RowChunks
from .._scratch import scratch
from ._group_counts import _cell_runs, group_counts, join_group_counts
from ._packed_cut import ordered_bits
from ._select import (
    Entries,
    concat_entries,
    drop_cells,
    from_ordered_bits,
    merge_top,
    merge_within,
)
from ._select_memory import Selection, select_in_memory

__all__ = ["Selection", "replace_cells", "select_top"]

#: Round one of :func:`select_top` merges its keys in groups of cells, one task per group, each
#: sorting about this many keys at least (8 MB of ``uint64``): enough that the sort, not the task's
#: overhead, is its cost; and never more groups than the square root of the chunks
#: (:func:`max_groups`).
GROUP_KEYS = 1 << 20


def max_groups(n_chunks: int, n_jobs: int = 1) -> int:
    """At most about ``sqrt(n_chunks)`` groups of cells for round one's merge, rounded up to a multiple
    of ``n_jobs`` (the threads the merge may run on: equal shares of groups) and never more than the
    chunks. Each chunk's keys travel as one piece per group (one task each on Dask) and each group's
    task gathers one piece per chunk, so the pieces number ``n_chunks * n_groups``; the square root
    keeps them to about ``n_chunks ** 1.5`` while the groups, as the chunks, grow with the data
    (benchmarks/RESULTS.md, issue 12, session 12)."""
    jobs = max(1, n_jobs)
    return max(1, min(n_chunks, jobs * int(np.ceil(np.sqrt(n_chunks) / jobs))))


def select_top(
    chunks: RowChunks,
    fn: Callable[..., Entries],
    arrays: Sequence[Any],
    limits: np.ndarray,
    *,
    cell_class: np.ndarray | None = None,
    class_weights: np.ndarray | None = None,
    key_dtype: Any = None,
    members: Callable[..., list[np.ndarray]] | None = None,
) -> Selection:
    """The ``limits[cell]`` first entries of each cell over all rows, exactly (a :class:`Selection`).

    In memory, ``fn`` sees all rows at once; with ``cell_class`` (the class of each cell) the
    classes are shared out among threads (:func:`select_in_memory`). On dask, two rounds (the TPUT
    scheme of Cao & Wang, 2004), then an exact cut in every chunk; also used for in-memory sources that are not numpy
    arrays (zarr). Round one: every chunk keeps its ``share`` best entries per cell
    (:func:`tput_share`) on its worker and sends only their keys, packed (:func:`packed_keys`) and
    split by groups of cells (:func:`cell_groups`); one task per group merges its cells' keys, whose
    ``limit``-th is each cell's bound (the union holds at most as many entries better than it as all
    rows do). Round two: every chunk keeps its entries within the bound, from its round-one list or,
    for the cells where that list may have missed some (it was full and its last key is within the
    bound, usually none), from its rows again; it sends only how many of them are below the bound
    per cell and, sparsely, how many equal it. From those counts alone the client knows each cell's
    exact cut: the entries below the bound, and of those equal to it the first by row, as many as
    the limit leaves (each chunk's quota: :func:`tie_quotas`). Every chunk then cuts its own entries
    (:func:`cut_chunk`), so the selection stays on the chunks' workers; only the cells with more
    entries below their bound than their limit (a bound that is not a key: float64 keys, or entries
    round one missed) are merged in one place. Only per-cell bounds and counts reach the client.

    With ``key_dtype`` float32 (the dtype of every key ``fn`` gives; ``None``: not known), round
    two is skipped when it has nothing to add: the group tasks that compute the bounds also count,
    from the same packed keys, every chunk's keys below and equal to its cells' bounds and whether
    its list may miss entries within them (:func:`group_counts`). float32 keys are exact in their
    packed bits, so when no list may miss any, those counts are round two's, and every chunk cuts
    its round-one list directly (:func:`cut_first`): one pass over the entries and one round trip
    fewer. Otherwise (a list that may miss entries, or float64 keys) the two rounds run as above.

    References
    ----------
    .. [1] Cao, P., & Wang, Z. (2004). Efficient top-K query calculation in distributed networks.
       Proceedings of the ACM Symposium on Principles of Distributed Computing (PODC), 206-215.
    """
    if not chunks.use_dask and all(isinstance(a, np.ndarray) for a in arrays):  # memory maps included
        return select_in_memory(chunks, fn, arrays, limits, cell_class, class_weights, members)
    n_chunks = len(chunks.bounds)
    share = tput_share(limits, n_chunks)
    edges = cell_groups(share * n_chunks, max_groups(n_chunks, chunks.n_jobs))
    exact = key_dtype is not None and np.dtype(key_dtype) == np.float32
    first = partial(_round_one, fn=fn, share=share, edges=edges, key_dtype=np.dtype(np.float32) if exact else None)
    firsts = chunks.partials(first, arrays, nout=edges.size)
    ranges = list(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True))
    if exact:  # bounds, counts and which chunks to read again: one round trip
        summaries = chunks.apply_each(
            group_counts, [([f[g + 1] for f in firsts], limits, share, lo, hi) for g, (lo, hi) in enumerate(ranges)]
        )
        bound, below_first, ties_first, redo = join_group_counts(chunks.compute_all(summaries), n_chunks)
        read = redo.tolist()
        if not redo.any():
            quotas, over, counts = tie_quotas(limits, below_first, ties_first)
            if not over.any():  # always so: the bound is the limit-th of all keys, each list complete within it
                parts = chunks.apply_each(
                    cut_first,
                    [
                        (f[0], bound, q, start, stop)
                        for f, q, (start, stop) in zip(firsts, quotas, chunks.bounds, strict=True)
                    ],
                )
                return Selection(parts, counts, per_chunk=True)
    else:
        group_bounds = [
            chunks.apply(partial(group_bound, limits=limits, lo=lo, hi=hi), [f[g + 1] for f in firsts])
            for g, (lo, hi) in enumerate(ranges)
        ]
        lazy_bound = chunks.apply(_concat_arrays, *group_bounds)
        # The bound and which chunks round two must read again (one boolean per chunk): one round trip.
        redo_flags = [chunks.apply(_any_cell_to_redo, f[0], share, lazy_bound) for f in firsts]
        bound, *flags = chunks.compute_all([lazy_bound, *redo_flags])
        read = [bool(f) for f in flags]
    second = partial(_second_round, fn=fn, limits=limits, share=share, bound=bound)
    seconds = chunks.partials(second, arrays, extras=[f[0] for f in firsts], read=read, nout=4)
    below_sum = chunks.reduce_partials([s[2] for s in seconds], _sum_counts)
    below, *ties = chunks.compute_all([below_sum, *(s[3] for s in seconds)])
    quotas, over, counts = tie_quotas(limits, np.asarray(below), ties)
    over_cells, over_selected = _merge_over_cells(chunks, seconds, limits, over)
    parts = [
        chunks.apply(cut_chunk, s[0], s[1], q, over_cells, over_selected, start, stop)
        for s, q, (start, stop) in zip(seconds, quotas, chunks.bounds, strict=True)
    ]
    return Selection(parts, counts, per_chunk=True)


def _merge_over_cells(chunks: RowChunks, seconds: list[Any], limits: np.ndarray, over: np.ndarray) -> tuple[Any, Any]:
    """The cells with more entries below their bound than their limit (a bound that is not a key:
    float64 keys, or entries round one missed), merged exactly in one place: ``(over_cells,
    over_selected)``, both ``None`` when there is none (no K x K array per task then)."""
    if not over.any():
        return None, None
    over_limits = np.where(over, limits, 0)
    in_over = [chunks.apply(_keep_cells, s[0], over) for s in seconds]
    merge = partial(merge_within, limits=over_limits)
    n_chunks = len(chunks.bounds)
    return over, (chunks.apply(merge, in_over) if n_chunks == 1 else chunks.reduce_partials(in_over, merge))


def cell_groups(expected: np.ndarray, max_groups: int) -> np.ndarray:
    """Edges ``[0, ..., n_cells]`` of consecutive groups of cells holding about equal ``expected``
    keys each, at least :data:`GROUP_KEYS` keys per group and at most ``max_groups`` groups."""
    n_cells = expected.shape[0]
    total = float(np.sum(expected))
    n_groups = int(min(max(1, max_groups), max(1, total // GROUP_KEYS), max(1, n_cells)))
    cum = np.cumsum(expected, dtype=np.float64)
    inner = np.searchsorted(cum, total * np.arange(1, n_groups) / n_groups, side="right")
    return np.unique(np.concatenate([[0], inner, [n_cells]]).astype(np.int64))


def group_bound(pieces: list[np.ndarray], limits: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Bounds of cells ``lo..hi-1`` from the chunks' packed keys of those cells (:func:`packed_bound`)."""
    packed = np.sort(np.concatenate(pieces)) if pieces else np.empty(0, np.uint64)
    return packed_bound(packed, limits)[lo:hi]


def cut_first(
    entries: Entries, bound: np.ndarray, quota: tuple[np.ndarray, np.ndarray], start: int, stop: int
) -> Entries:
    """A chunk's share of the exact selection from its round-one list, complete within every bound
    (:func:`group_counts` found no list that may miss entries): its entries within the bound, cut
    by :func:`cut_chunk` (ties at the bound: the first ``quota`` by row)."""
    cell, key, row = entries
    at = bound[cell]
    within = key <= at
    kept = (cell[within], key[within], row[within])
    tied = np.flatnonzero(kept[1] == at[within])
    return cut_chunk(kept, tied, quota, None, None, start, stop)


def tie_quotas(
    limits: np.ndarray, below: np.ndarray, ties: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
    """Each chunk's share of the entries equal to their cell's bound, from counts alone.

    ``below[cell]``: entries strictly below the bound over all chunks; ``ties[i]``: chunk ``i``'s
    ``(cells, counts)`` of entries equal to it (only cells with some). A cell keeps all its
    entries below the bound and, of those equal to it, the first ``limits - below`` by row: the
    chunks in order, each up to its count. Returns ``(quotas, over, counts)``: per chunk
    ``(cells, how many of its ties to keep)``; the cells with more entries below the bound than
    their limit (their cut is below the bound: not decided by counts, :func:`select_top` merges
    them); and how many entries each cell ends up with.
    """
    over = below > limits
    room = np.where(over, 0, limits - below)
    used = np.zeros(limits.shape[0], dtype=np.int64)
    quotas = []
    for cells, n in ties:
        quotas.append((cells, np.clip(room[cells] - used[cells], 0, n)))
        used[cells] += n
    counts = np.where(over, limits, np.minimum(limits, below + used))
    return quotas, over, counts


def cut_chunk(
    entries: Entries,
    tied: np.ndarray,
    quota: tuple[np.ndarray, np.ndarray],
    over: np.ndarray | None,
    over_selected: Entries | None,
    start: int,
    stop: int,
) -> Entries:
    """A chunk's share of the exact selection, from its round-two ``entries`` (all within their
    cell's bound; ``tied``: the positions of those equal to it): the entries below the bound, the
    first ``quota`` (by row) of those equal to it, and, for the ``over`` cells (None: none), the
    rows of ``over_selected`` (their merged selection) that fall in ``start..stop-1``."""
    cell, key, row = entries
    keep = np.ones(cell.shape[0], dtype=bool)
    keep[tied] = False
    if over is not None:
        keep &= ~over[cell]
        tied = tied[~over[cell[tied]]]
    if tied.size:
        room = np.zeros(int(max(cell.max(), quota[0].max(initial=0))) + 1, dtype=np.int64)
        room[quota[0]] = quota[1]
        tied = tied[np.lexsort((row[tied], cell[tied]))]  # by cell, then row
        tied_cell = cell[tied]
        rank = np.arange(tied.size) - np.searchsorted(tied_cell, tied_cell)
        keep[tied[rank < room[tied_cell]]] = True
    kept = (cell[keep], key[keep], row[keep])
    if over_selected is None:
        return kept
    mine = (over_selected[2] >= start) & (over_selected[2] < stop)
    return concat_entries([kept, tuple(a[mine] for a in over_selected)])  # type: ignore[list-item]


def _concat_arrays(*arrays: np.ndarray) -> np.ndarray:
    return np.concatenate(arrays)


def _keep_cells(entries: Entries, cells: np.ndarray) -> Entries:
    return drop_cells(entries, ~cells)


def _sum_counts(parts: list[np.ndarray]) -> np.ndarray:
    return np.sum(parts, axis=0)


def replace_cells(chunks: RowChunks, first: Selection, drop: np.ndarray, second: Selection) -> Selection:
    """``first`` without the cells marked in ``drop``, plus ``second``; both chosen by :func:`select_top`
    over the same ``chunks`` (so their parts pair up: the same chunks, or the same threads' classes)."""

    def swap(a: Entries, b: Entries) -> Entries:
        return concat_entries([drop_cells(a, drop), b])

    parts = [chunks.apply(swap, a, b) for a, b in zip(first.parts, second.parts, strict=True)]
    return Selection(parts, np.where(drop, 0, first.counts) + second.counts, per_chunk=first.per_chunk)


def _round_one(
    start: int,
    *arrays: Any,
    fn: Callable[..., Entries],
    share: np.ndarray,
    edges: np.ndarray,
    key_dtype: np.dtype | None = None,
) -> tuple:
    """Round one of :func:`select_top` in a chunk: its ``share`` best entries per cell (unsorted: they
    stay on the worker for round two), then their keys packed for the bound (:func:`packed_keys`),
    one array per group of cells (``edges``, :func:`cell_groups`). ``key_dtype``: the keys' dtype
    :func:`select_top` was told (checked: its counts without round two hold for float32 keys only)."""
    first = fn(start, *arrays, limits=share, merge=False)
    if key_dtype is not None and first[1].dtype != key_dtype:
        raise TypeError(f"select_top was told key_dtype {key_dtype}, but the entries' keys are {first[1].dtype}")
    packed = packed_keys(first)
    cuts = np.searchsorted(packed, edges[1:-1].astype(np.uint64) << np.uint64(32))
    return (first, *np.split(packed, cuts))


def tput_share(limits: np.ndarray, n_chunks: int, miss: float = 0.05) -> np.ndarray:
    """Entries per cell each chunk gives in round one of :func:`select_top`.

    With rows in random order, how many of a cell's ``c`` best entries fall in one chunk is a sum
    of independent indicators of mean ``m = c / n_chunks``; Bernstein's inequality bounds the
    chance that it exceeds ``m + t`` by ``exp(-t^2 / (2 (m + t / 3)))``. ``t`` is chosen so that,
    over all the cells (a union bound), a chunk's list falls short somewhere with probability at
    most ``miss``: then round two reads that chunk again. Any share gives the exact answer; this
    one only decides how much work round two does. (Rows drawn without replacement, as a chunk's
    are, concentrate at least as well as independent draws; Hoeffding, 1963, Theorem 4.)

    References
    ----------
    .. [1] Boucheron, S., Lugosi, G., & Massart, P. (2013). Concentration Inequalities: A
       Nonasymptotic Theory of Independence. Oxford University Press, Theorem 2.10 (Bernstein).
    .. [2] Hoeffding, W. (1963). Probability inequalities for sums of bounded random variables.
       Journal of the American Statistical Association, 58(301), 13-30.
    """
    per = -(-limits // max(1, n_chunks))
    log_term = np.log(max(1, int(np.count_nonzero(limits))) / miss)
    t = log_term / 3 + np.sqrt((log_term / 3) ** 2 + 2 * per * log_term)
    return np.minimum(limits, per + np.ceil(t).astype(limits.dtype))


def _second_round(
    start: int, *args: Any, fn: Callable[..., Entries], limits: np.ndarray, share: np.ndarray, bound: np.ndarray
) -> tuple:
    """Round two of :func:`select_top` in a chunk: its entries within ``bound``, from its round-one
    list ``args[-1]`` where that list holds all of them, from its rows again where it may not.

    Returns ``(entries, tied, below, (cells, n_tied))``: the entries, the positions among them of
    those equal to their cell's bound (the others are below it), the count below the bound per
    cell, and the cells with ties and their counts. Each step reads the entries once: on a Dask
    worker every large temporary is a fresh, page-faulted allocation.
    """
    *arrays, first = args
    redo = _cells_to_redo(first, share, bound)
    cell, key, row = first
    at = bound[cell]
    within = key <= at
    if redo.any():
        within &= ~redo[cell]
    kept: Entries = (cell[within], key[within], row[within])
    if redo.any():
        again = within_bound(fn(start, *arrays, limits=limits * redo), bound)
        kept = merge_top([kept, again], limits)
        at = bound[kept[0]]
    else:
        at = at[within]
    tied = np.flatnonzero(kept[1] == at)
    cells, n = np.unique(kept[0][tied], return_counts=True)
    below = np.bincount(kept[0], minlength=bound.shape[0]).astype(np.int64)
    below[cells] -= n
    return kept, tied, below, (cells.astype(np.int64), n.astype(np.int64))


def _cells_to_redo(first: Entries, share: np.ndarray, bound: np.ndarray) -> np.ndarray:
    """Cells whose round-one list (``share`` entries of a chunk) may miss entries within ``bound``:
    the list is full and its largest key is within the bound (the entries need not be sorted)."""
    counts = np.bincount(first[0], minlength=share.shape[0])
    last = np.full(share.shape[0], -np.inf, dtype=first[1].dtype)  # the keys' dtype: ufunc.at's fast loop
    np.maximum.at(last, first[0], first[1])
    return (counts >= share) & (share > 0) & (last <= bound)


def _any_cell_to_redo(first: Entries, share: np.ndarray, bound: np.ndarray) -> bool:
    return bool(_cells_to_redo(first, share, bound).any())


def packed_keys(entries: Entries) -> np.ndarray:
    """The keys of a selection without its rows: sorted ``uint64`` values ``cell << 32 | bits``.

    ``bits`` are the ordered bits of the key as float32, rounded up where the key is float64: a
    bound computed from them is at least the exact one, which is all :func:`select_top` needs
    (a looser bound keeps a few more entries, never fewer). Cells must be below ``2**32``.
    """
    cell, key = entries[0], entries[1]
    if key.dtype != np.float32:
        low = key.astype(np.float32)
        key = np.where(low.astype(np.float64) < key, np.nextafter(low, np.float32(np.inf)), low)
    packed = cell.astype(np.uint64)  # shifted and merged in place: one array as long as the keys
    packed <<= np.uint64(32)
    packed |= ordered_bits(key, out=scratch("audit._selection.packed_keys.bits", key.shape, np.uint32))
    packed.sort()
    return packed


def merge_packed(parts: list[np.ndarray], limits: np.ndarray) -> np.ndarray:
    """Merge packed keys, keeping the ``limits[cell]`` smallest per cell."""
    packed = np.sort(np.concatenate(parts))
    starts, counts = _cell_runs(packed, limits.shape[0])
    take = np.minimum(counts, limits)
    offsets = np.cumsum(take) - take
    return packed[np.repeat(starts - offsets, take) + np.arange(int(take.sum()))]


def packed_bound(packed: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Per cell, its ``limits[cell]``-th smallest packed key as a float (``+inf`` where it has fewer);
    ``packed`` sorted (it need not be cut to the limits first)."""
    starts, counts = _cell_runs(packed, limits.shape[0])
    full = np.flatnonzero((counts >= limits) & (limits > 0))
    bits = (packed[starts[full] + limits[full] - 1] & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    out = np.full(limits.shape[0], np.inf)
    out[full] = from_ordered_bits(bits)
    return out


def within_bound(entries: Entries, bound: np.ndarray) -> Entries:
    """The entries whose key is at most their cell's ``bound`` (order kept)."""
    keep = entries[1] <= bound[entries[0]]
    return entries[0][keep], entries[1][keep], entries[2][keep]
