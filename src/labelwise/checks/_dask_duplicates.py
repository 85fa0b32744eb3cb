"""Exact duplicates of the rows of a row-chunked ``dask.array``: per-chunk hash tables merged.

Pass 1, on the workers: each chunk's row hashes (:func:`~labelwise.checks.exact_duplicate.row_hashes`,
8 bytes a row). On the client: the hashes grouped (:func:`~labelwise.checks.exact_duplicate.hash_groups`,
the lowest row of each hash group its first row), as in memory. Pass 2, on the workers: every row
whose hash group has another row is compared value by value with its group's first row, one task
per (chunk of the rows, chunk of the first rows) pair that has such rows, so a hash collision never
makes a false duplicate (:func:`~labelwise.checks.exact_duplicate.groups_from_checks`, as in memory).
The groups are the in-memory :func:`~labelwise.checks.exact_duplicate.duplicate_groups`'.

Why not a shuffle of the rows by hash (a dask DataFrame ``shuffle``): it moves every value of the
features between workers to find what are usually few duplicates; here only the hashes move (to the
client, which holds the per-row results anyway), and a chunk moves only to the tasks that compare
its rows with another chunk's, which for duplicates spread over every chunk is at most every pair
of chunks, a shuffle's own traffic.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _stage_progress
from . import exact_duplicate


def dask_duplicate_groups(X: Any) -> np.ndarray:
    """Group number of every row of dask array ``X`` (one column chunk), ``-1`` for unique rows."""
    import dask

    blocks = list(X.to_delayed().ravel())
    starts = np.r_[0, np.cumsum(X.chunks[0])].astype(np.int64)
    with _stage_progress.step("exact duplicates: row hashes"):
        hashes = _stage_progress.compute(*(dask.delayed(_block_hashes, pure=True)(b) for b in blocks))
    order, first = exact_duplicate.hash_groups(np.concatenate(hashes))
    same = np.ones(order.shape[0], dtype=bool)
    check = np.flatnonzero(order != first)  # a group's first row is itself
    if check.size:
        rows, firsts = order[check], first[check]
        row_block = np.searchsorted(starts, rows, side="right") - 1
        first_block = np.searchsorted(starts, firsts, side="right") - 1
        pair = row_block * len(blocks) + first_block
        by_pair = np.argsort(pair, kind="stable")
        cuts = np.flatnonzero(np.diff(pair[by_pair])) + 1
        compare = dask.delayed(_compare_rows, pure=True)
        tasks, where = [], []
        for part in np.split(by_pair, cuts):
            b, f = int(row_block[part[0]]), int(first_block[part[0]])
            tasks.append(compare(blocks[b], blocks[f], rows[part] - starts[b], firsts[part] - starts[f]))
            where.append(check[part])
        with _stage_progress.step("exact duplicates: rows compared"):
            compared = _stage_progress.compute(*tasks)
        for positions, equal in zip(where, compared, strict=True):
            same[positions] = equal
    return exact_duplicate.groups_from_checks(order, first, same)


def _as_float(block: np.ndarray) -> np.ndarray:
    """A chunk as the in-memory check reads it: floats as they are, other numbers as float64."""
    X = np.asarray(block)
    return X if X.dtype.kind == "f" else X.astype(np.float64)


def _block_hashes(block: np.ndarray) -> np.ndarray:
    return exact_duplicate.row_hashes(_as_float(block))


def _compare_rows(A: np.ndarray, B: np.ndarray, rows: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """Whether ``A[rows[i]]`` equals ``B[firsts[i]]`` value by value (as floats, -0.0 == 0.0)."""
    A, B = _as_float(A), _as_float(B)
    out = np.empty(rows.shape[0], dtype=bool)
    step = 1 << 13
    for s in range(0, rows.shape[0], step):
        out[s : s + step] = (A[rows[s : s + step]] == B[firsts[s : s + step]]).all(axis=1)
    return out
