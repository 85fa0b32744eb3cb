"""Dawid-Skene as a weak-supervision label model: abstains are missing answers, optional fixed class balance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ..aggregate import DawidSkene
from ..aggregate._answers import encode_answers
from ..aggregate._observed import _FLOOR, _Observed, _vote_shares, _with_answer_weights
from ..aggregate._pair_check import group_answer_weights
from ..aggregate.dawid_skene import DEFAULT_DEPENDENCY_TRIAD
from ..errors import EstimatorError, InvalidParameterError
from ._fit_items import fit_votes_over
from ._model_api import LabelModelAPI, balance_from_dev
from ._model_io import SavedDawidSkene
from ._params import n_classes
from ._posterior import FLOOR, item_argmax
from ._votes import Votes, as_votes
from .label_model import check_class_balance

__all__ = ["DawidSkeneLabelModel"]


class DawidSkeneLabelModel(LabelModelAPI, SavedDawidSkene, BaseEstimator):
    """Dawid-Skene over labeling-function votes, with the same fitted attributes as :class:`LabelModel`.

    A thin wrapper over :class:`labelwise.aggregate.DawidSkene` (its EM, its prior and its
    convergence report): labelers are annotators, an abstain is simply no answer. The posterior
    (``probas_``, and :meth:`predict_proba` on new votes) is Dawid-Skene's E-step under the
    reported parameters, ``P(y | votes) ∝ b_y Π_j θ_j[y, v_j]`` over the labelers that voted, with
    ``b`` = ``class_balance_`` and ``θ`` = ``confusion_``: one E-step after the aggregate's final
    M-step, so it may differ from ``estimator_.probas_`` (the E-step before it) by EM's last step.
    Items nobody voted on get the class balance as their posterior. With ``class_balance`` given,
    it replaces the fitted prior in that E-step (the confusion matrices are those fitted with the
    estimated prior, as :class:`~labelwise.aggregate.DawidSkene` has no fixed-prior option).

    Parameters
    ----------
    class_balance : None, "votes", "uniform", array of shape (K,) or dict / Series class -> probability
        ``None`` (default): Dawid-Skene's fitted prior; otherwise fixed (``"votes"``: the mean
        vote shares of the items with a vote).
    labels : sequence, optional
    random_state : int or Generator, default 0
        Seeds the aggregate's fit and breaks exact ties in ``labels_`` and ``predict`` as
        :class:`~labelwise.aggregate.MajorityVote` does: one draw per tied item, the items in sorted
        order (after a fallback to majority vote, ``labels_`` are ``MajorityVote``'s with the same seed
        on a table of votes).
    dependency_triad : bool, default True
        Keep a dependent pair of labelers only if its excess agreement is not shared with a third
        labeler (the triad gate of :class:`~labelwise.aggregate.DawidSkene`'s dependent-pair check,
        passed to it, which checks it: ``True`` or ``False``); ``False`` keeps every pair the check
        confirms.
    **params
        Passed to :class:`~labelwise.aggregate.DawidSkene` (``max_iter``, ``tol``, ``smoothing``,
        ``prior_strength``, ``dependency_threshold``, ``duplicates``); any other name is an error
        at ``fit`` (and in ``set_params``).

    Attributes
    ----------
    classes_, labelers_, labels_, probas_, class_balance_, accuracies_, n_votes_
        As :class:`LabelModel` (``accuracies_`` NaN for a labeler that never voted; an exact tie in ``probas_`` is
        broken by a seeded draw per tied item, whatever the order of the votes' rows).
    confusion_ : ndarray (m, K, K)
        ``[j, y, a] = P(λ_j = a | Y = y, λ_j votes)``.
    coverage_ : ndarray of shape (m,)
        Each labeler's share of the fitted items it voted on.
    estimator_ : DawidSkene
        The fitted aggregator (``loss_history_``, ``converged_``...); not kept by :meth:`save`:
        a loaded model predicts without it.

    References
    ----------
    .. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
       the EM Algorithm", Journal of the Royal Statistical Society C 28(1), 20-28, 1979.
    """

    def __init__(
        self,
        *,
        class_balance: Any = None,
        labels: Sequence[Any] | None = None,
        random_state: Any = 0,
        dependency_triad: bool = DEFAULT_DEPENDENCY_TRIAD,
        **params: Any,
    ) -> None:
        self.class_balance = class_balance
        self.labels = labels
        self.random_state = random_state
        self.dependency_triad = dependency_triad
        self.params = params

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {
            "class_balance": self.class_balance,
            "labels": self.labels,
            "random_state": self.random_state,
            "dependency_triad": self.dependency_triad,
            **self.params,
        }

    def set_params(self, **params: Any) -> DawidSkeneLabelModel:
        """Set this wrapper's parameters and those passed to :class:`~labelwise.aggregate.DawidSkene`."""
        for key, value in params.items():
            if key in _OWN:
                setattr(self, key, value)
            else:
                _check_passed([key])
                self.params = {**self.params, key: value}
        return self

    def fit(self, votes: Any, y: Any = None, *, y_dev: Any = None, items: Any = None) -> DawidSkeneLabelModel:
        """Fit on votes: :class:`Votes`, a long table (item, labeler, label) or a matrix (-1 = abstain).
        ``y_dev``: gold labels of a dev set, whose class shares fix the class balance (Snorkel's ``Y_dev``). ``items``:
        every item of the data beside a long table, which holds only the voted ones (:mod:`._fit_items`): the
        unvoted items get the class balance."""
        _check_passed(self.params)
        v = fit_votes_over(votes, self.labels, items)  # a table's labelers sorted, as LabelModel's
        k = n_classes(v.classes, self.labels)  # one class voted and none declared: the others' error
        fixed = (
            check_class_balance(self.class_balance, v.classes) if y_dev is None else balance_from_dev(y_dev, v.classes)
        )
        est = DawidSkene(
            labels=list(v.classes),
            random_state=self.random_state,
            dependency_triad=self.dependency_triad,
            **self.params,
        )
        est.fit(v.to_annotations())
        prior = est.priors_.reindex(v.classes).to_numpy(dtype=float)  # a declared class nobody voted: 0, floored
        fitted_p = prior if prior.min() >= FLOOR else np.maximum(prior, FLOOR) / np.maximum(prior, FLOOR).sum()
        if fixed is None:
            p = fitted_p
        elif isinstance(fixed, str):
            p = np.full(k, 1.0 / k) if fixed == "uniform" else _vote_balance(v.matrix(), k)
        else:
            p = fixed
        order = pd.Index(est.annotators_).get_indexer(list(v.labelers))
        conf = np.asarray(est.annotator_confusion_)[order]
        # a labeler that never voted is no annotator of the aggregate: its rows are the prior's, as
        # DawidSkene gives an annotator's rows without answers (max(A, floor) / row total)
        prior_rows = np.maximum(est.pseudo_counts_, _FLOOR)
        conf[order < 0] = prior_rows / prior_rows.sum(axis=1, keepdims=True)
        self.estimator_ = est
        pairs = est.dependent_pairs_
        self._fitted = {  # what predict reads of the aggregate (and save keeps)
            "prior": fitted_p,
            "fallback": est.fallback_ is not None,
            "pairs": []
            if pairs is None
            else [[a, b] for a, b in zip(pairs["annotator_a"], pairs["annotator_b"], strict=True)],
        }
        self.classes_ = v.classes
        self.labelers_ = v.labelers
        self.class_balance_ = p
        self.confusion_ = conf
        accuracy = np.einsum("jyy,y->j", conf, p)  # NaN for a labeler that never voted (its rows: the prior)
        self.accuracies_ = pd.Series(
            np.where(order >= 0, accuracy, np.nan), index=pd.Index(v.labelers, name="labeler"), name="accuracy"
        )
        self.probas_ = pd.DataFrame(self._posterior(v), index=v.items, columns=pd.Index(v.classes))
        codes = item_argmax(self.probas_.to_numpy(), self.random_state, v.items)
        self.labels_ = pd.Series(pd.Index(v.classes).take(codes).array, index=v.items, name="label")
        self.n_votes_ = pd.Series((v.matrix() >= 0).sum(axis=1), index=v.items, name="n_votes")
        self.coverage_ = (v.matrix() >= 0).mean(axis=0) if v.n_items else np.zeros(v.n_labelers)
        return self

    def predict_proba(self, votes: Any) -> pd.DataFrame:
        """Posterior of new items' votes by the fitted labelers (matched by name, a matrix's columns by
        position, one per fitted labeler; others are an error).

        ``P(y = k | votes) ∝ b_k Π_j θ_j[k, v_j]`` over the labelers that voted, with ``b`` the
        ``class_balance_`` and ``θ`` the ``confusion_``: the E-step of
        :class:`~labelwise.aggregate.DawidSkene` (its own function, on the same answer weights:
        when the fit found ``dependent_pairs_``, the answers of a group of dependent labelers on an
        item weigh one answer together). An item without votes gets ``class_balance_``. When the
        fit fell back to majority vote (``estimator_.fallback_``), the posterior is the vote shares
        (reweighted by a fixed ``class_balance``), as for the fitted items. On the fit's own votes
        it is ``probas_``.

        Parameters
        ----------
        votes : Votes, DataFrame (item, labeler, label) or array (n_items, n_labelers)
            Votes in the fitted ``classes_`` (-1 = abstain in a matrix).

        Returns
        -------
        pandas.DataFrame
            One row per item (in the order of ``votes``), one column per class.

        Raises
        ------
        EstimatorError
            If the model is not fitted.
        InvalidParameterError
            If ``votes`` has labelers the model was not fitted on.
        ShapeMismatchError
            If ``votes`` is a matrix without one column per fitted labeler.
        InvalidLabelsError
            If a vote is not one of ``classes_``.
        """
        return super().predict_proba(votes)

    def _predict_rows(self, votes: Any) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        """Items, posterior and class codes, exact ties broken as in ``labels_`` (one seeded draw per
        tied item, in sorted order), so that on the fit's own votes :meth:`predict` is ``labels_``."""
        v = self._new_votes(votes)
        post = self._posterior(v)
        return v.items, post, item_argmax(post, self.random_state, v.items)

    def _lf_conditionals(self) -> np.ndarray:
        """``[j, a, y] = P(λ_j = a | y)``: the share of items ``j`` voted on (independent of the class:
        an abstain is a missing answer) times ``confusion_[j, y, a]``."""
        return np.transpose(self.confusion_, (0, 2, 1)) * self.coverage_[:, None, None]

    def _new_votes(self, votes: Any) -> Votes:
        """``votes`` with the fitted classes and labelers (in the fitted order)."""
        if not hasattr(self, "confusion_"):
            raise EstimatorError("DawidSkeneLabelModel must be fitted before predict_proba or predict; call fit first")
        v = as_votes(votes, classes=self.classes_)
        unknown = sorted(set(v.labelers) - set(self.labelers_), key=str)
        if unknown:
            raise InvalidParameterError(f"votes has labelers the model was not fitted on: {unknown}")
        return Votes(v.answers, v.items, self.labelers_, self.classes_)

    def _posterior(self, v: Votes) -> np.ndarray:
        """Each item's posterior (n_items, K) under the fitted parameters: see :meth:`predict_proba`."""
        k, p, fitted = len(self.classes_), self.class_balance_, self._fitted
        out = np.tile(p, (v.n_items, 1))
        if not len(v.answers):
            return out
        enc = encode_answers(v.to_annotations(), labels=list(self.classes_))
        pat = enc.patterns  # items with the same votes: one posterior
        obs = _Observed.build(pat)
        names = pd.Index(self.labelers_)
        fit_of = names.get_indexer(enc.annotator_index())[obs.annotator_of]  # fitted labeler of each column
        if fitted["fallback"]:  # the fit's posterior is majority vote's
            post = _vote_shares(obs, k) * (p / fitted["prior"])
            post /= post.sum(axis=1, keepdims=True)
        else:
            if fitted["pairs"]:  # the fit's weights: a dependent group's answers count as one
                pairs = np.asarray(fitted["pairs"], dtype=object)
                a, b = names.get_indexer(pairs[:, 0]), names.get_indexer(pairs[:, 1])
                obs = _with_answer_weights(obs, group_answer_weights(obs.m, fit_of, len(names), a, b))
            given = self.confusion_[fit_of, :, obs.label_of]  # [column (j, l), k] = θ_j[k, l]
            post = DawidSkene._e_step(obs, p, given, None, enc.n_answers)[0]
        out[v.items.get_indexer(enc.item_index())] = post[pat.item_pattern]
        return out


#: The wrapper's own parameters (``dependency_triad`` is passed to ``DawidSkene`` by name).
_OWN = ("class_balance", "labels", "random_state", "dependency_triad")


def _passed() -> list[str]:
    """The parameters of :class:`~labelwise.aggregate.DawidSkene` the wrapper passes on (not the
    columns of its table, which the wrapper builds, nor those it sets itself)."""
    own = {"item_col", "annotator_col", "label_col", *_OWN}
    return sorted(set(DawidSkene().get_params()) - own)


def _check_passed(names: Any) -> None:
    unknown = [name for name in names if name not in _passed()]
    if unknown:
        raise InvalidParameterError(
            f"DawidSkeneLabelModel got unknown parameter(s) {unknown}; it takes class_balance, labels, "
            f"random_state, dependency_triad and DawidSkene's {_passed()}"
        )


def _vote_balance(matrix: np.ndarray, k: int) -> np.ndarray:
    """Mean per-item vote shares over the items with a vote."""
    counts = np.stack([(matrix == c).sum(axis=1) for c in range(k)], axis=1).astype(float)
    total = counts.sum(axis=1)
    shares = counts[total > 0] / total[total > 0, None]
    p = np.maximum(shares.mean(axis=0), FLOOR)
    return p / p.sum()
