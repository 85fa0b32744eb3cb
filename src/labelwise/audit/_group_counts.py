"""Round one's merge of a group of cells for float32 keys, with the counts round two would send.

Used by :func:`labelwise.audit._selection.select_top` on chunks: float32 keys are exact in their
packed bits (:func:`labelwise.audit._selection.packed_keys`), so the task that finds a group's
bounds can also count every chunk's keys below and at them, and round two is then not needed.
"""

from __future__ import annotations

import numpy as np

from ._select import from_ordered_bits


def _cell_runs(packed: np.ndarray, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each cell's run in sorted packed keys (by binary search, not a pass)."""
    starts = np.searchsorted(packed, np.arange(n_cells, dtype=np.uint64) << np.uint64(32))
    return starts, np.diff(np.append(starts, packed.size))


#: Mask of a packed key's low 32 bits (the key's ordered bits); a value above every such bits.
_LOW = np.uint64(0xFFFFFFFF)
_ABOVE = np.uint64(1 << 32)


def group_counts(
    pieces: list[np.ndarray], limits: np.ndarray, share: np.ndarray, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """Round one's merge of cells ``lo..hi-1`` for float32 keys, with round two's counts.

    ``pieces``: each chunk's packed keys of those cells (:func:`packed_keys`), in chunk order.
    Returns ``(bound, below, ties, redo)``: the cells' bounds (as :func:`group_bound`); how many
    keys of all chunks lie strictly below them; per chunk, the cells where it has keys equal to the
    bound and how many (``(cells, counts)``, cells numbered globally); and per chunk whether its
    list may miss entries within a bound (full, its largest key within it: as
    :func:`_cells_to_redo`). The packed bits of float32 keys are exact and ordered as the keys
    (``-0.0`` as ``0.0``), so the comparisons on bits are those on the keys.
    """
    n = hi - lo
    packed = np.sort(np.concatenate(pieces)) if pieces else np.empty(0, np.uint64)
    starts, counts = _cell_runs(packed, limits.shape[0])
    starts, counts, lim, sh = starts[lo:hi], counts[lo:hi], limits[lo:hi], share[lo:hi]
    full = np.flatnonzero((counts >= lim) & (lim > 0))
    at = np.full(n, _ABOVE, dtype=np.uint64)  # the bound's bits; above every key where there is none
    at[full] = packed[starts[full] + lim[full] - 1] & _LOW
    bound = np.full(n, np.inf)
    bound[full] = from_ordered_bits(at[full].astype(np.uint32))
    cells = np.arange(lo, hi + 1, dtype=np.uint64) << np.uint64(32)
    at_key = cells[:-1] + at  # each cell's bound as a packed key; where none, the next cell's first key
    unbound = at == _ABOVE
    # every key is in one sorted array and each chunk's in another: counts by binary search, not passes
    below = np.searchsorted(packed, at_key) - starts
    ties, redo = [], np.zeros(len(pieces), dtype=bool)
    for i, piece in enumerate(pieces):
        tied = np.searchsorted(piece, at_key, side="right") - np.searchsorted(piece, at_key)
        tied[unbound] = 0
        has = np.flatnonzero(tied)
        ties.append(((has + lo).astype(np.int64), tied[has].astype(np.int64)))
        runs = np.searchsorted(piece, cells)
        size = np.diff(runs)
        filled = size > 0
        last = np.zeros(n, dtype=np.uint64)
        last[filled] = piece[runs[1:][filled] - 1] & _LOW  # sorted: each cell's largest key last
        redo[i] = bool(np.any((size >= sh) & (sh > 0) & (last <= at)))
    return bound, below, ties, redo


def join_group_counts(
    results: list[tuple], n_chunks: int
) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """:func:`group_counts` of consecutive groups of cells as one: ``(bound, below, ties, redo)``
    over all cells (``ties`` per chunk, ``redo`` any group's)."""
    bound = np.concatenate([r[0] for r in results])
    below = np.concatenate([r[1] for r in results])
    ties = [
        (np.concatenate([r[2][i][0] for r in results]), np.concatenate([r[2][i][1] for r in results]))
        for i in range(n_chunks)
    ]
    redo = np.logical_or.reduce([r[3] for r in results]) if results else np.zeros(n_chunks, dtype=bool)
    return bound, below, ties, redo
