"""Exact "the c best rows per cell" over chunks: per-chunk candidates merged in order.

A selection is a set of *entries* ``(cell, key, row)``: ``cell`` is what the rows compete for (a
class, or a pair ``(given, true)`` flattened to ``given * K + true``), ``key`` the value sorted
ascending (a negated margin when the largest margins win) and ``row`` the global row index, which
breaks ties (lower row first, as a stable sort does). The ``limits[cell]`` first entries of each
cell in ``(key, row)`` order are selected. Keeping only those per chunk and merging chunks' lists
keeps exactly the same entries as one selection over all rows, whatever the chunking.
"""

from __future__ import annotations

import numpy as np

from .._chunks import row_blocks

Entries = tuple[np.ndarray, np.ndarray, np.ndarray]
#: Merge accumulated candidates of one chunk once they exceed this many entries.
_MERGE_EVERY = 1 << 20


def empty_entries(dtype: np.dtype) -> Entries:
    """No entries, keys of ``dtype``."""
    return np.empty(0, np.int64), np.empty(0, dtype), np.empty(0, np.int64)


def merge_top(parts: list[Entries], limits: np.ndarray) -> Entries:
    """Concatenate entries and keep the ``limits[cell]`` first of each cell in ``(key, row)`` order.

    The result is sorted by ``(cell, key, row)``.
    """
    cell = np.concatenate([p[0] for p in parts])
    key = np.concatenate([p[1] for p in parts])
    row = np.concatenate([p[2] for p in parts])
    order = np.lexsort((row, key, cell))
    cell, key, row = cell[order], key[order], row[order]
    if cell.size == 0:
        return cell, key, row
    starts = np.flatnonzero(np.concatenate([[True], cell[1:] != cell[:-1]]))
    sizes = np.diff(np.concatenate([starts, [cell.size]]))
    rank = np.arange(cell.size) - np.repeat(starts, sizes)
    keep = rank < limits[cell]
    return cell[keep], key[keep], row[keep]


class _Accumulator:
    """Collects candidate entries of one chunk, merging whenever they grow large."""

    def __init__(self, limits: np.ndarray, dtype: np.dtype):
        self.limits = limits
        self.parts: list[Entries] = [empty_entries(dtype)]
        self.size = 0

    def add(self, entries: Entries) -> None:
        self.parts.append(entries)
        self.size += entries[0].size
        if self.size > _MERGE_EVERY:
            self.parts = [merge_top(self.parts, self.limits)]
            self.size = self.parts[0][0].size

    def result(self) -> Entries:
        return merge_top(self.parts, self.limits)


def margin_entries(
    start: int,
    probs: np.ndarray,
    codes: np.ndarray,
    predicted: np.ndarray,
    *,
    wanted: np.ndarray,
    mispredicted_only: bool,
) -> tuple[tuple, Entries]:
    """Candidates of ``prune_by_noise_rate`` in a chunk: cell ``(i, j)``, key ``-(p_j - p_i)``.

    ``wanted[i, j]`` is how many examples labelled ``i`` to take for true class ``j``. With
    ``mispredicted_only`` only positive margins of rows whose prediction is not their label are
    candidates (the only rows that can have one); otherwise every row of a class with a wanted
    cell, every margin.
    """
    k = probs.shape[1]
    active = wanted.any(axis=1)
    acc = _Accumulator(wanted.ravel(), probs.dtype)
    for block in row_blocks(probs.shape[0], k):
        code = codes[block]
        take = active[code]
        if mispredicted_only:
            take &= predicted[block] != code
        idx = np.flatnonzero(take)
        if idx.size == 0:
            continue
        sub = np.asarray(probs[block][idx])
        given = code[idx]
        margins = sub - sub[np.arange(idx.size), given][:, None]
        keep = wanted[given] > 0
        if mispredicted_only:
            keep &= margins > 0
        r, j = np.nonzero(keep)
        acc.add((given[r].astype(np.int64) * k + j, -margins[r, j], start + block.start + idx[r]))
    return (), acc.result()


def score_entries(
    start: int, codes: np.ndarray, scores: np.ndarray, *, limits: np.ndarray, by_class: bool
) -> tuple[tuple, Entries]:
    """Candidates for "the lowest scores": per given class (``by_class``) or overall (cell 0)."""
    cell = codes.astype(np.int64) if by_class else np.zeros(codes.shape[0], dtype=np.int64)
    rows = start + np.arange(codes.shape[0], dtype=np.int64)
    want = limits[cell] > 0
    return (), merge_top([(cell[want], scores[want], rows[want])], limits)


def cell_counts(entries: Entries, n_cells: int) -> np.ndarray:
    """How many entries each cell holds."""
    return np.bincount(entries[0], minlength=n_cells)


def drop_cells(entries: Entries, drop: np.ndarray) -> Entries:
    """The entries whose cell is not marked in the boolean array ``drop``."""
    keep = ~drop[entries[0]]
    return entries[0][keep], entries[1][keep], entries[2][keep]


def union_rows(*selections: Entries) -> np.ndarray:
    """Sorted unique rows of the given selections."""
    return np.unique(np.concatenate([s[2] for s in selections]))


def rows_mask(start: int, codes: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Boolean mask of a chunk (``codes`` only gives its length): True at the selected ``rows``."""
    mask = np.zeros(codes.shape[0], dtype=bool)
    lo, hi = np.searchsorted(rows, [start, start + codes.shape[0]])
    mask[rows[lo:hi] - start] = True
    return mask


def flagged_entries(start: int, is_issue: np.ndarray, quality: np.ndarray) -> tuple[tuple, Entries]:
    """The flagged rows of a chunk with their quality, for ranking (cell 0)."""
    idx = np.flatnonzero(is_issue)
    return (), merge_top([(np.zeros(idx.size, np.int64), quality[idx], start + idx)], np.array([idx.size]))


def merge_all(parts: list[Entries]) -> Entries:
    """Merge ranking entries keeping all of them, in ``(key, row)`` order."""
    total = sum(p[0].size for p in parts)
    return merge_top(parts, np.array([total]))
