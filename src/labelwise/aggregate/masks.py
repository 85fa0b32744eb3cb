"""Crowd segmentation masks -> one mask per item: per-pixel majority vote, and STAPLE.

Several annotators draw a binary mask of the same image (or volume); these estimators combine
them into one consensus mask per item, a foreground probability map, and how far each annotator
is from the consensus. Every computation is a pass over blocks of pixels (``block_size`` pixels
of one item at a time), so memory stays bounded whatever the image size, and a memory-mapped
``.npy`` mask is read block by block. STAPLE's EM sums its sufficient statistics per annotator
over the blocks, so any block size gives the same answer (up to floating-point summation order).

Annotators who did not draw an item are missing for that item, not background: the vote, and
STAPLE's likelihood, use only the masks that were drawn.

Input, for both estimators' ``fit(masks)``:

- a long table (DataFrame) with columns ``item``, ``annotator``, ``mask`` (an array per row), or
- a mapping item -> array ``(n_annotators, H, W)`` (annotators ``0..n-1``, all present), or
- a mapping item -> {annotator: mask}.

The masks of one item must share a shape (any number of dimensions); values must be 0/1 (or bool).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator

from .._validate.arguments import check_choice, check_fraction, check_positive_int
from ..errors import InvalidParameterError
from ._masks_input import MaskSet, as_mask_set
from ._masks_patterns import Patterns, count_patterns, pixel_values
from ._masks_squarem import squarem

__all__ = ["MaskMajorityVote", "STAPLE", "dice"]

#: A probability within this of the threshold is a tie (foreground): sums made in another order
#: (another block size) must not flip a pixel whose two readings are equally likely.
_TIE = 1e-9
#: STAPLE's sensitivities and specificities are kept within [_CLIP, 1 - _CLIP] in the E-step's logs.
_CLIP = 1e-10


def dice(intersection: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    """Dice coefficient ``2|A & B| / (|A| + |B|)`` from pixel counts; 1 where both masks are empty."""
    total = np.asarray(size_a, dtype=np.float64) + np.asarray(size_b, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 2.0 * np.asarray(intersection, dtype=np.float64) / total, 1.0)


class _MaskAggregator(BaseEstimator):
    """Shared final pass: consensus masks, foreground probabilities, Dice of each annotator to the consensus."""

    block_size: int

    def _check_block(self) -> int:
        return check_positive_int("block_size", self.block_size)

    def _finish(
        self, data: MaskSet, block: int, patterns: list[Patterns], post: list[np.ndarray], threshold: float
    ) -> None:
        """``post[i][u]``: the foreground probability of item ``i``'s vote pattern ``u``; the consensus is
        ``probability >= threshold`` (within ``_TIE``: a tie is foreground). Dice comes from the
        patterns' counts; one pass writes the pixels."""
        cut = threshold - _TIE
        inter, drawn, fg = [], [], []
        for pat, w in zip(patterns, post, strict=True):
            on = pat.counts * (w >= cut)
            inter.append(on @ pat.votes)
            drawn.append(pat.counts @ pat.votes)
            fg.append(on.sum())
        probas = pixel_values(data, patterns, post, block)
        consensus = [p >= cut for p in probas]
        fg_pixels = np.rint(fg).astype(np.int64)
        scores = [dice(inter[i], drawn[i], fg_pixels[i]) for i in range(len(data.items))]
        self.masks_ = {it: c.reshape(s) for it, c, s in zip(data.items, consensus, data.shapes, strict=True)}
        self.probas_ = {it: p.reshape(s) for it, p, s in zip(data.items, probas, data.shapes, strict=True)}
        index = pd.Index(data.items, name="item")
        self.items_ = pd.DataFrame(
            {
                "n_annotators": [len(c) for c in data.codes],
                "n_pixels": data.n_pixels,
                "foreground": fg_pixels / data.n_pixels,
                "mean_dice": [float(s.mean()) for s in scores],
                "min_dice": [float(s.min()) for s in scores],
            },
            index=index,
        )
        self.agreement_ = self.items_["mean_dice"].rename("agreement")
        long_codes = np.concatenate(data.codes)
        long_dice = np.concatenate(scores)
        n_ann = len(data.annotators)
        counts = np.bincount(long_codes, minlength=n_ann)
        self.annotators_ = pd.DataFrame(
            {
                "n_items": counts,
                "mean_dice": np.bincount(long_codes, weights=long_dice, minlength=n_ann) / counts,
            },
            index=data.annotators.rename("annotator"),
        )
        self.dice_ = pd.Series(
            long_dice,
            index=pd.MultiIndex.from_arrays(
                [
                    np.repeat(np.array(data.items, dtype=object), [len(c) for c in data.codes]),
                    data.annotators[long_codes],
                ],
                names=["item", "annotator"],
            ),
            name="dice",
        )

    def fit_predict(self, masks: Any) -> dict:
        """Fit, then return ``masks_`` (item -> consensus mask)."""
        return self.fit(masks).masks_


class MaskMajorityVote(_MaskAggregator):
    """Per-pixel majority vote over the annotators who drew the item.

    A pixel is foreground when at least half of the item's annotators marked it: a tie (as many
    foreground votes as background ones) goes to the foreground, as in crowd-kit's
    ``SegmentationMajorityVote`` (Lee, Das Sarma & Parameswaran, 2018), whose output this equals.
    Annotators missing from an item do not vote on it.

    Parameters
    ----------
    block_size : int, default 1_048_576
        Pixels of one item read at a time.

    Attributes
    ----------
    masks_ : dict item -> ndarray of bool
        The consensus mask of each item, in the item's shape.
    probas_ : dict item -> ndarray of float
        Share of the item's annotators who marked each pixel.
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

    def __init__(self, block_size: int = 1 << 20) -> None:
        self.block_size = block_size

    def fit(self, masks: Any) -> MaskMajorityVote:
        """Vote every pixel of every item; see the class docstring for ``masks``."""
        block = self._check_block()
        data = as_mask_set(masks)
        patterns = count_patterns(data, block)
        # a share of exactly one half meets the 0.5 threshold: ties go to the foreground
        shares = [p.votes.sum(axis=1) / p.votes.shape[1] for p in patterns]
        self._finish(data, block, patterns, shares, 0.5)
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
    the order the sums were made in). Binary masks only: the multi-class
    generalisation (Rohlfing et al., 2004) is not implemented.

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

    Attributes
    ----------
    masks_, probas_, items_, agreement_, dice_ :
        As in :class:`MaskMajorityVote`; ``probas_`` holds ``W``.
    annotators_ : DataFrame
        Per annotator: ``n_items``, ``mean_dice``, and (``pool="annotator"``) ``sensitivity``,
        ``specificity``.
    annotator_sensitivity_, annotator_specificity_ : Series
        Indexed by annotator (``pool="annotator"``) or by (item, annotator) (``pool="item"``).
    loss_history_ : list of float
        Negative mean log-likelihood of the masks per pixel vote, at the start and after each
        SQUAREM cycle (non-increasing).
    n_iter_ : int
        EM steps taken.
    converged_ : bool

    References
    ----------
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
    ) -> None:
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
        data = as_mask_set(masks)
        if self.pool == "annotator":
            slots = data.codes
        else:
            offsets = np.cumsum([0] + [len(c) for c in data.codes])
            slots = [np.arange(offsets[i], offsets[i + 1]) for i in range(len(data.codes))]
        n_slots = int(max(int(s.max()) for s in slots)) + 1
        patterns = count_patterns(data, block)
        gamma = self._priors(data, patterns, fixed)
        n_votes = float(sum(len(c) * n for c, n in zip(data.codes, data.n_pixels, strict=True)))
        table = _PatternTable(patterns, slots, gamma, n_slots)

        def step(theta: np.ndarray) -> tuple[float, np.ndarray, None]:
            stats, loglik, _ = table.em_step(theta[:n_slots], theta[n_slots:])
            new_p, new_q = self._m_step(stats, theta[:n_slots], theta[n_slots:])
            return loglik / n_votes, np.concatenate([new_p, new_q]), None

        theta, history, self.n_iter_, self.converged_ = squarem(
            step, np.full(2 * n_slots, float(self.init)), max_evals=int(self.max_iter), tol=float(self.tol)
        )
        self.loss_history_: list[float] = [-h for h in history]
        p, q = theta[:n_slots], theta[n_slots:]
        post = table.em_step(p, q)[2]
        self._finish(data, block, patterns, post, float(self.threshold))
        self._set_annotators(data, p, q)
        self.prior_ = pd.Series(gamma, index=pd.Index(data.items, name="item"), name="prior")
        return self

    def _priors(self, data: MaskSet, patterns: list[Patterns], fixed: float | None) -> np.ndarray:
        """The fixed foreground prior of each item: the share of its pixel votes that are foreground."""
        if fixed is not None:
            return np.full(len(data.items), fixed)
        ones = np.array([p.counts @ p.votes.sum(axis=1) for p in patterns])
        totals = data.n_pixels * np.array([len(c) for c in data.codes], dtype=np.float64)
        if self.prior == "all":
            return np.full(len(data.items), ones.sum() / totals.sum())
        return ones / totals

    @staticmethod
    def _m_step(stats: np.ndarray, p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Warfield et al.'s eqs. (20)-(21); an annotator with no expected foreground (background)
        pixel keeps its sensitivity (specificity)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            new_p = np.where(stats[1] > 0, stats[0] / stats[1], p)
            new_q = np.where(stats[3] > 0, stats[2] / stats[3], q)
        return new_p, new_q

    def _set_annotators(self, data: MaskSet, p: np.ndarray, q: np.ndarray) -> None:
        if self.pool == "annotator":
            index = data.annotators.rename("annotator")
            self.annotators_["sensitivity"] = p
            self.annotators_["specificity"] = q
        else:
            index = self.dice_.index
        self.annotator_sensitivity_ = pd.Series(p, index=index, name="sensitivity")
        self.annotator_specificity_ = pd.Series(q, index=index, name="specificity")


class _PatternTable:
    """Every item's vote patterns as one long table (pattern, slot, vote), so that an EM step is a few
    ``bincount`` calls over all items at once (no loop over items)."""

    def __init__(self, patterns: list[Patterns], slots: list[np.ndarray], gamma: np.ndarray, n_slots: int) -> None:
        sizes = np.array([len(p.counts) for p in patterns])
        self.offsets = np.cumsum(sizes)[:-1]
        self.n_rows, self.n_slots = int(sizes.sum()), n_slots
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.rows = np.concatenate(
            [np.repeat(np.arange(u) + o, len(s)) for u, o, s in zip(sizes, starts, slots, strict=True)]
        )
        self.slots = np.concatenate([np.tile(s, u) for u, s in zip(sizes, slots, strict=True)])
        self.votes = np.concatenate([p.votes.ravel() for p in patterns])
        self.counts = np.concatenate([p.counts for p in patterns])
        g = np.repeat(gamma, sizes)
        with np.errstate(divide="ignore"):  # a prior of 0 (1): log_a (log_b) = -inf, W = 0 (1)
            self.log_g, self.log_1g = np.log(g), np.log1p(-g)

    def em_step(self, p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, float, list[np.ndarray]]:
        """E-step (Warfield et al., eq. 19, in logs: a product over tens of annotators underflows) on every
        pattern, each weighing its pixel count, and the M-step's sums per slot: rows are sum W D,
        sum W, sum (1 - W)(1 - D), sum (1 - W). Also the log-likelihood and ``W`` per item's pattern."""
        log_p, log_1p, log_q, log_1q = (t[self.slots] for t in _log_terms(p, q))
        v = self.votes
        log_a = self.log_g + np.bincount(self.rows, v * log_p + (1.0 - v) * log_1p, minlength=self.n_rows)
        log_b = self.log_1g + np.bincount(self.rows, v * log_1q + (1.0 - v) * log_q, minlength=self.n_rows)
        w = expit(log_a - log_b)
        on, off = (self.counts * w)[self.rows], (self.counts * (1.0 - w))[self.rows]
        stats = np.stack(
            [np.bincount(self.slots, x, minlength=self.n_slots) for x in (on * v, on, off * (1.0 - v), off)]
        )
        loglik = float(self.counts @ np.logaddexp(log_a, log_b))
        return stats, loglik, np.split(w, self.offsets)


def _log_terms(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, ...]:
    p = np.clip(p, _CLIP, 1 - _CLIP)
    q = np.clip(q, _CLIP, 1 - _CLIP)
    return np.log(p), np.log1p(-p), np.log(q), np.log1p(-q)
