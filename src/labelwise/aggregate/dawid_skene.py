"""Dawid & Skene (1979): per-annotator confusion matrices by EM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from ._answers import EncodedAnswers
from ._base import BaseAggregator, log_normalize
from ._converged import warn_after_guard
from ._dependent import DependentPairs
from ._guard import relabelled_classes, relabelled_given, strict_classes
from ._observed import _FLOOR, _full_confusion, _no_pairs, _Observed, _vote_shares, csr_times_dense
from ._patterns import AnswerPatterns
from ._ring_check import weigh_rings
from ._shared_confusion import ALPHA, SharedTest, shared_test, tied_log_prior, tied_m_step
from .majority import _vote_shares_in_place
from .priors import agreement_accuracy, diagonal_confusion_prior

__all__ = ["DawidSkene", "relabelled_classes"]

#: Default strength of the diagonal prior, in pseudo-answers per confusion row (chosen on simulated
#: sparse crowds, see benchmarks/RESULTS.md).
DEFAULT_PRIOR_STRENGTH = 8.0
#: Default z-score over which a pair of annotators agrees more than the fitted model predicts.
DEFAULT_DEPENDENCY_THRESHOLD = 5.0
#: Whether the dependent-pair check keeps only pairs whose excess is not shared with a third annotator
#: by default (the triad gate; ``benchmarks/dev_aggregate_triad.py``).
DEFAULT_DEPENDENCY_TRIAD = True
#: ``shared_confusion``'s default: False (one confusion per annotator). "auto" as the default failed its registered rule
#: in session 55 (``benchmarks/dev_aggregate_shared_confusion.py``: one slot crowd -1.05 points; benchmarks/RESULTS.md).
DEFAULT_SHARED_CONFUSION: bool | str = False


def _check_smoothing(smoothing: Any) -> None:
    if isinstance(smoothing, str) and smoothing == "auto":
        return
    if not (isinstance(smoothing, (int, float)) and not isinstance(smoothing, bool) and smoothing >= 0):
        raise InvalidParameterError(f"smoothing must be 'auto' or a number >= 0, got {smoothing!r}")


class DawidSkene(DependentPairs, BaseAggregator):
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
    pairs are reported in ``dependent_pairs_``; with none, the fit is the plain MAP fit. Triad gate
    (``dependency_triad=True``): a few good annotators among many lured ones all agree more than the
    model predicts, pair by pair, and grouping them is a false positive; so a confirmed pair is kept
    only if its ``z`` under the fit with the groups weighted exceeds, by ``dependency_threshold``,
    the largest excess both share with a third annotator (``max_c min(z_ac, z_bc)``; a direct effect
    between two indicators raises the pair's residual alone [7]_, [8]_;
    :mod:`labelwise.aggregate._pair_triad`, chosen by ``benchmarks/dev_aggregate_triad.py``).
    Ring check (``dependency_rings=True``; in memory and on Dask): a worker behind four or more accounts
    escapes the pair check (the other copies dominate the fit each pair is tested against); groups
    of annotators agreeing on >= 80% of shared items are held out whole, and a ring is the largest
    set whose every pair passes (:mod:`labelwise.aggregate._ring_check`), weighted as a group.

    One shared confusion (``shared_confusion``). A table stored by slot (``annotator_1..3`` columns, each filled by
    whichever worker took the item) has exchangeable "annotators", whose confusions are the same mixture of the
    workers'. With ``shared_confusion=True`` the M-step ties them (Dawid and Skene's model with one ``π`` for every
    annotator: the expected counts pooled before normalising, the prior's pseudo-counts ``A`` added once). With
    ``"auto"`` a likelihood-ratio test decides (Wilks [9]_; :mod:`labelwise.aggregate._shared_confusion`): where no
    dependent group was found and every annotator has at least 5 answers per confusion cell, both models are fitted
    by maximum likelihood and the tied one is kept unless ``2 Δℓ`` rejects it at 5% against χ² with
    ``(m - 1) K (K - 1)`` degrees of freedom. In memory only (on Dask ``"auto"`` fits one per annotator).

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
    dependency_triad : bool, default True
        Keep a dependent pair only if its excess agreement is not shared with a third annotator (the
        triad gate above); ``False`` keeps every pair the check confirms.
    dependency_rings : bool, default False
        Run the ring check above after the pair check. Off by default: it can group a few heavy
        honest annotators of a real crowd (ZenCrowd_us; benchmarks/RESULTS.md, session 41).
    shared_confusion : "auto", True or False, default False
        One confusion matrix for every annotator (see above): always (True), never (False) or where the
        likelihood-ratio test does not reject it ("auto").
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
        ``converged_``, ``n_iter_`` and ``loss_history_`` then describe the EM run that was set
        aside; the fallback's warning says whether it had converged (no separate "raise
        max_iter" warning: a longer run does not undo a relabelling).
    dependent_pairs_ : pandas.DataFrame
        One row per confirmed dependent pair: ``annotator_a``, ``annotator_b``, ``n_shared``
        (items both answered), ``agreements`` (items where they gave the same label),
        ``expected`` (the number the fit without them predicts) and ``z``; empty when none (also
        on Dask, :mod:`labelwise.aggregate.distributed`, which runs the same check).
    shared_confusion_ : bool
        Whether EM fitted one confusion shared by every annotator (``annotator_confusion_``'s matrices are then equal).
    shared_test_ : SharedTest or None
        ``shared_confusion="auto"``'s test (``statistic``, ``df``, ``p_value``); None where it did not run.
    dependent_rings_ : list of list
        The members (annotator names) of each ring the ring check found; its pairs are in
        ``dependent_pairs_``; empty when none (also on Dask, which runs the same check).

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
    .. [7] J. A. Hagenaars, "Latent structure models with direct effects between indicators",
       Sociological Methods and Research 16(3), 379-405, 1988.
    .. [8] W.-H. Chen and D. Thissen, "Local dependence indexes for item pairs using item response
       theory", Journal of Educational and Behavioral Statistics 22(3), 265-289, 1997.
    .. [9] S. S. Wilks, "The large-sample distribution of the likelihood ratio for testing composite hypotheses",
       Annals of Mathematical Statistics 9(1), 60-62, 1938.
    """

    def __init__(
        self,
        *,
        max_iter: int = 100,
        tol: float = 1e-5,
        smoothing: float | str = "auto",
        prior_strength: float = DEFAULT_PRIOR_STRENGTH,
        dependency_threshold: float | None = DEFAULT_DEPENDENCY_THRESHOLD,
        dependency_triad: bool = DEFAULT_DEPENDENCY_TRIAD,
        dependency_rings: bool = False,
        shared_confusion: bool | str = DEFAULT_SHARED_CONFUSION,
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
        self.dependency_triad = dependency_triad
        self.dependency_rings = dependency_rings
        self.shared_confusion = shared_confusion
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    _fits_patterns = True
    _owns_posterior = True  # EM's last E-step (or the vote shares) are made per fit
    _confusion_per_annotator = True  # refused early when n_annotators x K x K does not fit in memory

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
        if not isinstance(self.dependency_triad, (bool, np.bool_)):
            raise InvalidParameterError(f"dependency_triad must be True or False, got {self.dependency_triad!r}")
        if not isinstance(self.dependency_rings, (bool, np.bool_)):
            raise InvalidParameterError(f"dependency_rings must be True or False, got {self.dependency_rings!r}")
        c = self.shared_confusion
        if not (isinstance(c, (bool, np.bool_)) or (isinstance(c, str) and c == "auto")):
            raise InvalidParameterError(f"shared_confusion must be 'auto', True or False, got {c!r}")

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
    def _m_step(
        obs: _Observed,
        post: np.ndarray,
        pseudo: np.ndarray,
        *,
        shared: bool = False,
        floor: float = _FLOOR,
        balance: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # ``shared``: one confusion for every annotator (tied_m_step; the third value is then that [l, k] matrix, not
        # the row totals); ``floor``: each count's floor; ``balance``: a fixed class prior instead of the estimate
        w = obs.weights
        if balance is None:
            prior = np.maximum(w @ post, floor)
            prior /= prior.sum()
        else:
            prior = balance
        # counts[r, k] = Σ_{answers in used column r = (j, l)} w_i T[i, k] + A[k, l]
        counts = np.asarray(obs.mt @ (post if obs.unit_weights else post * w[:, None]))
        if shared:
            return prior, *tied_m_step(obs, counts, pseudo, floor)
        counts += pseudo.T.take(obs.label_of, axis=0)
        if pseudo.min() < floor:  # counts are >= 0, so only then can a cell fall below the floor
            np.maximum(counts, floor, out=counts)
        # total[j, k] = Σ_l counts over all K labels of j, the unused ones holding max(A[k, l], floor)
        total = np.asarray(obs.by_annotator @ counts)
        total += obs.unused @ np.maximum(pseudo, floor).T
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
        out: np.ndarray | None = None,
        shared: bool = False,
    ) -> tuple[np.ndarray, float]:
        # ``out``: a posterior nobody needs any more, whose memory the new one may take; ``shared``: ``total`` is the
        # shared confusion [l, k] of a tied M-step
        log_given = np.log(given)
        log_joint = csr_times_dense(obs.m, log_given, out)
        log_joint += np.log(prior)
        post, log_z = log_normalize(log_joint, overwrite=True)
        nll = -(obs.weights @ log_z)
        if pseudo is not None and pseudo.any() and total is not None:
            nll -= DawidSkene._log_prior(obs, pseudo, log_given, total, shared)
        return post, float(nll / n_answers)

    @staticmethod
    def _log_prior(obs: _Observed, pseudo: np.ndarray, log_given: np.ndarray, total: np.ndarray, shared: bool) -> Any:
        """MAP: the Dirichlet prior's log density Σ_j Σ_{k,l} A[k, l] log π_j[k, l] that joins the objective: the used
        rows, plus per annotator j its unused rows l, where π_j[k, l] = max(A[k, l], floor) / total[j, k]; with one
        ``shared`` confusion (``total``, [l, k]) counted once (:func:`tied_log_prior`)."""
        if shared:
            return tied_log_prior(pseudo, total)
        used = (pseudo.T.take(obs.label_of, axis=0) * log_given).sum()
        a_log_a = pseudo * np.log(np.maximum(pseudo, _FLOOR))
        unused = (obs.unused @ a_log_a.T).sum() - ((obs.unused @ pseudo.T) * np.log(total)).sum()
        return used + unused

    def _run_em(
        self,
        obs: _Observed,
        post: np.ndarray,
        pseudo: np.ndarray,
        n_answers: int,
        *,
        overwrite_start: bool = False,
        shared: bool = False,
    ) -> tuple[np.ndarray, float]:
        # ``overwrite_start``: the start ``post`` is the fit's own and nobody reads it afterwards; returns
        # the last posterior and the loss's last fall (the fit warns of a run that did not converge, or
        # says so in the fallback's warning: raising max_iter does not undo a relabelling); ``shared``: one
        # confusion for every annotator (the tied M-step)
        state: dict[str, np.ndarray | None] = {"post": post, "spare": post if overwrite_start else None}

        def step(_it: int) -> float:
            prior, given, total = self._m_step(obs, state["post"], pseudo, shared=shared)  # type: ignore[arg-type]
            # the M-step has read the last E-step's posterior: the next one is written in its memory
            # (also the start's, when the caller gave it up)
            state["post"], nll = self._e_step(
                obs, prior, given, total, n_answers, pseudo, out=state["spare"], shared=shared
            )
            state["spare"] = state["post"]
            return nll

        change = self._iterate(step)
        return state["post"], change  # type: ignore[return-value]

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[np.ndarray, np.ndarray]:
        pat = enc.patterns  # items with the same answers share a posterior: iterate over patterns
        pseudo = self._pseudo_counts(pat)  # first: the vote counts it makes give build() the row lengths
        # the vote shares before the count matrix: their count is the item codes' last reader when
        # no prior counted them, and the matrix's column indices may then take the codes' memory
        vote = _vote_shares_in_place(pat.answers, consume=owned)
        obs = _Observed.build(pat, consume_keys=owned, consume_codes=owned)
        self.fallback_: str | None = None
        self.dependent_pairs_ = _no_pairs(enc)
        self.dependent_rings_: list[list[Any]] = []
        obs_em, start = obs, vote
        if isinstance(self.smoothing, str) and self.dependency_threshold is not None:
            weighted = self._weigh_dependent(enc, pat, obs, vote, pseudo)
            ringed = weigh_rings(self, enc, pat, obs, vote, pseudo) if self.dependency_rings else None
            weighted = weighted if ringed is None else ringed
            if weighted is not None:  # EM from the weighted vote shares
                obs_em, start = weighted, _vote_shares(weighted, enc.n_classes)
        # the guard protects the default estimator; a numeric smoothing is the plain (MAP/ML) estimate
        # against the vote shares EM started from (a dependent group's answers counting as one): their
        # strict classes are taken first, so that EM's first posterior can take the start's memory
        # (the vote shares are made for this fit: no fresh items x K array for it)
        guarded = isinstance(self.smoothing, str)
        reference = strict_classes(start) if guarded else None
        shared = self._use_shared(obs, enc.n_classes, weighted=obs_em is not obs)
        post, change = self._run_em(obs_em, start, pseudo, enc.n_answers, overwrite_start=True, shared=shared)
        moved = relabelled_given(reference, post, pat.weights) if reference is not None else np.empty(0, np.intp)
        if len(moved):
            self.fallback_ = "majority-vote"
            # the vote shares again when EM wrote in them, from the count matrix (the item codes may be
            # given up; its rows count every answer once: the same counts and shares, bit for bit)
            post = vote if start is not vote else _vote_shares(obs, enc.n_classes)
            obs_em, shared = obs, False  # majority vote's confusion matrices count every answer once
        warn_after_guard(self, moved, enc.classes, change)  # the fallback said, else an unconverged run
        self.shared_confusion_ = shared
        prior, given, total = self._m_step(obs_em, post, pseudo, shared=shared)
        if shared:  # every annotator's matrix is the shared one ([l, k] -> [k, l])
            conf = np.broadcast_to(total.T, (enc.n_annotators, enc.n_classes, enc.n_classes)).copy()
        else:
            conf = _full_confusion(enc, obs_em, pseudo, given, total)
        self.annotator_confusion_ = conf
        self.annotators_ = enc.annotator_index()
        self.priors_ = pd.Series(prior, index=enc.class_index(), name="prior")
        self.pseudo_counts_ = pseudo
        skill = np.einsum("k,jkk->j", prior, conf)
        return post, skill

    def _use_shared(self, obs: _Observed, k: int, *, weighted: bool) -> bool:
        """Whether EM fits one confusion for every annotator: ``shared_confusion`` True, or "auto" where the test runs
        on the unweighted answers (no dependent group found) and does not reject (sets ``shared_test_``)."""
        self.shared_test_: SharedTest | None = None
        if isinstance(self.shared_confusion, str):  # "auto"
            if not weighted:
                self.shared_test_ = shared_test(obs, k)
            return self.shared_test_ is not None and self.shared_test_.p_value >= ALPHA
        return bool(self.shared_confusion)

    def _fit_single_class(self, enc: EncodedAnswers) -> None:
        self.shared_confusion_, self.shared_test_ = False, None
        self.annotator_confusion_ = np.ones((enc.n_annotators, 1, 1))
        self.annotators_ = enc.annotator_index()
        self.priors_ = pd.Series([1.0], index=enc.class_index(), name="prior")
        self.pseudo_counts_ = np.zeros((1, 1))
        self.fallback_ = None
        self.dependent_pairs_ = _no_pairs(enc)
        self.dependent_rings_ = []
