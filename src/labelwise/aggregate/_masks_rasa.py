"""SegmentationRASA: RASA's reliability-weighted vote (Li & Fukumoto, 2019) applied to crowd masks, as
crowd-kit's ``SegmentationRASA`` does, or with reliabilities pooled over items as in the paper.

The weighted vote of a pixel depends only on which annotators marked it, and an annotator's IoU with
the consensus is a sum over the item's vote patterns; so the whole iteration runs on the patterns
counted in one pass over pixel blocks (:mod:`._masks_patterns`), and the answer does not depend on
``block_size``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2

from .._validate.arguments import check_choice, check_fraction
from ._masks_base import _TIE, _MaskAggregator
from ._masks_em import _two_columns, check_iterations, item_slots, slot_items
from ._masks_input import as_mask_set
from ._masks_patterns import LongTable, count_patterns

__all__ = ["SegmentationRASA"]

#: crowd-kit's bias in ``log(1 / (d + eps) + 1)``.
_EPS = 1e-5


class SegmentationRASA(_MaskAggregator):
    """SegmentationRASA: a majority vote weighted by each annotator's closeness to it (binary masks).

    Each annotator ``j`` of item ``i`` has a weight ``w_ij``; the weighted vote of pixel ``p`` is
    ``V_p = sum_j w_ij D_ijp / sum_j w_ij`` and the consensus is ``V_p >= 0.5`` (within 1e-9 of it is a
    tie, which goes to the foreground). Starting from equal weights, each step forms the consensus,
    then re-weighs every annotator by their distance to it, ``d_ij = 1 - IoU(D_ij, consensus)`` (1 when
    both are empty: distance 0), until the weighted votes move by less than ``tol``:
    ``sum_p (V_p - V'_p)^2 / sum_p V_p^2 < tol``. The returned consensus is the last step's, formed
    with the weights before that step's update (``weights_``), as in crowd-kit.

    RASA (Li & Fukumoto, 2019) aggregates sentence embeddings with one *global* reliability per
    worker, ``beta_j = chi2_isf(alpha / 2, n_j) / sum_i d_ij^2`` over the ``n_j`` tasks the worker
    did. crowd-kit's ``SegmentationRASA`` (1.4.2) departs from it, and ``pool`` chooses:

    - ``"item"``, crowd-kit's: each item on its own, ``w_ij = log(1 / (d_ij + 1e-5) + 1)`` normalised
      over the item's annotators; with ``max_iter=10``, ``tol=1e-5`` this equals crowd-kit's
      ``SegmentationRASA()``, pixel for pixel (``max_iter=None`` is 10);
    - ``"annotator"``, the paper's reliability over all items an annotator drew:
      ``w_ij = beta_j``, with ``sum_i d_ij^2`` kept above 1e-5 (as crowd-kit's ``RASA`` does);
      the tolerance is on the votes of all items together.

    Annotators who did not draw an item are missing from it, not background.

    Parameters
    ----------
    pool : {"item", "annotator"}, default "item"
    alpha : float in (0, 1), default 0.05
        ``pool="annotator"``: the chi-squared quantile's level.
    max_iter : int, optional
        Most steps (None: 10, as crowd-kit).
    tol : float, default 1e-5
    block_size : int, default 1_048_576
        Pixels of one item read at a time.
    ignore_value : int, optional
        A mask value that is no class but "not labelled" (``-1``, VOC's ``255``; not 0 or 1): an
        annotator's ignored pixel is a missing answer, as RASA's weighted mean of a task runs over the
        workers who answered it. ``V_p`` is then over the weights of the annotators who labelled ``p``,
        ``d_ij`` over the pixels ``j`` labelled, and an (item, annotator) who labelled nothing weighs 0
        (nor is one of the annotator's ``n_j`` items). A pixel every annotator ignored keeps the value
        in ``masks_``; ``masks_``, ``probas_`` (``[1 - V, V]``) and Dice are then as in
        :class:`~labelwise.aggregate.MaskMajorityVote` with an ignore value.

    Attributes
    ----------
    masks_, classes_, items_, agreement_, dice_ :
        As in :class:`~labelwise.aggregate.MaskMajorityVote`.
    probas_ : dict item -> ndarray of float
        The weighted vote ``V`` of each pixel (the share of the item's weight that marked it).
    weights_ : Series
        ``w_ij`` per (item, annotator), in ``dice_``'s order, normalised to sum to 1 over the item.
    annotators_ : DataFrame
        Per annotator: ``n_items``, ``mean_dice``, ``weight`` (the mean of ``w_ij`` over their items) and
        (``pool="annotator"``) ``reliability`` (``beta_j``).
    n_iter_ : Series
        Steps per item.
    converged_ : bool
        Every item stopped before ``max_iter``.
    loss_history_ : list of float
        The change of the weighted votes after each step (from the second), the mean over items.

    References
    ----------
    J. Li and F. Fukumoto. A dataset of crowdsourced word sequences: collections and answer
    aggregation for ground truth creation. Proceedings of the First Workshop on Aggregating and
    Analysing Crowdsourced Annotations for NLP, 24-28 (2019).

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.aggregate import SegmentationRASA
    >>> masks = {"img": np.array([[[1, 0], [1, 1]], [[0, 1], [1, 1]], [[0, 1], [1, 1]]])}
    >>> SegmentationRASA().fit(masks).masks_["img"].astype(int)
    array([[0, 1],
           [1, 1]])
    """

    def __init__(
        self,
        pool: str = "item",
        alpha: float = 0.05,
        max_iter: int | None = None,
        tol: float = 1e-5,
        block_size: int = 1 << 20,
        ignore_value: int | None = None,
    ) -> None:
        self.ignore_value = ignore_value
        self.pool = pool
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.block_size = block_size

    def fit(self, masks: Any) -> SegmentationRASA:
        """Weigh and vote every item; see :mod:`labelwise.aggregate.masks` for ``masks``."""
        check_choice("pool", self.pool, ("item", "annotator"))
        alpha = check_fraction("alpha", self.alpha, closed_low=False)
        max_iter, tol = check_iterations(self.max_iter, self.tol)
        steps = 10 if max_iter is None else max_iter
        block = self._check_block()
        ignore = self._check_ignore()
        data = as_mask_set(masks)
        slots, slot_item = item_slots(data.codes), slot_items(data.codes)
        codes = np.concatenate(data.codes)
        loop = partial(_iterate, slot_item=slot_item, codes=codes, n_ann=len(data.annotators), alpha=alpha)
        loop = partial(loop, per_item=self.pool == "item", steps=steps, tol=tol)
        if ignore is None:
            self.classes_ = np.array([0, 1])
            patterns = count_patterns(data, block)
            table = LongTable(patterns, slots, len(slot_item))
            vote, used, reliability, n_iter, history, active = loop(table)
            self._finish(data, block, patterns, np.split(vote, table.offsets), 0.5)
        else:
            fitted: list = []

            def post_of(patterns: list) -> list[np.ndarray]:
                table = LongTable(patterns, slots, len(slot_item), ignored=2)
                fitted.extend(loop(table))
                return _two_columns(table, fitted[0])

            self._fit_labels(data, block, self._binary_ignore(ignore), post_of, 0.5, ignore)
            vote, used, reliability, n_iter, history, active = fitted
        index = pd.Index(data.items, name="item")
        self.n_iter_ = pd.Series(n_iter, index=index, name="n_iter")
        self.converged_ = not active.any()
        self.loss_history_ = history
        self.weights_ = pd.Series(used, index=self.dice_.index, name="weight")
        self.annotators_["weight"] = np.bincount(codes, used, len(data.annotators)) / self.annotators_["n_items"]
        if self.pool == "annotator":
            self.annotators_["reliability"] = reliability
        return self


def _iterate(
    table: LongTable,
    slot_item: np.ndarray,
    codes: np.ndarray,
    n_ann: int,
    alpha: float,
    per_item: bool,
    steps: int,
    tol: float,
) -> tuple:
    """The loop on the patterns: weighted vote, consensus, distances, new weights. An annotator's ignored
    pixel has no row: the vote of a pixel is over its labellers' weights, the distance over the pixels the
    annotator labelled; an (item, annotator) who labelled nothing weighs 0 and, with ``per_item=False``,
    is not one of the annotator's ``n_j`` items."""
    labelled = np.bincount(table.slots, table.counts[table.rows], minlength=table.n_slots) > 0
    n_j = np.bincount(codes, labelled, minlength=n_ann)
    scale = np.where(n_j > 0, chi2.isf(alpha / 2, np.maximum(n_j, 1)), 0.0)
    weights = _normalised(np.ones(table.n_slots) * labelled, slot_item, table.n_items)
    used, vote, last = weights, np.zeros(table.n_rows), None
    reliability = np.ones(n_ann)
    active = np.ones(table.n_items, dtype=bool)
    n_iter = np.zeros(table.n_items, dtype=np.int64)
    history: list[float] = []
    for _ in range(steps):
        now = np.bincount(table.rows, weights[table.slots] * table.votes, minlength=table.n_rows)
        if table.partial:  # over the weight of the pixel's labellers (1 when all labelled it)
            weight = np.bincount(table.rows, weights[table.slots], minlength=table.n_rows)
            now = np.divide(now, weight, out=np.zeros(table.n_rows), where=weight > 0)
        vote = np.where(active[table.item], now, vote)
        used = np.where(active[slot_item], weights, used)
        distance = _distances(table, now >= 0.5 - _TIE)
        if per_item:
            new = np.log(1.0 / (distance + _EPS) + 1.0)
        else:
            reliability = scale / np.maximum(np.bincount(codes, distance**2, minlength=n_ann), _EPS)
            new = reliability[codes]
        new = _normalised(new * labelled, slot_item, table.n_items)
        weights = np.where(active[slot_item], new, weights)
        n_iter += active
        if last is not None:
            change = _change(table, now, last, per_item)
            history.append(float(change[active].mean()))
            active &= ~(change < tol)
        last = now
        if not active.any():
            break
    return vote, used, reliability, n_iter, history, active


def _normalised(weights: np.ndarray, slot_item: np.ndarray, n_items: int) -> np.ndarray:
    """Weights divided by their item's sum (left as they are where it is 0)."""
    total = np.bincount(slot_item, weights, minlength=n_items)[slot_item]
    return np.divide(weights, total, out=weights.copy(), where=total > 0)


def _distances(table: LongTable, consensus: np.ndarray) -> np.ndarray:
    """``1 - IoU`` of each (item, annotator)'s mask with the item's consensus over the pixels the annotator
    labelled (0 when both are empty)."""
    on = table.counts * consensus
    inter = np.bincount(table.slots, table.votes * on[table.rows], minlength=table.n_slots)
    drawn = np.bincount(table.slots, table.votes * table.counts[table.rows], minlength=table.n_slots)
    union = drawn + np.bincount(table.slots, on[table.rows], minlength=table.n_slots) - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, 1.0 - inter / union, 0.0)


def _change(table: LongTable, vote: np.ndarray, last: np.ndarray, per_item: bool) -> np.ndarray:
    """crowd-kit's ``sum (V - V')^2 / sum V^2`` per item (``per_item``), else over all items (0 when the
    votes are all 0)."""
    moved = np.bincount(table.item, table.counts * (vote - last) ** 2, minlength=table.n_items)
    size = np.bincount(table.item, table.counts * vote**2, minlength=table.n_items)
    if not per_item:
        moved, size = np.full(table.n_items, moved.sum()), np.full(table.n_items, size.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(size > 0, moved / size, 0.0)
