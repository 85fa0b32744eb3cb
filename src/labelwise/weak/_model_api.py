"""Snorkel's label-model methods around a fitted model: predict with a tie-break policy, score,
per-function weights and conditional probabilities; the gold labels of ``score`` and ``y_dev``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_random_state
from ..errors import EstimatorError, InvalidLabelsError, InvalidParameterError, ShapeMismatchError
from ._votes import Votes, as_votes, gold_by_item
from .predictions import TIE_BREAK_POLICIES, MetricFunction, check_metrics, score_predictions, tie_break

__all__ = ["LabelModelAPI", "VoterAPI", "abstain_value", "balance_from_dev", "gold_codes", "known_labelers"]


def abstain_value(classes: np.ndarray) -> Any:
    """The label an abstained prediction gets: -1 for integer classes (Snorkel's) without a class -1, else None."""
    arr = np.asarray(classes)
    return -1 if arr.dtype.kind in "iu" and not (arr == -1).any() else None


def _missing(values: pd.Series) -> np.ndarray:
    return values.isna().to_numpy() | values.map(lambda x: isinstance(x, (int, np.integer)) and x == -1).to_numpy()


def gold_codes(y: Any, items: pd.Index, classes: np.ndarray, *, name: str = "y", votes: Any = None) -> np.ndarray:
    """Class codes of gold labels ``y`` (a Series matched by item, else by position), -1 = unknown
    (-1, None or NaN). A label not among ``classes`` is an error naming ``name``.

    A Series indexed ``0..n-1`` is matched by item too when its index holds every item (integer items
    in another order, or a subset of its rows), and read by position only when it does not (items that
    are not its keys: a Series made from a list), which ``votes`` given as a long table replaces by ``y[item]``
    for integer items, and refuses otherwise (:func:`~labelwise.weak._votes.gold_by_item`)."""
    by_item = isinstance(y, pd.Series) and (not isinstance(y.index, pd.RangeIndex) or bool(items.isin(y.index).all()))
    if not by_item and votes is not None:
        y = gold_by_item(votes, items, y, name)  # a long table's items have no order: y[item], or an error
        by_item = isinstance(y, pd.Series) and bool(items.isin(y.index).all())
    if by_item:
        missing = items.difference(y.index)
        if len(missing):
            raise ShapeMismatchError(
                f"{name} must have a label (or -1) for every item, got none for {missing[:3].tolist()}"
            )
        values = y.reindex(items)
    else:
        values = pd.Series(np.asarray(y, dtype=object).ravel() if np.ndim(y) else [y])
        if len(values) != len(items):
            raise ShapeMismatchError(f"{name} must have one label per item ({len(items)}), got {len(values)}")
    unknown = _missing(values)
    codes = pd.Index(classes).get_indexer(pd.Index(values[~unknown].to_numpy(dtype=object)))
    if (codes < 0).any():
        bad = values[~unknown].iloc[int(np.argmax(codes < 0))]
        raise InvalidLabelsError(
            f"{name} must hold the model's classes {np.asarray(classes).tolist()} or -1 (unknown), got {bad!r}"
        )
    out = np.full(len(values), -1, dtype=np.int64)
    out[~unknown] = codes
    return out


def balance_from_dev(y_dev: Any, classes: np.ndarray) -> np.ndarray:
    """The class balance of gold dev labels (Snorkel's ``Y_dev``): each class's share; every class
    must occur (a zero prior would rule the class out)."""
    arr = np.asarray(y_dev, dtype=object).ravel()
    codes = gold_codes(pd.Series(arr), pd.RangeIndex(len(arr)), classes, name="y_dev")
    counts = np.bincount(codes[codes >= 0], minlength=len(classes)).astype(float)
    if not counts.all():
        absent = np.asarray(classes)[counts == 0].tolist()
        raise InvalidLabelsError(
            f"y_dev must hold every class {np.asarray(classes).tolist()} at least once, got none of {absent}"
        )
    return counts / counts.sum()


def known_labelers(votes: Votes, labelers: tuple[Any, ...]) -> Votes:
    """``votes`` over a fitted model's ``labelers`` (in the fitted order); labelers it was not fitted on are an error."""
    unknown = sorted(set(votes.labelers) - set(labelers), key=str)
    if unknown:
        raise InvalidParameterError(f"votes has labelers the model was not fitted on: {unknown}")
    return Votes(votes.answers, votes.items, labelers, votes.classes)


def _list_shape(votes: list | tuple) -> tuple[int, ...]:
    """The shape of a list of rows of equal length (a ragged list: ``()``, left to the votes' own check)."""
    try:
        return np.shape(np.asarray(votes, dtype=object))
    except ValueError:
        return ()


def _named_columns(votes: Votes, labelers: tuple[Any, ...]) -> Votes:
    """A matrix's votes (labelers ``lf_0, lf_1, ...``) under the fitted labelers' names, by position."""
    if votes.labelers == labelers:
        return votes
    names = dict(zip(votes.labelers, labelers, strict=True))
    answers = votes.answers.assign(labeler=votes.answers["labeler"].map(names))
    return Votes(answers, votes.items, labelers, votes.classes)


class VoterAPI:
    """Snorkel 0.10's ``BaseLabeler`` methods (``predict_proba``, ``predict``, ``score``) for a fitted model.

    The model provides ``_predict_rows(votes) -> (items, probs, codes)``: its posterior and its
    own tie-broken class codes.
    """

    classes_: np.ndarray

    def _predict_rows(self, votes: Any) -> tuple[pd.Index, np.ndarray, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def _check_fitted(self) -> None:
        if not hasattr(self, "classes_"):
            raise EstimatorError(
                f"{type(self).__name__} must be fitted before predict_proba, predict, score or get_weights; call fit first"
            )

    def _rows(self, votes: Any) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        """``_predict_rows(votes)``, after checking that a matrix has one column per fitted labeler: its
        columns are the functions by position, so a narrower one would silently read as abstains."""
        labelers = getattr(self, "labelers_", None)
        if labelers is not None and isinstance(votes, (np.ndarray, list, tuple)):
            shape = np.shape(votes) if isinstance(votes, np.ndarray) else _list_shape(votes)
            if len(shape) == 2 and shape[1] != len(labelers):
                raise ShapeMismatchError(
                    f"votes as a matrix must have one column per labeling function the model was fitted on "
                    f"({len(labelers)}), got {shape[1]} columns"
                )
            if len(shape) == 2:  # column j is the j-th fitted labeler, whatever it was named at fit
                # a batch no function voted on is predicted too (Snorkel's rows of -1)
                votes = _named_columns(as_votes(votes, classes=self.classes_, allow_empty=True), tuple(labelers))
        return self._predict_rows(votes)

    def predict_proba(self, votes: Any) -> pd.DataFrame:
        """Posterior for new votes by the same labelers (matched by name, a matrix's columns by
        position: one per fitted labeler; others are an error)."""
        self._check_fitted()
        items, probs, _ = self._rows(votes)
        return pd.DataFrame(probs, index=items, columns=pd.Index(self.classes_))

    def predict(
        self, votes: Any, *, return_probs: bool = False, tie_break_policy: str | None = None, tol: float = 1e-5
    ) -> Any:
        """Most probable class per item (Snorkel's ``predict``).

        Parameters
        ----------
        votes : Votes, DataFrame (item, labeler, label) or matrix (-1 = abstain)
        return_probs : bool, default False
            Also return :meth:`predict_proba`'s frame.
        tie_break_policy : None or {"abstain", "random", "true-random"}
            ``None`` (default): exact ties (within ``1e-9``) broken by the model's seeded draw per
            tied item, the items in sorted order (``labels_``'s rule, ``MajorityVote``'s). Otherwise classes within ``tol`` of the maximum
            are tied and broken as :func:`labelwise.weak.probs_to_preds` does (``"true-random"``
            draws from ``random_state``); an abstained item gets -1 (integer classes) or None.

        Returns
        -------
        pandas.Series indexed by item, or (Series, DataFrame) with ``return_probs``
        """
        self._check_fitted()
        items, probs, codes = self._rows(votes)
        if tie_break_policy is not None:
            rng = check_random_state(getattr(self, "random_state", None))
            codes = tie_break(probs, tie_break_policy, tol=tol, random_state=rng)
        classes, fill = pd.Index(self.classes_), abstain_value(self.classes_)
        if (codes >= 0).all():
            out = pd.Series(classes.take(codes).array, index=items, name="label")
        else:
            labels = np.array(
                classes.take(np.maximum(codes, 0)), dtype=object
            )  # a copy: an object Index's is read-only
            labels[codes < 0] = fill
            out = pd.Series(labels, index=items, name="label", dtype=object)
            out = out.astype(np.int64) if fill == -1 else out
        if return_probs:
            return out, pd.DataFrame(probs, index=items, columns=pd.Index(self.classes_))
        return out

    def score(
        self,
        votes: Any,
        y: Any,
        metrics: Sequence[str | MetricFunction] | Mapping[str, str | MetricFunction] = ("accuracy",),
        tie_break_policy: str = "abstain",
    ) -> dict[str, float]:
        """Scores of the predictions on ``votes`` against gold labels ``y`` (Snorkel's ``score``).

        Items whose gold label is unknown (-1, None, NaN) or whose prediction abstained (a tie, with
        the default ``"abstain"`` policy) are left out of every metric but ``coverage``; binary
        metrics score the second class (``classes_[1]``). See
        :func:`labelwise.weak.score_predictions` for the metric names.

        Parameters
        ----------
        votes : Votes, DataFrame (item, labeler, label) or matrix (-1 = abstain)
        y : array-like (one label per item, by position) or Series indexed by item
        metrics : sequence of str or callable, or dict, default ("accuracy",)
            Snorkel's metric names and custom metrics ``f(golds, preds, probs) -> float`` (the
            signature of Snorkel's ``Scorer(custom_metric_funcs=...)``), called on the scored items
            only, with class codes (positions in ``classes_``) and their rows of the posterior;
            keyed by the function's ``__name__``, or by name with a dict ``{name: metric}``.
        tie_break_policy : {"abstain", "random", "true-random"}, default "abstain"

        Returns
        -------
        dict
            Metric name to score.
        """
        self._check_fitted()
        check_metrics(metrics)
        if tie_break_policy not in TIE_BREAK_POLICIES:
            tie_break(np.zeros((0, 2)), tie_break_policy)  # raises, naming the policies
        items, probs, _ = self._rows(votes)
        rng = check_random_state(getattr(self, "random_state", None))
        codes = tie_break(probs, tie_break_policy, random_state=rng)
        golds = gold_codes(y, items, self.classes_, votes=votes)
        return score_predictions(golds, codes, probs, metrics=metrics)


class LabelModelAPI(VoterAPI):
    """Snorkel 0.10's ``LabelModel`` methods; the model also provides ``_lf_conditionals()``:
    ``[j, a, y] = P(λ_j = a | Y = y)`` of shape (m, K, K)."""

    class_balance_: np.ndarray
    accuracies_: pd.Series

    def _lf_conditionals(self) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def get_conditional_probs(self) -> np.ndarray:
        """``[j, a + 1, y] = P(λ_j = a | Y = y)``, row 0 the abstain: ``1 − Σ_a`` (Snorkel's table).

        Returns
        -------
        ndarray of shape (m, K + 1, K)
        """
        self._check_fitted()
        cond = self._lf_conditionals()
        return np.concatenate([1.0 - cond.sum(axis=1, keepdims=True), cond], axis=1)

    def get_weights(self) -> np.ndarray:
        """Each function's accuracy ``P(λ_j = Y | λ_j votes) = Σ_y P(λ_j = y | y) p_y / c_j``, clipped
        to ``[1e-6, 1]`` (Snorkel's ``get_weights``), NaN for a function that never voted.

        ``c_j = Σ_y P(λ_j votes | y) p_y`` is the model's coverage, which makes this ``accuracies_``: the model's
        belief, not an accuracy against gold.
        Snorkel divides by the share of the training items the function voted on instead: the same
        when the class balance is fitted by maximum likelihood, not when it is fixed (labelwise's
        default ``class_balance="votes"``), where the ratio could exceed 1 for a good function.

        Returns
        -------
        ndarray of shape (m,)
        """
        self._check_fitted()
        cond = self._lf_conditionals()
        p = np.asarray(self.class_balance_, dtype=np.float64)
        right, coverage = np.einsum("jyy,y->j", cond, p), cond.sum(axis=1) @ p
        with np.errstate(divide="ignore", invalid="ignore"):
            weights = np.clip(right / coverage, 1e-6, 1.0)
        voted = np.asarray(self.accuracies_, dtype=np.float64)
        return np.where(np.isnan(voted), np.nan, weights)
