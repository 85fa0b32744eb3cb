"""Dawid-Skene's dependent annotators: the pair check's orchestration, and the answers' weights.

The check itself (counts, expected agreement, one-annotator EM) is :mod:`._pair_check`; this
module runs it for :class:`~labelwise.aggregate.DawidSkene` (a mixin of its EM steps).

References
----------
.. [1] A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness via
   realized discrepancies", Statistica Sinica 6, 733-807, 1996.
.. [2] J. M. Williamson, S. Datta and G. A. Satten, "Marginal analyses of clustered data when
   cluster size is informative", Biometrics 59(1), 36-42, 2003.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ._answers import EncodedAnswers
from ._base import row_max, row_sum
from ._observed import _full_confusion, _Observed, _vote_shares, _with_answer_weights
from ._pair_check import (
    Entries,
    PairCheck,
    check_one_pair,
    check_pairs,
    group_answer_weights,
    one_annotator_em,
    posterior_without_pair,
    sample_rows,
    shared_pairs,
)

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


class DependentPairs:
    """The dependent-pair check of :class:`~labelwise.aggregate.DawidSkene` (which supplies the EM
    steps and the parameters declared here)."""

    max_iter: int
    tol: float
    dependency_threshold: float | None
    dependent_pairs_: pd.DataFrame | None
    _m_step: Any
    _e_step: Any

    def _weigh_dependent(
        self, enc: EncodedAnswers, obs: _Observed, vote: np.ndarray, pseudo: np.ndarray
    ) -> _Observed | None:
        """Find dependent pairs of annotators (:mod:`._pair_check`); return ``obs`` with each
        dependent group's answers on an item weighted to count as one answer, or None.

        A pair is dependent when its agreement exceeds what the model fitted *without the pair*
        predicts (the posterior predictive check of a held-out pair) by ``z > dependency_threshold``
        and by at least :data:`MIN_EXCESS_SHARE` of the items they share. One fit per pair would
        cost too much, so pairs are first screened against the model whose M-step takes majority
        vote's labels for the truth (``vote``: the vote shares, ties shared). EM's fit would not
        do as the screen: it can already have followed a heavy dependent pair (its latent class
        becoming "what the pair says") and then explains the pair's agreement; the soft vote
        shares under-rate good annotators and would flag every pair of them. The
        :data:`MAX_CONFIRMED_PAIRS` screened pairs of largest ``z`` are each confirmed against an
        EM fit without their answers (:meth:`_check_without`), strongest first."""
        sample = sample_rows(obs.m.shape[0])
        screened = obs if sample is None else dataclasses.replace(obs, m=obs.m[sample], weights=obs.weights[sample])
        candidates = shared_pairs(
            screened.m, screened.weights, obs.annotator_of, enc.n_annotators, MIN_SHARED_ITEMS
        )  # fmt: skip
        if not len(candidates[0]):
            return None
        top = vote >= row_max(vote)[:, None] - 1e-12  # majority vote's labels, ties shared
        prior, given, total = self._m_step(obs, top / row_sum(top)[:, None], pseudo)
        conf = _full_confusion(enc, obs, pseudo, given, total)
        screen = check_pairs(
            screened.m, screened.weights, obs.annotator_of, obs.label_of, np.log(given), np.log(prior), conf, candidates
        )
        threshold = float(self.dependency_threshold)  # type: ignore[arg-type]
        z = screen.z
        excess = screen.observed - screen.expected
        flagged = np.flatnonzero((z > threshold) & (excess >= MIN_EXCESS_SHARE * screen.n_shared))
        flagged = flagged[np.argsort(-z[flagged], kind="stable")][:MAX_CONFIRMED_PAIRS]
        if not len(flagged):
            return None
        ent = Entries.build(obs, enc.n_annotators)
        suspects = [
            int(p)
            for p in flagged
            if self._still_suspect(obs, ent, given, prior, conf, pseudo, screen, int(p), threshold)
        ]
        rows: list[tuple[float, ...]] = []
        data = np.ones(obs.m.nnz)
        for p in suspects:  # strongest first; the fits without a pair weigh the groups found so far
            a, b = int(screen.a[p]), int(screen.b[p])
            check = self._check_without(enc, obs, ent, data, pseudo, a, b)
            more = check.observed[0] - check.expected[0]
            if check.z[0] > threshold and more >= MIN_EXCESS_SHARE * check.n_shared[0]:
                rows.append((a, b, check.n_shared[0], check.observed[0], check.expected[0], check.z[0]))
                found = np.array(rows)
                pa, pb = found[:, 0].astype(np.int64), found[:, 1].astype(np.int64)
                data = group_answer_weights(obs.m, obs.annotator_of, enc.n_annotators, pa, pb)
        if not rows:
            return None
        names = enc.annotator_index()
        self.dependent_pairs_ = pd.DataFrame(
            {
                "annotator_a": names.take(pa),
                "annotator_b": names.take(pb),
                "n_shared": found[:, 2],
                "agreements": found[:, 3],
                "expected": found[:, 4],
                "z": found[:, 5],
            }
        )
        return _with_answer_weights(obs, data)

    def _still_suspect(
        self,
        obs: _Observed,
        ent: Entries,
        given: np.ndarray,
        prior: np.ndarray,
        conf: np.ndarray,
        pseudo: np.ndarray,
        screen: PairCheck,
        p: int,
        threshold: float,
    ) -> bool:
        """Whether screened pair ``p`` stays over the thresholds once its two confusion matrices are
        fitted by EM against the screen model's posterior without the pair (the screen's M-step
        under-rates annotators who are right where majority vote is wrong)."""
        a, b = int(screen.a[p]), int(screen.b[p])
        log_given = np.log(given)
        conf = conf.copy()
        for j in (a, b):
            base = posterior_without_pair(obs, ent, log_given, np.log(prior), a, b, j)
            conf[j] = one_annotator_em(obs, ent, base, pseudo, j, int(self.max_iter), float(self.tol))
        check = check_one_pair(obs, ent, log_given, np.log(prior), conf, a, b)
        return bool(
            check.z[0] > threshold and check.observed[0] - check.expected[0] >= MIN_EXCESS_SHARE * check.n_shared[0]
        )

    def _check_without(
        self,
        enc: EncodedAnswers,
        obs: _Observed,
        ent: Entries,
        data: np.ndarray,
        pseudo: np.ndarray,
        a: int,
        b: int,
    ) -> PairCheck:
        """The check of pair ``(a, b)`` against EM's fit of every other answer, weighted by ``data``
        (theirs weigh 0)."""
        held = _with_answer_weights(obs, np.where(np.isin(obs.annotator_of[obs.m.indices], (a, b)), 0.0, data))
        n_held = max(float(held.m.data.sum()), 1.0)
        post = _vote_shares(held, enc.n_classes)
        last = np.inf
        for _ in range(int(self.max_iter)):  # EM as _run_em, without the fit's bookkeeping
            prior, given, total = self._m_step(held, post, pseudo)
            post, nll = self._e_step(held, prior, given, total, n_held, pseudo)
            if last - nll < max(float(self.tol), CONFIRM_TOL):
                break
            last = nll
        # the others' confusions one M-step from that posterior (their fit's), and each of the pair's
        # by EM of its own answers with the others' model held fixed (an M-step against a posterior
        # without the annotator's own answer would under-rate it)
        prior, given, total = self._m_step(obs, post, pseudo)
        conf = _full_confusion(enc, obs, pseudo, given, total)
        log_given = np.log(given)
        for j in (a, b):
            base = posterior_without_pair(obs, ent, log_given, np.log(prior), a, b, j)
            conf[j] = one_annotator_em(obs, ent, base, pseudo, j, int(self.max_iter), float(self.tol))
        return check_one_pair(obs, ent, log_given, np.log(prior), conf, a, b)
