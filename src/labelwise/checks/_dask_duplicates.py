"""Exact duplicates of the rows of a row-chunked ``dask.array``, grouped on the workers by hash.

The rule is the in-memory one (:func:`~labelwise.checks.exact_duplicate.duplicate_groups`): rows
with equal 64-bit row hashes form a hash group whose first row is its lowest; every other row of
the group is compared value by value with that first row, so a hash collision never makes a false
duplicate (the rows that differ from it are grouped among themselves by value); groups are
numbered by their first row, ``-1`` for unique rows. At scale it runs as:

1. on the workers, each chunk's ``(row hash, row number)`` pairs
   (:func:`~labelwise.checks.exact_duplicate.row_hashes`), a dask DataFrame indexed by row number,
   shuffled by hash (``DataFrame.shuffle(on="hash")``: Dask's hash partitioning, peer-to-peer on
   ``distributed``, a task shuffle on the local schedulers) so that equal hashes meet in one
   partition; each partition keeps the rows of its hash groups with two or more rows and their
   group's first row: the *candidates*;
2. the candidate table (two integers a row, O(rows that share a hash with another)) comes to the
   client; each candidate that is not its group's first row is compared with it on the workers,
   one task per (chunk of the rows, chunk of the first rows) pair that has such rows, only the
   booleans coming back, and :func:`~labelwise.checks.exact_duplicate.groups_from_checks` decides
   on the candidates alone (renumbered ``0..m-1`` in row order, which keeps the group numbers);
3. the group of every row is a ``map_blocks`` over the row chunks looking the row numbers up in
   the duplicate rows' table (``np.searchsorted``): a dask array chunked like the features' rows.

The client never holds an ``n``-length array: the hashes, the shuffle and the per-row groups stay
on the workers. Only the feature values of candidates ever move, and only to the tasks that
compare them, so the values of the (usually many) unique rows are read once, for their hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import _stage_progress
from .._chunks import row_starts
from ..errors import InvalidParameterError
from . import exact_duplicate
from ._partitioned import _looked_up, row_numbers


@dataclass(frozen=True)
class DuplicateGroups:
    """Exact duplicate groups of a dask array's rows (:func:`partitioned_duplicate_groups`).

    Attributes
    ----------
    groups : dask.array.Array
        int64, shape ``(n,)``, chunked like the features' rows: each row's group number (groups
        numbered ``0, 1, ...`` in the order of their first row), ``-1`` for a unique row.
    sizes : numpy.ndarray
        int64, one entry per group: how many rows it has (two or more).
    sets : list of list of int
        The first :data:`~labelwise.checks.exact_duplicate.MAX_SETS_IN_INFO` groups' rows, each
        sorted, as :func:`~labelwise.checks.exact_duplicate.sets_from_groups` lists them.
    n_sets : int
        The number of groups (all of them, listed or not).
    n_candidates : int
        Rows that share their hash with another row: the size of the table the client held.
    """

    groups: Any
    sizes: np.ndarray
    sets: list[list[int]]
    n_sets: int
    n_candidates: int


def partitioned_duplicate_groups(X: Any, texts: Any = None) -> DuplicateGroups:
    """Exact duplicate groups of the rows of ``X`` (and their ``texts``), grouped by a hash-partitioned shuffle.

    Parameters
    ----------
    X : dask.array.Array
        Shape ``(n, d)``, numbers, one chunk along the columns, finite (not checked here: the
        caller's feature check does it).
    texts : DaskTexts, optional
        The rows' texts on the workers (:class:`~labelwise.checks._dask_text_rows.DaskTexts`, any
        partitioning): a row is a duplicate only when its features and its texts are the same, as
        in memory. Each row's text hash is mixed into its feature hash on the workers; the texts of
        the candidates that are not their group's first row, and of those first rows, come to
        the client to be compared.

    Returns
    -------
    DuplicateGroups
        ``groups`` equals :func:`~labelwise.checks.exact_duplicate.duplicate_groups` of
        ``X.compute()`` element for element, for any chunking of the rows.

    Raises
    ------
    InvalidParameterError
        ``X`` is not a 2-D dask array with one column chunk.
    """
    _check_features(X)
    hashes = X.map_blocks(_block_hashes, drop_axis=1, dtype=np.uint64)
    if texts is not None:
        hashes = hashes.map_blocks(_mixed, texts.hash_array(tuple(X.chunks[0])), dtype=np.uint64)
    candidates = _candidate_table(hashes)
    rows, firsts = candidates[:, 0], candidates[:, 1]
    same = _same_as_first(X, rows, firsts)
    held = None
    if texts is not None:  # the candidates' texts, compared here
        check = np.flatnonzero(rows != firsts)
        held = exact_duplicate._Fetched(texts, np.union1d(rows[check], firsts[check]))
        same[check] &= (held[rows[check]] == held[firsts[check]]).all(axis=1)

    def values_of(idx: np.ndarray) -> np.ndarray:
        at = rows[idx]
        return exact_duplicate._row_values(_rows_of(X, at), None if held is None else held[at], np.arange(at.shape[0]))

    # the candidates renumbered 0..m-1 in row order (every first row is a candidate itself):
    # the in-memory rule numbers groups by their first row, which the renumbering keeps in order
    compact = exact_duplicate.groups_from_checks(
        np.arange(rows.shape[0]), np.searchsorted(rows, firsts), same, values_of
    )
    is_dup = compact >= 0
    dup_rows, dup_groups = rows[is_dup], compact[is_dup]
    sizes = np.bincount(dup_groups).astype(np.int64) if dup_groups.size else np.zeros(0, dtype=np.int64)
    sets = [rows[s].tolist() for s in exact_duplicate.sets_from_groups(compact)[: exact_duplicate.MAX_SETS_IN_INFO]]
    groups = _group_of_rows(tuple(X.chunks[0]), dup_rows, dup_groups)
    return DuplicateGroups(groups, sizes, sets, int(sizes.shape[0]), int(rows.shape[0]))


def _group_of_rows(chunks: tuple[int, ...], dup_rows: np.ndarray, dup_groups: np.ndarray) -> Any:
    """Each row's group (``dup_groups[j]`` for row ``dup_rows[j]``, sorted; ``-1`` elsewhere), per chunk.

    Its keys are named for this check: ``near_duplicate`` looks its sets up from the same row
    numbers, and when both find the same sets the two arrays (and ``>= 0`` of them) would share keys,
    which ``distributed`` then receives fused differently by two computations (its "different
    run_spec" warning, dask/dask#9888)."""
    import dask

    table = dask.delayed((np.asarray(dup_rows), np.asarray(dup_groups)), pure=True)
    rows = row_numbers(chunks)
    return rows.map_blocks(_looked_up, table, -1, dtype=np.int64, token="exact-duplicate-groups")


def _check_features(X: Any) -> None:
    chunks = getattr(X, "chunks", None)
    if chunks is None or getattr(X, "ndim", None) != 2:
        raise InvalidParameterError(
            f"features must be a 2-D dask array, got {type(X).__name__} with shape {getattr(X, 'shape', None)}"
        )
    if len(chunks[1]) != 1:
        raise InvalidParameterError(
            f"features must have one chunk along the columns (chunk only the rows), got column chunks {chunks[1]}"
        )


def _candidate_table(hashes: Any) -> np.ndarray:
    """``(m, 2)`` int64: each row that shares its hash (``hashes``, a dask array) with another row,
    and its hash group's first row, sorted by row (the shuffle runs on the workers; only this table
    comes to the client)."""
    import dask.dataframe as dd

    pairs = dd.from_dask_array(hashes, columns="hash").to_frame()  # indexed by row number
    meta = pd.DataFrame({"row": np.zeros(0, np.int64), "first": np.zeros(0, np.int64)})
    shuffled = pairs.shuffle(on="hash", shuffle_method=_shuffle_method())
    candidates = shuffled.map_partitions(_partition_candidates, meta=meta)
    with _stage_progress.step("exact duplicates: row hashes"):
        (table,) = _stage_progress.compute(candidates)
    out = np.empty((len(table), 2), dtype=np.int64)
    out[:, 0], out[:, 1] = table["row"].to_numpy(), table["first"].to_numpy()
    return out[np.argsort(out[:, 0], kind="stable")]


def _shuffle_method() -> str:
    """Peer-to-peer on ``distributed`` (when the computation goes to a client), tasks otherwise: Dask
    picks p2p whenever a client exists, even for a computation sent to a local scheduler, which
    has no workers to run it."""
    import sys

    from dask.base import get_scheduler

    if "distributed" in sys.modules:
        from distributed import Client

        if isinstance(getattr(get_scheduler(), "__self__", None), Client):
            return "p2p"
    return "tasks"


def _partition_candidates(part: pd.DataFrame) -> pd.DataFrame:
    """The rows of one shuffled partition's hash groups with two or more rows, and each group's
    first (lowest) row (a hash's rows all land in one partition)."""
    h, r = part["hash"].to_numpy(), part.index.to_numpy().astype(np.int64)
    if h.shape[0] == 0:
        return pd.DataFrame({"row": r, "first": r})
    order = np.lexsort((r, h))  # by hash, then row: a group's first row leads it
    h, r = h[order], r[order]
    starts = np.r_[True, h[1:] != h[:-1]]
    group = np.cumsum(starts) - 1
    first = r[starts][group]
    keep = np.bincount(group)[group] >= 2
    return pd.DataFrame({"row": r[keep], "first": first[keep]})


def _same_as_first(X: Any, rows: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """Whether each candidate row equals its hash group's first row value by value, compared on the
    workers: one task per (chunk of the rows, chunk of the first rows) pair that has such rows."""
    import dask

    same = np.ones(rows.shape[0], dtype=bool)
    check = np.flatnonzero(rows != firsts)  # a group's first row is itself
    if check.size == 0:
        return same
    blocks = list(X.to_delayed().ravel())
    starts = row_starts(X.chunks[0])
    row_block = np.searchsorted(starts, rows[check], side="right") - 1
    first_block = np.searchsorted(starts, firsts[check], side="right") - 1
    pair = row_block * len(blocks) + first_block
    by_pair = np.argsort(pair, kind="stable")
    cuts = np.flatnonzero(np.diff(pair[by_pair])) + 1
    compare = dask.delayed(_compare_rows, pure=True)
    tasks, where = [], []
    for part in np.split(by_pair, cuts):
        b, f = int(row_block[part[0]]), int(first_block[part[0]])
        at = check[part]
        tasks.append(compare(blocks[b], blocks[f], rows[at] - starts[b], firsts[at] - starts[f]))
        where.append(at)
    with _stage_progress.step("exact duplicates: rows compared"):
        compared = _stage_progress.compute(*tasks)
    for positions, equal in zip(where, compared, strict=True):
        same[positions] = equal
    return same


def _as_float(block: np.ndarray) -> np.ndarray:
    """A chunk as the in-memory check reads it: floats as they are, other numbers as float64."""
    X = np.asarray(block)
    return X if X.dtype.kind == "f" else X.astype(np.float64)


def _rows_of(X: Any, rows: np.ndarray) -> np.ndarray:
    """The feature rows ``rows`` (sorted, few: the other side of hash collisions) as floats."""
    (values,) = _stage_progress.compute(X[rows])
    return _as_float(np.asarray(values))


def _block_hashes(block: np.ndarray) -> np.ndarray:
    return exact_duplicate.row_hashes(_as_float(block))


def _mixed(h: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Feature hashes ``h`` with text hashes ``t`` mixed in, as :func:`~labelwise.checks.exact_duplicate.duplicate_groups` mixes them."""
    with np.errstate(over="ignore"):
        return (h * exact_duplicate._MIX) ^ t


def _compare_rows(A: np.ndarray, B: np.ndarray, rows: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """Whether ``A[rows[i]]`` equals ``B[firsts[i]]`` value by value (as floats, -0.0 == 0.0)."""
    A, B = _as_float(A), _as_float(B)
    out = np.empty(rows.shape[0], dtype=bool)
    step = 1 << 13
    for s in range(0, rows.shape[0], step):
        out[s : s + step] = (A[rows[s : s + step]] == B[firsts[s : s + step]]).all(axis=1)
    return out
