"""Dawid & Skene (1979): per-annotator confusion matrices by EM; and the one-coin variant."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import InvalidParameterError, LabelwiseWarning
from ._answers import EncodedAnswers, _csr_from_pairs
from ._base import BaseAggregator, log_normalize, row_max, row_sum
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
from ._patterns import AnswerPatterns, sorted_columns
from .majority import weighted_vote_shares
from .priors import agreement_accuracy, diagonal_confusion_prior

__all__ = ["DawidSkene", "OneCoinDawidSkene", "relabelled_classes"]

_FLOOR = 1e-10
#: Default strength of the diagonal prior, in pseudo-answers per confusion row (chosen on simulated
#: sparse crowds, see benchmarks/RESULTS.md).
DEFAULT_PRIOR_STRENGTH = 8.0
#: Default z-score over which a pair of annotators agrees more than the fitted model predicts.
DEFAULT_DEPENDENCY_THRESHOLD = 5.0
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


def _check_smoothing(smoothing: Any) -> None:
    if isinstance(smoothing, str) and smoothing == "auto":
        return
    if not (isinstance(smoothing, (int, float)) and not isinstance(smoothing, bool) and smoothing >= 0):
        raise InvalidParameterError(f"smoothing must be 'auto' or a number >= 0, got {smoothing!r}")


@dataclass(frozen=True, eq=False)
class _Observed:
    """The (annotator, label) columns that the answers use, and the count matrices restricted to them.

    ``columns`` are the used ``annotator * K + label`` values (sorted); ``m`` is (n_patterns ×
    n_used) with the answer counts, ``mt`` its transpose; ``annotator_of[r]`` and ``label_of[r]``
    are the annotator and label of used column ``r``, ``by_annotator`` the (n_annotators × n_used)
    indicator that sums used columns per annotator, and ``unused[j, l]`` is 1 when annotator ``j``
    never gave label ``l`` (``n_unused`` its row sums). ``unit_weights``: every pattern is one
    item (grouping was skipped), so the M-step need not weigh the posterior.
    """

    columns: np.ndarray
    m: sp.csr_matrix
    mt: sp.csc_matrix
    weights: np.ndarray
    annotator_of: np.ndarray
    label_of: np.ndarray
    by_annotator: sp.csr_matrix
    unused: np.ndarray
    n_unused: np.ndarray
    unit_weights: bool = False

    @classmethod
    def build(cls, pat: AnswerPatterns) -> _Observed:
        enc = pat.answers
        k, n_ann = enc.n_classes, enc.n_annotators
        # rows in canonical CSR order by one sort of an int64 key (an argsort costs several times more)
        cols_sorted = sorted_columns(enc)
        used = np.bincount(cols_sorted, minlength=n_ann * k) > 0
        columns = np.flatnonzero(used)
        code = np.cumsum(used) - 1
        indptr = np.zeros(enc.n_items + 1, dtype=np.int64)
        np.cumsum(enc.answers_per_item, out=indptr[1:])
        index_dtype = np.int32 if max(enc.n_items, len(columns), len(cols_sorted)) < 2**31 else np.int64
        indices = code.astype(index_dtype)[cols_sorted]
        m = sp.csr_matrix(
            (np.ones(len(cols_sorted)), indices, indptr.astype(index_dtype)), shape=(enc.n_items, len(columns))
        )
        annotator_of = columns // k
        by_annotator = _csr_from_pairs(annotator_of, np.arange(len(columns)), (n_ann, len(columns)))
        unused = (~used).reshape(n_ann, k).astype(np.float64)
        n_unused = unused @ np.ones(k)
        unit = not pat.grouped  # one item per pattern: every weight is 1
        return cls(columns, m, m.T, pat.weights, annotator_of, columns % k, by_annotator, unused, n_unused, unit)


def _full_confusion(
    enc: EncodedAnswers, obs: _Observed, pseudo: np.ndarray, given: np.ndarray, total: np.ndarray
) -> np.ndarray:
    """The (n_annotators, K, K) confusion matrices ``[j, true k, given l]`` from the M-step's used
    rows ``given`` and row totals (unused rows hold ``max(A[k, l], floor) / total[j, k]``)."""
    k = enc.n_classes
    full = np.empty((enc.n_annotators, k, k))  # [j, given l, true k]
    np.divide(np.maximum(pseudo, _FLOOR).T[None, :, :], total[:, None, :], out=full)
    full.reshape(-1, k)[obs.columns] = given
    return full.transpose(0, 2, 1).copy()


def _with_answer_weights(obs: _Observed, data: np.ndarray) -> _Observed:
    """``obs`` with each answer (entry of ``obs.m``, CSR order) weighted by ``data``."""
    m = sp.csr_matrix((data, obs.m.indices, obs.m.indptr), shape=obs.m.shape)
    return dataclasses.replace(obs, m=m, mt=m.T)


def _vote_shares(obs: _Observed, k: int) -> np.ndarray:
    """Weighted vote shares of each row of ``obs.m`` (uniform where every answer weighs 0)."""
    onehot = np.zeros((len(obs.label_of), k))
    onehot[np.arange(len(obs.label_of)), obs.label_of] = 1.0
    votes = np.asarray(obs.m @ onehot)
    total = row_sum(votes)
    empty = total <= 0
    votes[empty], total[empty] = 1.0, float(k)
    return votes / total[:, None]


def _no_pairs(enc: EncodedAnswers) -> pd.DataFrame:
    """An empty ``dependent_pairs_`` frame."""
    cols = {"annotator_a": enc.annotator_index()[:0], "annotator_b": enc.annotator_index()[:0]}
    return pd.DataFrame({**cols, **{c: np.empty(0) for c in ("n_shared", "agreements", "expected", "z")}})


def relabelled_classes(
    reference: np.ndarray, post: np.ndarray, weights: np.ndarray | None = None, *, min_share: float = 0.01
) -> np.ndarray:
    """Classes whose items (by ``reference``, e.g. majority vote) ``post`` mostly gives to one other class.

    Only rows where ``reference`` has a single maximum count. Class ``k`` is relabelled when the
    most frequent argmax of ``post`` over those rows is some ``l != k`` holding at least half of
    them: the signature of EM ending in a permutation of the classes. Small classes are not
    reported on their own: the relabelled classes are returned only when the rows they move hold
    at least ``min_share`` of all those rows.

    Parameters
    ----------
    reference, post : ndarray of shape (n, K)
    weights : ndarray of shape (n,), optional
        Row multiplicities.
    min_share : float, default 0.01
        Share of the strict rows that the relabelled classes must move to be reported.

    Returns
    -------
    ndarray of int
        The relabelled class codes (empty when none).
    """
    k = reference.shape[1]
    top = row_max(reference)
    strict = row_sum(reference >= top[:, None] - 1e-12) == 1
    w = np.ones(len(reference)) if weights is None else np.asarray(weights, dtype=np.float64)
    ref_lab = reference.argmax(axis=1)[strict]  # argmax first: no copy of the masked rows
    new_lab = post.argmax(axis=1)[strict]
    table = np.bincount(ref_lab * k + new_lab, weights=w[strict], minlength=k * k).reshape(k, k)
    best = table.argmax(axis=1)
    row_total = table.sum(axis=1)
    moved = (best != np.arange(k)) & (table.max(axis=1) >= 0.5 * row_total) & (row_total > 0)
    if table.max(axis=1)[moved].sum() < min_share * table.sum():
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(moved)


class DawidSkene(BaseAggregator):
    r"""Dawid-Skene: true labels and one full confusion matrix per annotator, fitted by EM.

    Model. Item ``i`` has a hidden true class ``z_i`` with prior ``P(z_i = k) = p_k``. Annotator
    ``j`` answers ``l`` on an item of class ``k`` with probability ``π_j[k, l]`` (row ``k`` of
    their confusion matrix sums to 1), independently of every other answer. The likelihood of the
    answers is

    .. math:: \prod_i \sum_k p_k \prod_{(j, l) \in A_i} π_j[k, l]

    where ``A_i`` are the (annotator, label) answers on item ``i``.

    Prior. Each confusion row ``π_j[k, :]`` has a Dirichlet prior with parameters ``1 + A[k, :]``,
    so EM finds the MAP estimate and the M-step adds the pseudo-counts ``A`` to every annotator's
    expected (true × given) counts. By default (``smoothing="auto"``) ``A`` favours the diagonal:
    ``prior_strength`` pseudo-answers per row from an annotator of the crowd's mean accuracy,
    estimated from how often two answers on one item agree
    (:func:`~labelwise.aggregate.priors.diagonal_confusion_prior`, as in Bayesian Dawid-Skene
    [2]_, [3]_). With one or two answers per item the model is barely identified and the maximum
    likelihood estimate, or a small symmetric pseudo-count, can drift to a relabelling of the
    classes; the diagonal prior keeps annotators with few answers near "mostly right". A number
    ``smoothing = s`` instead adds ``s`` to every cell (a symmetric Dirichlet(1 + s) prior);
    ``smoothing=0`` is the paper's maximum likelihood estimate [1]_.

    EM:

    * initialisation: ``T[i, k]`` = majority vote shares of item ``i``;
    * M-step: ``p_k = mean_i T[i, k]`` and
      ``π_j[k, l] ∝ Σ_{i: (j, l) ∈ A_i} T[i, k] + A[k, l]``, normalised over ``l``;
    * E-step: ``log T[i, k] = log p_k + Σ_{(j,l) ∈ A_i} log π_j[k, l] - log Z_i``. Done in log
      space with the row maximum subtracted before exponentiating: a product of hundreds of
      probabilities underflows in linear space.

    Both steps are one sparse matrix product each with the (items × annotator·label) count matrix:
    the E-step is ``M @ log Π`` and the M-step ``M.T @ T``. Items with the same answers have the
    same posterior, so the products run over distinct answer patterns, each weighted by its number
    of items (exactly the same iterates), and over the (annotator, label) columns that some answer
    uses (a confusion row nobody's answer selects is only needed for the prior term and the final
    ``annotator_confusion_``).

    Iterations stop when the mean negative log posterior per answer,
    ``-(Σ_i log Z_i + Σ_j Σ_{k,l} A[k, l] log π_j[k, l]) / n_answers`` (recorded in
    ``loss_history_``, never increasing), falls by less than ``tol``, or after ``max_iter`` (with
    a :class:`~labelwise.errors.LabelwiseWarning`). Probabilities are floored at 1e-10 so that an
    answer never seen for a class does not zero a posterior.

    Dependent annotators (``smoothing="auto"`` only, unless ``dependency_threshold=None``). Two
    annotators who make the same mistakes on the same items (a shared tool or source, one person
    behind two accounts) break the independence the model assumes, and it counts their joint
    answer twice; with heavy annotators EM's latent class can drift to "what the pair says". Before
    EM, every pair of annotators sharing at least :data:`MIN_SHARED_ITEMS` items is checked: their
    number of agreements against the number a model predicts from everything else (a posterior
    predictive check [4]_; :mod:`labelwise.aggregate._pair_check`). A pair is dependent when it
    exceeds the prediction by ``z > dependency_threshold`` and by at least
    :data:`MIN_EXCESS_SHARE` of the items it shares, against an EM fit of every *other* answer in
    which the pair's own confusion matrices are fitted by EM with the others' model held fixed.
    That fit costs one EM run per pair, so pairs are screened first, twice: against the model
    whose M-step takes majority vote's labels for the truth, then with the pair's own confusion
    matrices fitted by EM against it; at most :data:`MAX_CONFIRMED_PAIRS` screened pairs (largest
    ``z`` first) get the fit, each weighing the groups already found. Dependent pairs are joined
    into groups, and on each item the answers of a group's ``m`` members weigh ``1 / m`` each, in
    the E-step and the M-step alike: a weighted (composite) likelihood in which a dependent group's
    answers on an item count as one [5]_, [6]_; EM then starts from the weighted vote shares. The
    pairs are reported in ``dependent_pairs_``; with none, the fit is the plain MAP fit.

    Guard (``smoothing="auto"`` only). If the fitted labels relabel a class, i.e. most items on which majority vote has a
    strict winner ``k`` get one other label (:func:`relabelled_classes`), EM has ended in a
    permutation; the fit then falls back to the majority-vote posterior (confusion matrices
    estimated from it), sets ``fallback_ = "majority-vote"`` and warns. With dependent pairs the
    vote compared with is the one EM started from, each dependent group's answers on an item
    counting as one (the fallback is still plain majority vote).

    Parameters
    ----------
    max_iter : int, default 100
    tol : float, default 1e-5
    smoothing : "auto" or float, default "auto"
        ``"auto"``: the diagonal empirical-Bayes prior above. A number ``>= 0``: that pseudo-count in
        every confusion cell (0: maximum likelihood; 0.01 was the default before the diagonal prior).
    prior_strength : float, default 8.0
        Pseudo-answers per confusion row of the ``"auto"`` prior (ignored otherwise). The default
        was chosen on simulated sparse crowds (``labelwise.aggregate.simulate_sparse``).
    dependency_threshold : float or None, default 5.0
        ``z`` over which a pair of annotators is dependent (see above); ``None`` assumes every
        answer independent given the class, as the paper does. Ignored with a numeric
        ``smoothing``.
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
    pseudo_counts_ : ndarray of shape (K, K)
        The prior's pseudo-counts ``A`` that were added to each annotator's counts.
    fallback_ : str or None
        ``"majority-vote"`` when the guard rejected EM's labels as a relabelling, else ``None``.
    dependent_pairs_ : pandas.DataFrame
        One row per confirmed dependent pair: ``annotator_a``, ``annotator_b``, ``n_shared``
        (items both answered), ``agreements`` (items where they gave the same label),
        ``expected`` (the number the fit without them predicts) and ``z``; empty when none.

    References
    ----------
    .. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates
       Using the EM Algorithm", Journal of the Royal Statistical Society, Series C (Applied
       Statistics) 28(1), 20-28, 1979. https://doi.org/10.2307/2346806
    .. [2] H.-C. Kim and Z. Ghahramani, "Bayesian Classifier Combination", AISTATS 2012.
    .. [3] S. Paun, B. Carpenter, J. Chamberlain, D. Hovy, U. Kruschwitz and M. Poesio, "Comparing
       Bayesian Models of Annotation", TACL 6, 571-585, 2018.
    .. [4] A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness
       via realized discrepancies", Statistica Sinica 6, 733-807, 1996.
    .. [5] J. M. Williamson, S. Datta and G. A. Satten, "Marginal analyses of clustered data when
       cluster size is informative", Biometrics 59(1), 36-42, 2003.
    .. [6] C. Varin, N. Reid and D. Firth, "An overview of composite likelihood methods",
       Statistica Sinica 21, 5-42, 2011.
    """

    def __init__(
        self,
        *,
        max_iter: int = 100,
        tol: float = 1e-5,
        smoothing: float | str = "auto",
        prior_strength: float = DEFAULT_PRIOR_STRENGTH,
        dependency_threshold: float | None = DEFAULT_DEPENDENCY_THRESHOLD,
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
        self.prior_strength = prior_strength
        self.dependency_threshold = dependency_threshold
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    _fits_patterns = True
    _owns_posterior = True  # EM's last E-step (or the vote shares) are made per fit

    def _check_params(self) -> None:
        super()._check_params()
        _check_smoothing(self.smoothing)
        s = self.prior_strength
        if not (isinstance(s, (int, float)) and not isinstance(s, bool) and np.isfinite(s) and s >= 0):
            raise InvalidParameterError(f"prior_strength must be a finite number >= 0, got {s!r}")
        t = self.dependency_threshold
        if t is not None and not (
            isinstance(t, (int, float)) and not isinstance(t, bool) and np.isfinite(t) and t >= 0
        ):
            raise InvalidParameterError(f"dependency_threshold must be None or a finite number >= 0, got {t!r}")

    def _pseudo_counts(self, pat: AnswerPatterns) -> np.ndarray:
        """The prior's (K x K) pseudo-count array ``A`` for these answers."""
        k = pat.answers.n_classes
        if isinstance(self.smoothing, str):  # "auto"
            acc = agreement_accuracy(pat.answers.item_label_counts, pat.weights)
            return diagonal_confusion_prior(k, strength=float(self.prior_strength), accuracy=acc)
        return np.full((k, k), float(self.smoothing))

    # Only the confusion rows (annotator j, given label l) that some answer uses enter the E-step;
    # the others are all "pseudo-count / row total". The iterations therefore keep just the used
    # rows, ``given[r, k] = π_j[k, l]`` for used column r = (j, l): O(answers · K) memory and work
    # instead of O(annotators · K²), which matters when many annotators give a few answers each.
    # The full matrices are built once, at the end.
    @staticmethod
    def _m_step(obs: _Observed, post: np.ndarray, pseudo: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        w = obs.weights
        prior = np.maximum(w @ post, _FLOOR)
        prior /= prior.sum()
        # counts[r, k] = Σ_{answers in used column r = (j, l)} w_i T[i, k] + A[k, l]
        counts = np.asarray(obs.mt @ (post if obs.unit_weights else post * w[:, None]))
        counts += pseudo.T.take(obs.label_of, axis=0)
        if pseudo.min() < _FLOOR:  # counts are >= 0, so only then can a cell fall below the floor
            np.maximum(counts, _FLOOR, out=counts)
        # total[j, k] = Σ_l counts over all K labels of j, the unused ones holding max(A[k, l], floor)
        total = np.asarray(obs.by_annotator @ counts)
        total += obs.unused @ np.maximum(pseudo, _FLOOR).T
        counts /= total.take(obs.annotator_of, axis=0)
        return prior, counts, total

    @staticmethod
    def _e_step(
        obs: _Observed,
        prior: np.ndarray,
        given: np.ndarray,
        total: np.ndarray | None,
        n_answers: int,
        pseudo: np.ndarray | None = None,
    ) -> tuple[np.ndarray, float]:
        log_given = np.log(given)
        log_joint = np.asarray(obs.m @ log_given)
        log_joint += np.log(prior)
        post, log_z = log_normalize(log_joint, overwrite=True)
        nll = -(obs.weights @ log_z)
        if pseudo is not None and pseudo.any() and total is not None:
            # MAP: the Dirichlet prior's log density Σ_j Σ_{k,l} A[k, l] log π_j[k, l] joins the
            # objective: the used rows, plus per annotator j its unused rows l, where
            # π_j[k, l] = max(A[k, l], floor) / total[j, k]
            used = (pseudo.T.take(obs.label_of, axis=0) * log_given).sum()
            a_log_a = pseudo * np.log(np.maximum(pseudo, _FLOOR))
            unused = (obs.unused @ a_log_a.T).sum() - ((obs.unused @ pseudo.T) * np.log(total)).sum()
            nll -= used + unused
        return post, float(nll / n_answers)

    def _run_em(self, obs: _Observed, post: np.ndarray, pseudo: np.ndarray, n_answers: int) -> np.ndarray:
        state = {"post": post}

        def step(_it: int) -> float:
            prior, given, total = self._m_step(obs, state["post"], pseudo)
            state["post"], nll = self._e_step(obs, prior, given, total, n_answers, pseudo)
            return nll

        self._iterate(step, warn=True)
        return state["post"]

    def _fit(self, enc: EncodedAnswers, probs: Any) -> tuple[np.ndarray, np.ndarray]:
        pat = enc.patterns  # items with the same answers share a posterior: iterate over patterns
        pseudo = self._pseudo_counts(pat)  # first: the vote counts it makes give build() the row lengths
        obs = _Observed.build(pat)
        vote = weighted_vote_shares(pat.answers)
        self.fallback_: str | None = None
        self.dependent_pairs_ = _no_pairs(enc)
        obs_em, start = obs, vote
        if isinstance(self.smoothing, str) and self.dependency_threshold is not None:
            weighted = self._weigh_dependent(enc, obs, vote, pseudo)
            if weighted is not None:  # EM from the weighted vote shares
                obs_em, start = weighted, _vote_shares(weighted, enc.n_classes)
        post = self._run_em(obs_em, start, pseudo, enc.n_answers)
        # the guard protects the default estimator; a numeric smoothing is the plain (MAP/ML) estimate
        # against the vote shares EM started from (a dependent group's answers counting as one)
        moved = (
            relabelled_classes(start, post, pat.weights) if isinstance(self.smoothing, str) else np.empty(0, np.intp)
        )
        if len(moved):
            self.fallback_ = "majority-vote"
            post = vote
            obs_em = obs  # majority vote's confusion matrices count every answer once
            warnings.warn(
                LabelwiseWarning(
                    f"DawidSkene's EM relabelled {moved.size} class(es) (e.g. {enc.classes[moved[0]]!r}: most "
                    "items whose majority vote it is got another single label), a permutation of the classes; "
                    "falling back to majority vote (fallback_='majority-vote'). With one answer per item the "
                    "model is not identified; otherwise a larger prior_strength may avoid it"
                ),
                stacklevel=3,
            )
        prior, given, total = self._m_step(obs_em, post, pseudo)
        conf = _full_confusion(enc, obs_em, pseudo, given, total)
        self.annotator_confusion_ = conf
        self.annotators_ = enc.annotator_index()
        self.priors_ = pd.Series(prior, index=enc.class_index(), name="prior")
        self.pseudo_counts_ = pseudo
        skill = np.einsum("k,jkk->j", prior, conf)
        return post, skill

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
            post, nll = self._e_step(held, prior, given, total, n_held, pseudo)  # type: ignore[arg-type]
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

    def _fit_single_class(self, enc: EncodedAnswers) -> None:
        self.annotator_confusion_ = np.ones((enc.n_annotators, 1, 1))
        self.annotators_ = enc.annotator_index()
        self.priors_ = pd.Series([1.0], index=enc.class_index(), name="prior")
        self.pseudo_counts_ = np.zeros((1, 1))
        self.fallback_ = None
        self.dependent_pairs_ = _no_pairs(enc)


class OneCoinDawidSkene(BaseAggregator):
    r"""One-coin Dawid-Skene: one accuracy per annotator, errors spread evenly over other classes.

    Model. As :class:`DawidSkene` with each confusion matrix constrained to one parameter, the
    annotator's accuracy ``s_j``: ``π_j[k, l] = s_j`` if ``l = k`` else ``(1 - s_j) / (K - 1)``.

    EM:

    * initialisation: ``T[i, k]`` = majority vote shares;
    * M-step: ``p_k = mean_i T[i, k]``; ``s_j = mean_{(i, l) answered by j} T[i, l]`` (the
      expected share of ``j``'s answers that are correct), clipped to ``[1e-10, 1 - 1e-10]``;
    * E-step (log space): ``log T[i, k] = log p_k + Σ_{(j,l) ∈ A_i} [l = k] log s_j +
      [l ≠ k] log((1 - s_j)/(K - 1)) - log Z_i``, computed as :class:`DawidSkene`'s E-step, one
      sparse product of the item x (annotator, label) count matrix with these log entries.

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
    _owns_posterior = True  # EM's last E-step (or the vote shares) are made per fit

    # Both steps use Dawid-Skene's item x (annotator, label) count matrix: the E-step is the same
    # sparse product with the one-coin confusion entries, and the M-step reads each used column's
    # expected count of its own label off ``M.T @ T``.
    @staticmethod
    def _m_step(obs: _Observed, post: np.ndarray, n_answered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w = obs.weights
        prior = np.maximum(w @ post, _FLOOR)
        prior /= prior.sum()
        counts = np.asarray(obs.mt @ (post if obs.unit_weights else post * w[:, None]))
        right = counts[np.arange(len(counts)), obs.label_of]  # Σ_i w_i T[i, l] over answers l of column r
        skill = np.bincount(obs.annotator_of, weights=right, minlength=len(n_answered)) / np.maximum(n_answered, 1)
        return prior, np.clip(skill, _FLOOR, 1 - _FLOOR)

    @staticmethod
    def _e_step(obs: _Observed, prior: np.ndarray, skill: np.ndarray, n_answers: int) -> tuple[np.ndarray, float]:
        k = len(prior)
        log_wrong = (np.log1p(-skill) - np.log(k - 1))[obs.annotator_of]
        log_given = np.repeat(log_wrong[:, None], k, axis=1)  # [used column (j, l), true class]
        log_given[np.arange(len(log_given)), obs.label_of] = np.log(skill)[obs.annotator_of]
        log_joint = np.asarray(obs.m @ log_given)
        log_joint += np.log(prior)
        post, log_z = log_normalize(log_joint, overwrite=True)
        return post, float(-(obs.weights @ log_z) / n_answers)

    def _fit(self, enc: EncodedAnswers, probs: Any) -> tuple[np.ndarray, np.ndarray]:
        pat = enc.patterns  # items with the same answers share a posterior: iterate over patterns
        n_answered = pat.answers_per_annotator
        state = {"post": weighted_vote_shares(pat.answers)}
        obs = _Observed.build(pat)

        def step(_it: int) -> float:
            prior, skill = self._m_step(obs, state["post"], n_answered)
            state["post"], nll = self._e_step(obs, prior, skill, enc.n_answers)
            return nll

        self._iterate(step)
        post = state["post"]
        prior, skill = self._m_step(obs, post, n_answered)
        self.skills_ = skill
        self.priors_ = pd.Series(prior, index=enc.class_index(), name="prior")
        return post, skill

    def _fit_single_class(self, enc: EncodedAnswers) -> None:
        self.skills_ = np.ones(enc.n_annotators)
        self.priors_ = pd.Series([1.0], index=enc.class_index(), name="prior")
