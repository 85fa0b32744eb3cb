"""Baseline label models (Snorkel's ``MajorityLabelVoter``, ``MajorityClassVoter``, ``RandomVoter``),
with the label models' interface: ``fit``, ``predict_proba``, ``predict``, ``score``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._validate.arguments import check_random_state
from ..aggregate._base import TIE_RTOL, _tied_cells
from ..errors import EstimatorError
from ._fit_items import fit_votes_over
from ._model_api import VoterAPI, balance_from_dev
from ._params import check_class_balance, n_classes
from ._posterior import item_argmax
from ._votes import Votes, as_votes

__all__ = ["MajorityClassVoter", "MajorityLabelVoter", "RandomVoter"]


def _class_counts(matrix: np.ndarray, k: int) -> np.ndarray:
    """Votes per class of each row (n, K) of a code matrix (-1 = abstain): one pass per class."""
    return (
        np.stack([(matrix == c).sum(axis=1) for c in range(k)], axis=1) if matrix.size else np.zeros((len(matrix), k))
    )


class _Baseline(VoterAPI, BaseEstimator):
    """Shared ``fit`` (the classes and labelers of the votes) and vote reading."""

    def __init__(self, *, labels: Sequence[Any] | None = None, random_state: Any = 0) -> None:
        self.labels = labels
        self.random_state = random_state

    def fit(self, votes: Any, y: Any = None, *, items: Any = None) -> Any:
        """Record the classes (``labels``, else those voted, sorted) and labelers of ``votes``, and
        ``probas_`` / ``labels_``: :meth:`predict_proba` and :meth:`predict` of ``votes``.

        Parameters
        ----------
        votes : Votes, DataFrame (item, labeler, label) or matrix (n_items, n_labelers), -1 = abstain
        y : ignored
        items : sequence, optional
            Every item of the data beside a long table, which holds only the voted ones
            (:mod:`._fit_items`): ``probas_`` has a row for each, in this order.

        Returns
        -------
        self
        """
        self._set_results(self._fit_votes(votes, items))
        return self

    def _fit_votes(self, votes: Any, items: Any) -> Votes:
        """The votes of ``fit`` (over ``items``), their classes and labelers recorded."""
        check_random_state(self.random_state)
        v = fit_votes_over(votes, self.labels, items)
        n_classes(v.classes, self.labels)  # at least two classes
        self.classes_, self.labelers_ = v.classes, v.labelers
        return v

    def _set_results(self, v: Votes) -> None:
        """``probas_`` and ``labels_`` of the fit's votes ``v``, as :meth:`predict_proba` and :meth:`predict` give
        them (one seeded draw per tied item), and ``n_votes_``."""
        items, probs, codes = self._predict_rows(v)
        classes = pd.Index(self.classes_)
        self.probas_ = pd.DataFrame(probs, index=items, columns=classes)
        self.labels_ = pd.Series(classes.take(codes).array, index=items, name="label")
        self.n_votes_ = pd.Series((v.matrix() >= 0).sum(axis=1), index=items, name="n_votes")

    def _votes(self, votes: Any) -> Votes:
        if not hasattr(self, "classes_"):
            raise EstimatorError(
                f"{type(self).__name__} must be fitted before predict_proba, predict or score; call fit first"
            )
        return as_votes(votes, classes=self.classes_)


class MajorityLabelVoter(_Baseline):
    """Majority vote: each item's probabilities are shared equally by its most voted classes.

    Snorkel's ``MajorityLabelVoter``: an item with a tie (or no vote) gets ``1/t`` on each of its
    ``t`` most voted classes. Labelers are counted whoever they are (new labelers are fine).

    Parameters
    ----------
    labels : sequence, optional
        The classes (default: those voted in ``fit``, sorted).
    random_state : int or Generator, default 0
        Breaks ties in :meth:`predict` without a ``tie_break_policy`` as
        :class:`~labelwise.aggregate.MajorityVote` does: one seeded draw per tied item, the items in
        sorted order, so the labels are ``MajorityVote``'s with the same seed on a table of votes.

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
    labelers_ : tuple of str
    probas_ : pandas.DataFrame indexed by item, one column per class
        :meth:`predict_proba` of the fit's votes (``1/t`` on each of the ``t`` most voted classes; ``1/K``
        each for an item nobody voted on), for :func:`~labelwise.weak.training_labels` as the other models'.
    labels_ : pandas.Series indexed by item
        :meth:`predict` of the fit's votes.
    n_votes_ : pandas.Series indexed by item

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise import weak
    >>> L = np.array([[0, 0, -1], [-1, 0, 1], [1, -1, 1]])
    >>> weak.MajorityLabelVoter().fit(L).predict_proba(L).to_numpy().tolist()
    [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]
    """

    def _predict_rows(self, votes: Any) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        v = self._votes(votes)
        counts = _class_counts(v.matrix(), len(self.classes_))
        top = (counts == counts.max(axis=1, keepdims=True)).astype(float)
        probs = top / top.sum(axis=1, keepdims=True)
        return v.items, probs, item_argmax(probs, self.random_state, v.items)


class MajorityClassVoter(_Baseline):
    """Every item gets the most frequent class (Snorkel's ``MajorityClassVoter``); classes tied for
    the largest share (within a relative ``1e-9``, the label models' tie rule) split the probability equally.

    Parameters
    ----------
    class_balance : "votes", "uniform", array of shape (K,) or dict / Series by class, default "votes"
        The class shares: ``"votes"``, the mean vote shares of the items with a vote in ``fit``.
        ``fit(votes, y_dev=...)`` takes them from gold dev labels instead (Snorkel's ``balance``).
    labels : sequence, optional
    random_state : int or Generator, default 0
        Breaks a tie for the largest share in :meth:`predict`: one seeded draw per item (sorted order).

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
    labelers_ : tuple of str
    class_balance_ : ndarray of shape (K,)
    probas_, labels_, n_votes_ : :meth:`predict_proba`, :meth:`predict` and the vote count of the fit's items

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise import weak
    >>> L = np.array([[0, 0, -1], [-1, 0, 1], [1, -1, 1]])
    >>> weak.MajorityClassVoter(class_balance=[0.8, 0.2]).fit(L).predict(L).tolist()
    [0, 0, 0]
    """

    def __init__(self, *, class_balance: Any = "votes", labels: Sequence[Any] | None = None, random_state: Any = 0):
        super().__init__(labels=labels, random_state=random_state)
        self.class_balance = class_balance

    def fit(self, votes: Any, y: Any = None, *, y_dev: Any = None, items: Any = None) -> MajorityClassVoter:
        """Record the classes and the class balance (see ``class_balance``); ``y_dev``: gold dev labels; ``items``:
        every item beside a long table (as :meth:`MajorityLabelVoter.fit`)."""
        v = self._fit_votes(votes, items)
        k = len(self.classes_)
        fixed = None if y_dev is not None else check_class_balance(self.class_balance, self.classes_)
        if y_dev is not None:
            self.class_balance_ = balance_from_dev(y_dev, self.classes_)
        elif fixed is None or isinstance(fixed, str) and fixed == "votes":
            counts = _class_counts(v.matrix(), k).astype(float)
            voted = counts.sum(axis=1) > 0
            shares = counts[voted] / counts[voted].sum(axis=1, keepdims=True)
            self.class_balance_ = shares.mean(axis=0) if voted.any() else np.full(k, 1.0 / k)
        elif isinstance(fixed, str):
            self.class_balance_ = np.full(k, 1.0 / k)
        else:
            self.class_balance_ = fixed
        self._set_results(v)
        return self

    def _predict_rows(self, votes: Any) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        v = self._votes(votes)
        # classes within TIE_RTOL of the largest share tie (labels_' rule): a mean of vote shares differs in its last bits
        # with the order of the items, and an exact == made the tie depend on the order of the votes' rows
        top = _tied_cells(np.asarray(self.class_balance_, dtype=np.float64)[None, :], TIE_RTOL)[0][0].astype(float)
        probs = np.tile(top / top.sum(), (v.n_items, 1))
        return v.items, probs, item_argmax(probs[:1], self.random_state, v.items, np.zeros(v.n_items, dtype=np.intp))


class RandomVoter(_Baseline):
    """Random probabilities (Snorkel's ``RandomVoter``): uniform draws from ``random_state``,
    normalised per item; a floor for any label model to beat.

    Parameters
    ----------
    labels : sequence, optional
    random_state : int or Generator, default 0
        Seeds the draws: the same votes (same number of items) give the same probabilities.

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
    labelers_ : tuple of str
    probas_, labels_, n_votes_ : :meth:`predict_proba`, :meth:`predict` and the vote count of the fit's items

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise import weak
    >>> L = np.array([[0, 0, -1], [-1, 0, 1], [1, -1, 1]])
    >>> weak.RandomVoter().fit(L).predict_proba(L).sum(axis=1).round(6).tolist()
    [1.0, 1.0, 1.0]
    """

    def _predict_rows(self, votes: Any) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        v = self._votes(votes)
        draws = check_random_state(self.random_state).random((v.n_items, len(self.classes_)))
        probs = draws / draws.sum(axis=1, keepdims=True)
        return v.items, probs, np.argmax(probs, axis=1)
