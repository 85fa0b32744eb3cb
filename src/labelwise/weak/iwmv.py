"""Iterative weighted majority voting (IWMV; Li and Yu 2014) as a label model.

Algorithm 1 of the paper, on a vote matrix ``Z`` (items x labelers, -1 = no vote) with ``L`` classes:
start from equal weights ``ν_i = 1``; repeat (1) ``ŷ_j = argmax_k Σ_i ν_i 1(Z_ij = k)``, (2) each labeler's
accuracy against those labels, ``ŵ_i = Σ_j 1(Z_ij = ŷ_j) / Σ_j 1(Z_ij voted)``, (3) ``ν_i = L ŵ_i − 1`` (the
weight that maximises the paper's mean-error-rate bound of weighted majority voting under the homogeneous
Dawid-Skene model, eq. 33: the first-order Taylor term of the oracle MAP weight ``log((L − 1) w / (1 − w))``,
which ``weights="log"`` uses instead: the paper's IWMV.log); until the labels stop changing or ``max_iter``
rounds; the labels are the weighted vote under the last weights. Ties in step (1) are broken as
:class:`~labelwise.aggregate.MajorityVote` breaks them (one seeded draw per tied item), so the first round is
majority vote's labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from .._validate.arguments import check_choice, check_positive_int, check_random_state
from ..errors import EstimatorError
from ._crowd_pairs import pairs_frame
from ._model_api import VoterAPI, known_labelers
from ._moments import indicator
from ._params import fit_votes, n_classes
from ._posterior import item_argmax
from ._votes import Votes, as_votes

__all__ = ["IWMVFit", "IWMVLabelModel", "homogeneous_confusion", "iterative_weighted_vote", "weighted_scores"]

#: The weight rules: the paper's IWMV (``L ŵ − 1``) and IWMV.log (``log((L − 1) ŵ / (1 − ŵ))``).
WEIGHT_RULES = ("linear", "log")
#: IWMV.log's accuracies are kept this far from 0 and 1 (the log weight is unbounded there).
LOG_CLIP = 1e-6


class IWMVFit(NamedTuple):
    """One run of :func:`iterative_weighted_vote`."""

    labels: np.ndarray  # class codes of each row (n,)
    accuracies: np.ndarray  # ŵ of each labeler (m,): NaN for a labeler without a vote
    weights: np.ndarray  # ν of each labeler (m,): 0 for a labeler without a vote
    n_iter: int  # rounds of steps (1)-(3)
    converged: bool  # the labels stopped changing before max_iter


def weighted_scores(counts: Any, weights: np.ndarray, k: int) -> np.ndarray:
    """``Σ_i ν_i C[j, (i, c)]`` of each row ``j`` and class ``c`` (n, K): the weighted vote of vote counts ``C``
    (n, m·K; ``C[j, i·K + c]``: labeler ``i``'s votes for ``c`` on row ``j``)."""
    per_class = sp.kron(sp.csr_matrix(np.asarray(weights, dtype=np.float64)[:, None]), sp.identity(k), format="csr")
    return np.asarray((sp.csr_matrix(counts) @ per_class).todense()).reshape(counts.shape[0], k)


def labeler_weights(accuracies: np.ndarray, k: int, rule: str) -> np.ndarray:
    """``ν`` from ``ŵ``: ``k ŵ − 1`` (``"linear"``) or ``log((k − 1) ŵ / (1 − ŵ))`` (``"log"``); 0 where ``ŵ`` is NaN."""
    if rule == "linear":
        nu = k * accuracies - 1.0
    else:
        w = np.clip(accuracies, LOG_CLIP, 1.0 - LOG_CLIP)
        nu = np.log((k - 1) * w) - np.log1p(-w)
    return np.where(np.isnan(accuracies), 0.0, nu)


def iterative_weighted_vote(
    counts: Any,
    k: int,
    *,
    row_weights: np.ndarray | None = None,
    weights: str = "linear",
    max_iter: int = 50,
    random_state: Any = 0,
    items: pd.Index | None = None,
) -> IWMVFit:
    """Li and Yu's Algorithm 1 (see the module docstring) on vote counts.

    Parameters
    ----------
    counts : sparse matrix or ndarray of shape (n, m·K)
        ``C[j, i·K + c]``: how many votes for class ``c`` labeler ``i`` gave on row ``j`` (one-hot votes:
        ``weak._moments.indicator`` of a code matrix). A labeler may stand for a group whose members vote
        together (a count above 1): the group is then one labeler, with one accuracy and one weight.
    k : int
        The number of classes ``L``.
    row_weights : ndarray of shape (n,), optional
        Items each row stands for (distinct vote rows; default 1): the accuracies count each row that often.
    weights : {"linear", "log"}
    max_iter : int
        The most rounds ``S``.
    random_state : int or Generator
        Seeds the tie draws (an int: the same draws every round).
    items : Index, optional
        The rows' item names: tied items draw in their sorted order (default: row order).

    Returns
    -------
    IWMVFit
    """
    counts = sp.csr_matrix(counts, dtype=np.float64)
    n, m = counts.shape[0], counts.shape[1] // k
    w = np.ones(n) if row_weights is None else np.asarray(row_weights, dtype=np.float64)
    items = pd.RangeIndex(n) if items is None else items
    n_answers = (np.asarray(counts.T @ w).reshape(m, k)).sum(axis=1)

    def vote(nu: np.ndarray) -> np.ndarray:
        return item_argmax(weighted_scores(counts, nu, k), random_state, items)

    nu = np.where(n_answers > 0, 1.0, 0.0)
    labels, accuracy = vote(nu), np.full(m, np.nan)
    converged, rounds = False, 0
    while rounds < max_iter and not converged:
        rounds += 1
        agree = np.asarray(counts.T @ (w[:, None] * np.eye(k)[labels]))  # (m·K, K): votes for c on rows labelled c'
        correct = np.trace(agree.reshape(m, k, k), axis1=1, axis2=2)
        accuracy = np.where(n_answers > 0, correct / np.maximum(n_answers, 1e-300), np.nan)
        nu = labeler_weights(accuracy, k, weights)
        new = vote(nu)
        converged = bool((new == labels).all())
        labels = new
    return IWMVFit(labels, accuracy, nu, rounds, converged)  # the labels are the vote under the last ν


def _top_shares(scores: np.ndarray) -> np.ndarray:
    """Each row's tied top classes (within :func:`item_argmax`'s tolerance) sharing probability 1 equally."""
    from ..aggregate._base import TIE_RTOL, _tied_cells

    tied = _tied_cells(np.asarray(scores, dtype=np.float64), TIE_RTOL)[0].astype(float)
    return tied / tied.sum(axis=1, keepdims=True)


def homogeneous_confusion(accuracies: np.ndarray, k: int) -> np.ndarray:
    """The homogeneous Dawid-Skene model's confusion matrices (m, K, K): ``ŵ`` on the diagonal, ``(1 − ŵ) / (K − 1)``
    elsewhere; a labeler without a vote gets uniform rows."""
    w = np.where(np.isnan(accuracies), 1.0 / k, accuracies)[:, None, None]
    eye = np.eye(k)[None, :, :]
    return eye * w + (1.0 - eye) * (1.0 - w) / (k - 1)


class IWMVLabelModel(VoterAPI, BaseEstimator):
    """Iterative weighted majority voting (Li and Yu 2014) with the label models' interface.

    Each labeler's vote counts ``ν = L ŵ − 1``, with ``ŵ`` its agreement with the current labels, and the
    labels are re-voted until they stop changing: Algorithm 1 of the paper (the module docstring gives the
    steps). An abstain is no vote. The model is the homogeneous Dawid-Skene model (one accuracy per labeler,
    errors spread evenly over the other classes), under which the oracle MAP rule is a weighted majority vote
    and ``L w − 1`` the weight that optimises the paper's error-rate bound; it has no class balance, no
    class-conditional confusion and no dependence between labelers. IWMV gives labels, not probabilities:
    ``probas_`` and :meth:`predict_proba` share each item's probability equally among the classes of the
    highest weighted vote.

    Parameters
    ----------
    weights : {"linear", "log"}, default "linear"
        ``"linear"``: ``ν = L ŵ − 1`` (IWMV); ``"log"``: ``ν = log((L − 1) ŵ / (1 − ŵ))`` (the paper's IWMV.log,
        ``ŵ`` kept within ``1e-6`` of 0 and 1).
    max_iter : int, default 50
        The most rounds (the paper's ``S``).
    labels : sequence, optional
        The classes (default: those voted, sorted).
    random_state : int or Generator, default 0
        Breaks ties of the weighted vote as :class:`~labelwise.aggregate.MajorityVote` does (one seeded
        draw per tied item, in sorted order), in every round and in :meth:`predict`.

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
    labelers_ : tuple of str
    labels_ : Series
        Each item's label (the weighted vote under the last weights).
    probas_ : DataFrame
        The top classes of each item's weighted vote, sharing probability 1.
    accuracies_ : Series
        ``ŵ``: each labeler's agreement with the labels of the last round (NaN: no vote).
    weights_ : Series
        ``ν``: each labeler's vote weight (0: no vote).
    n_iter_ : int
        Rounds run.
    converged_ : bool
        Whether the labels stopped changing within ``max_iter`` rounds.
    n_votes_ : Series
        Votes per item.
    class_balance_ : ndarray of shape (K,)
        The labels' class shares over the items with a vote (IWMV itself uses no class balance).
    confusion_ : ndarray of shape (m, K, K)
        The homogeneous model's view of each labeler: ``ŵ`` on the diagonal, ``(1 − ŵ) / (K − 1)`` elsewhere.
    groups_ : list of tuple
        One labeler per group (IWMV models no dependence); ``dependent_pairs_`` is empty.

    References
    ----------
    .. [1] H. Li and B. Yu, "Error Rate Bounds and Iterative Weighted Majority Voting for Crowdsourcing",
       arXiv:1411.4086, 2014 (Algorithm 1; eq. 33; Section 5.2 for IWMV.log).

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise import weak
    >>> L = np.array([[0, 0, 1], [1, 1, 1], [0, 0, 0], [1, 1, 0]])
    >>> model = weak.IWMVLabelModel().fit(L)
    >>> model.labels_.tolist(), model.weights_.round(2).tolist()
    ([0, 1, 0, 1], [1.0, 1.0, 0.0])
    """

    #: IWMV has no dependence check (read by the command line's summary).
    dependency_threshold = None

    def __init__(
        self,
        *,
        weights: str = "linear",
        max_iter: int = 50,
        labels: Sequence[Any] | None = None,
        random_state: Any = 0,
    ) -> None:
        self.weights = weights
        self.max_iter = max_iter
        self.labels = labels
        self.random_state = random_state

    def fit(self, votes: Any, y: Any = None) -> IWMVLabelModel:
        """Run Algorithm 1 on votes: :class:`Votes`, a long table (item, labeler, label) or a matrix (-1 = abstain).

        Parameters
        ----------
        votes : Votes, DataFrame (item, labeler, label) or array (n_items, n_labelers)
        y : ignored

        Returns
        -------
        self
        """
        check_choice("weights", self.weights, WEIGHT_RULES)
        check_positive_int("max_iter", self.max_iter)
        check_random_state(self.random_state)
        v = fit_votes(votes, self.labels)
        k = n_classes(v.classes, self.labels)
        matrix = v.matrix()
        counts = indicator(matrix, k)
        run = iterative_weighted_vote(
            counts, k, weights=self.weights, max_iter=self.max_iter, random_state=self.random_state, items=v.items
        )
        by_labeler = pd.Index(v.labelers, name="labeler")
        self.classes_, self.labelers_ = v.classes, v.labelers
        self.accuracies_ = pd.Series(run.accuracies, index=by_labeler, name="accuracy")
        self.weights_ = pd.Series(run.weights, index=by_labeler, name="weight")
        self.labels_ = pd.Series(pd.Index(v.classes).take(run.labels).array, index=v.items, name="label")
        self.probas_ = pd.DataFrame(
            _top_shares(weighted_scores(counts, run.weights, k)), index=v.items, columns=pd.Index(v.classes)
        )
        self.n_iter_, self.converged_ = run.n_iter, run.converged
        self.n_votes_ = pd.Series((matrix >= 0).sum(axis=1), index=v.items, name="n_votes")
        voted = self.n_votes_.to_numpy() > 0
        shares = np.bincount(run.labels[voted], minlength=k) / max(int(voted.sum()), 1)
        self.class_balance_ = shares if voted.any() else np.full(k, 1.0 / k)
        self.confusion_ = homogeneous_confusion(run.accuracies, k)
        self.groups_ = [(name,) for name in v.labelers]
        self.dependent_pairs_ = pairs_frame(np.empty((0, 6)), v.labelers)
        return self

    def _predict_rows(self, votes: Any) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        """The weighted vote of new votes under the fitted weights: its top classes and the tie-broken label
        (on the fit's own votes, ``labels_``)."""
        v = self._new_votes(votes)
        k = len(self.classes_)
        scores = weighted_scores(indicator(v.matrix(), k), self.weights_.to_numpy(), k)
        return v.items, _top_shares(scores), item_argmax(scores, self.random_state, v.items)

    def _new_votes(self, votes: Any) -> Votes:
        """``votes`` with the fitted classes and labelers (in the fitted order); other labelers are an error."""
        if not hasattr(self, "weights_"):
            raise EstimatorError("IWMVLabelModel must be fitted before predict_proba, predict or score; call fit first")
        return known_labelers(as_votes(votes, classes=self.classes_), self.labelers_)
