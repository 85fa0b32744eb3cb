"""``exact_duplicate`` check: rows whose features and texts are identical, found by hashing (no graph).

Each column is hashed (pandas' vectorised 64-bit hash, with -0.0 read as 0.0; a text column, as
written: case and whitespace count, a missing text equals a missing text) and the column hashes
are combined per row, block by block of rows; rows with equal row hashes are then compared value
by value with the first row of their hash group, so a hash collision never makes a false
duplicate. The rows that differ from their group's first row (the other side of a collision: with
64-bit hashes about ``n^2 / 2^65`` pairs, so a few in ``10^4`` runs at ``10^8`` rows) are grouped
among themselves by their values, so two equal rows behind a colliding first row are still found.
Texts (``find_data_issues(texts=)``, the text columns of ``labelwise audit``'s table) make a
text-only table checkable: without features its rows are compared by their texts alone; with
features, a row is a duplicate only when its features and its texts are the same. Memory: a few
arrays of ``n`` integers, and the texts. Texts given as dask stay on the workers
(:mod:`._dask_text_rows`): their row hashes are made there, and only the texts of rows that share
a hash with another row are fetched to rule out collisions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_positive_int
from ..errors import InvalidParameterError
from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from ._options import positive_int

_MIX = np.uint64(0x9E3779B97F4A7C15)
#: At most this many sets are listed in ``info`` (all are counted).
MAX_SETS_IN_INFO = 1000
#: Rows hashed and compared at a time: two (BLOCK_ROWS, d) row copies, a few MB.
BLOCK_ROWS = 1 << 13


def row_hashes(X: np.ndarray) -> np.ndarray:
    """A 64-bit hash of every row, one column at a time."""
    h = np.zeros(X.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in range(X.shape[1]):
            col = np.ascontiguousarray(X[:, c]) + 0.0  # -0.0 == 0.0
            h = (h * _MIX) ^ pd.util.hash_array(col, categorize=False)
    return h


def text_hashes(texts: np.ndarray, block_rows: int = BLOCK_ROWS) -> np.ndarray:
    """A 64-bit hash of every row of an ``(n, m)`` object array of texts (``None`` for missing), by
    blocks of ``block_rows`` rows (the hashes do not depend on the block size)."""
    h = np.zeros(texts.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for s in range(0, texts.shape[0], block_rows):
            block = h[s : s + block_rows]
            for c in range(texts.shape[1]):
                block = (block * _MIX) ^ pd.util.hash_array(texts[s : s + block_rows, c], categorize=False)
            h[s : s + block_rows] = block
    return h


def duplicate_groups(X: np.ndarray | None, texts: Any = None, block_rows: int = BLOCK_ROWS) -> np.ndarray:
    """Group number of every row (rows with identical features and texts share one), ``-1`` for unique rows.

    ``X``: ``(n, d)`` features or None; ``texts``: ``(n, m)`` object array of texts (``None`` for
    missing), a :class:`~labelwise.checks._dask_text_rows.DaskTexts` (texts on the workers: their
    row hashes come here, and the texts of the rows that share a hash with another row), or None;
    one of them given. ``block_rows``: rows hashed and compared at a time (the groups do not depend
    on it).
    """
    if X is None and texts is None:
        raise InvalidParameterError("duplicate_groups needs features or texts, got neither")
    on_workers = texts is not None and not isinstance(texts, np.ndarray)
    h = row_hashes(X) if X is not None else np.zeros(0 if texts is None else len(texts), dtype=np.uint64)
    if texts is not None:
        with np.errstate(over="ignore"):
            h = (h * _MIX) ^ (texts.hashes() if on_workers else text_hashes(texts, block_rows))
    order, first = hash_groups(h)
    check = np.flatnonzero(order != first)  # a group's first row equals itself
    if on_workers:
        texts = _Fetched(texts, np.union1d(order[check], first[check]))
    same = np.ones(order.shape[0], dtype=bool)
    for s in range(0, check.size, block_rows):  # value check against the group's first row
        at = check[s : s + block_rows]
        rows, firsts = order[at], first[at]
        ok = np.ones(at.shape[0], dtype=bool)
        if X is not None:
            ok &= (X[rows] == X[firsts]).all(axis=1)
        if texts is not None:
            ok &= (texts[rows] == texts[firsts]).all(axis=1)
        same[at] = ok
    return groups_from_checks(order, first, same, lambda rows: _row_values(X, texts, rows))


class _Fetched:
    """The texts of some rows (sorted, unique) fetched from the workers, indexed by row number."""

    def __init__(self, texts: Any, rows: np.ndarray) -> None:
        self.rows = np.asarray(rows, dtype=np.int64)
        self.values = texts.take(self.rows) if self.rows.size else np.empty((0, texts.width), dtype=object)

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        return self.values[np.searchsorted(self.rows, rows)]


def _row_values(X: np.ndarray | None, texts: Any, rows: np.ndarray) -> np.ndarray:
    """The values of ``rows`` as one numeric matrix (each text column as codes of its distinct texts
    among these rows, missing as -1), for grouping the rows a hash collision set apart."""
    parts = [X[rows]] if X is not None else []
    if texts is not None:
        held = texts[rows]
        parts += [pd.factorize(held[:, c], use_na_sentinel=True)[0].astype(np.float64) for c in range(held.shape[1])]
    return np.column_stack(parts)


def hash_groups(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows sorted by hash (``order``, stable) and, for each, the first (lowest) row of its hash group."""
    n = h.shape[0]
    order = np.argsort(h, kind="stable")
    hs = h[order]
    starts = np.r_[True, hs[1:] != hs[:-1]]
    del hs
    first = order[np.maximum.accumulate(np.where(starts, np.arange(n), 0))]
    return order, first


def groups_from_checks(
    order: np.ndarray, first: np.ndarray, same: np.ndarray, values_of: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Duplicate group numbers from :func:`hash_groups` and whether each row (in ``order``) equals
    its hash group's first row; groups numbered by first row.

    The rows that differ from their group's first row (a hash collision) are grouped among
    themselves by value: ``values_of(rows)`` gives their feature rows (called only when two or
    more such rows exist). Such a row cannot equal a row that equals the first row, so nothing
    else is compared.
    """
    n = order.shape[0]
    group_first = np.where(same, first, order)
    differ = np.flatnonzero(~same)
    if differ.size > 1:
        rows = order[differ]
        values = np.asarray(values_of(rows))
        values = values + 0.0 if values.dtype.kind == "f" else values  # -0.0 == 0.0, as compared above
        _, inverse = np.unique(values, axis=0, return_inverse=True)
        lowest = np.full(int(inverse.max()) + 1, n, dtype=np.int64)
        np.minimum.at(lowest, inverse.ravel(), rows)
        group_first[differ] = lowest[inverse.ravel()]
    sizes = np.bincount(group_first, minlength=n)
    groups = np.full(n, -1, dtype=np.int64)
    dup_rows = order[sizes[group_first] >= 2]
    _, codes = np.unique(group_first[sizes[group_first] >= 2], return_inverse=True)
    groups[dup_rows] = codes
    return groups


def sets_from_groups(groups: np.ndarray) -> list[list[int]]:
    """Rows of each group, each sorted, the sets ordered by their first row."""
    rows = np.flatnonzero(groups >= 0)
    return sets_from_pairs(rows, groups[rows])


def sets_from_pairs(rows: np.ndarray, codes: np.ndarray) -> list[list[int]]:
    """The sets of ``rows`` that share a code (``codes[i]`` is ``rows[i]``'s), each sorted, ordered by first row."""
    if rows.size == 0:
        return []
    order = np.argsort(codes, kind="stable")
    cuts = np.flatnonzero(np.diff(codes[order])) + 1
    sets = [sorted(part.tolist()) for part in np.split(rows[order], cuts)]
    return sorted(sets, key=lambda s: s[0])


def cached_groups(inputs: CheckInputs) -> np.ndarray:
    """Duplicate groups of the features and texts, computed once per call of ``find_data_issues``
    (option ``block_rows``: rows hashed and compared at a time, :data:`BLOCK_ROWS`). A table's
    categorical columns are compared as written (``feature_keys``) beside the features, so two
    categories one-hot encoded into one ``infrequent`` indicator still differ."""
    if "exact_duplicate_groups" not in inputs.cache:
        given = inputs.option("exact_duplicate", "block_rows", BLOCK_ROWS)
        block = check_positive_int("check_options['exact_duplicate']['block_rows']", given)
        X = inputs.features
        if X is not None and inputs.feature_keys is not None:
            X = np.column_stack([X, inputs.feature_keys.astype(np.float64)])
        inputs.cache["exact_duplicate_groups"] = duplicate_groups(X, inputs.texts, block)
    return inputs.cache["exact_duplicate_groups"]


def run(inputs: CheckInputs) -> CheckResult:
    """Flag every row that has an identical twin; score ``1 / size of its set``."""
    groups = cached_groups(inputs)
    is_issue = groups >= 0
    sizes = np.bincount(groups[is_issue]) if is_issue.any() else np.zeros(0, dtype=np.int64)
    score = np.ones(inputs.n)
    score[is_issue] = 1.0 / sizes[groups[is_issue]]
    sets = sets_from_groups(groups)
    info = {"n_sets": len(sets), "sets": sets[:MAX_SETS_IN_INFO]}
    return CheckResult(
        columns("exact_duplicate", is_issue, score), summary_row("exact_duplicate", is_issue, score), info
    )


def partitioned_groups(inputs: CheckInputs) -> Any:
    """The duplicate groups of dask features, found once per call (a
    :class:`~labelwise.checks._dask_duplicates.DuplicateGroups`: per-row numbers on the workers); a
    table's categorical columns compared as written beside them, as in memory (:func:`cached_groups`)."""
    if "exact_duplicate_groups" not in inputs.cache:
        from ._dask_duplicates import partitioned_duplicate_groups

        X = inputs.features
        if X is not None and inputs.feature_keys is not None:
            import dask.array as da

            X = da.concatenate([X, inputs.feature_keys.astype(np.float64)], axis=1).rechunk({1: -1})
        inputs.cache["exact_duplicate_groups"] = partitioned_duplicate_groups(X, inputs.texts)
    return inputs.cache["exact_duplicate_groups"]


def run_partitioned(inputs: CheckInputs) -> CheckResult:
    """:func:`run` on dask features: the groups by a hash-partitioned shuffle on the workers, the
    scores looked up per partition from the groups' sizes."""
    from ._partitioned import dask_columns, persisted_summary

    found = partitioned_groups(inputs)
    sizes = np.asarray(found.sizes, dtype=np.float64)
    score = found.groups.map_blocks(_group_score, sizes, dtype=np.float64)
    held, row = persisted_summary("exact_duplicate", dask_columns("exact_duplicate", found.groups >= 0, score))
    return CheckResult(held, row, {"n_sets": int(found.n_sets), "sets": list(found.sets[:MAX_SETS_IN_INFO])})


def _group_score(groups: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    out = np.ones(groups.shape[0])
    dup = groups >= 0
    out[dup] = 1.0 / sizes[groups[dup]]
    return out


CHECK = Check(
    "exact_duplicate",
    requires=(("features",), ("texts",)),
    run=run,
    shares=("exact_duplicate_groups",),
    partitioned=run_partitioned,
    options={"block_rows": positive_int},
)
