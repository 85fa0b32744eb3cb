"""Dynamic-programming alignment of many word sequences at once, for ROVER and word error rates.

One call aligns, for every item of a block of ``B`` items, one hypothesis (a sequence of word
codes) to that item's reference: a sequence of *slots*. The cost of aligning hypothesis word ``i``
with slot ``j`` is 0 where ``match[b, i, j]`` (the word is in the slot) and 1 otherwise; skipping a
slot costs ``skip_cost[b, j]`` (0 or 1: ROVER lets a hypothesis pass a slot that already holds a
null arc for free); an extra hypothesis word costs 1. With one word per slot and skip cost 1 this
is the Levenshtein distance between word sequences.

The table is filled one hypothesis word (row) at a time for every item and every slot at once:
within a row, ``D[i, j] = min(a[j], D[i, j-1] + skip[j])`` where ``a[j]`` comes from the row above,
a running minimum of ``a[k] - c[k]`` plus the cumulative skip cost ``c[j]``
(``np.minimum.accumulate``), so a row costs a few numpy calls instead of a Python loop over
slots. Among equal costs the move is chosen in the order diagonal (match or substitution), skip
(deletion), insertion: the order of crowd-kit's ``ROVER._align``, so that alignments agree with it
move for move. The first row costs ``j`` (one per slot, whatever the slot holds), as there.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["DIAG", "INS", "SKIP", "Path", "align", "blocks", "edit_distances", "ranges", "trace"]

#: Moves of an alignment: hypothesis word on a slot; slot passed (deletion); new slot (insertion).
DIAG, SKIP, INS = 0, 1, 2


def align(
    match: np.ndarray, skip_cost: np.ndarray, n_words: np.ndarray, n_slots: np.ndarray, *, moves: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Fill the alignment tables of a block of items.

    Parameters
    ----------
    match : ndarray of bool, shape (B, N, S)
        ``match[b, i, j]``: word ``i`` of item ``b``'s hypothesis is in slot ``j`` of its reference.
        Entries past ``n_words[b]`` or ``n_slots[b]`` are ignored.
    skip_cost : ndarray of int, shape (B, S)
        Cost of passing slot ``j`` without a hypothesis word (0 or 1).
    n_words, n_slots : ndarray of int, shape (B,)
        Length of each item's hypothesis and reference.
    moves : bool
        Whether to return the table of chosen moves (needed by :func:`trace`).

    Returns
    -------
    distance : ndarray of int64, shape (B,)
        The minimal cost of aligning each item's whole hypothesis to its whole reference.
    moves : ndarray of int8, shape (B, N + 1, S + 1), or None
        The chosen move (``DIAG``, ``SKIP``, ``INS``) into each cell.
    """
    n_items, n_rows, width = match.shape
    cells = np.empty((n_items, n_rows + 1, width + 1), dtype=np.int32)
    cells[:, 0, :] = np.arange(width + 1, dtype=np.int32)  # first row: one per slot passed
    skips = skip_cost.astype(np.int32, copy=False)
    cum_skip = np.zeros((n_items, width + 1), dtype=np.int32)
    np.cumsum(skips, axis=1, out=cum_skip[:, 1:])
    table = None
    if moves:
        table = np.empty((n_items, n_rows + 1, width + 1), dtype=np.int8)
        table[:, 0, :] = SKIP
        table[:, :, 0] = INS
    scan = np.empty((n_items, width + 1), dtype=np.int32)
    for i in range(1, n_rows + 1):
        above = cells[:, i - 1, :]
        diag = above[:, :-1] + ~match[:, i - 1, :]  # bool ~ is 1 for a substitution
        best = np.minimum(diag, above[:, 1:] + 1)
        scan[:, 0] = i  # column 0: i insertions
        np.subtract(best, cum_skip[:, 1:], out=scan[:, 1:])
        row = cells[:, i, :]
        np.minimum.accumulate(scan, axis=1, out=row)
        row += cum_skip
        if table is not None:
            now = row[:, 1:]
            move = np.where(row[:, :-1] + skips == now, SKIP, INS).astype(np.int8)
            move[diag == now] = DIAG
            table[:, i, 1:] = move
    rows = np.arange(n_items)
    return cells[rows, n_words, n_slots].astype(np.int64), table


class Path:
    """The moves of each item's optimal alignment, first to last, as flat arrays.

    Attributes
    ----------
    item : ndarray of int64
        Block position of the item each move belongs to; moves are grouped by item, in order.
    position : ndarray of int64
        Index of the move within its item's path (the new slot it makes).
    move : ndarray of int8
        ``DIAG``, ``SKIP`` or ``INS``.
    word, slot : ndarray of int64
        Hypothesis word index (``i - 1``; for ``DIAG`` and ``INS``) and reference slot index
        (``j - 1``; for ``DIAG`` and ``SKIP``) of each move; -1 where the move has none.
    length : ndarray of int64, shape (B,)
        Number of moves of each item.
    """

    def __init__(
        self, n_items: int, item: np.ndarray, step: np.ndarray, move: np.ndarray, i: np.ndarray, j: np.ndarray
    ) -> None:
        length = np.bincount(item, minlength=n_items)
        self.length = length
        order = np.lexsort((-step, item))  # steps were recorded last move first
        self.item = item[order]
        self.move = move[order]
        starts = np.concatenate(([0], np.cumsum(length)[:-1]))
        self.position = np.arange(len(order)) - starts[self.item]
        self.word = np.where(self.move != SKIP, i[order] - 1, -1)
        self.slot = np.where(self.move != INS, j[order] - 1, -1)


def trace(table: np.ndarray, n_words: np.ndarray, n_slots: np.ndarray) -> Path:
    """Walk every item's table back from its last cell to the first, all items in step.

    Parameters
    ----------
    table : ndarray of int8, shape (B, N + 1, S + 1)
        Moves from :func:`align`.
    n_words, n_slots : ndarray of int, shape (B,)
        Where each item's walk starts.

    Returns
    -------
    Path
    """
    rows = np.arange(table.shape[0])
    i = n_words.astype(np.int64)
    j = n_slots.astype(np.int64)
    items, steps, moves, at_i, at_j = [], [], [], [], []
    step = 0
    live = (i > 0) | (j > 0)
    while live.any():
        idx = rows[live]
        move = table[idx, i[idx], j[idx]]
        items.append(idx)
        steps.append(np.full(len(idx), step))
        moves.append(move)
        at_i.append(i[idx])
        at_j.append(j[idx])
        i[idx] -= move != SKIP
        j[idx] -= move != INS
        live = (i > 0) | (j > 0)
        step += 1
    if not items:
        empty = np.zeros(0, dtype=np.int64)
        return Path(len(rows), empty, empty, empty.astype(np.int8), empty, empty)
    return Path(len(rows), *(np.concatenate(part) for part in (items, steps, moves, at_i, at_j)))


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])``, vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    return np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - lengths), lengths)


def blocks(cost: np.ndarray, keep: np.ndarray, budget: int) -> Iterator[np.ndarray]:
    """Indices of the kept entries in blocks of about ``budget`` total ``cost``, cheapest first
    (entries of similar cost together: little padding)."""
    order = np.argsort(cost, kind="stable")
    order = order[keep[order]]
    block_of = (np.cumsum(cost[order]) - cost[order]) // budget  # by the cost before each entry
    for block in np.split(order, np.flatnonzero(np.diff(block_of)) + 1):
        if len(block):
            yield block


def edit_distances(codes: np.ndarray, lengths: np.ndarray, n_pairs: int, budget: int = 1 << 20) -> np.ndarray:
    """Levenshtein distances between word sequences: sequence ``p`` (a reference) and ``n_pairs + p``
    (its hypothesis), for ``p < n_pairs``.

    ``codes`` holds every sequence's word codes, one sequence after another, ``lengths`` their
    lengths. Substitutions, deletions and insertions each cost 1. Returns int64 of shape (n_pairs,).
    """
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    ref_len, hyp_len = lengths[:n_pairs], lengths[n_pairs:]
    out = np.zeros(n_pairs, dtype=np.int64)
    for block in blocks((ref_len + 1) * (hyp_len + 1), np.ones(n_pairs, dtype=bool), budget):
        ref = _padded(codes, starts[block], ref_len[block], -1)
        hyp = _padded(codes, starts[n_pairs + block], hyp_len[block], -2)
        match = hyp[:, :, None] == ref[:, None, :]
        skip = np.ones(ref.shape, dtype=np.int32)
        out[block] = align(match, skip, hyp_len[block], ref_len[block], moves=False)[0]
    return out


def _padded(codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray, fill: int) -> np.ndarray:
    """Sequences as rows of a (len(starts), max length) array, padded with ``fill``."""
    out = np.full((len(starts), int(lengths.max(initial=0))), fill, dtype=np.int64)
    rows = np.repeat(np.arange(len(starts)), lengths)
    idx = ranges(starts, lengths)
    out[rows, idx - np.repeat(starts, lengths)] = codes[idx]
    return out
