""":func:`._pair_check.check_one_pair` for a list of pairs of annotators in one pass, the same bits.

The triad gate (:mod:`._pair_triad`) asks for the held-out agreement ``z`` of a few dozen pairs
under one model; :func:`~._pair_check.check_one_pair` slices the count rows both members answered
and runs :func:`~._pair_check.check_pairs` on them, once per pair. :func:`check_pair_list` makes
the pair instances (two answers on one row) of every listed pair at once and computes each
instance's terms as ``check_pairs`` does (:mod:`._pair_terms`: the same operations on the same
numbers), so that each pair's sums are the same sequential sums in the same order: the result is
``check_one_pair``'s, pair by pair, bit for bit. The per-row inputs are row-wise: a row of a sparse
product does not depend on the other rows (the same sums in the same order). A pair whose instances
would make ``check_pairs`` split its sums into several blocks (over :data:`._pair_check.PAIR_BLOCK`
instances) is left to ``check_one_pair``, so that its block sums are added as there.

The statistic is the posterior predictive check of a held-out pair of answers (Gelman, Meng and
Stern 1996 [1]_) under a Dawid-Skene model (Dawid and Skene 1979 [2]_); see :mod:`._pair_check`.

References
----------
.. [1] A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness via
   realized discrepancies", Statistica Sinica 6, 733-807, 1996.
.. [2] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
   the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._pair_check import PAIR_BLOCK, CountRows, Entries, PairCheck, check_one_pair, row_pairs, sorted_intersection
from ._pair_rows import gather_rows, rows_times_dense
from ._pair_terms import EntryTerms, instance_terms

__all__ = ["LIST_BLOCK", "check_pair_list", "pair_agreement"]

#: Answers of the listed pairs' members gathered at a time by :func:`check_pair_list` (bounds its temporaries).
LIST_BLOCK = 1 << 21


def pair_agreement(conf: np.ndarray, a: int, b: int) -> np.ndarray:
    """``P(a and b give the same answer | true k)`` by class, shape (1, K), as ``check_pairs``
    computes it for a single pair."""
    return np.einsum("pkl,pkl->pk", conf[[a]], conf[[b]])


def check_pair_list(
    obs: CountRows,
    ent: Entries,
    log_given: np.ndarray,
    log_prior: np.ndarray,
    conf: np.ndarray | Sequence[np.ndarray],
    a: np.ndarray,
    b: np.ndarray,
) -> PairCheck:
    """``check_one_pair(obs, ent, log_given, log_prior, conf, a[p], b[p])`` for every ``p``, stacked.

    Parameters
    ----------
    obs : CountRows
        The count rows (:class:`._pair_check.CountRows`).
    ent : Entries
        ``Entries.build(obs, n_annotators)``.
    log_given : ndarray of shape (n_columns, K)
        ``log π_j[k, l]`` of each column ``(j, l)`` of ``obs.m`` (the model the posteriors are from).
    log_prior : ndarray of shape (K,)
    conf : ndarray of shape (n_annotators, K, K), or a sequence of them
        The confusion matrices whose agreement is expected: one for every pair, or one per pair.
    a, b : ndarray of int
        The pairs' annotator codes, ``a[p] != b[p]``.

    Returns
    -------
    PairCheck
        One entry per listed pair, in the order given.
    """
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    confs = [conf] * len(a) if isinstance(conf, np.ndarray) else list(conf)
    out = {key: np.zeros(len(a)) for key in ("n_shared", "observed", "expected", "variance")}
    # pairs in blocks of about LIST_BLOCK answers: each pair's sums are its own, whatever the block
    per_annotator = np.diff(ent.starts)
    cum = np.cumsum(per_annotator[a] + per_annotator[b])
    lo = 0
    while lo < len(a):
        hi = max(int(np.searchsorted(cum, (cum[lo - 1] if lo else 0) + LIST_BLOCK, side="right")), lo + 1)
        block = np.arange(lo, min(hi, len(a)))
        _check_block(obs, ent, log_given, log_prior, [confs[p] for p in block.tolist()], a[block], b[block], block, out)
        lo = hi
    return PairCheck(a, b, out["n_shared"], out["observed"], out["expected"], out["variance"])


def _listed_entries(ent: Entries, n_rows: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """For the pairs ``(a[p], b[p])``: the entries of both members on the rows both answered, sorted
    by pair then CSR position, with their (pair, row) keys ``p * n_rows + row``; and those keys
    (sorted, distinct)."""
    n = len(a)
    sub, pos = gather_rows(ent.starts, np.concatenate([a, b]))
    owner = np.repeat(np.tile(np.arange(n, dtype=np.int64), 2), np.diff(sub))
    in_b = np.repeat(np.arange(2 * n) >= n, np.diff(sub))
    entries = ent.order[pos].astype(np.int64)
    key = owner * n_rows + ent.row_of[entries]
    # each member's keys come sorted (pairs in order, an annotator's rows in CSR order)
    shared = sorted_intersection(key[~in_b], key[in_b])
    if not len(shared):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), shared
    hit = np.minimum(np.searchsorted(shared, key), len(shared) - 1)
    keep = np.flatnonzero(shared[hit] == key)
    keep = keep[np.lexsort((entries[keep], owner[keep]))]
    return entries[keep], key[keep], shared


def _check_block(
    obs: CountRows,
    ent: Entries,
    log_given: np.ndarray,
    log_prior: np.ndarray,
    confs: list[np.ndarray],
    a: np.ndarray,
    b: np.ndarray,
    block: np.ndarray,
    out: dict[str, np.ndarray],
) -> None:
    """:func:`check_pair_list`'s numbers of the pairs ``(a[t], b[t])``, written at ``out[...][block[t]]``."""
    first, second, pid, rows, shared_pair, per_pair = _instances(obs, ent, a, b)
    bounds = np.searchsorted(shared_pair, np.arange(len(a) + 1))
    weights = np.asarray(obs.weights)
    for t, p in enumerate(block.tolist()):  # numpy's sum of the pair's rows, as check_one_pair takes it
        out["n_shared"][p] = float(weights[rows[bounds[t] : bounds[t + 1]]].sum())
    large = np.flatnonzero(per_pair > PAIR_BLOCK)
    for t in large.tolist():  # check_pairs would add several blocks' sums: left to it
        one = check_one_pair(obs, ent, log_given, log_prior, confs[t], int(a[t]), int(b[t]))
        for name in ("observed", "expected", "variance"):
            out[name][block[t]] = getattr(one, name)[0]
    if len(large):
        small = ~np.isin(pid, large)
        first, second, pid = first[small], second[small], pid[small]
    if not len(pid):
        return
    agree = np.concatenate([pair_agreement(c, int(x), int(y)) for c, x, y in zip(confs, a, b, strict=True)])
    sums = _sum_instances(obs, ent, log_given, log_prior, agree, first, second, pid)
    for t, name in enumerate(("observed", "expected", "variance")):
        out[name][block] += sums[t]


#: :func:`_sum_instances` makes the terms of every answer when the instances name at least this share
#: of the answers (twice the instances: their two answers each).
WHOLE_SHARE = 0.5
#: Largest (rows x listed annotators) table :func:`_dense_instances` makes.
DENSE_CELLS = 1 << 22


def _instances(obs: CountRows, ent: Entries, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """The pair instances of the pairs ``(a[t], b[t])``: ``(first, second, pair, row, pair of each
    row)`` (first and second CSR positions, first < second, by pair, row, first then second as
    ``check_pairs`` makes them; the rows both answered, by pair) and the instances ``check_pairs``
    makes of each pair (what its blocks count). From tables of each member's entries on each row
    (:func:`_table_instances`), or by grouping entries (:func:`_grouped_instances`) when the tables
    would be large (:data:`DENSE_CELLS`)."""
    n_rows = obs.m.shape[0]
    members, local = np.unique(np.concatenate([a, b]), return_inverse=True)
    sub, pos = gather_rows(ent.starts, members)
    entries = ent.order[pos].astype(np.int64)
    rows = ent.row_of[entries]
    column = np.repeat(np.arange(len(members)), np.diff(sub))
    # the rank of each entry among its member's entries on its row (rows come sorted per member)
    new_cell = np.ones(len(rows), dtype=bool)
    np.not_equal(rows[1:], rows[:-1], out=new_cell[1:])
    new_cell[1:] |= column[1:] != column[:-1]
    start = np.maximum.accumulate(np.where(new_cell, np.arange(len(rows)), 0))
    rank = np.arange(len(rows)) - start
    depth = int(rank.max()) + 1 if len(rank) else 1
    if depth * n_rows * len(members) > DENSE_CELLS:
        return _grouped_instances(obs, ent, n_rows, a, b)
    table = np.full((depth, len(members), n_rows), -1, dtype=np.int64)
    table[rank, column, rows] = entries
    return _table_instances(table, local[: len(a)], local[len(a) :])


def _table_instances(table: np.ndarray, la: np.ndarray, lb: np.ndarray) -> tuple[np.ndarray, ...]:
    """:func:`_instances`' arrays from ``table[d, member, row]`` (the member's ``d``-th entry on the
    row, -1 when none), the pairs' members at ``la``, ``lb``."""
    has = table[0] >= 0  # [member, row]: answered
    both = has[la] & has[lb]  # [pair, row]: both answered
    shared_pair, shared_row = np.nonzero(both)  # by pair, then row
    ea, eb = table[0, la[shared_pair], shared_row], table[0, lb[shared_pair], shared_row]
    per_pair = np.bincount(shared_pair, minlength=len(la)).astype(np.float64)
    if table.shape[0] == 1:  # one instance per shared row
        return np.minimum(ea, eb), np.maximum(ea, eb), shared_pair, shared_row, shared_pair, per_pair
    parts = [(np.minimum(ea, eb), np.maximum(ea, eb), shared_pair, shared_row)]
    extra = np.flatnonzero((table[1:] >= 0).any(axis=(0, 1)))  # rows where a member answered twice
    sub = table[:, :, extra]
    for da in range(table.shape[0]):
        for db in range(table.shape[0]):
            if da or db:
                xa, xb = sub[da, la], sub[db, lb]
                pid, col = np.nonzero((xa >= 0) & (xb >= 0))
                xa, xb = xa[pid, col], xb[pid, col]
                parts.append((np.minimum(xa, xb), np.maximum(xa, xb), pid, extra[col]))
    first, second, pid, row = (np.concatenate([part[i] for part in parts]) for i in range(4))
    order = np.lexsort((second, first, row, pid))
    # check_pairs' instances of a pair: every two of the members' entries on each shared row
    count = ((sub[:, la] >= 0).sum(axis=0) + (sub[:, lb] >= 0).sum(axis=0)) * both[:, extra]
    per_pair += (np.maximum(count * (count - 1) // 2 - 1, 0)).sum(axis=1)
    return first[order], second[order], pid[order], shared_row, shared_pair, per_pair


def _grouped_instances(
    obs: CountRows, ent: Entries, n_rows: int, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, ...]:
    """:func:`_instances`' arrays, by grouping the members' entries by pair and row (any
    number of entries per annotator and row: every two of a row's entries of different annotators)."""
    entries, key, shared = _listed_entries(ent, n_rows, a, b)
    shared_pair = shared // n_rows
    lengths = np.bincount(np.searchsorted(shared, key), minlength=len(shared))
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    first, second = row_pairs(indptr, 0, len(lengths))
    pid = np.repeat(shared_pair, lengths * (lengths - 1) // 2)  # row_pairs goes group by group
    first, second = entries[first], entries[second]
    ann = obs.annotator_of[obs.m.indices]
    mixed = ann[first] != ann[second]  # two answers of one annotator are no instance of a pair
    per_pair = np.bincount(shared_pair, weights=lengths * (lengths - 1.0) / 2, minlength=len(a))
    return first[mixed], second[mixed], pid[mixed], shared % n_rows, shared_pair, per_pair


def _sum_instances(
    obs: CountRows,
    ent: Entries,
    log_given: np.ndarray,
    log_prior: np.ndarray,
    agree: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    pid: np.ndarray,
) -> np.ndarray:
    """``check_pairs``' three sums per pair (rows: observed, expected, variance) over the instances
    ``(first, second)`` (CSR positions) of pair ``pid``, each pair's in its order (under
    :data:`PAIR_BLOCK` of them), one ``bincount`` per sum: the pair's instances summed one after
    the other from 0, as ``check_pairs``' single block sums them. The answers' terms are made once
    per answer of the rows the instances touch or, when the instances name at least
    :data:`WHOLE_SHARE` as many answers as ``obs`` holds (and it holds at most :data:`LIST_BLOCK`,
    which bounds the temporaries), once per answer of ``obs`` (no sort of the instances' rows; a
    term is the same operations on the same numbers either way)."""
    both = np.concatenate([first, second])
    n = len(first)
    if len(both) >= WHOLE_SHARE * obs.m.nnz and obs.m.nnz <= LIST_BLOCK:
        # every row's log joint (a row of a sparse product is its own sum) and every entry's terms
        used, local, answers = np.arange(obs.m.shape[0]), ent.row_of, obs.m.indices
        pick_first, pick_second = first, second
    else:
        rows = ent_rows(obs, both)
        used, local = np.unique(rows, return_inverse=True)
        answers, pick_first, pick_second = obs.m.indices[both], np.arange(n), np.arange(n, 2 * n)
    log_joint = rows_times_dense(obs.m, used, log_given) + log_prior
    w = np.asarray(obs.weights, dtype=np.float64)[used]
    entry_terms = EntryTerms.build(answers, local, w, obs.annotator_of, obs.label_of, log_given, log_joint)
    terms = instance_terms(entry_terms, agree, pick_first, pick_second, pid)
    return np.stack([np.bincount(pid, weights=terms[t], minlength=len(agree)) for t in range(3)])


def ent_rows(obs: CountRows, entries: np.ndarray) -> np.ndarray:
    """The row of each entry (CSR position) of ``obs.m``."""
    return np.searchsorted(obs.m.indptr, entries, side="right") - 1
