"""Dawid-Skene's dependent-pair check on the partitions of a Dask DataFrame of answers.

:class:`DaskPairs` is the :class:`~labelwise.aggregate._dependent.PairData` of
:mod:`labelwise.aggregate.distributed`: each partition (answers shuffled by item) computes the
statistics of :mod:`._pair_check` on its own items (:meth:`Part.block`, one row per item) and the
client sums them with a tree reduction, as the EM steps are. Nothing item-sized is gathered except,
one annotator at a time, the answers of the annotators of screened pairs (at most
``MAX_CONFIRMED_PAIRS`` pairs, each once for the screen and once for its confirmation): their
items' posteriors without the pair (``answers x K``), from which the annotator's own EM runs on
the client (:func:`~labelwise.aggregate._pair_check.answer_bases`, ``one_annotator_em``).

The pairs sharing items are counted per partition as sparse (annotators x annotators) matrices,
split by the first annotator into buckets and summed bucket by bucket; each bucket's sum keeps only
the pairs sharing :data:`~labelwise.aggregate._dependent.MIN_SHARED_ITEMS` before it reaches the
client, so no task holds more than one bucket of the distinct pairs (about
:data:`KEYS_PER_BUCKET` pair instances each) and the client only the candidate pairs.
"""

from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._chunks import tree_reduce_delayed
from .._stage_progress import compute, persist
from ._converged import loss_settled
from ._dependent import Bases
from ._pair_check import (
    Entries,
    PairCheck,
    _gram,
    answer_bases,
    check_one_pair,
    check_pairs,
    group_answer_weights,
    log_given_of,
    sample_items,
)
from ._partition_stats import Part, dawid_skene_m_step, ds_counts, ds_loss, ds_stats, sum_stats

__all__ = ["DaskPairs", "weigh"]

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


def part_check_pair(
    part: Part, k: int, n_ann: int, prior: np.ndarray, conf: np.ndarray, pair_conf: np.ndarray, a: int, b: int
) -> tuple:
    blk = part.block(k)
    c = check_one_pair(blk, Entries.build(blk, n_ann), log_given_of(blk, conf), np.log(prior), pair_conf, a, b)
    return c.n_shared, c.observed, c.expected, c.variance


def weigh(part: Part, k: int, n_ann: int, found_a: np.ndarray, found_b: np.ndarray, held: tuple = ()) -> Part:
    """The partition with each answer weighted as the in-memory fit weighs it: ``1 / m`` for the
    ``m`` members of a dependent group answering an item, 0 for the annotators ``held`` out."""
    blk = part.block(k)
    w = group_answer_weights(blk.m, blk.annotator_of, n_ann, found_a, found_b)
    if held:
        w = np.where(np.isin(part.annotator, held), 0.0, w)
    return Part(part.items, part.item, part.annotator, part.label, part.n_duplicates, w)


def _answer_weight(part: Part) -> tuple[float]:
    return (float(part.item.size if part.w is None else part.w.sum()),)


def _stack(bases: list[Bases]) -> Bases:
    base, labels, weights = (np.concatenate([b[i] for b in bases]) for i in range(3))
    return base, labels, weights


@dataclass(eq=False)
class DaskPairs:
    """:class:`~labelwise.aggregate._dependent.PairData` over persisted partitions of answers."""

    parts: tuple
    k: int
    n_items: int
    n_ann: int
    pair_instances: float  #: Σ_i n_i (n_i - 1) over every item (``setup_stats``)

    def _sum(self, fn: Any, *args: Any) -> tuple:
        import dask

        shared = [dask.delayed(a) if isinstance(a, np.ndarray) and a.size > 1000 else a for a in args]
        return compute(tree_reduce_delayed([dask.delayed(fn)(p, *shared) for p in self.parts], sum_stats))[0]

    def shared(self, min_shared: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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

    def check_pair(self, prior: np.ndarray, conf: np.ndarray, pair_conf: np.ndarray, a: int, b: int) -> PairCheck:
        n, o, e, v = self._sum(part_check_pair, self.k, self.n_ann, prior, conf, pair_conf, a, b)
        return PairCheck(np.array([a]), np.array([b]), n, o, e, v)

    def fit_without(
        self, found: tuple[np.ndarray, np.ndarray], a: int, b: int, pseudo: np.ndarray, max_iter: int, tol: float
    ) -> tuple[np.ndarray, np.ndarray]:
        import dask

        held = persist(*[dask.delayed(weigh)(p, self.k, self.n_ann, *found, (a, b)) for p in self.parts])
        data = DaskPairs(held, self.k, self.n_items, self.n_ann, self.pair_instances)
        n_held = max(data._sum(_answer_weight)[0], 1.0)
        stats = data._sum(ds_stats, self.k, self.n_ann, None)
        last = np.inf
        params = dawid_skene_m_step(stats[0], stats[1], pseudo.T)
        for _ in range(max_iter):  # as MemoryPairs.fit_without
            params = dawid_skene_m_step(stats[0], stats[1], pseudo.T)
            stats = data._sum(ds_stats, self.k, self.n_ann, params)
            nll = ds_loss(stats[2], params[1], pseudo, n_held)
            if loss_settled(last - nll, nll, tol):
                break
            last = nll
        counts = data._sum(ds_stats, self.k, self.n_ann, params, True)  # every answer counted once
        prior, given = dawid_skene_m_step(counts[0], counts[1], pseudo.T)
        return prior, given.transpose(0, 2, 1).copy()
