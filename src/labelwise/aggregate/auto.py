"""``method="auto"``: choose the aggregation model by the held-out likelihood of the answers.

Each candidate is a probabilistic model of how annotators answer. Holding out some answers,
fitting each candidate on the rest and asking how probable it finds the held-out answers
measures which model describes the crowd best, without gold labels (model comparison by
held-out predictive performance, as Paun et al. 2018 compare annotation models). The candidates
form a registry (:data:`CANDIDATES`): adding one is adding a scorer there.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from .._validate.arguments import check_positive_int
from ..errors import InvalidParameterError
from ._answers import EncodedAnswers
from ._base import BaseAggregator, log_normalize
from ._sparse_votes import check_dense_fits
from .dawid_skene import DawidSkene, relabelled_classes
from .glad import GLAD
from .majority import MajorityVote
from .one_coin import OneCoinDawidSkene
from .priors import agreement_accuracy

__all__ = ["CANDIDATES", "AutoAggregator", "answer_folds", "heldout_log_likelihood"]

_FLOOR = 1e-10
_BLOCK = 1 << 16  # held-out answers scored per block (bounds the (block x K) temporaries)

#: ``predict(item, annotator, label) -> P(answer)`` for held-out answers, from a model fitted on the rest.
Predictor = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _raw_fit(est: BaseAggregator, enc: EncodedAnswers) -> np.ndarray:
    """Fit ``est`` on encoded answers without building result frames; the per-item posterior."""
    est.loss_history_, est.n_iter_, est.converged_ = [], 0, True
    post, _ = est._fit(enc, None)
    return post[enc.patterns.item_pattern] if est._fits_patterns else post


def _one_coin_predict(post: np.ndarray, skill: np.ndarray, k: int) -> Predictor:
    def predict(i: np.ndarray, j: np.ndarray, lab: np.ndarray) -> np.ndarray:
        t, s = post[i, lab], skill[j]
        return t * s + (1.0 - t) * (1.0 - s) / (k - 1)

    return predict


def _score_majority(train: EncodedAnswers, params: dict[str, Any]) -> Predictor:
    """Majority vote as the model it is the Bayes rule of: one-coin with ONE accuracy ``a`` shared by
    every annotator and a uniform class prior (posterior ``∝ (a (K-1) / (1-a)) ** n_ik``, whose argmax
    is the most voted label); ``a`` from pairwise agreement (:func:`agreement_accuracy`)."""
    k = train.n_classes
    counts = train.item_label_counts
    a = agreement_accuracy(counts)
    a = min(1.0 - 1e-6, max(1.0 / k, (1.0 + 1.0 / k) / 2 if a is None else a))
    post, _ = log_normalize(counts * np.log(a * (k - 1) / (1.0 - a)))
    return _one_coin_predict(post, np.full(train.n_annotators, a), k)


def _score_one_coin(train: EncodedAnswers, params: dict[str, Any]) -> Predictor:
    est = OneCoinDawidSkene(**params)
    post = _raw_fit(est, train)
    return _one_coin_predict(post, est.skills_, train.n_classes)


def _score_dawid_skene(train: EncodedAnswers, params: dict[str, Any]) -> Predictor:
    est = DawidSkene(**params)
    post = _raw_fit(est, train)
    conf = est.annotator_confusion_  # [annotator, true k, given l]

    def predict(i: np.ndarray, j: np.ndarray, lab: np.ndarray) -> np.ndarray:
        return np.einsum("nk,nk->n", post[i], conf[j, :, lab])

    return predict


def _score_glad(train: EncodedAnswers, params: dict[str, Any]) -> Predictor:
    """GLAD (Whitehill et al. 2009): annotator ``j`` is right on item ``i`` with probability
    ``σ(α_j β_i)``, wrong answers uniform over the other classes. A held-out answer's item keeps
    another answer in the training fold (:func:`answer_folds`), so its ``β_i`` is estimated there; the
    predictive is the one-coin formula with that per-answer accuracy."""
    est = GLAD(**params, verbose=False)
    post = _raw_fit(est, train)
    alpha = est.alphas_.to_numpy()
    beta = est.betas_.to_numpy()
    k = train.n_classes

    def predict(i: np.ndarray, j: np.ndarray, lab: np.ndarray) -> np.ndarray:
        s = expit(alpha[j] * beta[i])
        t = post[i, lab]
        return t * s + (1.0 - t) * (1.0 - s) / (k - 1)

    return predict


#: Candidate name -> (estimator class fitted when chosen, scorer: fit on training answers -> predictor).
CANDIDATES: dict[str, tuple[type[BaseAggregator], Callable[[EncodedAnswers, dict[str, Any]], Predictor]]] = {
    "majority-vote": (MajorityVote, _score_majority),
    "one-coin": (OneCoinDawidSkene, _score_one_coin),
    "dawid-skene": (DawidSkene, _score_dawid_skene),
    "glad": (GLAD, _score_glad),
}


def answer_folds(enc: EncodedAnswers, n_folds: int, rng: np.random.Generator) -> np.ndarray:
    """Fold of each answer (``-1``: never held out): K-fold over the answers of items with >= 2 answers.

    An item's answers are put in a random order and its ``r``-th answer goes to fold
    ``(r + o_i) mod n_folds`` with a random offset ``o_i``: every answer of such an item is held out
    exactly once, and no fold holds out all of an item's answers (so its posterior can be computed
    from the others). The draws are made over the answers sorted by (item, annotator, label) codes,
    so the folds do not depend on the order of the input rows.
    """
    order = np.lexsort((enc.label_idx, enc.annotator_idx, enc.item_idx))
    items = enc.item_idx[order]
    u = rng.random(len(order))
    offset = rng.integers(0, n_folds, enc.n_items)
    within = order[np.lexsort((u, items))]  # answers grouped by item, random order inside each
    n_i = enc.answers_per_item
    start = np.cumsum(n_i) - n_i
    rank = np.arange(len(within)) - start[enc.item_idx[within]]
    folds = np.empty(len(order), dtype=np.int64)
    folds[within] = (rank + offset[enc.item_idx[within]]) % n_folds
    folds[n_i[enc.item_idx] < 2] = -1
    return folds


def heldout_log_likelihood(
    enc: EncodedAnswers, folds: np.ndarray, candidates: Sequence[str], params: dict[str, Any]
) -> tuple[np.ndarray, int]:
    """Mean log-probability per held-out answer of each candidate, and the number of answers scored.

    For each fold, every candidate is fitted on the other answers and scores each held-out answer
    ``(i, j, l)`` by its posterior predictive ``Σ_k P(z_i = k | other answers) π_j[k, l]``. Answers of
    an annotator with no answer outside the fold are not scored (no candidate has seen them).
    """
    totals = np.zeros(len(candidates))
    n_scored = 0
    for f in range(int(folds.max()) + 1):
        held = folds == f
        train = dataclasses.replace(
            enc,
            item_idx=enc.item_idx[~held],
            annotator_idx=enc.annotator_idx[~held],
            label_idx=enc.label_idx[~held],
            n_duplicates=0,
            n_dropped=0,
            row_keys=None,  # the full table's sorted keys: not this fold's answers
        )
        seen = train.answers_per_annotator > 0
        idx = np.flatnonzero(held)
        idx = idx[seen[enc.annotator_idx[idx]]]
        n_scored += len(idx)
        if not len(idx):
            continue
        for c, name in enumerate(candidates):
            with warnings.catch_warnings():  # a fold's EM warnings are not the user's fit's
                warnings.simplefilter("ignore")
                predict = CANDIDATES[name][1](train, params)
            for lo in range(0, len(idx), _BLOCK):
                b = idx[lo : lo + _BLOCK]
                p = predict(enc.item_idx[b], enc.annotator_idx[b], enc.label_idx[b])
                totals[c] += np.log(np.maximum(p, _FLOOR)).sum()
    return (totals / n_scored if n_scored else np.full(len(candidates), np.nan)), n_scored


class AutoAggregator(BaseAggregator):
    r"""Choose among aggregation models by the held-out likelihood of the answers, then fit the best.

    1. Items with at least two answers are eligible. If fewer than ``min_items`` are, nothing can be
       held out usefully and the choice is majority vote.
    2. K-fold over answers (:func:`answer_folds`): each eligible item's answers are spread over
       ``n_folds`` folds, never all in one, so every held-out answer's item keeps another answer.
    3. For each fold, each candidate is fitted on the other answers and scores every held-out
       answer ``(i, j, l)`` by its posterior predictive probability
       ``Σ_k P(z_i = k | other answers) π_j[k, l]`` (:func:`heldout_log_likelihood`).
    4. The candidate with the largest mean held-out log-probability per answer is chosen (ties:
       the first in ``candidates``) and refitted on all answers; its fitted attributes become this
       estimator's.
    5. Guard. The likelihood does not change when the classes are relabelled (a binary one-coin
       model with every skill ``s`` replaced by ``1 - s`` and the classes swapped explains the
       answers exactly as well), so the held-out score cannot reject a fit that ended in a
       permutation of the classes. A refitted candidate whose labels relabel a class with respect to
       the vote counts (:func:`~labelwise.aggregate.dawid_skene.relabelled_classes`, the guard of
       :class:`DawidSkene`) is rejected and the next best is refitted; majority vote is never
       rejected. A Dawid-Skene fit that found dependent annotators (``dependent_pairs_``) has
       already been guarded against the vote it started from, each dependent group counted once,
       and is kept.

    Candidates (:data:`CANDIDATES`): ``"dawid-skene"`` (:class:`DawidSkene` with its default
    diagonal prior), ``"one-coin"`` (:class:`OneCoinDawidSkene`), ``"majority-vote"``, and, when
    asked for, ``"glad"`` (:class:`~labelwise.aggregate.GLAD`, one ability per annotator and one
    difficulty per item [3]_; a held-out answer's item keeps answers in the training fold, so its
    difficulty is estimated there). GLAD is not among the default candidates: on the simulated dev
    crowds it was never the best by held-out likelihood (``benchmarks/dev_aggregate_auto_glad.py``). Majority
    vote is not a probabilistic model by itself; it is scored as the model it is the Bayes decision
    of: a one-coin model in which every annotator has the same accuracy ``a`` (estimated from how
    often two answers on an item agree) and classes are equally likely, whose most probable label
    for an item is its most voted one. When chosen, the labels are :class:`MajorityVote`'s.

    Parameters
    ----------
    candidates : sequence of str, default ("majority-vote", "one-coin", "dawid-skene")
        Names in :data:`CANDIDATES` (those three and ``"glad"``), at least one, no repeats.
    n_folds : int, default 5
        Folds over the answers (>= 2). More folds keep each fold's training answers closer to the
        full table (a 2-answer item loses an answer in 2 of ``n_folds`` folds) at the cost of more
        fits; 5 was chosen on simulated crowds (``benchmarks/dev_aggregate_auto.py``).
    min_items : int, default 20
        Fewest items with >= 2 answers needed to compare the candidates (else majority vote).
    labels, duplicates, item_col, annotator_col, label_col, random_state
        As in :class:`~labelwise.aggregate.MajorityVote`; ``random_state`` draws the folds and is
        passed to the candidates.

    Attributes
    ----------
    chosen_ : str
        The chosen candidate.
    scores_ : pandas.Series
        Mean held-out log-probability per answer of each candidate (NaN when not compared).
    n_scored_ : int
        Held-out answers scored (0 when not compared).
    relabelled_ : list of str
        Candidates rejected by the guard (step 5), best first.
    estimator_ : BaseAggregator
        The chosen candidate refitted on all answers; its fitted attributes (``labels_``,
        ``probas_``, ``annotator_skill_``, ``annotator_confusion_``, ...) are copied onto this one.

    References
    ----------
    .. [1] S. Paun, B. Carpenter, J. Chamberlain, D. Hovy, U. Kruschwitz and M. Poesio, "Comparing
       Bayesian Models of Annotation", TACL 6, 571-585, 2018 (annotation models compared by their
       held-out predictive performance).
    .. [2] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates
       Using the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
    .. [3] J. Whitehill, P. Ruvolo, T. Wu, J. Bergsma and J. Movellan, "Whose Vote Should Count
       More: Optimal Integration of Labels from Labelers of Unknown Expertise", NIPS 22, 2009.
    """

    def __init__(
        self,
        *,
        candidates: Sequence[str] = ("majority-vote", "one-coin", "dawid-skene"),
        n_folds: int = 5,
        min_items: int = 20,
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
    ) -> None:
        self.candidates = candidates
        self.n_folds = n_folds
        self.min_items = min_items
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    def _check_params(self) -> None:
        super()._check_params()
        check_positive_int("n_folds", self.n_folds, minimum=2)
        check_positive_int("min_items", self.min_items)
        cands = self.candidates
        if isinstance(cands, str) or not isinstance(cands, Sequence) or len(cands) == 0:
            raise InvalidParameterError(
                f"candidates must be a non-empty sequence of names from {sorted(CANDIDATES)}, got {cands!r}"
            )
        unknown = [c for c in cands if c not in CANDIDATES]
        if unknown or len(set(cands)) != len(cands):
            raise InvalidParameterError(
                f"candidates must be distinct names from {sorted(CANDIDATES)}, got {list(cands)!r}"
                + (f" (unknown: {unknown})" if unknown else " (repeated names)")
            )
        self._rng()  # random_state is checked before any work

    def _fit_encoded(self, enc: EncodedAnswers, probs: Any = None, *, owned: bool = False) -> AutoAggregator:
        # ``owned`` is not passed on: every candidate's fit shares ``enc``
        cands = list(self.candidates)
        scores = np.full(len(cands), np.nan)
        n_scored = 0
        kinds = [CANDIDATES[c][0] for c in cands]
        if enc.n_classes >= 2 and (len(cands) > 1 or not kinds[0]._any_k):  # the scoring's vote counts are dense
            square = any(kind._confusion_per_annotator for kind in kinds)
            copies = min(kind._posterior_copies for kind in kinds)
            check_dense_fits(type(self).__name__, enc, per_annotator_square=square, copies=copies)
        eligible = int((enc.answers_per_item >= 2).sum())
        if enc.n_classes >= 2 and eligible >= self.min_items and len(cands) > 1:
            folds = answer_folds(enc, int(self.n_folds), self._rng())
            scores, n_scored = heldout_log_likelihood(enc, folds, cands, {"random_state": self.random_state})
        if n_scored:  # best first; ties keep the order of ``candidates``
            order = [cands[c] for c in np.argsort(-scores, kind="stable")]
        else:
            order = [cands[0]] if len(cands) == 1 else []
        chosen, est, rejected = self._refit_best(enc, order)
        for name, value in vars(est).items():
            if name.endswith("_") and not name.startswith("_"):
                setattr(self, name, value)
        self.estimator_ = est
        self.chosen_ = chosen
        self.relabelled_ = rejected
        self.scores_ = pd.Series(scores, index=pd.Index(cands, name="candidate"), name="heldout_loglik")
        self.n_scored_ = n_scored
        return self

    def _refit_best(self, enc: EncodedAnswers, order: list[str]) -> tuple[str, BaseAggregator, list[str]]:
        """Refit the candidates in ``order`` on all answers until one does not relabel the classes
        (:func:`relabelled_classes` against the vote counts); majority vote when none is left."""
        params = {**self._common_params(), "random_state": self.random_state}
        rejected: list[str] = []
        for name in [*order, "majority-vote"]:
            est = CANDIDATES[name][0](**params)
            est._fit_encoded(enc)
            if name == "majority-vote" or enc.n_classes < 2:
                return name, est, rejected
            if len(getattr(est, "dependent_pairs_", ())):  # its own guard compared with the vote it started from
                return name, est, rejected
            if not len(relabelled_classes(enc.item_label_counts, est.probas_.to_numpy())):
                return name, est, rejected
            rejected.append(name)
        raise AssertionError("unreachable: majority vote is always accepted")
