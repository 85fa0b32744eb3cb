"""Gold majority vote: annotators weighted by their accuracy on items of known label."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from .._validate.arguments import check_choice, show
from ..errors import AnnotationError, InvalidParameterError, LabelwiseWarning
from ._answers import EncodedAnswers
from ._base import BaseAggregator
from ._sparse_votes import answer_cells, dense_too_large
from .majority import vote_shares

__all__ = ["GoldMajorityVote", "MISSING_SKILL", "gold_series"]

MISSING_SKILL = ("error", "ignore", "value")


def gold_series(gold: Any, name: str = "gold") -> pd.Series:
    """``gold`` as a Series of true labels indexed by item, missing labels dropped.

    Accepts a Series (item -> label), a mapping, or a DataFrame with columns ``item`` and
    ``label`` (or exactly two columns: item, then label). Raises
    :class:`~labelwise.errors.InvalidParameterError` naming ``name`` otherwise, or when no
    label is left, or when an item has two different gold labels.
    """
    if isinstance(gold, pd.DataFrame):
        if {"item", "label"} <= set(gold.columns):
            gold = pd.Series(gold["label"].to_numpy(), index=gold["item"].to_numpy())
        elif gold.shape[1] == 2:
            gold = pd.Series(gold.iloc[:, 1].to_numpy(), index=gold.iloc[:, 0].to_numpy())
        else:
            raise InvalidParameterError(
                f"{name} must be a Series (item -> label) or a table with columns item and label, "
                f"got a DataFrame with columns {[str(c) for c in gold.columns]}"
            )
    elif isinstance(gold, Mapping):
        gold = pd.Series(dict(gold), dtype=object)
    elif not isinstance(gold, pd.Series):
        raise InvalidParameterError(
            f"{name} must be a Series (item -> label), a mapping or a table with columns item and label, "
            f"got {type(gold).__name__}"
        )
    gold = gold[gold.notna()]
    if gold.empty:
        raise InvalidParameterError(f"{name} must give the true label of at least one item, got none")
    clash = gold.groupby(level=0).nunique() > 1
    if clash.any():
        raise InvalidParameterError(
            f"{name} must give one label per item: item {clash.index[clash.argmax()]!r} has "
            f"{sorted(map(str, gold.loc[[clash.index[clash.argmax()]]].unique()))}"
        )
    return gold[~gold.index.duplicated(keep="last")]


class GoldMajorityVote(BaseAggregator):
    """Majority vote weighted by each annotator's accuracy on gold (known-label) items.

    Each annotator's skill is the share of their answers on gold items that equal the gold label;
    then ``probas_[i, k] = sum_{j : y_ij = k} s_j / sum_j s_j`` and ``labels_[i]`` its argmax
    (seeded random ties), as crowd-kit's ``GoldMajorityVote``. Every item is aggregated, gold
    items too (from the answers, not copied from ``gold``).

    Annotators without an answer on a gold item follow ``on_missing_skill``, as in crowd-kit:
    ``"error"`` (the default) raises :class:`~labelwise.errors.AnnotationError` naming them;
    ``"ignore"`` drops their answers (an item answered only by them is an error, as in
    crowd-kit); ``"value"`` gives them ``default_skill``. An item whose annotators all have skill
    0 (every gold answer wrong) keeps its plain vote shares (crowd-kit's shares are 0/0 there).
    Gold items that nobody answered are not used; a gold label that no answer uses counts every
    answer on that item as wrong; when no gold label is a class (``"cat "`` for ``"cat"``) a
    :class:`~labelwise.errors.LabelwiseWarning` says so.

    ``gold_accuracy_`` is each annotator's accuracy on gold (NaN without gold answers),
    ``n_gold_answers_`` their answers on gold items, and ``annotator_skill_`` the weight used
    (0 for ignored annotators). Above a dense table's byte budget (free-text answers) the votes are
    counted on the answered (item, label) cells alone, with the same results, as in
    :class:`~labelwise.aggregate.MajorityVote` (``probas_sparse_``).

    Parameters
    ----------
    gold : Series, mapping or DataFrame
        The true label of some items: a Series indexed by item, a mapping item -> label, or a table
        with columns ``item`` and ``label``. Required to fit.
    on_missing_skill : {"error", "ignore", "value"}, default "error"
        What to do with annotators who answered no gold item.
    default_skill : float in [0, 1] or None, default None
        The weight of those annotators with ``on_missing_skill="value"`` (required then, and only
        then).
    labels, duplicates, item_col, annotator_col, label_col
        As in :class:`~labelwise.aggregate.MajorityVote`.
    random_state : int, Generator or None, default 0
        Seeds the tie-breaking.

    References
    ----------
    .. [1] Ustalov, D., Pavlichenko, N. and Tseitlin, B. (2024). "Learning from crowds with
       Crowd-Kit." Journal of Open Source Software 9(96), 6227 (``GoldMajorityVote``).
    .. [2] Oleson, D. et al. (2011). "Programmatic gold: targeted and scalable quality assurance
       in crowdsourcing." AAAI Workshop on Human Computation.
    """

    def __init__(
        self,
        *,
        gold: Any = None,
        on_missing_skill: str = "error",
        default_skill: float | None = None,
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
    ) -> None:
        self.gold = gold
        self.on_missing_skill = on_missing_skill
        self.default_skill = default_skill
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    def _check_params(self) -> None:
        super()._check_params()
        check_choice("on_missing_skill", self.on_missing_skill, MISSING_SKILL)
        value = self.on_missing_skill == "value"
        given = self.default_skill is not None
        if value != given:
            raise InvalidParameterError(
                "default_skill must be given exactly when on_missing_skill='value', got "
                f"default_skill={self.default_skill!r} with on_missing_skill={self.on_missing_skill!r}"
            )
        if given and (
            isinstance(self.default_skill, bool)
            or not isinstance(self.default_skill, (int, float, np.integer, np.floating))
            or not 0.0 <= float(self.default_skill) <= 1.0
        ):
            raise InvalidParameterError(f"default_skill must be a number in [0, 1], got {self.default_skill!r}")
        if self.gold is None:
            raise InvalidParameterError(
                "gold must give the true labels of some items (a Series item -> label or a table with "
                "columns item and label) for GoldMajorityVote, got None"
            )
        gold_series(self.gold)

    _any_k = True  # sparse shares above DENSE_BYTES_LIMIT

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[Any, np.ndarray]:
        gold = gold_series(self.gold)
        items = enc.item_index().get_indexer(gold.index)
        known = items >= 0
        if not known.any():
            raise AnnotationError(
                f"gold shares no item with the answers ({len(gold)} gold items, e.g. {list(gold.index[:3])}; "
                f"answer items e.g. {list(enc.item_index()[:3])})"
            )
        truth = np.full(enc.n_items, -2, dtype=np.int64)  # -2: no gold; -1: a gold label no answer uses
        truth[items[known]] = enc.class_index().get_indexer(gold.to_numpy()[known])
        if (truth[items[known]] < 0).all():  # every weight 0: the plain vote, which gold did not weigh
            first = int(np.flatnonzero(known)[0])
            warn_at_caller(
                LabelwiseWarning(
                    f"gold labels name none of the answers' classes {enc.class_index().tolist()} (item "
                    f"{show(gold.index[first])} has {show(gold.iloc[first])}): every annotator's skill is 0 and "
                    "the labels are the plain vote; check the spelling, case and spaces of gold"
                )
            )
        answer_truth = truth[enc.item_idx]
        on_gold = answer_truth > -2
        n_gold = enc.annotator_sum(on_gold.astype(np.float64))
        hits = enc.annotator_sum((answer_truth == enc.label_idx).astype(np.float64))
        accuracy = np.divide(hits, n_gold, out=np.full(enc.n_annotators, np.nan), where=n_gold > 0)
        self.gold_accuracy_ = pd.Series(accuracy, index=enc.annotator_index(), name="gold_accuracy")
        self.n_gold_answers_ = pd.Series(n_gold.astype(np.int64), index=enc.annotator_index(), name="n_gold_answers")
        missing = n_gold == 0
        weight = np.where(missing, 0.0, accuracy)
        if missing.any():
            self._missing(enc, missing, weight)
        cells = answer_cells(enc) if dense_too_large(enc.n_items, enc.n_classes) else None
        ignored = missing if self.on_missing_skill == "ignore" else np.zeros_like(missing)
        # an item whose weights are all 0: the plain vote of the answers kept
        return vote_shares(enc, weight, cells, (~ignored).astype(np.float64)), weight

    def _missing(self, enc: EncodedAnswers, missing: np.ndarray, weight: np.ndarray) -> None:
        """Apply ``on_missing_skill`` to the annotators without gold answers (``weight`` in place)."""
        names = list(enc.annotator_index()[missing][:5])
        if self.on_missing_skill == "error":
            raise AnnotationError(
                f"{int(missing.sum())} annotator(s) answered no gold item (e.g. {names}), so gold gives them no "
                "skill; give gold labels for their items, or set on_missing_skill='ignore' (drop their answers) "
                "or on_missing_skill='value' with a default_skill"
            )
        if self.on_missing_skill == "value":
            weight[missing] = float(self.default_skill)  # type: ignore[arg-type]
            return
        kept = enc.item_sum((~missing[enc.annotator_idx]).astype(np.float64))
        orphan = kept == 0
        if orphan.any():
            raise AnnotationError(
                f"on_missing_skill='ignore' leaves {int(orphan.sum())} item(s) without answers (e.g. "
                f"{list(enc.item_index()[orphan][:5])}): only annotators without gold answers answered them"
            )
