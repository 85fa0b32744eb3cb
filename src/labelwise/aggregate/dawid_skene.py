"""Dawid & Skene (1979): per-annotator confusion matrices by EM; and the one-coin variant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._validate import check_positive_int
from ..errors import InvalidParameterError
from ._answers import AnswerPatterns, EncodedAnswers, _csr_from_pairs
from ._base import BaseAggregator, check_common, log_normalize
from .majority import weighted_vote_shares

__all__ = ["DawidSkene", "OneCoinDawidSkene"]

_FLOOR = 1e-10


def _check_em_params(est: BaseAggregator) -> None:
    check_common(est)
    check_positive_int("max_iter", est.max_iter)
    if not (isinstance(est.tol, (int, float)) and not isinstance(est.tol, bool) and est.tol >= 0):
        raise InvalidParameterError(f"tol must be a number >= 0, got {est.tol!r}")
    smoothing = getattr(est, "smoothing", 0.0)
    if not (isinstance(smoothing, (int, float)) and not isinstance(smoothing, bool) and smoothing >= 0):
        raise InvalidParameterError(f"smoothing must be a number >= 0, got {smoothing!r}")


@dataclass(frozen=True, eq=False)
class _Observed:
    """The (annotator, label) columns that the answers use, and the count matrices restricted to them.

    ``columns`` are the used ``annotator * K + label`` values (sorted); ``m`` is (n_patterns ×
    n_used) with the answer counts, ``mt`` its transpose; ``annotator_of[r]`` is the annotator of
    used column ``r``, ``by_annotator`` the (n_annotators × n_used) indicator that sums used
    columns per annotator, and ``n_unused[j]`` the number of labels ``j`` never gave.
    """

    columns: np.ndarray
    m: sp.csr_matrix
    mt: sp.csc_matrix
    weights: np.ndarray
    annotator_of: np.ndarray
    by_annotator: sp.csr_matrix
    n_unused: np.ndarray

    @classmethod
    def build(cls, pat: AnswerPatterns) -> _Observed:
        enc = pat.answers
        k, n_ann = enc.n_classes, enc.n_annotators
        cols = enc.annotator_idx * k + enc.label_idx
        used = np.bincount(cols, minlength=n_ann * k) > 0
        columns = np.flatnonzero(used)
        code = np.cumsum(used) - 1
        m = _csr_from_pairs(enc.item_idx, code[cols], (enc.n_items, len(columns)))
        annotator_of = columns // k
        by_annotator = _csr_from_pairs(annotator_of, np.arange(len(columns)), (n_ann, len(columns)))
        n_unused = (k - np.bincount(annotator_of, minlength=n_ann)).astype(np.float64)
        return cls(columns, m, m.T, pat.weights, annotator_of, by_annotator, n_unused)


class DawidSkene(BaseAggregator):
    r"""Dawid-Skene: true labels and one full confusion matrix per annotator, fitted by EM.

    Model. Item ``i`` has a hidden true class ``z_i`` with prior ``P(z_i = k) = p_k``. Annotator
    ``j`` answers ``l`` on an item of class ``k`` with probability ``π_j[k, l]`` (row ``k`` of
    their confusion matrix sums to 1), independently of every other answer. The likelihood of the
    answers is

    .. math:: \prod_i \sum_k p_k \prod_{(j, l) \in A_i} π_j[k, l]

    where ``A_i`` are the (annotator, label) answers on item ``i``.

    EM (the paper's maximum likelihood with ``smoothing=0``; MAP with the default small prior):

    * initialisation: ``T[i, k]`` = majority vote shares of item ``i``;
    * M-step: ``p_k = mean_i T[i, k]`` and
      ``π_j[k, l] ∝ Σ_{i: (j, l) ∈ A_i} T[i, k] (+ smoothing)``, normalised over ``l``;
    * E-step: ``log T[i, k] = log p_k + Σ_{(j,l) ∈ A_i} log π_j[k, l] - log Z_i``. Done in log
      space with the row maximum subtracted before exponentiating: a product of hundreds of
      probabilities underflows in linear space.

    Both steps are one sparse matrix product each with the (items × annotator·label) count matrix:
    the E-step is ``M @ log Π`` and the M-step ``M.T @ T``. Items with the same answers have the
    same posterior, so the products run over distinct answer patterns, each weighted by its number
    of items (exactly the same iterates; CIFAR-10N's 50,000 items have 903 patterns), and over the
    (annotator, label) columns that some answer uses (a confusion row nobody's answer selects is
    only needed for the prior term and the final ``annotator_confusion_``).

    Iterations stop when the mean negative log-likelihood per answer,
    ``-(Σ_i log Z_i + smoothing Σ log π) / n_answers`` (the negative log posterior with the
    Dirichlet prior below; recorded in ``loss_history_``, never increasing), falls by less than
    ``tol``, or after ``max_iter``. Probabilities are floored at 1e-10 so that an answer never seen
    for a class does not zero a posterior.

    Parameters
    ----------
    max_iter : int, default 100
    tol : float, default 1e-5
    smoothing : float, default 0.01
        Pseudo-count added to every confusion-matrix cell in the M-step: the MAP estimate under a
        symmetric Dirichlet(1 + smoothing) prior on each confusion row. 0 gives the paper's maximum
        likelihood; the small default keeps annotators with a handful of answers (CF: 461
        annotators, 3.7 answers each) from getting confusion rows of exact zeros and ones, which
        make the posterior overconfident; larger values (1: Laplace) regularise more.
    labels, duplicates, item_col, annotator_col, label_col, random_state
        As in :class:`~labelwise.aggregate.MajorityVote` (``random_state`` breaks exact ties).

    Attributes
    ----------
    annotator_confusion_ : ndarray of shape (n_annotators, K, K)
        ``[j, k, l] = P(annotator j answers l | true class k)``; rows (true) sum to 1.
    annotators_ : pandas.Index
        The annotator of each first axis entry.
    priors_ : pandas.Series
        Estimated class prior ``p``.
    annotator_skill_ : pandas.Series
        Estimated accuracy ``Σ_k p_k π_j[k, k]``.

    References
    ----------
    .. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates
       Using the EM Algorithm", Journal of the Royal Statistical Society, Series C (Applied
       Statistics) 28(1), 20-28, 1979. https://doi.org/10.2307/2346806
    """

    def __init__(
        self,
        *,
        max_iter: int = 100,
        tol: float = 1e-5,
        smoothing: float = 0.01,
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
    ) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.smoothing = smoothing
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    _fits_patterns = True

    def _check_params(self) -> None:
        _check_em_params(self)

    # Only the confusion rows (annotator j, given label l) that some answer uses enter the E-step;
    # the others are all "smoothing / row total". The iterations therefore keep just the used rows,
    # ``given[r, k] = π_j[k, l]`` for used column r = (j, l): O(answers · K) memory and work instead
    # of O(annotators · K²), which matters when many annotators give a few answers each (CF: 461
    # annotators, 1,720 answers). The full matrices are built once, at the end.
    def _m_step(self, obs: _Observed, post: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        w = obs.weights
        prior = np.maximum(w @ post, _FLOOR)
        prior /= prior.sum()
        # counts[r, k] = Σ_{answers in used column r = (j, l)} w_i T[i, k]
        counts = np.asarray(obs.mt @ (post * w[:, None]))
        counts += self.smoothing
        if self.smoothing < _FLOOR:  # counts are >= 0, so only then can a cell fall below the floor
            np.maximum(counts, _FLOOR, out=counts)
        # total[j, k] = Σ_l counts over all K labels of j, the unused ones holding the floor value
        total = np.asarray(obs.by_annotator @ counts)
        total += obs.n_unused[:, None] * max(self.smoothing, _FLOOR)
        counts /= total.take(obs.annotator_of, axis=0)
        return prior, counts, total

    def _e_step(
        self, obs: _Observed, prior: np.ndarray, given: np.ndarray, total: np.ndarray, n_answers: int
    ) -> tuple[np.ndarray, float]:
        log_given = np.log(given)
        log_joint = np.asarray(obs.m @ log_given)
        log_joint += np.log(prior)
        post, log_z = log_normalize(log_joint)
        nll = -(obs.weights @ log_z)
        if self.smoothing:  # MAP: the Dirichlet prior's log density joins the objective
            # Σ log π over every cell: the used rows plus, per annotator j, its unused rows, each
            # Σ_k log(max(smoothing, floor) / total[j, k])
            k = total.shape[1]
            log_cell = np.log(max(self.smoothing, _FLOOR))
            unused = obs.n_unused.sum() * k * log_cell - (obs.n_unused @ np.log(total)).sum()
            nll -= self.smoothing * (log_given.sum() + unused)
        return post, float(nll / n_answers)

    def _fit(self, enc: EncodedAnswers, probs: Any) -> tuple[np.ndarray, np.ndarray]:
        pat = enc.patterns  # items with the same answers share a posterior: iterate over patterns
        obs = _Observed.build(pat)
        post = weighted_vote_shares(pat.answers)
        self.converged_ = False
        prev = np.inf
        for it in range(1, self.max_iter + 1):
            prior, given, total = self._m_step(obs, post)
            post, nll = self._e_step(obs, prior, given, total, enc.n_answers)
            self.loss_history_.append(nll)
            self.n_iter_ = it
            if prev - nll < self.tol:
                self.converged_ = True
                break
            prev = nll
        prior, given, total = self._m_step(obs, post)
        k = enc.n_classes
        # [j, given l, true k]: unused rows hold the floor value over the row total, used rows `given`
        full = np.repeat((max(self.smoothing, _FLOOR) / total)[:, None, :], k, axis=1)
        full.reshape(-1, k)[obs.columns] = given
        conf = full.transpose(0, 2, 1).copy()  # -> [j, true k, given l]
        self.annotator_confusion_ = conf
        self.annotators_ = enc.annotator_index()
        self.priors_ = pd.Series(prior, index=enc.class_index(), name="prior")
        skill = np.einsum("k,jkk->j", prior, conf)
        return post, skill

    def _fit_single_class(self, enc: EncodedAnswers) -> None:
        self.annotator_confusion_ = np.ones((enc.n_annotators, 1, 1))
        self.annotators_ = enc.annotator_index()
        self.priors_ = pd.Series([1.0], index=enc.class_index(), name="prior")


class OneCoinDawidSkene(BaseAggregator):
    r"""One-coin Dawid-Skene: one accuracy per annotator, errors spread evenly over other classes.

    Model. As :class:`DawidSkene` with each confusion matrix constrained to one parameter, the
    annotator's accuracy ``s_j``: ``π_j[k, l] = s_j`` if ``l = k`` else ``(1 - s_j) / (K - 1)``.

    EM:

    * initialisation: ``T[i, k]`` = majority vote shares;
    * M-step: ``p_k = mean_i T[i, k]``; ``s_j = mean_{(i, l) answered by j} T[i, l]`` (the
      expected share of ``j``'s answers that are correct), clipped to ``[1e-10, 1 - 1e-10]``;
    * E-step (log space): ``log T[i, k] = log p_k + Σ_{(j,l) ∈ A_i} [l = k] log s_j +
      [l ≠ k] log((1 - s_j)/(K - 1)) - log Z_i``, computed as a per-item constant plus a
      bincount over ``(item, label)`` cells.

    Stops as :class:`DawidSkene`, and like it iterates over distinct answer patterns (items with
    the same answers, weighted by their number). ``annotator_skill_`` is ``s``.

    Parameters
    ----------
    max_iter : int, default 100
    tol : float, default 1e-5
    labels, duplicates, item_col, annotator_col, label_col, random_state
        As in :class:`~labelwise.aggregate.MajorityVote`.

    Attributes
    ----------
    skills_ : ndarray of shape (n_annotators,)
    priors_ : pandas.Series

    References
    ----------
    .. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates
       Using the EM Algorithm", Applied Statistics 28(1), 1979.
    .. [2] Y. Zhang, X. Chen, D. Zhou and M. I. Jordan, "Spectral Methods Meet EM: A Provably
       Optimal Algorithm for Crowdsourcing", JMLR 17, 2016 (the one-coin model, section 2).
    """

    def __init__(
        self,
        *,
        max_iter: int = 100,
        tol: float = 1e-5,
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
    ) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    _fits_patterns = True

    def _check_params(self) -> None:
        _check_em_params(self)

    @staticmethod
    def _m_step(pat: AnswerPatterns, post: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        enc, w = pat.answers, pat.weights
        prior = np.maximum(w @ post, _FLOOR)
        prior /= prior.sum()
        hit = post[enc.item_idx, enc.label_idx] * w[enc.item_idx]
        skill = enc.annotator_sum(hit) / np.maximum(pat.answers_per_annotator, 1)
        return prior, np.clip(skill, _FLOOR, 1 - _FLOOR)

    @staticmethod
    def _e_step(pat: AnswerPatterns, prior: np.ndarray, skill: np.ndarray, n_answers: int) -> tuple[np.ndarray, float]:
        enc = pat.answers
        k = enc.n_classes
        log_right = np.log(skill)[enc.annotator_idx]
        log_wrong = (np.log1p(-skill) - np.log(k - 1))[enc.annotator_idx]
        log_joint = enc.item_sum(log_wrong)[:, None] + enc.item_class_sum(log_right - log_wrong)
        log_joint += np.log(prior)
        post, log_z = log_normalize(log_joint)
        return post, float(-(pat.weights @ log_z) / n_answers)

    def _fit(self, enc: EncodedAnswers, probs: Any) -> tuple[np.ndarray, np.ndarray]:
        pat = enc.patterns  # items with the same answers share a posterior: iterate over patterns
        post = weighted_vote_shares(pat.answers)
        self.converged_ = False
        prev = np.inf
        for it in range(1, self.max_iter + 1):
            prior, skill = self._m_step(pat, post)
            post, nll = self._e_step(pat, prior, skill, enc.n_answers)
            self.loss_history_.append(nll)
            self.n_iter_ = it
            if prev - nll < self.tol:
                self.converged_ = True
                break
            prev = nll
        prior, skill = self._m_step(pat, post)
        self.skills_ = skill
        self.priors_ = pd.Series(prior, index=enc.class_index(), name="prior")
        return post, skill

    def _fit_single_class(self, enc: EncodedAnswers) -> None:
        self.skills_ = np.ones(enc.n_annotators)
        self.priors_ = pd.Series([1.0], index=enc.class_index(), name="prior")
