"""Dawid-Skene's dependent annotators: the pair check's orchestration, and the answers' weights.

The check's statistics (pair counts, expected agreement, one-annotator EM) are
:mod:`._pair_check`, computed on blocks of items. :func:`find_dependent_pairs` runs the check
against a :class:`PairData`: :class:`MemoryPairs` (one block, the in-memory fit of
:class:`~labelwise.aggregate.DawidSkene`) or the partitions of a Dask DataFrame
(:mod:`labelwise.aggregate._dask_pairs`), which sum the same block statistics over partitions.

References
----------
.. [1] A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness via
   realized discrepancies", Statistica Sinica 6, 733-807, 1996.
.. [2] J. M. Williamson, S. Datta and G. A. Satten, "Marginal analyses of clustered data when
   cluster size is informative", Biometrics 59(1), 36-42, 2003.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ._answers import EncodedAnswers
from ._base import row_max, row_sum
from ._converged import loss_settled
from ._observed import _full_confusion, _Observed, _vote_shares, _with_answer_weights
from ._pair_check import (
    Entries,
    PairCheck,
    answer_bases,
    check_one_pair,
    check_pairs,
    group_answer_weights,
    log_given_of,
    one_annotator_em,
    sample_items,
    shared_pairs,
)
from ._pair_list import check_pair_list
from ._pair_triad import triad_keep, triad_pairs
from ._patterns import AnswerPatterns

#: Pairs of annotators sharing fewer items are not checked for dependence.
MIN_SHARED_ITEMS = 50
#: At most this many pairs flagged by the cheap screen are confirmed, each by one fit without them.
MAX_CONFIRMED_PAIRS = 10
#: The fits without a pair stop at the looser of ``tol`` and this (their result only decides the
#: check; the z of a dependent pair and of an independent one are far apart).
CONFIRM_TOL = 1e-4
#: A pair must also agree on this share of its shared items more than the model predicts: with
#: thousands of shared items a misfit too small to move labels has a large ``z``.
MIN_EXCESS_SHARE = 0.03

Bases = tuple[np.ndarray, np.ndarray, np.ndarray]


class PairData(Protocol):
    """What the check needs from the answers, wherever they are held; models are ``(prior,
    confusion)`` with ``confusion[j, true k, given l]``."""

    def shared(self, min_shared: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs sharing at least ``min_shared`` of the screen's items (:func:`shared_pairs`)."""

    def screen_model(self, pseudo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The M-step that takes majority vote's labels (ties shared) for the truth."""

    def screen(self, prior: np.ndarray, conf: np.ndarray, pairs: tuple) -> PairCheck:
        """:func:`check_pairs` of ``pairs`` on the screen's items."""

    def bases_list(self, prior: np.ndarray, conf: np.ndarray, triples: list[tuple[int, int, int]]) -> list[Bases]:
        """:func:`answer_bases` of ``j`` (``a`` or ``b``) over every item, for each ``(a, b, j)`` of
        ``triples``, in one pass over the answers."""

    def check_pair(self, prior: np.ndarray, conf: np.ndarray, pair_conf: np.ndarray, a: int, b: int) -> PairCheck:
        """:func:`check_one_pair` over every item (``conf``: the model; ``pair_conf``: its agreement)."""

    def check_pair_list(
        self, prior: np.ndarray, conf: np.ndarray, pair_conf: Any, a: np.ndarray, b: np.ndarray
    ) -> PairCheck:
        """:meth:`check_pair` of every pair ``(a[p], b[p])`` in one pass (``pair_conf``: one array or one per pair)."""

    def fit_without(
        self, found: tuple[np.ndarray, np.ndarray], a: int, b: int, pseudo: np.ndarray, max_iter: int, tol: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """EM on every answer but ``a``'s and ``b``'s (the groups of ``found`` weighted), then one
        M-step of every answer from its posterior."""


def _over(check: PairCheck, threshold: float) -> np.ndarray:
    """Whether each pair of ``check`` is over both thresholds (``z`` and the excess share)."""
    excess = check.observed - check.expected
    return (check.z > threshold) & (excess >= MIN_EXCESS_SHARE * check.n_shared)


def _own_confusion(
    conf: np.ndarray, pair: tuple[int, int], bases: list[Bases], pseudo: np.ndarray, max_iter: int, tol: float
) -> np.ndarray:
    """``conf`` with the pair's own confusion matrices fitted by EM against its posterior without
    the pair (:func:`one_annotator_em`; ``bases``: the answer bases of the pair's two members)."""
    pair_conf = conf.copy()
    for j, (base, labels, weights) in zip(pair, bases, strict=True):  # one annotator's answers at a time
        pair_conf[j] = one_annotator_em(base, labels, weights, pseudo, max_iter, tol)
    return pair_conf


def _pairs_fitted(
    data: PairData,
    prior: np.ndarray,
    conf: np.ndarray,
    pseudo: np.ndarray,
    pairs: list[tuple[int, int]],
    max_iter: int,
    tol: float,
) -> PairCheck:
    """The check of each of ``pairs`` against the model ``(prior, conf)`` with the pair's own
    confusion matrices fitted (:func:`_own_confusion`): every member's answer bases gathered in one
    pass (``data.bases_list``), the pairs checked in one pass (``data.check_pair_list``, in memory
    and on Dask: :func:`._pair_list.check_pair_list`, ``check_pair``'s numbers bit for bit)."""
    a, b = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
    if not pairs:  # nothing flagged: no entry index is built
        return PairCheck(a, b, *(np.zeros(0) for _ in range(4)))
    bases = data.bases_list(prior, conf, [(x, y, j) for x, y in pairs for j in (x, y)])
    confs = [
        _own_confusion(conf, pair, bases[2 * p : 2 * p + 2], pseudo, max_iter, tol) for p, pair in enumerate(pairs)
    ]
    return data.check_pair_list(prior, conf, confs, a, b)


def find_dependent_pairs(
    data: PairData,
    pseudo: np.ndarray,
    threshold: float,
    max_iter: int,
    tol: float,
    *,
    triad: bool = True,
    known: np.ndarray | None = None,
) -> np.ndarray | None:
    """Dependent pairs of annotators; rows ``(a, b, n_shared, agreements, expected, z)``, or None.

    A pair is dependent when its agreement exceeds what the model fitted *without the pair*
    predicts (the posterior predictive check of a held-out pair) by ``z > threshold`` and by at
    least :data:`MIN_EXCESS_SHARE` of the items they share. One fit per pair would cost too much,
    so pairs sharing :data:`MIN_SHARED_ITEMS` items are first screened against the model whose
    M-step takes majority vote's labels for the truth. EM's fit would not do as the screen: it can
    already have followed a heavy dependent pair (its latent class becoming "what the pair says")
    and then explains the pair's agreement; the soft vote shares under-rate good annotators and
    would flag every pair of them. A screened pair must stay over the thresholds with its own two
    confusion matrices fitted by EM against that model; the :data:`MAX_CONFIRMED_PAIRS` of largest
    screen ``z`` are then each confirmed against an EM fit without their answers, strongest first,
    each fit weighing the groups found so far. With ``triad``, the pairs found then pass the triad
    gate (:func:`_triad_gate`).

    ``known`` (rows ``a, b``; in memory only): pairs already modelled as dependent (the weak label model's cliques).
    Their groups are weighed in every fit from the start, no pair with a member in them is confirmed (the
    :data:`MAX_CONFIRMED_PAIRS` go to the others), and the rows returned are the other pairs found.
    """
    candidates = data.shared(MIN_SHARED_ITEMS)
    if not len(candidates[0]):
        return None
    prior, conf = data.screen_model(pseudo)
    screen = data.screen(prior, conf, candidates)
    z = screen.z
    flagged = np.flatnonzero(_over(screen, threshold))
    known = np.empty((0, 2)) if known is None else np.asarray(known, dtype=np.float64).reshape(-1, 2)
    if len(known):  # a pair touching a known group is not confirmed
        flagged = flagged[~(np.isin(screen.a[flagged], known) | np.isin(screen.b[flagged], known))]
    flagged = flagged[np.argsort(-z[flagged], kind="stable")][:MAX_CONFIRMED_PAIRS]
    pairs = [(int(screen.a[p]), int(screen.b[p])) for p in flagged]
    over = _over(_pairs_fitted(data, prior, conf, pseudo, pairs, max_iter, tol), threshold)
    suspects = [pair for pair, keep in zip(pairs, over.tolist(), strict=True) if keep]
    rows: list[tuple[float, ...]] = []
    gate = None
    if getattr(data, "lock_step", False):  # on Dask: the same rows, the fits in lock step
        from ._pair_confirm import confirm_in_lock_step

        rows, gate = confirm_in_lock_step(data, suspects, candidates, pseudo, threshold, max_iter, tol, triad)
        suspects = []
    for a, b in suspects:  # strongest first; the fits without a pair weigh the groups found so far
        found = np.array(rows).reshape(-1, 6)
        groups = _with_known(found, known)
        held_prior, held_conf = data.fit_without(groups, a, b, pseudo, max_iter, max(tol, CONFIRM_TOL))
        check = _pairs_fitted(data, held_prior, held_conf, pseudo, [(a, b)], max_iter, tol)
        if _over(check, threshold)[0]:
            rows.append((a, b, check.n_shared[0], check.observed[0], check.expected[0], check.z[0]))
    found = np.array(rows).reshape(-1, 6)
    if triad and len(found):
        found = _triad_gate(data, found, candidates, pseudo, threshold, max_iter, tol, gate, known)
    return found if len(found) else None


def _with_known(found: np.ndarray, known: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``(a, b)`` whose groups a fit weighs: the ``found`` rows' and the ``known`` ones."""
    pairs = found[:, :2] if known is None or not len(known) else np.concatenate([known, found[:, :2]])
    return pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)


def _triad_gate(
    data: PairData,
    found: np.ndarray,
    candidates: tuple,
    pseudo: np.ndarray,
    threshold: float,
    max_iter: int,
    tol: float,
    fitted: tuple | None = None,
    known: np.ndarray | None = None,
) -> np.ndarray:
    """The rows of ``found`` that pass :func:`._pair_triad.triad_keep` under the check's fit of every
    answer with the groups of ``found`` weighted (``fit_without`` holding no annotator out), third
    annotators among the screen's ``candidates``: a pair's excess must not be one that both members
    share with a third annotator (a group-wide misfit, not a dependent pair). An in-memory fit's
    ``z`` are computed in one pass (:func:`._pair_triad.triad_pairs`, :func:`._pair_list.check_pair_list`).
    ``fitted``: that fit and its ``z`` table, already computed (:func:`._pair_confirm.confirm_in_lock_step`);
    ``known``: pairs whose groups the fit weighs too (:func:`find_dependent_pairs`)."""
    if fitted is None:
        groups = _with_known(found, known)
        prior, conf = data.fit_without(groups, -1, -1, pseudo, max_iter, tol)
        listed = triad_pairs(found, candidates, MIN_SHARED_ITEMS)
        a, b = np.array(listed, dtype=np.int64).reshape(-1, 2).T
        table = dict(zip(listed, data.check_pair_list(prior, conf, conf, a, b).z.tolist(), strict=True))
    else:
        prior, conf, table = fitted

    def z_of(x: int, y: int) -> float:
        if (x, y) not in table:
            table[(x, y)] = float(data.check_pair(prior, conf, conf, x, y).z[0])
        return table[(x, y)]

    return found[triad_keep(found, z_of, candidates, MIN_SHARED_ITEMS, threshold)]


def pairs_frame(found: np.ndarray | None, names: pd.Index) -> pd.DataFrame:
    """``dependent_pairs_``: the rows of :func:`find_dependent_pairs` with annotator names."""
    found = np.empty((0, 6)) if found is None else found
    cols = {
        "annotator_a": names.take(found[:, 0].astype(np.int64)),
        "annotator_b": names.take(found[:, 1].astype(np.int64)),
    }
    return pd.DataFrame(
        {**cols, **{c: found[:, i] for i, c in enumerate(("n_shared", "agreements", "expected", "z"), 2)}}
    )


@dataclasses.dataclass(eq=False)
class MemoryPairs:
    """:class:`PairData` of an in-memory fit: one block, the answer patterns' count rows ``obs``."""

    est: Any  # the DawidSkene being fitted: its _m_step and _e_step
    enc: EncodedAnswers
    pat: AnswerPatterns
    obs: _Observed
    vote: np.ndarray
    #: The confirmation fits' start posterior of each row of ``obs`` (None: the vote shares without the pair).
    start: np.ndarray | None = None
    _group_weights: dict = dataclasses.field(default_factory=dict, repr=False)  # by the groups' pairs

    @cached_property
    def ent(self) -> Entries:
        return Entries.build(self.obs, self.enc.n_annotators)

    @cached_property
    def entry_annotator(self) -> np.ndarray:
        """The annotator of each entry of ``obs.m`` (CSR order)."""
        return self.obs.annotator_of[self.obs.m.indices]

    @cached_property
    def screened(self) -> _Observed:
        """The rows of the screen's items (:func:`sample_items`), weighted by their sampled items."""
        sample = sample_items(self.enc.n_items)
        if sample is None:
            return self.obs
        # the sampled items' rows (sorted) and how many sampled items each holds: from the sample
        # itself, not a count per row of every pattern (two pattern-long arrays at a million items)
        rows, per_row = np.unique(self.pat.item_pattern[sample], return_counts=True)
        return dataclasses.replace(self.obs, m=self.obs.m[rows], weights=per_row.astype(np.float64))

    def shared(self, min_shared: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        s = self.screened
        return shared_pairs(s.m, s.weights, self.obs.annotator_of, self.enc.n_annotators, min_shared)

    def _model(self, obs: _Observed, post: np.ndarray, pseudo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        prior, given, total = self.est._m_step(obs, post, pseudo)
        return prior, _full_confusion(self.enc, obs, pseudo, given, total)

    def screen_model(self, pseudo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        top = self.vote >= row_max(self.vote)[:, None] - 1e-12  # majority vote's labels, ties shared
        return self._model(self.obs, top / row_sum(top)[:, None], pseudo)

    def screen(self, prior: np.ndarray, conf: np.ndarray, pairs: tuple) -> PairCheck:
        s = self.screened
        return check_pairs(
            s.m, s.weights, s.annotator_of, s.label_of, log_given_of(s, conf), np.log(prior), conf, pairs
        )  # fmt: skip

    def bases(self, prior: np.ndarray, conf: np.ndarray, a: int, b: int, j: int) -> Bases:
        """:func:`answer_bases` of ``j`` (``a`` or ``b``) over every item (one triple of :meth:`bases_list`)."""
        return answer_bases(self.obs, self.ent, log_given_of(self.obs, conf), np.log(prior), a, b, j)

    def bases_list(self, prior: np.ndarray, conf: np.ndarray, triples: list[tuple[int, int, int]]) -> list[Bases]:
        """:meth:`bases` of each ``(a, b, j)`` of ``triples``, the model's log terms taken once (the
        same arrays, bit for bit)."""
        log_given, log_prior = log_given_of(self.obs, conf), np.log(prior)
        return [answer_bases(self.obs, self.ent, log_given, log_prior, a, b, j) for a, b, j in triples]

    def check_pair(self, prior: np.ndarray, conf: np.ndarray, pair_conf: np.ndarray, a: int, b: int) -> PairCheck:
        return check_one_pair(self.obs, self.ent, log_given_of(self.obs, conf), np.log(prior), pair_conf, a, b)

    def check_pair_list(
        self, prior: np.ndarray, conf: np.ndarray, pair_conf: Any, a: np.ndarray, b: np.ndarray
    ) -> PairCheck:
        """:meth:`check_pair` of every pair ``(a[p], b[p])`` in one pass (``pair_conf``: one array or
        one per pair; :func:`._pair_list.check_pair_list`, the same bits). One pair (each confirmation's) by
        :meth:`check_pair` itself: the same numbers, with less set-up."""
        if len(a) == 1:
            one = pair_conf if isinstance(pair_conf, np.ndarray) else pair_conf[0]
            return self.check_pair(prior, conf, one, int(a[0]), int(b[0]))
        return check_pair_list(self.obs, self.ent, log_given_of(self.obs, conf), np.log(prior), pair_conf, a, b)

    def fit_without(
        self, found: tuple[np.ndarray, np.ndarray], a: int, b: int, pseudo: np.ndarray, max_iter: int, tol: float
    ) -> tuple[np.ndarray, np.ndarray]:
        obs = self.obs
        key = (found[0].tobytes(), found[1].tobytes())  # the confirmations' fits share the groups found so far
        if key not in self._group_weights:
            self._group_weights[key] = group_answer_weights(obs.m, obs.annotator_of, self.enc.n_annotators, *found)
        out = (self.entry_annotator == a) | (self.entry_annotator == b)  # np.isin's mask, without its table
        held = _with_answer_weights(obs, np.where(out, 0.0, self._group_weights[key]))
        n_held = max(float(held.weights @ np.asarray(held.m.sum(axis=1)).ravel()), 1.0)  # answers, not patterns
        post = _vote_shares(held, self.enc.n_classes) if self.start is None else self.start
        last = np.inf
        for _ in range(max_iter):  # EM as _run_em, without the fit's bookkeeping
            prior, given, total = self.est._m_step(held, post, pseudo)
            post, nll = self.est._e_step(held, prior, given, total, n_held, pseudo)
            if loss_settled(last - nll, nll, tol):
                break
            last = nll
        return self._model(obs, post, pseudo)  # every answer counted once in the M-step


class DependentPairs:
    """The dependent-pair check of :class:`~labelwise.aggregate.DawidSkene` (which supplies the EM
    steps and the parameters declared here)."""

    max_iter: int
    tol: float
    dependency_threshold: float | None
    dependency_triad: bool
    dependent_pairs_: pd.DataFrame | None
    _m_step: Any
    _e_step: Any

    def _weigh_dependent(
        self, enc: EncodedAnswers, pat: AnswerPatterns, obs: _Observed, vote: np.ndarray, pseudo: np.ndarray
    ) -> _Observed | None:
        """Find dependent pairs of annotators (:func:`find_dependent_pairs`); return ``obs`` with
        each dependent group's answers on an item weighted to count as one answer, or None."""
        data = MemoryPairs(self, enc, pat, obs, vote)
        threshold = float(self.dependency_threshold)  # type: ignore[arg-type]  # None skips the check
        triad = bool(self.dependency_triad)
        known = _known_codes(self, enc)
        found = find_dependent_pairs(
            data, pseudo, threshold, int(self.max_iter), float(self.tol), triad=triad, known=known
        )
        if found is None and known is None:
            return None
        found = np.empty((0, 6)) if found is None else found
        self.dependent_pairs_ = pairs_frame(found, enc.annotator_index())
        pa, pb = _with_known(found, known)
        return _with_answer_weights(obs, group_answer_weights(obs.m, obs.annotator_of, enc.n_annotators, pa, pb))


def _known_codes(est: Any, enc: EncodedAnswers) -> np.ndarray | None:
    """The annotator codes of ``est._known_pairs`` (pairs of annotator names already modelled as dependent, set by
    the weak label model's check, :func:`labelwise.weak._crowd_pairs.dependent_pairs`), or None when none."""
    pairs = getattr(est, "_known_pairs", None)
    if pairs is None or not len(pairs):
        return None
    codes = enc.annotator_index().get_indexer(np.asarray(pairs, dtype=object).ravel())
    codes = codes.reshape(-1, 2)
    codes = codes[(codes >= 0).all(axis=1)]  # a name without answers has no pair to weigh
    return codes.astype(np.float64) if len(codes) else None
