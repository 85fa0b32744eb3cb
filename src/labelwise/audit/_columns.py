"""Per-column top selections on a class's margins laid out by column (one contiguous row per class ``j``).

:func:`labelwise.audit._select.margin_entries` needs, for the rows labelled ``i``, each column's
largest margins ``p_j - p_i``. Partitioning a column needs it contiguous; transposing a class's
whole ``rows x K`` matrix at once reads it with a stride of one row per element, which falls out of
cache once the matrix outgrows it (a class of a 1e7 x 100 array: 30 MB, its transposed copy took
most of the selection's time). :func:`gather_margins_by_column` instead gathers the rows in
cache-sized blocks and transposes each block while it is in cache; :func:`top_counts_by_row` is the
selection on that layout, every step reading contiguous memory.
"""

from __future__ import annotations

import numpy as np

from .._chunks import BLOCK_ELEMENTS

#: Elements of a gather block of :func:`gather_margins_by_column`.
GATHER_ELEMENTS = BLOCK_ELEMENTS


def gather_margins_by_column(probs: np.ndarray, idx: np.ndarray, cls: int, out: np.ndarray, block: np.ndarray) -> None:
    """``out[:, r] = probs[idx[r]] - probs[idx[r], cls]`` for every ``r``: the margins transposed.

    ``out`` has shape ``(K, len(idx))``; ``block`` is a ``(b, K)`` buffer (``b >= 1`` rows) that
    receives each block of gathered rows. The subtraction is the float operation of the row layout,
    so every margin is bit for bit the one a row-major computation gives.
    """
    step = block.shape[0]
    for lo in range(0, idx.size, step):
        hi = min(lo + step, idx.size)
        rows = np.take(probs, idx[lo:hi], axis=0, out=block[: hi - lo], mode="clip")  # "raise" would buffer `out`
        rows -= rows[:, cls : cls + 1].copy()
        out[:, lo:hi] = rows.T


def block_rows(n_cols: int) -> int:
    """Rows of the gather block of :func:`gather_margins_by_column`: about ``GATHER_ELEMENTS`` elements."""
    return max(1, GATHER_ELEMENTS // max(1, n_cols))


def top_counts_by_row(
    values: np.ndarray,
    counts: np.ndarray,
    *,
    above: float | None = None,
    out: np.ndarray | None = None,
    work: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Mask of, per row ``j`` of ``values`` (shape ``(K, n)``), its ``counts[j]`` largest values, ties
    going to the lower position (as a stable sort of each row, descending, would choose).

    Each row's cut value (its ``counts[j]``-th largest) comes from one partition of a copy of the
    rows with a count; only rows with a tie at the cut need a second look. With ``above``, only
    values greater than it are kept. Returns the ``(K, n)`` mask (written to ``out`` when given)
    and the cut values (``+inf`` where nothing is selected). ``work`` (optional, of ``values``'
    dtype and at least ``values.size`` elements) receives the copy that is partitioned, instead of
    a fresh array.
    """
    k, n = values.shape
    counts = np.minimum(counts, n)
    cut = np.full(k, np.inf, dtype=values.dtype)
    cols = np.flatnonzero(counts > 0)
    if cols.size == 0:
        chosen = np.zeros((k, n), dtype=bool) if out is None else out
        chosen[...] = False
        return chosen, cut
    c = counts[cols]
    # Keep one value beyond the deepest cut, to see whether the next value ties with the cut.
    depth = min(int(c.max()) + 1, n)
    if work is None:
        top = values[cols]  # a copy: contiguous rows
    else:  # the same copy in a reused buffer (each fresh one is page-faulted where large blocks are mapped afresh)
        top = work[: cols.size * n].reshape(cols.size, n)
        if cols.size == k:
            np.copyto(top, values)
        else:
            np.take(values, cols, axis=0, out=top, mode="clip")  # "raise" would buffer `out`
    if depth < n:
        top.partition(n - depth, axis=1)
        top = top[:, n - depth :]
    top.sort(axis=1)
    at_cut = top[np.arange(cols.size), depth - c]
    cut[cols] = at_cut
    low = cut
    if above is not None:  # the smallest value above ``above`` is the next float: values >= it iff values > above
        low = np.maximum(cut, np.nextafter(values.dtype.type(above), values.dtype.type(np.inf)))
    chosen = np.greater_equal(values, low[:, None], out=out)
    beyond = c < depth
    tied = np.zeros(cols.size, dtype=bool)
    tied[beyond] = top[np.flatnonzero(beyond), depth - c[beyond] - 1] == at_cut[beyond]
    if above is not None:  # values at a cut not above ``above`` are not chosen: nothing to trim
        tied &= at_cut > above
    for col in cols[tied]:  # ties at the cut: keep the earliest positions
        row = values[col]
        need = counts[col] - np.count_nonzero(row > cut[col])
        chosen[col, np.flatnonzero(row == cut[col])[need:]] = False
    return chosen, cut
