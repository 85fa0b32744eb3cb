"""Dawid-Skene as a weak-supervision label model: abstains are missing answers, optional fixed class balance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._validate.arguments import check_random_state
from ..aggregate import DawidSkene
from ..errors import InvalidParameterError
from ._compress import compress_rows
from ._posterior import FLOOR
from ._votes import Votes, as_votes
from .label_model import check_class_balance

__all__ = ["DawidSkeneLabelModel"]


class DawidSkeneLabelModel(BaseEstimator):
    """Dawid-Skene over labeling-function votes, with the same fitted attributes as :class:`LabelModel`.

    A thin wrapper over :class:`labelwise.aggregate.DawidSkene` (its EM, its prior and its
    convergence report): labelers are annotators, an abstain is simply no answer. Items nobody
    voted on get the class balance as their posterior. With ``class_balance`` given, the fitted
    prior in the final posterior is replaced by it, ``P(y | votes) ∝ P_DS(y | votes) · b_y / p̂_y``
    (the E-step with a fixed prior; the confusion matrices are those fitted with the estimated
    prior, as :class:`~labelwise.aggregate.DawidSkene` has no fixed-prior option).

    Parameters
    ----------
    class_balance : None, "votes", "uniform" or array of shape (K,)
        ``None`` (default): Dawid-Skene's fitted prior; otherwise fixed (``"votes"``: the mean
        vote shares of the items with a vote).
    labels : sequence, optional
    random_state : int or Generator, default 0
    **params
        Passed to :class:`~labelwise.aggregate.DawidSkene` (``max_iter``, ``tol``, ``smoothing``,
        ``prior_strength``, ``dependency_threshold``, ``duplicates``); any other name is an error
        at ``fit`` (and in ``set_params``).

    Attributes
    ----------
    classes_, labelers_, labels_, probas_, class_balance_, accuracies_, n_votes_
        As :class:`LabelModel` (an exact tie in ``probas_`` is broken by a seeded draw per distinct
        vote row, whatever the order of the items).
    confusion_ : ndarray (m, K, K)
        ``[j, y, a] = P(λ_j = a | Y = y, λ_j votes)``.
    estimator_ : DawidSkene
        The fitted aggregator (``loss_history_``, ``converged_``...).

    References
    ----------
    .. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
       the EM Algorithm", Journal of the Royal Statistical Society C 28(1), 20-28, 1979.
    """

    def __init__(
        self, *, class_balance: Any = None, labels: Sequence[Any] | None = None, random_state: Any = 0, **params: Any
    ) -> None:
        self.class_balance = class_balance
        self.labels = labels
        self.random_state = random_state
        self.params = params

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {
            "class_balance": self.class_balance,
            "labels": self.labels,
            "random_state": self.random_state,
            **self.params,
        }

    def set_params(self, **params: Any) -> DawidSkeneLabelModel:
        """Set this wrapper's parameters and those passed to :class:`~labelwise.aggregate.DawidSkene`."""
        for key, value in params.items():
            if key in ("class_balance", "labels", "random_state"):
                setattr(self, key, value)
            else:
                _check_passed([key])
                self.params = {**self.params, key: value}
        return self

    def fit(self, votes: Any, y: Any = None) -> DawidSkeneLabelModel:
        """Fit on votes: :class:`Votes`, a long table (item, labeler, label) or a matrix (-1 = abstain)."""
        _check_passed(self.params)
        v = as_votes(votes, classes=self.labels)
        k = len(v.classes)
        fixed = check_class_balance(self.class_balance, k)
        est = DawidSkene(labels=list(v.classes), random_state=self.random_state, **self.params)
        est.fit(v.to_annotations())
        fitted_p = np.maximum(est.priors_.reindex(v.classes).to_numpy(dtype=float), FLOOR)
        post = est.probas_.reindex(columns=v.classes).to_numpy(dtype=float)
        if fixed is None:
            p = fitted_p
        elif isinstance(fixed, str):
            p = np.full(k, 1.0 / k) if fixed == "uniform" else _vote_balance(v.matrix(), k)
        else:
            p = fixed
        if fixed is not None:
            post = post * (p / fitted_p)
            post /= post.sum(axis=1, keepdims=True)
        full = np.tile(p, (v.n_items, 1))
        full[v.items.get_indexer(est.probas_.index)] = post
        classes = pd.Index(v.classes)
        codes = _tie_broken_labels(v, full, check_random_state(self.random_state))
        order = pd.Index(est.annotators_).get_indexer(list(v.labelers))
        conf = np.asarray(est.annotator_confusion_)[order]
        self.estimator_ = est
        self.classes_ = v.classes
        self.labelers_ = v.labelers
        self.class_balance_ = p
        self.confusion_ = conf
        self.accuracies_ = pd.Series(
            np.einsum("jyy,y->j", conf, p), index=pd.Index(v.labelers, name="labeler"), name="accuracy"
        )
        self.probas_ = pd.DataFrame(full, index=v.items, columns=classes)
        self.labels_ = pd.Series(classes.take(codes).array, index=v.items, name="label")
        self.n_votes_ = pd.Series((v.matrix() >= 0).sum(axis=1), index=v.items, name="n_votes")
        return self


def _passed() -> list[str]:
    """The parameters of :class:`~labelwise.aggregate.DawidSkene` the wrapper passes on (not the
    columns of its table, which the wrapper builds, nor those it sets itself)."""
    own = {"item_col", "annotator_col", "label_col", "labels", "random_state"}
    return sorted(set(DawidSkene().get_params()) - own)


def _check_passed(names: Any) -> None:
    unknown = [name for name in names if name not in _passed()]
    if unknown:
        raise InvalidParameterError(
            f"DawidSkeneLabelModel got unknown parameter(s) {unknown}; it takes class_balance, labels, "
            f"random_state and DawidSkene's {_passed()}"
        )


def _tie_broken_labels(v: Votes, post: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each item's most probable class, exact ties broken by seeded draws made once per distinct
    vote row (as :class:`LabelModel` does), the rows taken in the order of the labelers' names, so
    that the labels do not depend on the order of the items or of the table's rows."""
    matrix = v.matrix()[:, np.argsort([str(x) for x in v.labelers], kind="stable")]
    rows = compress_rows(matrix, len(v.classes))
    draws = rng.random((len(rows.weights), post.shape[1]))[rows.inverse]
    is_max = post >= post.max(axis=1, keepdims=True) - 1e-12  # random_argmax's rule
    return np.argmax(is_max * (1.0 + draws), axis=1)


def _vote_balance(matrix: np.ndarray, k: int) -> np.ndarray:
    """Mean per-item vote shares over the items with a vote."""
    counts = np.stack([(matrix == c).sum(axis=1) for c in range(k)], axis=1).astype(float)
    total = counts.sum(axis=1)
    shares = counts[total > 0] / total[total > 0, None]
    p = np.maximum(shares.mean(axis=0), FLOOR)
    return p / p.sum()
