"""Dawid-Skene's ring check: several accounts of one worker, held out together and decided per group.

The pair check (:mod:`._dependent`) tests each pair of annotators against a fit of every other
answer. A worker behind four or more accounts escapes it: the other copies stay in that fit,
dominate its posterior and look accurate, so the pair agrees about as much as predicted and one
worker counts four or more times. This module, run after the pair check:

1. Screen. Pairs sharing at least :data:`~._dependent.MIN_SHARED_ITEMS` items that gave the same
   label on at least :data:`RING_AGREEMENT` of them are joined; each connected group of
   :data:`MIN_RING` to :data:`MAX_RING` annotators is a candidate (at most :data:`MAX_RINGS`,
   largest first).
2. Check, leaving the whole group out. EM on every answer but the group's (the groups already
   found weighted); each member's confusion matrix fitted by one-annotator EM against that fit's
   posterior; each pair of members tested as the pair check tests a pair, by its agreements against
   the number predicted (a posterior predictive check [1]_): ``z > dependency_threshold`` and an
   excess of at least :data:`~._dependent.MIN_EXCESS_SHARE` of the shared items.
3. Decide per group. Only the largest set of at least :data:`MIN_RING` members in which *every*
   pair passed (a maximum clique of the confirmed pairs [2]_; ties: the larger summed ``z``, then
   the smaller annotator positions) is a ring: its pairs join ``dependent_pairs_``, its members are
   reported in ``dependent_rings_`` and its answers on an item weigh ``1 / m`` each, as the pair
   check's groups do [3]_. A lone confirmed pair or a star is not a ring (a group of good honest
   annotators may have one pair over the threshold; it is left to the pair check).

The check reads the answers through :class:`RingData` (the pair check's
:class:`~._dependent.PairData` and three more statistics): :class:`MemoryRings` in memory,
:class:`~._dask_pairs.DaskPairs` on the partitions of a Dask DataFrame, which sum each statistic
over partitions (the screen's pair counts and same-label counts, the fits' M-step statistics, the
pairs' agreements); the members' answers (each member's one-annotator EM) reach the client in one
pass for the whole group (``bases_list``, as the pair check gathers its screened pairs').

The constants and the rule that made it the default are in ``benchmarks/dev_aggregate_rings.py``
and ``benchmarks/dev_aggregate_rings_clique.py`` (benchmarks/RESULTS.md, sessions ring41 and ring41b).

References
----------
.. [1] A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness via
   realized discrepancies", Statistica Sinica 6, 733-807, 1996.
.. [2] R. D. Luce and A. D. Perry, "A method of matrix analysis of group structure",
   Psychometrika 14(2), 95-116, 1949.
.. [3] J. M. Williamson, S. Datta and G. A. Satten, "Marginal analyses of clustered data when
   cluster size is informative", Biometrics 59(1), 36-42, 2003.
"""

from __future__ import annotations

import dataclasses
from itertools import combinations
from typing import Any, Protocol

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ._answers import EncodedAnswers
from ._converged import loss_settled
from ._dependent import CONFIRM_TOL, MIN_EXCESS_SHARE, MIN_SHARED_ITEMS, MemoryPairs, PairData, pairs_frame
from ._observed import _Observed, _vote_shares, _with_answer_weights
from ._pair_check import group_answer_weights, one_annotator_em, shared_pairs
from ._patterns import AnswerPatterns

__all__ = [
    "MAX_RING",
    "MAX_RINGS",
    "MIN_RING",
    "RING_AGREEMENT",
    "MemoryRings",
    "RingData",
    "find_rings",
    "largest_clique",
    "weigh_rings",
]

#: Pairs agreeing on at least this share of their shared items are candidates of one ring.
RING_AGREEMENT = 0.8
#: Fewer annotators than this are left to the pair check; a ring is a clique of at least this many.
MIN_RING = 3
#: Larger candidate groups are not checked (a crowd of many good annotators, not a ring).
MAX_RING = 12
#: At most this many candidate groups are checked (largest first), each by one fit without it.
MAX_RINGS = 3

Row = tuple[float, ...]


def agreement_rates(
    obs: _Observed, n_annotators: int, min_shared: float = MIN_SHARED_ITEMS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``(a, b)`` sharing at least ``min_shared`` items and the share of those items on which
    they gave the same label (rows of ``obs.m`` weighted by ``obs.weights``)."""
    a, b, shared = shared_pairs(obs.m, obs.weights, obs.annotator_of, n_annotators, min_shared)
    if not len(a):
        return a, b, np.empty(0)
    m = obs.m.copy()
    m.sum_duplicates()  # the count rows may hold one entry per answer
    m.data[:] = 1.0  # an item answered twice the same by one annotator counts once
    same = (m.T @ sp.diags(np.asarray(obs.weights, dtype=np.float64)) @ m).tocoo()  # [column, column]
    ca, cb = obs.annotator_of[same.row], obs.annotator_of[same.col]
    keep = (obs.label_of[same.row] == obs.label_of[same.col]) & (ca < cb)
    agree = sp.coo_matrix((same.data[keep], (ca[keep], cb[keep])), shape=(n_annotators, n_annotators)).tocsr()
    return a, b, np.asarray(agree[a, b]).ravel() / shared


class RingData(PairData, Protocol):
    """What the ring check needs beside the pair check's :class:`~._dependent.PairData`."""

    est: Any  #: the DawidSkene being fitted: its ``max_iter`` and ``tol``

    def agreement_rates(self, min_shared: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`agreement_rates` on the screen's items (the pair check's sample)."""

    def fit_without_group(
        self, found: tuple[np.ndarray, np.ndarray], members: np.ndarray, pseudo: np.ndarray, max_iter: int, tol: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """EM on every answer but the ``members``' (the groups of ``found`` weighted), then one
        M-step of every answer from its posterior."""


@dataclasses.dataclass(eq=False)
class MemoryRings(MemoryPairs):
    """:class:`RingData` of an in-memory fit (the answer patterns' count rows)."""

    def agreement_rates(self, min_shared: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return agreement_rates(self.screened, self.enc.n_annotators, min_shared)

    def fit_without_group(
        self, found: tuple[np.ndarray, np.ndarray], members: np.ndarray, pseudo: np.ndarray, max_iter: int, tol: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """As :meth:`MemoryPairs.fit_without`, for a whole group."""
        obs, est = self.obs, self.est
        weights = group_answer_weights(obs.m, obs.annotator_of, self.enc.n_annotators, *found)
        out = np.isin(obs.annotator_of[obs.m.indices], members)
        held = _with_answer_weights(obs, np.where(out, 0.0, weights))
        n_held = max(float(held.weights @ np.asarray(held.m.sum(axis=1)).ravel()), 1.0)
        post = _vote_shares(held, self.enc.n_classes)
        last = np.inf
        for _ in range(max_iter):
            prior, given, total = est._m_step(held, post, pseudo)
            post, nll = est._e_step(held, prior, given, total, n_held, pseudo)
            if loss_settled(last - nll, nll, tol):
                break
            last = nll
        return self._model(obs, post, pseudo)


def rings_of(a: np.ndarray, b: np.ndarray, rate: np.ndarray, n_annotators: int) -> list[np.ndarray]:
    """The screen's candidate groups (sorted members) of the pairs ``(a, b)`` agreeing at ``rate``,
    largest first, at most :data:`MAX_RINGS`."""
    close = rate >= RING_AGREEMENT
    if not close.any():
        return []
    graph = sp.csr_matrix((np.ones(int(close.sum())), (a[close], b[close])), shape=(n_annotators, n_annotators))
    _, comp = connected_components(graph, directed=False)
    size = np.bincount(comp)
    groups = [np.flatnonzero(comp == c) for c in np.flatnonzero((size >= MIN_RING) & (size <= MAX_RING))]
    groups.sort(key=lambda g: (-len(g), int(g[0])))
    return groups[:MAX_RINGS]


def candidate_rings(obs: _Observed, n_annotators: int) -> list[np.ndarray]:
    """The screen's candidate groups of the count rows ``obs`` (:func:`rings_of`)."""
    return rings_of(*agreement_rates(obs, n_annotators), n_annotators)


def _fit_without_group(
    data: Any, pairs: tuple[np.ndarray, np.ndarray], members: np.ndarray, pseudo: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """``data.fit_without_group`` with the fit's ``max_iter`` (``data``: a :class:`RingData`, or a plain
    ``MemoryPairs`` as the dev scripts' judged variants build it, fitted as :class:`MemoryRings`)."""
    if not hasattr(data, "fit_without_group"):
        data = MemoryRings(data.est, data.enc, data.pat, data.obs, data.vote)
    return data.fit_without_group(pairs, members, pseudo, int(data.est.max_iter), tol)


def confirm_ring(
    data: RingData, pairs: tuple[np.ndarray, np.ndarray], members: np.ndarray, pseudo: np.ndarray, threshold: float
) -> list[Row]:
    """Rows ``(a, b, n_shared, agreements, expected, z)`` of the pairs of ``members`` that agree
    more than the model without the whole group predicts (module docstring, step 2)."""
    est = data.est
    prior, conf = _fit_without_group(data, pairs, members, pseudo, max(float(est.tol), CONFIRM_TOL))
    masked = conf.copy()
    masked[members] = 1.0 / conf.shape[1]  # a member's answer moves no posterior: the group is held out
    fitted = conf.copy()
    triples = [(int(j), int(j), int(j)) for j in members]  # every member's answers in one pass
    for j, (base, labels, weights) in zip(members, data.bases_list(prior, masked, triples), strict=True):
        fitted[j] = one_annotator_em(base, labels, weights, pseudo, int(est.max_iter), float(est.tol))
    a, b = np.array(list(combinations(members.tolist(), 2)), dtype=np.int64).reshape(-1, 2).T
    check = data.check_pair_list(prior, masked, fitted, a, b)  # every pair of members in one pass
    rows: list[Row] = []
    for p in range(len(a)):
        excess = check.observed[p] - check.expected[p]
        if check.n_shared[p] >= MIN_SHARED_ITEMS and check.z[p] > threshold:
            if excess >= MIN_EXCESS_SHARE * check.n_shared[p]:
                rows.append((a[p], b[p], check.n_shared[p], check.observed[p], check.expected[p], check.z[p]))
    return rows


def largest_clique(rows: list[Row]) -> list[Row]:
    """The rows (pairs ``a < b``, ``z`` last) of the largest set of at least :data:`MIN_RING`
    annotators whose every pair is in ``rows`` (ties: larger summed ``z``, then smaller positions);
    empty when there is none. Exhaustive: a candidate group has at most :data:`MAX_RING` members."""
    row_of = {(int(r[0]), int(r[1])): r for r in rows}
    nodes = sorted({j for ab in row_of for j in ab})
    for size in range(len(nodes), MIN_RING - 1, -1):
        best: tuple[float, tuple[int, ...]] | None = None
        for subset in combinations(nodes, size):  # in position order: a tie keeps the first
            if all(p in row_of for p in combinations(subset, 2)):
                score = sum(float(row_of[p][5]) for p in combinations(subset, 2))
                if best is None or score > best[0]:
                    best = (score, subset)
        if best is not None:
            return [row_of[p] for p in combinations(best[1], 2)]
    return []


def find_rings(est: Any, data: RingData, names: pd.Index, pseudo: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Find rings (module docstring) beside the pairs already in ``est.dependent_pairs_``; add their
    pairs there and their members to ``est.dependent_rings_``. Returns every dependent pair ``(a, b)``
    (annotator codes of ``names``), or None when no ring adds a pair."""
    groups = rings_of(*data.agreement_rates(MIN_SHARED_ITEMS), len(names))
    if not groups:
        return None
    found = est.dependent_pairs_
    known = np.column_stack(
        [names.get_indexer(found.annotator_a), names.get_indexer(found.annotator_b), found.iloc[:, 2:].to_numpy()]
    ).reshape(-1, 6)
    rows: list[Row] = []
    rings: list[list[Any]] = []
    for members in groups:
        pairs = np.array([*known, *rows]).reshape(-1, 6)
        ab = (pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64))
        seen = set(zip(ab[0].tolist(), ab[1].tolist(), strict=True))
        clique = largest_clique(confirm_ring(data, ab, members, pseudo, float(est.dependency_threshold)))
        if clique:
            rings.append(sorted({names[int(j)] for r in clique for j in r[:2]}))
            rows += [r for r in clique if (int(r[0]), int(r[1])) not in seen]
    est.dependent_rings_ = rings
    if not rows:
        return None
    every = np.array([*known, *rows]).reshape(-1, 6)
    new = pairs_frame(np.array(rows), names)
    est.dependent_pairs_ = pd.concat([found, new], ignore_index=True) if len(found) else new
    return every[:, 0].astype(np.int64), every[:, 1].astype(np.int64)


def weigh_rings(
    est: Any, enc: EncodedAnswers, pat: AnswerPatterns, obs: _Observed, vote: np.ndarray, pseudo: np.ndarray
) -> _Observed | None:
    """:func:`find_rings` in memory; return ``obs`` with every dependent group's answers on an item
    counting as one, or None when no ring is found."""
    every = find_rings(est, MemoryRings(est, enc, pat, obs, vote), enc.annotator_index(), pseudo)
    if every is None:
        return None
    return _with_answer_weights(obs, group_answer_weights(obs.m, obs.annotator_of, enc.n_annotators, *every))
