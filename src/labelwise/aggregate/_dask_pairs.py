"""Dawid-Skene's dependent-pair check on the partitions of a Dask DataFrame of answers.

:class:`DaskPairs` is the :class:`~labelwise.aggregate._dependent.PairData` of
:mod:`labelwise.aggregate.distributed`: each partition (answers shuffled by item) computes the
statistics of :mod:`._pair_check` on its own items (:meth:`Part.block`, one row per item) and the
client sums them with a tree reduction, as the EM steps are. Nothing item-sized is gathered except
the answers of the annotators of screened pairs (at most ``MAX_CONFIRMED_PAIRS`` pairs: every
screened pair's two members in one pass, then every suspect's in one pass for their confirmations,
whose fits without a pair run in lock step: :mod:`._pair_confirm`) and
of a candidate ring's members (all of a group's members in one pass), by :meth:`DaskPairs.bases_list`:
their items' posteriors without the pair or group (``answers x K``), from which each annotator's own
EM runs on the client
(:func:`~labelwise.aggregate._pair_check.answer_bases`, ``one_annotator_em``).

The pairs sharing items are counted per partition as sparse (annotators x annotators) matrices,
split by the first annotator into buckets and summed bucket by bucket; each bucket's sum keeps only
the pairs sharing :data:`~labelwise.aggregate._dependent.MIN_SHARED_ITEMS` before it reaches the
client, so no task holds more than one bucket of the distinct pairs (about
:data:`KEYS_PER_BUCKET` pair instances each) and the client only the candidate pairs.

The pairs' checks that read every item (a screened pair's confirmation, the triad gate's ``z``, a
ring's pairs) run all their pairs in one pass: each partition's
:func:`~labelwise.aggregate._pair_list.check_pair_list` (the in-memory fit's one-pass check), its
sums added over partitions. The ring check (:mod:`._ring_check`, ``DawidSkene(dependency_rings=True)``)
reads the same statistics, and the screen's same-label counts of the candidate pairs
(:func:`part_agreements`), summed over partitions: nothing of it needs every answer in one place.
"""

from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from .._chunks import tree_reduce_delayed
from .._stage_progress import compute, persist, stage
from ._dask_held_fits import held_fit, lock_step
from ._dependent import Bases, find_dependent_pairs, pairs_frame
from ._pair_check import (
    Entries,
    PairCheck,
    _gram,
    answer_bases,
    check_pairs,
    group_answer_weights,
    log_given_of,
    sample_items,
)
from ._pair_list import check_pair_list
from ._partition_stats import Part, dawid_skene_m_step, ds_counts, sum_stats
from ._ring_check import find_rings

__all__ = ["DaskPairs", "dependent_parts", "weigh"]

#: Pair instances (two answers on one screened item) per bucket of the pair count reduction.
KEYS_PER_BUCKET = 1 << 22


def _screen_block(part: Part, k: int, sample: np.ndarray | None) -> Any:
    """The count rows of the partition's items in the screen (``sample``: sorted item codes, or all)."""
    if sample is None:
        return part.block(k)
    keep = np.isin(part.items, sample, assume_unique=True)
    answers = keep[part.item]
    local = (np.cumsum(keep) - 1)[part.item[answers]]
    w = None if part.w is None else part.w[answers]
    return Part(part.items[keep], local, part.annotator[answers], part.label[answers], 0, w).block(k)


def part_shared(part: Part, k: int, n_ann: int, sample: np.ndarray | None, n_buckets: int) -> list[sp.csr_matrix]:
    """The items each pair ``a < b`` of the partition's annotators shares among the screened items,
    as an (annotators x annotators) upper-triangular matrix per bucket (rows ``a`` with
    ``a % n_buckets`` equal to the bucket)."""
    blk = _screen_block(part, k, sample)
    gram = _gram(blk.m, blk.weights, blk.annotator_of, n_ann).tocsr()
    if n_buckets == 1:
        return [gram]
    bucket = np.arange(n_ann) % n_buckets
    return [sp.csr_matrix(gram.multiply((bucket == i)[:, None])) for i in range(n_buckets)]


def merge_pairs(parts: list[sp.csr_matrix]) -> sp.csr_matrix:
    """Sum the partitions' pair counts (sparse sums: linear in the entries, no sort)."""
    return functools.reduce(operator.add, parts)


def at_least(pairs: sp.csr_matrix, min_shared: float) -> tuple[np.ndarray, np.ndarray]:
    """The keys ``a * n_annotators + b`` and counts of the pairs sharing at least ``min_shared`` items."""
    coo = pairs.tocoo()
    keep = coo.data >= min_shared
    return coo.row[keep].astype(np.int64) * pairs.shape[1] + coo.col[keep].astype(np.int64), coo.data[keep]


def part_vote_counts(part: Part, k: int, n_ann: int) -> tuple:
    """M-step statistics of majority vote's labels (ties shared), every answer counted once."""
    shares = part.shares(k)
    top = shares >= shares.max(axis=1, keepdims=True) - 1e-12
    return ds_counts(part, k, n_ann, top / top.sum(axis=1, keepdims=True), None)


def part_screen(
    part: Part, k: int, sample: np.ndarray | None, prior: np.ndarray, conf: np.ndarray, pairs: tuple
) -> tuple:
    blk = _screen_block(part, k, sample)
    c = check_pairs(
        blk.m, blk.weights, blk.annotator_of, blk.label_of, log_given_of(blk, conf), np.log(prior), conf, pairs
    )
    return c.observed, c.expected, c.variance


def part_bases(part: Part, k: int, n_ann: int, prior: np.ndarray, conf: np.ndarray, a: int, b: int, j: int) -> Bases:
    blk = part.block(k)
    return answer_bases(blk, Entries.build(blk, n_ann), log_given_of(blk, conf), np.log(prior), a, b, j)


def part_bases_list(
    part: Part, k: int, n_ann: int, prior: np.ndarray, conf: np.ndarray, triples: tuple[tuple[int, int, int], ...]
) -> list[Bases]:
    """:func:`part_bases` of each ``(a, b, j)`` of ``triples`` (the block, its entry index and the
    model's log terms built once)."""
    blk = part.block(k)
    ent, log_given, log_prior = Entries.build(blk, n_ann), log_given_of(blk, conf), np.log(prior)
    return [answer_bases(blk, ent, log_given, log_prior, a, b, j) for a, b, j in triples]


def part_check_pair_list(
    part: Part, k: int, n_ann: int, prior: np.ndarray, conf: np.ndarray, pair_conf: Any, a: np.ndarray, b: np.ndarray
) -> tuple:
    """:func:`~labelwise.aggregate._pair_list.check_pair_list`'s sums of the pairs ``(a[p], b[p])`` on
    the partition's items (``pair_conf``: one confusion array, or one per pair)."""
    blk = part.block(k)
    c = check_pair_list(blk, Entries.build(blk, n_ann), log_given_of(blk, conf), np.log(prior), pair_conf, a, b)
    return c.n_shared, c.observed, c.expected, c.variance


def part_agreements(part: Part, k: int, sample: np.ndarray | None, keys: np.ndarray, n_ann: int) -> tuple[np.ndarray]:
    """The screen's items (``sample``: sorted item codes, or all) on which each pair ``keys[p] = a *
    n_ann + b`` gave the same label, an item answered twice alike by one annotator counted once (as
    :func:`._ring_check.agreement_rates` counts the count rows in memory)."""
    blk = _screen_block(part, k, sample)
    m = blk.m.copy()
    m.sum_duplicates()  # a partition's rows hold one entry per answer
    m.data[:] = 1.0
    same = (m.T @ sp.diags(blk.weights) @ m).tocoo()  # [column, column]
    ca, cb = blk.annotator_of[same.row].astype(np.int64), blk.annotator_of[same.col].astype(np.int64)
    keep = (blk.label_of[same.row] == blk.label_of[same.col]) & (ca < cb)
    key = ca[keep] * n_ann + cb[keep]
    pos = np.minimum(np.searchsorted(keys, key), max(len(keys) - 1, 0))
    hit = keys[pos] == key if len(keys) else np.zeros(len(key), dtype=bool)
    return (np.bincount(pos[hit], weights=same.data[keep][hit], minlength=len(keys)),)


def weigh(part: Part, k: int, n_ann: int, found_a: np.ndarray, found_b: np.ndarray, held: tuple = ()) -> Part:
    """The partition with each answer weighted as the in-memory fit weighs it: ``1 / m`` for the
    ``m`` members of a dependent group answering an item, 0 for the annotators ``held`` out."""
    blk = part.block(k)
    w = group_answer_weights(blk.m, blk.annotator_of, n_ann, found_a, found_b)
    if held:
        w = np.where(np.isin(part.annotator, held), 0.0, w)
    return Part(part.items, part.item, part.annotator, part.label, part.n_duplicates, w)


def _stack(bases: list[Bases]) -> Bases:
    base, labels, weights = (np.concatenate([b[i] for b in bases]) for i in range(3))
    return base, labels, weights


@dataclass(eq=False)
class DaskPairs:
    """:class:`~labelwise.aggregate._dependent.PairData` over persisted partitions of answers, and the
    ring check's :class:`~labelwise.aggregate._ring_check.RingData`."""

    parts: tuple
    k: int
    n_items: int
    n_ann: int
    pair_instances: float  #: Σ_i n_i (n_i - 1) over every item (``setup_stats``)
    est: Any = None  #: the DawidSkene being fitted (the ring check reads its ``max_iter`` and ``tol``)
    #: The pair check confirms its suspects in lock step (:mod:`._pair_confirm`; False: one by one).
    lock_step: ClassVar[bool] = True
    #: EM rounds per graph of those fits (None: :func:`~._dask_held_fits.rounds_in`'s rule; tests).
    em_batch: ClassVar[int | None] = None
    _shared: dict = field(default_factory=dict, repr=False)  # shared(min_shared), counted once

    def _reduction(self, fn: Any, *args: Any) -> Any:
        """The tree reduction (``sum_stats``) of ``fn(part, *args)`` over the partitions, not computed."""
        import dask

        shared = [dask.delayed(a) if _large(a) else a for a in args]
        return tree_reduce_delayed([dask.delayed(fn)(p, *shared) for p in self.parts], sum_stats)

    def _sum(self, fn: Any, *args: Any) -> tuple:
        return compute(self._reduction(fn, *args))[0]

    def shared(self, min_shared: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if min_shared not in self._shared:  # the pair check's screen, then the ring check's
            self._shared[min_shared] = self._count_shared(min_shared)
        return self._shared[min_shared]

    def _count_shared(self, min_shared: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import dask

        sample = sample_items(self.n_items)
        share = 1.0 if sample is None else len(sample) / self.n_items
        n_buckets = max(1, math.ceil(self.pair_instances * share / 2 / KEYS_PER_BUCKET))
        arg = None if sample is None else dask.delayed(sample)
        per_part = [
            dask.delayed(part_shared, nout=n_buckets)(p, self.k, self.n_ann, arg, n_buckets) for p in self.parts
        ]
        sums = [
            dask.delayed(at_least)(tree_reduce_delayed([pp[i] for pp in per_part], merge_pairs), min_shared)
            for i in range(n_buckets)
        ]
        found = compute(*sums)
        keys = np.concatenate([f[0] for f in found])
        counts = np.concatenate([f[1] for f in found])
        order = np.argsort(keys)
        keys, counts = keys[order], counts[order]
        return keys // self.n_ann, keys % self.n_ann, counts

    def agreement_rates(self, min_shared: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs sharing ``min_shared`` of the screen's items and the share of them on which they
        gave the same label (:func:`._ring_check.agreement_rates` on the partitions)."""
        a, b, n = self.shared(min_shared)
        if not len(a):
            return a, b, np.empty(0)
        (same,) = self._sum(part_agreements, self.k, sample_items(self.n_items), a * self.n_ann + b, self.n_ann)
        return a, b, same / n

    def screen_model(self, pseudo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        counts, totals = self._sum(part_vote_counts, self.k, self.n_ann)
        prior, given = dawid_skene_m_step(counts, totals, pseudo.T)
        return prior, given.transpose(0, 2, 1).copy()

    def screen(self, prior: np.ndarray, conf: np.ndarray, pairs: tuple) -> PairCheck:
        sample = sample_items(self.n_items)
        sums = self._sum(part_screen, self.k, sample, prior, conf, pairs)
        return PairCheck(pairs[0], pairs[1], pairs[2], *sums)

    def bases(self, prior: np.ndarray, conf: np.ndarray, a: int, b: int, j: int) -> Bases:
        import dask

        arg = dask.delayed(conf)
        calls = [dask.delayed(part_bases)(p, self.k, self.n_ann, prior, arg, a, b, j) for p in self.parts]
        return _stack(list(compute(*calls)))

    def bases_list(self, prior: np.ndarray, conf: np.ndarray, triples: list[tuple[int, int, int]]) -> list[Bases]:
        """:meth:`bases` of each ``(a, b, j)`` of ``triples`` in one pass over the partitions (the same
        arrays, bit for bit): each partition returns every annotator's answers' bases, the client
        stacks them per annotator."""
        if not triples:
            return []
        return self.gather([(prior, conf, triples)], [])[0][0]

    def check_pair(self, prior: np.ndarray, conf: np.ndarray, pair_conf: np.ndarray, a: int, b: int) -> PairCheck:
        return self.check_pair_list(prior, conf, pair_conf, np.array([a]), np.array([b]))

    def check_pair_list(
        self, prior: np.ndarray, conf: np.ndarray, pair_conf: Any, a: np.ndarray, b: np.ndarray
    ) -> PairCheck:
        """:meth:`check_pair` of every pair ``(a[p], b[p])`` in one pass over the partitions (each
        partition's :func:`~labelwise.aggregate._pair_list.check_pair_list`, summed)."""
        return self.gather([], [(prior, conf, pair_conf, a, b)])[1][0]

    def gather(self, bases: list[tuple], checks: list[tuple]) -> tuple[list[list[Bases]], list[PairCheck]]:
        """:meth:`bases_list` of each ``(prior, conf, triples)`` of ``bases`` and :meth:`check_pair_list`
        of each ``(prior, conf, pair_conf, a, b)`` of ``checks``, all in one graph (each the tasks and
        the tree reduction it has alone: the same bits)."""
        import dask

        calls, wanted, sums, pairs = [], [], [], []
        for prior, conf, triples in bases:
            wanted.append(tuple((int(a), int(b), int(j)) for a, b, j in triples))
            arg = dask.delayed(conf)
            calls += [dask.delayed(part_bases_list)(p, self.k, self.n_ann, prior, arg, wanted[-1]) for p in self.parts]
        for prior, conf, pair_conf, a, b in checks:
            pairs.append((np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)))
            pair_conf = pair_conf if isinstance(pair_conf, np.ndarray) else list(pair_conf)
            sums.append(self._reduction(part_check_pair_list, self.k, self.n_ann, prior, conf, pair_conf, *pairs[-1]))
        got = compute(*calls, *sums)
        n = len(self.parts)
        out = [
            [_stack([part[t] for part in got[m * n : (m + 1) * n]]) for t in range(len(want))]
            for m, want in enumerate(wanted)
        ]
        checked = [
            PairCheck(a, b, *(np.asarray(x, dtype=np.float64).reshape(len(a)) for x in total))
            for (a, b), total in zip(pairs, got[len(calls) :], strict=True)
        ]
        return out, checked

    def fit_without(
        self, found: tuple[np.ndarray, np.ndarray], a: int, b: int, pseudo: np.ndarray, max_iter: int, tol: float
    ) -> tuple[np.ndarray, np.ndarray]:
        return self.fit_without_group(found, np.array([a, b]), pseudo, max_iter, tol)

    def fit_without_group(
        self, found: tuple[np.ndarray, np.ndarray], members: np.ndarray, pseudo: np.ndarray, max_iter: int, tol: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """EM on every answer but the ``members``' (the groups of ``found`` weighted), then one M-step
        of every answer from its posterior (as ``MemoryPairs.fit_without`` and the ring check's fit)."""
        return self.fit_without_list([(found, members, tol)], pseudo, max_iter)[0]

    def fit_without_list(
        self, jobs: list[tuple[tuple[np.ndarray, np.ndarray], Any, float]], pseudo: np.ndarray, max_iter: int
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`fit_without_group` of each ``(found, members, tol)`` of ``jobs``, the fits in lock
        step: their held-out partitions in one ``persist``, then one graph per round holding every
        running fit's next reductions (:mod:`._dask_held_fits`: on a cluster several EM rounds per
        graph; each reduction the same tree as alone: the same bits)."""
        import dask

        if not jobs:
            return []
        held_out = [tuple(int(j) for j in np.atleast_1d(members)) for _, members, _ in jobs]
        weighed = [
            [dask.delayed(weigh)(p, self.k, self.n_ann, *job[0], out) for p in self.parts]
            for job, out in zip(jobs, held_out, strict=True)
        ]
        flat = persist(*[p for parts in weighed for p in parts])
        n = len(self.parts)
        fits = [
            held_fit(
                DaskPairs(flat[f * n : (f + 1) * n], self.k, self.n_items, self.n_ann, self.pair_instances),
                pseudo,
                max_iter,
                tol,
                self.em_batch,
            )
            for f, (_, _, tol) in enumerate(jobs)
        ]
        return lock_step(fits, compute)


def _large(arg: Any) -> bool:
    """Whether a task argument travels as one graph node (not copied into every partition's task)."""
    if isinstance(arg, list):
        return sum(np.size(x) for x in arg) > 1000
    return isinstance(arg, np.ndarray) and arg.size > 1000


def dependent_parts(est: Any, data: DaskPairs, pseudo: np.ndarray, names: Any) -> tuple:
    """``DawidSkene``'s dependent-pair check (:func:`~._dependent.find_dependent_pairs`, its triad
    gate as ``dependency_triad`` says) and, with ``dependency_rings``, its ring check
    (:func:`~._ring_check.find_rings`) on the partitions, as the in-memory fit runs them; sets
    ``dependent_pairs_`` and ``dependent_rings_``. Returns the partitions with each dependent group's
    answers on an item weighing one answer (``data.parts`` when there is none)."""
    import dask

    est.dependent_rings_ = []
    if not (isinstance(est.smoothing, str) and est.dependency_threshold is not None):
        return data.parts
    threshold, max_iter, tol = float(est.dependency_threshold), int(est.max_iter), float(est.tol)
    with stage("dependent-pair check"):
        found = find_dependent_pairs(data, pseudo, threshold, max_iter, tol, triad=bool(est.dependency_triad))
    pairs = None
    if found is not None:
        est.dependent_pairs_ = pairs_frame(found, names)
        pairs = (found[:, 0].astype(np.int64), found[:, 1].astype(np.int64))
    if est.dependency_rings:
        with stage("ring check"):
            every = find_rings(est, data, names, pseudo)
        pairs = pairs if every is None else every
    if pairs is None:
        return data.parts
    return persist(*[dask.delayed(weigh)(p, data.k, data.n_ann, *pairs) for p in data.parts])
