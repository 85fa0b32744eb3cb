"""Crowd segmentation masks -> one mask per item: per-pixel majority vote, and STAPLE.

Several annotators draw a binary mask of the same image (or volume); these estimators combine
them into one consensus mask per item, a foreground probability map, and how far each annotator
is from the consensus. Every computation is a pass over blocks of pixels (``block_size`` pixels
of one item at a time), so memory stays bounded whatever the image size, and a memory-mapped
``.npy`` mask is read block by block. STAPLE's EM sums its sufficient statistics per annotator
over the blocks, so any block size gives the same answer (up to floating-point summation order).

Annotators who did not draw an item are missing for that item, not background: the vote, and
STAPLE's likelihood, use only the masks that were drawn.

Input, for these estimators' ``fit(masks)`` and those of ``SegmentationEM`` and ``SegmentationRASA``:

- a long table (DataFrame) with columns ``item``, ``annotator``, ``mask`` (an array per row), or
- a mapping item -> array ``(n_annotators, H, W)`` (annotators ``0..n-1``, all present), or
- a mapping item -> {annotator: mask}.

The masks of one item must share a shape (any number of dimensions); values must be 0/1 (or bool).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_choice, check_fraction, check_positive_int
from ..errors import InvalidParameterError
from ._masks_base import _MaskAggregator
from ._masks_input import MaskSet, as_mask_set
from ._masks_labels import (
    LabelPatterns,
    LabelTable,
    initial_confusion,
    label_priors,
)
from ._masks_majority import annotator_weights, binary_shares, class_shares, dice
from ._masks_patterns import PatternTable, count_patterns, foreground_priors, m_step
from ._masks_squarem import squarem

__all__ = ["MaskMajorityVote", "STAPLE", "dice"]


class MaskMajorityVote(_MaskAggregator):
    """Per-pixel majority vote over the annotators who drew the item.

    A pixel is foreground when at least half of the item's annotators marked it: a tie (as many
    foreground votes as background ones) goes to the foreground, as in crowd-kit's
    ``SegmentationMajorityVote`` (Lee, Das Sarma & Parameswaran, 2018), whose output this equals;
    with ``weights``, at least half of their weight (crowd-kit's ``fit(data, skills)``).
    Annotators missing from an item do not vote on it. Label maps of more classes (integer values
    other than 0/1): the most frequent class wins, a tie going to the higher class value.

    Parameters
    ----------
    block_size : int, default 1_048_576
        Pixels of one item read at a time.
    classes : list of int, optional
        The classes of label maps (sorted; the first is the background); inferred from the masks when
        None. Masks within 0/1 (and ``classes=None`` or ``[0, 1]``) are binary masks.
    weights : mapping annotator -> float, optional
        Given annotator weights (> 0; a dict or Series covering every annotator): each vote counts
        its annotator's weight; ``probas_`` are then weighted shares. Default: every annotator 1.
    ignore_value : int, optional
        A mask value that is no class but "not labelled" (``-1``, VOC's ``255``): an annotator's
        ignored pixel is no vote (the others' votes decide it), a pixel every annotator ignored keeps
        the value in ``masks_`` (its ``probas_`` are all 0), and each annotator's Dice leaves out the
        pixels that annotator ignored. Masks are then label maps (0/1 masks too: classes ``[0, 1]``).

    Attributes
    ----------
    masks_ : dict item -> ndarray of bool
        The consensus mask of each item, in the item's shape; items in sorted order when their ids
        sort (the fits sum over items and annotators in that order, so any row order gives the same
        sums), else in order of appearance.
    probas_ : dict item -> ndarray of float
        Share of the item's annotators who marked each pixel; for label maps, of each class (a last
        axis of ``len(classes_)``).
    classes_ : ndarray
        The classes (``[0, 1]`` for binary masks).
    items_ : DataFrame
        Per item: ``n_annotators``, ``n_pixels``, ``foreground`` (share of consensus pixels),
        ``mean_dice`` and ``min_dice`` (Dice of each annotator's mask to the consensus).
    agreement_ : Series
        ``items_["mean_dice"]``: the item's agreement.
    annotators_ : DataFrame
        Per annotator: ``n_items`` drawn and ``mean_dice`` to the consensus.
    dice_ : Series
        Dice to the consensus per (item, annotator).

    References
    ----------
    D. J.-L. Lee, A. Das Sarma and A. Parameswaran. Aggregating crowdsourced image segmentations.
    HCOMP 2018 Works-in-Progress, CEUR Workshop Proceedings 2173 (2018).

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.aggregate import MaskMajorityVote
    >>> masks = {"img": np.array([[[1, 0], [1, 1]], [[0, 1], [1, 1]], [[0, 1], [1, 0]]])}
    >>> MaskMajorityVote().fit(masks).masks_["img"].astype(int)
    array([[0, 1],
           [1, 1]])
    """

    def __init__(
        self, block_size: int = 1 << 20, classes: Any = None, weights: Any = None, ignore_value: int | None = None
    ) -> None:
        self.block_size = block_size
        self.classes = classes
        self.weights = weights
        self.ignore_value = ignore_value

    def fit(self, masks: Any) -> MaskMajorityVote:
        """Vote every pixel of every item; see the class docstring for ``masks``."""
        block = self._check_block()
        data = as_mask_set(masks)
        weights = annotator_weights(self.weights, data)
        ignore = self._check_ignore()
        classes = self._classes(data, block, ignore)
        if classes is not None:
            shares = partial(class_shares, data, n_classes=len(classes), weights=weights, ignore=ignore is not None)
            self._fit_labels(data, block, classes, shares, ignore=ignore)
            return self
        patterns = count_patterns(data, block)
        # a share of exactly one half meets the 0.5 threshold: ties go to the foreground
        self._finish(data, block, patterns, binary_shares(data, patterns, weights), 0.5)
        return self


class STAPLE(_MaskAggregator):
    """STAPLE: simultaneous truth and performance level estimation (binary masks).

    Each annotator ``j`` has a sensitivity ``p_j = P(D_ij = 1 | T_i = 1)`` and a specificity
    ``q_j = P(D_ij = 0 | T_i = 0)``; the true label ``T_i`` of pixel ``i`` has the prior
    ``P(T_i = 1) = gamma``. EM alternates (Warfield, Zou & Wells, 2004, eqs. 15-21):

    - E-step: ``W_i = P(T_i = 1 | D, p, q) = a_i / (a_i + b_i)`` with
      ``a_i = gamma * prod_j p_j^D_ij (1 - p_j)^(1 - D_ij)`` and
      ``b_i = (1 - gamma) * prod_j q_j^(1 - D_ij) (1 - q_j)^D_ij``, the products over the
      annotators who drew the pixel's item, computed as sums of logs (a product over tens of
      annotators underflows);
    - M-step: ``p_j = sum_i W_i D_ij / sum_i W_i`` and
      ``q_j = sum_i (1 - W_i)(1 - D_ij) / sum_i (1 - W_i)``, the sums over the pixels of the
      items ``j`` drew.

    Both sums are accumulated per annotator over blocks of pixels, so the result does not depend
    on ``block_size``. The prior is the paper's global prior, the fraction of foreground
    decisions, held fixed: ``prior="all"`` computes it over all items' masks, ``prior="item"`` over
    each item's (for one item both are the paper's choice), a number fixes it. The consensus is
    ``W_i >= threshold`` (a ``W_i`` within 1e-9 of it is a tie, which goes to the foreground, whatever
    the order the sums were made in).

    Label maps of ``K > 2`` classes follow the paper's multi-category form (Warfield et al., 2004,
    section II-C; Rohlfing et al., 2004): annotator ``j`` has a confusion matrix
    ``theta[j, s', s] = P(D_ij = s' | T_i = s)``, the prior ``f(s)`` is the share of votes for
    ``s`` (over all items, or the item's), ``W_i(s) ∝ f(s) prod_j theta[j, D_ij, s]`` and
    ``theta[j, s', s] = sum_i W_i(s) [D_ij = s'] / sum_i W_i(s)``; the consensus is the most
    probable class (a tie within 1e-9 goes to the higher class). Two classes other than 0/1 (e.g.
    0/255) are the binary model with the second class as foreground.

    With ``ignore_value``, an annotator's ignored pixel is a missing decision, which the model
    marginalises out (as Dawid & Skene, 1979, do with the patients an observer did not see): the
    E-step's product for that pixel runs over the annotators who labelled it, and the annotator's
    M-step sums run over the pixels they labelled; the prior counts only labelled votes. A pixel
    every annotator ignored has ``W = 0`` for every class and keeps the ignore value in ``masks_``.

    Parameters
    ----------
    pool : {"annotator", "item"}, default "annotator"
        ``"annotator"``: one (sensitivity, specificity) per annotator over every item they drew
        (all items read as one image, which is the paper's model when there is one item);
        ``"item"``: one pair per (item, annotator), i.e. the paper's STAPLE run on each item.
    prior : {"all", "item"} or float in (0, 1), default "all"
        ``"all"`` was the more accurate on the simulated dev crowds (``benchmarks/bench_masks.py --dev``).
    init : float in (0, 1), default 0.99
        Starting sensitivity and specificity of every annotator (a good annotator).
    max_iter : int, default 200
        Most EM steps (SQUAREM's steps included).
    tol : float, default 1e-6
        Stop when one EM step moves no sensitivity or specificity by more than ``tol``. EM is
        accelerated by SQUAREM (Varadhan & Roland, 2008), which keeps EM's fixed points and never
        lowers the likelihood; plain EM is slow (linear, near a flat optimum) when few annotators
        are informative.
    threshold : float in (0, 1), default 0.5
    block_size : int, default 1_048_576
        Pixels of one item read at a time.
    classes : list of int, optional
        As in :class:`MaskMajorityVote`. ``prior`` must be ``"all"`` or ``"item"`` for more than two;
        ``threshold`` applies to two classes.
    ignore_value : int, optional
        A mask value that is no class but "not labelled" (``-1``, VOC's ``255``): a missing decision (see
        above). As in :class:`MaskMajorityVote`, the masks are then label maps (0/1 masks: classes
        ``[0, 1]``, ``probas_`` with a last axis of 2) and Dice leaves out the pixels an annotator ignored.

    Attributes
    ----------
    masks_, probas_, items_, agreement_, dice_, classes_ :
        As in :class:`MaskMajorityVote`; ``probas_`` holds ``W``.
    annotator_confusion_ : ndarray (n_annotators, K, K)
        ``theta[j, s', s]``, rows the class drawn, columns the true class (per (item, annotator) with
        ``pool="item"``, in ``dice_``'s order); for binary masks ``[[q, 1 - p], [1 - q, p]]``.
    annotator_recall_ : DataFrame
        Label maps only: ``theta[j, s, s]`` per annotator (rows) and class (columns); ``annotators_``
        has them as ``recall_<class>`` columns (``pool="annotator"``).
    annotators_ : DataFrame
        Per annotator: ``n_items``, ``mean_dice``, and (``pool="annotator"``) ``sensitivity``,
        ``specificity``.
    annotator_sensitivity_, annotator_specificity_ : Series
        Binary masks (and two classes). Indexed by annotator (``pool="annotator"``) or by (item, annotator) (``pool="item"``).
    loss_history_ : list of float
        Negative mean log-likelihood of the masks per pixel vote, at the start and after each
        SQUAREM cycle (non-increasing).
    n_iter_ : int
        EM steps taken.
    converged_ : bool
    prior_ : Series or DataFrame
        The fixed prior per item: of the foreground, or (label maps) of each class.

    References
    ----------
    A. P. Dawid and A. M. Skene. Maximum likelihood estimation of observer error-rates using the EM
    algorithm. Journal of the Royal Statistical Society C 28(1): 20-28 (1979).

    R. Varadhan and C. Roland. Simple and globally convergent methods for accelerating the
    convergence of any EM algorithm. Scandinavian Journal of Statistics 35(2): 335-353 (2008).

    S. K. Warfield, K. H. Zou and W. M. Wells. Simultaneous truth and performance level estimation
    (STAPLE): an algorithm for the validation of image segmentation. IEEE Transactions on Medical
    Imaging 23(7): 903-921 (2004).

    T. Rohlfing, D. B. Russakoff and C. R. Maurer. Performance-based classifier combination in
    atlas-based image segmentation using expectation-maximization parameter estimation. IEEE
    Transactions on Medical Imaging 23(8): 983-994 (2004).

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.aggregate import STAPLE
    >>> truth = np.zeros((8, 8), dtype=int); truth[2:6, 2:6] = 1
    >>> drawn = np.stack([truth, truth, np.roll(truth, 1, axis=1)])
    >>> model = STAPLE().fit({"img": drawn})
    >>> bool((model.masks_["img"] == truth).all())
    True
    """

    def __init__(
        self,
        pool: str = "annotator",
        prior: str | float = "all",
        init: float = 0.99,
        max_iter: int = 200,
        tol: float = 1e-6,
        threshold: float = 0.5,
        block_size: int = 1 << 20,
        classes: Any = None,
        ignore_value: int | None = None,
    ) -> None:
        self.classes = classes
        self.ignore_value = ignore_value
        self.pool = pool
        self.prior = prior
        self.init = init
        self.max_iter = max_iter
        self.tol = tol
        self.threshold = threshold
        self.block_size = block_size

    def _check_params(self) -> tuple[int, float | None]:
        check_choice("pool", self.pool, ("annotator", "item"))
        fixed = None
        if isinstance(self.prior, str):
            check_choice("prior", self.prior, ("item", "all"))
        else:
            fixed = check_fraction("prior", self.prior, closed_low=False)
        check_fraction("init", self.init, closed_low=False)
        check_fraction("threshold", self.threshold, closed_low=False)
        check_positive_int("max_iter", self.max_iter)
        if isinstance(self.tol, bool) or not isinstance(self.tol, int | float) or not self.tol >= 0:
            raise InvalidParameterError(f"tol must be a number >= 0, got {self.tol!r}")
        return self._check_block(), fixed

    def fit(self, masks: Any) -> STAPLE:
        """Run STAPLE's EM over every item; see the class docstring for ``masks``."""
        block, fixed = self._check_params()
        ignore = self._check_ignore()
        data = as_mask_set(masks)
        if self.pool == "annotator":
            slots = data.codes
        else:
            offsets = np.cumsum([0] + [len(c) for c in data.codes])
            slots = [np.arange(offsets[i], offsets[i + 1]) for i in range(len(data.codes))]
        n_slots = int(max(int(s.max()) for s in slots)) + 1
        classes = self._classes(data, block, ignore)
        if classes is not None:
            if fixed is not None and len(classes) > 2:
                raise InvalidParameterError(
                    f"prior must be 'all' or 'item' for label maps of {len(classes)} classes, got {self.prior!r}"
                )
            self._fit_classes(data, block, classes, slots, n_slots, fixed, ignore)
            return self
        n_votes = float(sum(len(c) * n for c, n in zip(data.codes, data.n_pixels, strict=True)))
        patterns = count_patterns(data, block)
        gamma = foreground_priors(data, patterns, fixed, self.prior == "item")
        table = PatternTable(patterns, slots, gamma, n_slots)

        def step(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, None]:
            stats, loglik, _ = table.em_step(theta[:n_slots], theta[n_slots:])
            new_p, new_q = m_step(stats, theta[:n_slots], theta[n_slots:])
            return self._grouped(loglik) / n_votes, np.concatenate([new_p, new_q]), None

        theta = self._solve(step, np.full(2 * n_slots, float(self.init)), slots, tile=True)
        p, q = theta[:n_slots], theta[n_slots:]
        post = table.em_step(p, q)[2]
        self._finish(data, block, patterns, post, float(self.threshold))
        self._set_annotators(data, p, q)
        self.prior_ = pd.Series(gamma, index=pd.Index(data.items, name="item"), name="prior")
        self.annotator_confusion_ = np.stack([np.stack([q, 1 - p], axis=1), np.stack([1 - q, p], axis=1)], axis=1)
        return self

    def _fit_classes(
        self, data: MaskSet, block: int, classes: np.ndarray, slots: list, n_slots: int, fixed: Any, ignore: Any
    ) -> None:
        """The multi-category STAPLE (Warfield et al., 2004, section II-C; Rohlfing et al., 2004)."""
        k = len(classes)
        state: dict = {}

        def post_of(patterns: list[LabelPatterns]) -> list[np.ndarray]:
            prior = label_priors(data, patterns, k, self.prior == "item", fixed, ignore is not None)
            table = LabelTable(patterns, slots, prior, n_slots, ignore is not None)
            n_votes = max(float(table.counts @ table.n_seen), 1.0)

            def step(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, None]:
                new, loglik, _ = table.em_step(theta.reshape(n_slots, k, k))
                return self._grouped(loglik) / n_votes, new.ravel(), None

            theta = self._solve(step, initial_confusion(n_slots, k, float(self.init)).ravel(), slots, tile=False)
            state["theta"], state["prior"] = theta.reshape(n_slots, k, k), prior
            return table.em_step(state["theta"])[2]

        self._fit_labels(data, block, classes, post_of, float(self.threshold), ignore)
        theta = state["theta"]
        self.annotator_confusion_ = theta
        index = data.annotators.rename("annotator") if self.pool == "annotator" else self.dice_.index
        if k == 2:  # two classes are the binary model: the second is the foreground
            self._set_annotators(data, theta[:, 1, 1], theta[:, 0, 0])
        elif self.pool == "annotator":
            for c, value in enumerate(classes.tolist()):
                self.annotators_[f"recall_{value}"] = theta[:, c, c]
        self.annotator_recall_ = pd.DataFrame(
            theta[:, np.arange(k), np.arange(k)], index=index, columns=pd.Index(classes, name="class")
        )
        items = pd.Index(data.items, name="item")
        self.prior_ = (
            pd.Series(state["prior"][:, 1], index=items, name="prior")
            if k == 2
            else pd.DataFrame(state["prior"], index=items, columns=pd.Index(classes, name="class"))
        )

    def _solve(self, step: Any, start: np.ndarray, slots: list, tile: bool) -> np.ndarray:
        """SQUAREM from ``start`` (slot-major, or ``tile``: all slots' p then all slots' q); with
        ``pool="item"`` each item is its own problem, with its own steplength and likelihood check."""
        groups = None
        if self.pool == "item":
            per_slot = np.repeat(np.arange(len(slots)), [len(s) for s in slots])
            groups = np.tile(per_slot, 2) if tile else np.repeat(per_slot, len(start) // len(per_slot))
        theta, history, self.n_iter_, self.converged_ = squarem(
            step, start, max_evals=int(self.max_iter), tol=float(self.tol), groups=groups
        )
        self.loss_history_: list[float] = [-h for h in history]
        return theta

    def _grouped(self, loglik: np.ndarray) -> np.ndarray:
        """The log-likelihood per SQUAREM group: per item (``pool="item"``), else one sum."""
        return loglik if self.pool == "item" else np.array([loglik.sum()])

    def _set_annotators(self, data: MaskSet, p: np.ndarray, q: np.ndarray) -> None:
        if self.pool == "annotator":
            index = data.annotators.rename("annotator")
            self.annotators_["sensitivity"] = p
            self.annotators_["specificity"] = q
        else:
            index = self.dice_.index
        self.annotator_sensitivity_ = pd.Series(p, index=index, name="sensitivity")
        self.annotator_specificity_ = pd.Series(q, index=index, name="specificity")
