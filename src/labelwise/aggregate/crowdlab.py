"""CROWDLAB: consensus of a model's predicted probabilities and the annotators (Goh et al. 2022)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import plain
from .._validate.class_columns import columns_in_class_order
from .._validate.probabilities import check_probs
from ..errors import InvalidParameterError, ShapeMismatchError
from ._answers import EncodedAnswers
from ._base import BaseAggregator, agreement_skill, argmax_random_ties
from .majority import weighted_vote_shares

__all__ = ["CrowdLab"]

_MIN_WEIGHT = 1e-6  # a weight worse than the baseline: as good as none (cleanlab's floor)


def _align_probs(probs: Any, enc: EncodedAnswers) -> np.ndarray:
    """Model probabilities as an (n_items, K) array in ``enc``'s item and class order.

    The columns of a DataFrame are found by class (extra columns ignored), else by the classes'
    text in any order (a CSV header ``2,0,1`` for integer classes; ``labels.csv``'s
    ``prob_<class>`` columns too), else, named after no class, taken in class order.
    """
    if isinstance(probs, pd.DataFrame):
        classes = [plain(c) for c in enc.classes]  # plain values in messages
        if all(c in probs.columns for c in classes):
            frame = probs.loc[:, classes]
        else:
            names = [str(c) for c in probs.columns]
            if all(n.startswith("prob_") for n in names):
                probs = probs.set_axis([n[len("prob_") :] for n in names], axis=1)
            if probs.shape[1] != enc.n_classes and not {str(c) for c in probs.columns} & {str(c) for c in classes}:
                raise ShapeMismatchError(
                    f"probs must have one column per class {classes[:20]} (named by class, in any order, or in "
                    f"class order); it has {list(probs.columns)[:20]}"
                )
            frame = columns_in_class_order(probs, classes, name="probs")
        missing = pd.Index(enc.items).difference(frame.index)
        if len(missing):
            raise ShapeMismatchError(
                f"probs must have a row for every answered item (index = item ids); "
                f"{len(missing)} item(s) missing, e.g. {list(missing[:5])}"
            )
        arr = frame.reindex(enc.items).to_numpy(dtype=np.float64)
    else:
        arr = np.asarray(probs)
        if arr.ndim != 2 or arr.shape != (enc.n_items, enc.n_classes):
            raise ShapeMismatchError(
                f"probs must have shape (n_items, n_classes) = ({enc.n_items}, {enc.n_classes}) "
                f"with rows in sorted item order and columns in class order (or be a DataFrame "
                f"indexed by item), got shape {arr.shape}"
            )
    return np.asarray(check_probs(arr, name="probs"), dtype=np.float64)


def _align_models(probs: Any, enc: EncodedAnswers) -> np.ndarray:
    """One model's probabilities, or an ensemble's (a list of them, or an array of shape (P, n_items,
    K)), as a (P, n_items, K) array in ``enc``'s item and class order."""
    if isinstance(probs, (list, tuple)) or (isinstance(probs, np.ndarray) and probs.ndim == 3):
        if len(probs) == 0:
            raise InvalidParameterError("probs must hold at least one model's probabilities; got an empty list")
        return np.stack([_align_probs(p, enc) for p in probs])
    return _align_probs(probs, enc)[None]


def _agreement_with_others(enc: EncodedAnswers) -> np.ndarray:
    """Each annotator's agreement with the other annotators of the same items: the share of the
    (answer, other answer on the item) pairs with equal labels, ``NaN`` for an annotator who
    shares no item with anyone (filled with the mean of the others when some do)."""
    others = enc.item_label_counts[enc.item_idx, enc.label_idx] - 1.0
    pairs = enc.annotator_sum((enc.answers_per_item - 1)[enc.item_idx].astype(np.float64))
    agree = np.divide(enc.annotator_sum(others), pairs, out=np.full(enc.n_annotators, np.nan), where=pairs > 0)
    if np.isnan(agree).all():
        return agree
    return np.where(np.isnan(agree), np.nanmean(agree), agree)


def _consensus_agreement(enc: EncodedAnswers, hit: np.ndarray, sub_answers: np.ndarray, missing: float) -> np.ndarray:
    """Share of each annotator's answers on the items counted (``sub_answers``) that equal the
    consensus (``hit``); ``missing`` for an annotator with no answer there."""
    n_j = enc.annotator_sum(sub_answers.astype(np.float64))
    hits = enc.annotator_sum((hit & sub_answers).astype(np.float64))
    return np.divide(hits, n_j, out=np.full(enc.n_annotators, missing), where=n_j > 0)


class CrowdLab(BaseAggregator):
    r"""Consensus labels from a model's probabilities and the annotators, with per-item quality.

    CROWDLAB (Goh, Tkachenko and Mueller 2022): a classifier's out-of-fold predicted probabilities
    ``m_i`` are one more, tireless "annotator" in a weighted ensemble with the human annotators.

    Each annotator's trustworthiness is their agreement with the *other* annotators of the same
    items, ``s_j`` = share of the pairs (``j``'s answer, another answer on the item) with equal
    labels (the mean of the others' ``s`` for an annotator who shares no item; their agreement
    with the consensus when no item has two answers). Each round ``r = 1, 2, ...`` (starting from
    the majority vote, ties broken by ``m_i``):

    1. on items with at least two answers (all items if none has two), the model accuracy ``a_M``
       = share of items where ``argmax m_i`` equals the consensus, and the baseline accuracy
       ``a_0`` = share of the most frequent consensus class;
    2. weights ``w_j = max(1 - (1 - s_j)/(1 - a_0), 1e-6)`` and
       ``w_M = max(1 - (1 - a_M)/(1 - a_0), 1e-6) * sqrt(mean answers per item)`` (the model
       counts more where fewer humans looked);
    3. each answer ``l`` becomes a soft label ``P`` on ``l`` and ``(1 - P)/(K - 1)`` elsewhere,
       with ``P`` the mean over those items of the share of their answers equal to the consensus;
    4. the consensus distribution ``q_i = (w_M m_i + Σ_{j ∈ i} w_j onehot_P(l_ij)) /
       (w_M + Σ_{j ∈ i} w_j)`` and the new consensus ``argmax q_i``.

    Rounds repeat until the consensus stops changing or ``max_iter`` (cleanlab 2.9, by the
    paper's authors, stops after the first re-estimation: a run that has stopped changing by
    round 2 gives its results). ``probas_`` is ``q``, ``item_quality_[i] = q_i[labels_[i]]``
    scores how much to trust each consensus label (low: review it) and ``annotator_skill_`` is
    each annotator's agreement with the final consensus. ``annotator_quality_`` is the paper's annotator score
    ``ω Q_j + (1 - ω) A_j``: ``Q_j`` the mean ``q_i`` of the labels annotator ``j`` gave, ``A_j``
    their agreement with the consensus on items with two or more answers (``Q_j`` alone for an
    annotator with none), ``ω = w_M / (w_M + Σ_j w_j · mean answers per item / n_annotators)``.

    Parameters
    ----------
    max_iter : int, default 5
        Rounds of re-estimating the weights from the updated consensus.
    labels, duplicates, item_col, annotator_col, label_col, random_state
        As in :class:`~labelwise.aggregate.MajorityVote`.

    Notes
    -----
    ``fit(answers, probs)`` needs ``probs``: a DataFrame indexed by item with one column per
    class (extra items are ignored), or an array of shape (n_items, K) whose rows follow the
    sorted item ids and whose columns follow ``classes_`` (sorted labels or ``labels=``).

    An ensemble of P models (a list of such probabilities, or an array of shape (P, n_items, K))
    gives each model its own weight ``w_m`` from its own accuracy ``a_m`` (step 2), the sum
    ``Σ_m w_m m_i^(m)`` in place of ``w_M m_i`` in step 4 and the models' mean to break the
    majority vote's ties, as the CROWDLAB authors' ensemble version does; ``model_weight_`` is
    then an array of the P weights.

    Attributes
    ----------
    model_weight_ : float, or ndarray of shape (P,) for an ensemble of P models
    annotator_weight_ : pandas.Series indexed by annotator.
    item_quality_ : pandas.Series indexed by item.
    annotator_quality_ : pandas.Series indexed by annotator.

    References
    ----------
    .. [1] H. W. J. Goh, U. Tkachenko and J. Mueller, "CROWDLAB: Supervised learning to infer
       consensus labels and quality scores for data with multiple annotators", NeurIPS 2022
       Human in the Loop Learning Workshop, arXiv:2210.06812.
    """

    _uses_probs = True

    def __init__(
        self,
        *,
        max_iter: int = 5,
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
    ) -> None:
        self.max_iter = max_iter
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    def fit(self, answers: pd.DataFrame, probs: Any = None) -> CrowdLab:
        """Fit on the answers and the model's probabilities ``probs`` (required)."""
        if probs is None:
            raise InvalidParameterError(
                "probs is required by CrowdLab: a DataFrame indexed by item with one column per "
                "class, or an (n_items, K) array; got None"
            )
        return super().fit(answers, probs)

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[np.ndarray, np.ndarray]:
        models = _align_models(probs, enc)
        model = models[0] if len(models) == 1 else models.mean(axis=0)
        k = enc.n_classes
        shares = weighted_vote_shares(enc)
        # majority vote, ties broken by the model (the models' mean), then at random
        top = shares.max(axis=1, keepdims=True)
        tie_score = np.where(shares >= top - 1e-12, 1.0 + model, 0.0)
        codes = argmax_random_ties(tie_score, self._rng())
        multi = enc.answers_per_item >= 2
        if not multi.any():
            multi = np.ones(enc.n_items, dtype=bool)
        sub_answers = multi[enc.item_idx]
        model_pred = models.argmax(axis=2)  # (P, n_items)
        mean_answers = float(enc.answers_per_item.mean())
        s_j = _agreement_with_others(enc)
        self.converged_ = False
        for it in range(1, self.max_iter + 1):
            hit = enc.label_idx == codes[enc.item_idx]
            a_m = np.mean(model_pred[:, multi] == codes[multi], axis=1)
            a_0 = float(np.bincount(codes[multi], minlength=k).max() / multi.sum())
            denom = max(1.0 - a_0, 1e-6)
            # annotators without overlap (or none at all): their agreement with the consensus
            agree = np.where(np.isnan(s_j), _consensus_agreement(enc, hit, sub_answers, a_0), s_j)
            w_j = np.maximum(1.0 - (1.0 - agree) / denom, _MIN_WEIGHT)
            w_m = np.maximum(1.0 - (1.0 - a_m) / denom, _MIN_WEIGHT) * np.sqrt(mean_answers)
            p = float(np.clip(np.mean(enc.item_sum(hit)[multi] / enc.answers_per_item[multi]), 1e-6, 1 - 1e-6))
            w_ans = w_j[enc.annotator_idx]
            off = (1.0 - p) / (k - 1)
            human = enc.item_sum(w_ans)[:, None] * off + enc.item_class_sum(w_ans) * (p - off)
            weighted = w_m[0] * models[0] if len(models) == 1 else np.tensordot(w_m, models, axes=1)
            q = (weighted + human) / (w_m.sum() + enc.item_sum(w_ans))[:, None]
            new_codes = argmax_random_ties(q, self._rng())
            self.n_iter_ = it
            changed = not np.array_equal(new_codes, codes)
            codes = new_codes
            if not changed:
                self.converged_ = True
                break
        self._codes: np.ndarray | None = codes
        self.model_weight_ = float(w_m[0]) if len(w_m) == 1 else w_m
        self.annotator_weight_ = pd.Series(w_j, index=enc.annotator_index(), name="weight")
        self.item_quality_ = pd.Series(q[np.arange(enc.n_items), codes], index=enc.item_index(), name="quality")
        label_quality = enc.annotator_sum(q[enc.item_idx, enc.label_idx]) / np.maximum(enc.answers_per_annotator, 1)
        # the paper's blend: the model's share of the total weight on an item of mean size
        share = w_m.mean() / (w_m.mean() + w_j.sum() * mean_answers / enc.n_annotators)  # the mean model
        hit = enc.label_idx == codes[enc.item_idx]
        consensus = _consensus_agreement(enc, hit, sub_answers, np.nan)
        quality = np.where(np.isnan(consensus), label_quality, share * label_quality + (1 - share) * consensus)
        self.annotator_quality_ = pd.Series(quality, index=enc.annotator_index(), name="quality")
        return q, agreement_skill(enc, codes)

    def _hard_labels(self, post: np.ndarray, row_group: np.ndarray | None = None) -> np.ndarray:
        codes = getattr(self, "_codes", None)
        if codes is not None and row_group is None and len(codes) == post.shape[0]:
            self._codes = None
            return codes
        return super()._hard_labels(post, row_group)

    def _fit_single_class(self, enc: EncodedAnswers) -> None:
        self.model_weight_ = 1.0
        self.annotator_weight_ = pd.Series(1.0, index=enc.annotator_index(), name="weight")
        self.item_quality_ = pd.Series(1.0, index=enc.item_index(), name="quality")
        self.annotator_quality_ = pd.Series(1.0, index=enc.annotator_index(), name="quality")
