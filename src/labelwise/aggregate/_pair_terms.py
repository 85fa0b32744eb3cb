"""The per-instance work of :func:`labelwise.aggregate._pair_check.check_pairs`, arranged so
that each pair instance (two answers on one item) costs few gathers: the terms of each answer
computed once per answer, a dense table of pair ids, and the item's posterior by class as rows.
Every result is the bits of the row-by-row computation (the same operations in the same order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["AGREEMENT_CHUNK", "PAIR_TABLE", "EntryTerms", "instance_terms", "pair_ids", "pair_instances", "pair_table"]


#: Largest ``n_annotators²`` for which ``check_pairs`` looks pair ids up in a dense table.
PAIR_TABLE = 1 << 22
#: Pair instances whose agreement is computed at a time: the temporaries stay in the CPU's cache.
AGREEMENT_CHUNK = 1 << 14


@dataclass(frozen=True, eq=False)
class EntryTerms:
    """Per entry of the checked answers (in CSR order): annotator, label, row weight, and by class
    ``k`` (rows of ``(K, n_entries)`` arrays) ``log_joint[row, k] - log π[k, l]`` (``head``, the
    first answer of a pair's terms) and ``log π[k, l]`` (``given``, the second's): the terms that
    ``check_pairs`` subtracts for each pair instance, computed once per answer instead of once
    per pair instance (the same operations in the same order, so the same bits)."""

    annotator: np.ndarray
    label: np.ndarray
    weight: np.ndarray
    head: np.ndarray
    given: np.ndarray

    @classmethod
    def build(
        cls,
        indices: np.ndarray,
        row_of: np.ndarray,
        w: np.ndarray,
        annotator_of: np.ndarray,
        label_of: np.ndarray,
        log_given: np.ndarray,
        log_joint: np.ndarray,
    ) -> EntryTerms:
        given = np.ascontiguousarray(log_given[indices].T)
        head = np.ascontiguousarray(log_joint[row_of].T) - given
        return cls(annotator_of[indices].astype(np.int64), label_of[indices], w[row_of], head, given)


def pair_instances(indptr: np.ndarray) -> float:
    """Pair instances (two answers on one row) of a CSR structure."""
    lengths = np.diff(indptr).astype(np.float64)
    return float((lengths * (lengths - 1) / 2).sum())


def pair_table(keys: np.ndarray, n_ann: int, n_instances: int) -> np.ndarray | None:
    """A dense ``n_ann x n_ann`` table (flat) of the position in ``keys`` of each pair ``(a, b)``
    and ``(b, a)``, -1 for a pair not in ``keys``; None when it would be large (over
    :data:`PAIR_TABLE` cells, or more than a few cells per pair instance)."""
    cells = n_ann * n_ann
    if cells > PAIR_TABLE or cells > max(4 * n_instances, 1 << 12):
        return None
    table = np.full(cells, -1, dtype=np.int64)
    uniq, pos = np.unique(keys, return_index=True)  # the first of equal keys, as searchsorted finds it
    table[uniq] = pos
    table[(uniq % n_ann) * n_ann + uniq // n_ann] = pos
    return table


def pair_ids(
    entries: EntryTerms,
    keys: np.ndarray,
    table: np.ndarray | None,
    n_ann: int,
    first: np.ndarray,
    second: np.ndarray,
) -> np.ndarray:
    """The position in ``keys`` of the annotators of each pair instance ``(first, second)``, -1
    where they are no checked pair (or one annotator)."""
    if table is not None:
        return table.take(entries.annotator.take(first) * n_ann + entries.annotator.take(second))
    ja, jb = entries.annotator[first], entries.annotator[second]
    lo, hi = np.minimum(ja, jb), np.maximum(ja, jb)
    key = lo * n_ann + hi
    pos = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
    hit = (keys[pos] == key) & (ja != jb)
    return np.where(hit, pos, -1)


def instance_terms(
    entries: EntryTerms, agree: np.ndarray, first: np.ndarray, second: np.ndarray, pid: np.ndarray
) -> np.ndarray:
    """The terms that ``check_pairs`` sums by pair, one column per pair instance ``(first,
    second)``: ``w·same``, ``w·q`` and ``w·q·(1 - q)`` (``w``: the row's weight, ``same``: 1 when the
    two answers agree, ``q``: the agreement ``agree[pid]`` expected under the posterior of the item
    without the two answers, the docstring of ``_pair_check``). Computed by chunks of
    :data:`AGREEMENT_CHUNK` instances (each instance's terms depend on that instance alone)."""
    out = np.empty((3, len(first)))
    for lo in range(0, len(first), AGREEMENT_CHUNK):
        hi = lo + AGREEMENT_CHUNK
        f, g = first[lo:hi], second[lo:hi]
        q = _agreement_chunk(entries, agree, f, g, pid[lo:hi])
        wr = entries.weight[f]
        same = (entries.label[f] == entries.label[g]).astype(np.float64)
        np.multiply(wr, same, out=out[0, lo:hi])
        np.multiply(wr, q, out=out[1, lo:hi])
        np.multiply(out[1, lo:hi], 1 - q, out=out[2, lo:hi])
    return out


def _agreement_chunk(
    entries: EntryTerms, agree: np.ndarray, first: np.ndarray, second: np.ndarray, pid: np.ndarray
) -> np.ndarray:
    """``q`` of a few pair instances (:func:`instance_terms`), by class ``k`` as rows."""
    k = entries.head.shape[0]
    lj = np.empty((k, len(first)))
    for c in range(k):
        np.subtract(entries.head[c].take(first), entries.given[c].take(second), out=lj[c])
    lj -= lj.max(axis=0)
    np.exp(lj, out=lj)
    if not 2 <= k < 8:
        t = np.ascontiguousarray(lj.T)
        t /= t.sum(axis=1, keepdims=True)
        return np.einsum("pk,pk->p", t, np.take(agree, pid, axis=0))
    # numpy sums fewer than 8 terms of a row in order (pairwise summation starts at 8)
    total = lj[0] + lj[1]
    for c in range(2, k):
        total += lj[c]
    lj /= total
    if k == 2:
        # two products and one sum: the bits of the einsum below (the tests compare them)
        return lj[0] * agree[:, 0].take(pid) + lj[1] * agree[:, 1].take(pid)
    return np.einsum("pk,pk->p", np.ascontiguousarray(lj.T), np.take(agree, pid, axis=0))
