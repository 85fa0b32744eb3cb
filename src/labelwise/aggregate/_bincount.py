"""``np.bincount`` of answer codes without the whole-array copy numpy makes of a read-only input.

numpy's ``bincount`` converts its input with ``PyArray_ContiguousFromAny``, whose default flags ask
for a *writeable* array: a read-only input is copied whole first, and so is an input that is not
``intp``. The answer codes are often read-only: under pandas' copy-on-write a column's
``to_numpy()`` is a read-only view, and :func:`~labelwise.aggregate._answers.encode_answers` keeps
int64 ids ``0..n-1`` as such views instead of copying them. On 10 million answers each count would
then allocate (and the kernel fault in) 80 MB first. :func:`bincount` counts such an input in
blocks copied through one small buffer instead, and :func:`cell_sums` and :func:`sorted_cell_counts`
sum answers into ``(row, label)`` cells without the 10-million-entry ``row * K + label`` key array
a ``bincount`` needs.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BLOCK_ROWS", "CELL_BLOCK", "bincount", "cell_sums", "sorted_cell_counts"]

#: Entries per block copied for the count (8 MB of ``intp``: the buffer is reused, never re-faulted).
BLOCK_ROWS = 1 << 20
#: Answers per block of :func:`cell_sums` (their cell keys, 512 KB, stay in the L2 cache).
CELL_BLOCK = 1 << 16


def bincount(codes: np.ndarray, weights: np.ndarray | None = None, minlength: int = 0) -> np.ndarray:
    """``np.bincount(codes, weights, minlength)``, the same values and dtype, without a copy of ``codes``.

    Parameters
    ----------
    codes : ndarray of non-negative integers, 1-D
        Read-only and non-``intp`` inputs are counted in blocks of :data:`BLOCK_ROWS` entries
        copied into one buffer; others are passed to ``np.bincount`` as they are.
    weights : ndarray of bool or integers, optional
        Integer weights only: the blocks' partial sums are then exact, so the result does not
        depend on the blocks (float weights would be summed in another order than by
        ``np.bincount``; they go to ``np.bincount`` directly).
    minlength : int
        As for ``np.bincount``.

    Returns
    -------
    ndarray
        ``intp`` counts, or float64 sums with ``weights``.

    References
    ----------
    numpy's ``bincount`` (``numpy/_core/src/multiarray/compiled_base.c``, ``arr_bincount``).
    """
    direct = codes.dtype == np.intp and codes.flags.writeable and codes.flags.c_contiguous
    exact = weights is None or np.asarray(weights).dtype.kind in "biu"
    n = codes.shape[0]
    if direct or not exact or codes.ndim != 1 or n <= BLOCK_ROWS:
        return np.bincount(codes, weights=weights, minlength=minlength)
    buffer = np.empty(BLOCK_ROWS, dtype=np.intp)
    out = None
    for start in range(0, n, BLOCK_ROWS):
        part = buffer[: min(BLOCK_ROWS, n - start)]
        np.copyto(part, codes[start : start + BLOCK_ROWS], casting="same_kind")
        block = np.bincount(
            part, weights=None if weights is None else weights[start : start + BLOCK_ROWS], minlength=minlength
        )
        if out is None:
            out = block
        elif block.shape[0] > out.shape[0]:
            block[: out.shape[0]] += out
            out = block
        else:
            out[: block.shape[0]] += block
    assert out is not None
    return out


def cell_sums(
    rows: np.ndarray, labels: np.ndarray, n_rows: int, k: int, values: np.ndarray | None = None
) -> np.ndarray:
    """Sum each answer's value into its ``[rows[i], labels[i]]`` cell: float64 of shape ``(n_rows, k)``.

    ``values=None`` counts the answers. Equal, bit for bit, to
    ``np.bincount(rows * k + labels, weights=values, minlength=n_rows * k).reshape(n_rows, k)``
    (as float64): both add the values into each cell one answer at a time in row order, starting
    from 0; here the keys are made a block of :data:`CELL_BLOCK` answers at a time in one buffer
    and added with ``np.add.at``, so no key array as long as the answers (80 MB at 10 million) and
    no integer-to-float copy of the counts is allocated.

    Parameters
    ----------
    rows, labels : ndarray of integers, shape (n_answers,)
        Each answer's row (``0 <= rows < n_rows``) and label (``0 <= labels < k``) codes.
    n_rows, k : int
        Shape of the result.
    values : ndarray of shape (n_answers,), optional
        Real values to sum (``None``: count).

    Returns
    -------
    ndarray of float64, shape (n_rows, k)
    """
    n = rows.shape[0]
    out = np.zeros(n_rows * k)
    keys = np.empty(min(CELL_BLOCK, n), dtype=np.intp)
    for start in range(0, n, CELL_BLOCK):
        stop = min(start + CELL_BLOCK, n)
        cells = keys[: stop - start]
        np.multiply(rows[start:stop], k, out=cells, dtype=np.intp)  # in intp: int32 rows * k may wrap
        np.add(cells, labels[start:stop], out=cells, dtype=np.intp)
        np.add.at(out, cells, 1.0 if values is None else values[start:stop])
    return out.reshape(n_rows, k)


def sorted_cell_counts(sorted_keys: np.ndarray, per_row: int, k: int, n_rows: int) -> np.ndarray:
    """Answers per ``(row, label)`` cell from sorted keys ``row * per_row + rest * k + label``: float64 ``(n_rows, k)``.

    The same counts as :func:`cell_sums` without values (exact integers), from the keys
    :func:`~labelwise.aggregate._factorize.sorted_pair_label_keys` sorted for the duplicate count
    (``per_row = n_annotators * K``): a block of sorted keys spans a contiguous range of rows, so
    each block is counted by a ``bincount`` as long as that range, into one buffer, and no array as
    long as the answers is allocated.

    Parameters
    ----------
    sorted_keys : ndarray of int64, sorted
        One key per answer, ``0 <= key < n_rows * per_row``; ``per_row`` a multiple of ``k``.
    per_row, k, n_rows : int
        The keys' layout and the result's shape.

    Returns
    -------
    ndarray of float64, shape (n_rows, k)
    """
    n = sorted_keys.shape[0]
    out = np.zeros(n_rows * k)
    block = max(1, min(BLOCK_ROWS >> 2, n))
    cells, labels = np.empty(block, dtype=np.intp), np.empty(block, dtype=np.intp)
    for start in range(0, n, block):
        part = sorted_keys[start : start + block]
        row, label = cells[: part.shape[0]], labels[: part.shape[0]]
        np.floor_divide(part, per_row, out=row, casting="same_kind")
        np.remainder(part, k, out=label, casting="same_kind")
        first = int(row[0]) * k
        row *= k
        row += label
        row -= first  # cells from the block's first row on
        counts = np.bincount(row)
        out[first : first + counts.shape[0]] += counts
    return out.reshape(n_rows, k)
