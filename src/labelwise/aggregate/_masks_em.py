"""SegmentationEM: a one-coin EM per item over crowd masks (Lee, Das Sarma & Parameswaran, 2018), as
crowd-kit's ``SegmentationEM`` computes it, or with a fixed per-item prior (a textbook EM).

Each annotator ``j`` of item ``i`` has one accuracy ``e_ij``, the probability that a pixel of the
item is marked as it truly is (foreground or background alike); pixels no annotator marked are
background. With one parameter per (item, annotator) and a prior that depends only on a pixel's
votes, the posterior of a pixel is a function of its vote pattern, so EM runs on each item's
patterns (:mod:`._masks_patterns`, counted in one pass over pixel blocks): the answer does not
depend on ``block_size``, and a memory-mapped mask is read block by block.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from .._validate.arguments import check_choice, check_fraction, check_positive_int
from ..errors import InvalidParameterError
from ._masks_base import _TIE, _MaskAggregator
from ._masks_input import as_mask_set
from ._masks_patterns import LongTable, count_patterns

__all__ = ["SegmentationEM", "item_slots", "slot_items"]

#: crowd-kit's ``eps``: a posterior below it is set to 0 (``prior="posterior"``).
_EPS = 1e-15
#: Accuracies are kept within [_CLIP, 1 - _CLIP] in the logs of ``prior="item"``.
_CLIP = 1e-10


def item_slots(codes: list[np.ndarray]) -> list[np.ndarray]:
    """One parameter slot per (item, annotator), numbered in the items' order (``dice_``'s order)."""
    offsets = np.cumsum([0] + [len(c) for c in codes])
    return [np.arange(offsets[i], offsets[i + 1]) for i in range(len(codes))]


def slot_items(codes: list[np.ndarray]) -> np.ndarray:
    """The item of each (item, annotator) slot of :func:`item_slots`."""
    return np.repeat(np.arange(len(codes)), [len(c) for c in codes])


def check_iterations(max_iter: Any, tol: Any) -> tuple[int | None, float]:
    """``max_iter`` (None or an int >= 1) and ``tol`` (a number >= 0), checked."""
    if max_iter is not None:
        check_positive_int("max_iter", max_iter)
    if isinstance(tol, bool) or not isinstance(tol, int | float) or not tol >= 0:
        raise InvalidParameterError(f"tol must be a number >= 0, got {tol!r}")
    return max_iter, float(tol)


class SegmentationEM(_MaskAggregator):
    """SegmentationEM: one accuracy per annotator (or per annotator of each item), estimated by EM (binary masks).

    The model of Lee, Das Sarma & Parameswaran (2018), their "basic" worker model: annotator ``j``
    of item ``i`` marks each pixel correctly with probability ``e_ij``; the items are independent.
    With ``pool="annotator"`` (the default) ``e_ij = e_j`` for every item ``j`` drew: the M-step's
    sums below run over all those items (``e_j = 1 - sum_i (...) / sum_i R_i``), and the items are one
    model, iterated and stopped together.
    Only the pixels some annotator marked (the item's *region*, of ``R_i`` pixels) are in play; the
    others are background, with a posterior of 0. The M-step is
    ``e_ij = 1 - (|D_ij| + sum_p W_p - 2 sum_p W_p D_ijp) / R_i``, the expected share of the region
    the annotator got right; the E-step is Bayes' rule,
    ``W_p ∝ prior_p prod_j e_ij^[D_ijp = 1] (1 - e_ij)^[D_ijp = 0]`` against
    ``(1 - prior_p) prod_j e_ij^[D_ijp = 0] (1 - e_ij)^[D_ijp = 1]``. Both start from the majority
    vote (a pixel marked by more than half of the item's annotators). A pixel is foreground when
    ``W_p > threshold`` (within 1e-9 of it is a tie, which goes to the background, as in crowd-kit's
    ``W > 0.5``).

    The prior is where crowd-kit's code (1.4.2) departs from an EM of this model, and ``prior``
    chooses:

    - ``"posterior"``, crowd-kit's: each pixel's prior starts at its vote share and, after each step,
      becomes the pixel's posterior, so every step multiplies the votes' likelihood in once more;
      posteriors below 1e-15 are set to 0 (a pixel then stays background), and an item stops when its
      crowd-kit evidence lower bound (per pixel vote; it counts the prior's log once per annotator and
      leaves out ``(1 - W) log(1 - W)``) rises by less than ``tol`` (``pool="annotator"``: the bound
      of all items). With ``pool="item"``, ``max_iter=10``, ``tol=1e-5`` this equals crowd-kit's
      ``SegmentationEM()``, pixel for pixel (``max_iter=None`` is 10 here).
    - ``"item"``: one foreground prior per item, ``pi_i``, estimated in the M-step as the mean
      posterior over the region: EM of the model, whose likelihood never decreases
      (``loss_history_``). It stops when no accuracy and no prior moves by more than ``tol``.
      ``max_iter=None`` is 100 here.

    Annotators who did not draw an item are missing from it, not background (as in crowd-kit, whose
    items hold only the masks drawn). An item whose annotators marked nothing is empty, its
    annotators' accuracy 1 (crowd-kit returns the empty mask and no accuracy).

    Parameters
    ----------
    pool : {"annotator", "item"}, default "annotator"
        ``"annotator"``: one accuracy per annotator over every item they drew; ``"item"``: one per
        (item, annotator), each item its own EM (Lee et al.'s and crowd-kit's). ``"annotator"`` was the
        more accurate on simulated crowds by a rule written before the runs
        (``benchmarks/dev_masks_em_pool.py``; ``benchmarks/RESULTS.md``, session 40).
    prior : {"posterior", "item"}, default "posterior"
        ``"posterior"`` (crowd-kit's) was the more accurate on the simulated dev crowds (the one-coin
        model's EM follows an annotator who draws little: most of the region is background), see
        ``benchmarks/RESULTS.md``.
    max_iter : int, optional
        Most EM steps per item (None: 10 with ``prior="posterior"``, as crowd-kit; 100 with ``"item"``).
    tol : float, default 1e-5
    threshold : float in (0, 1), default 0.5
    block_size : int, default 1_048_576
        Pixels of one item read at a time.
    ignore_value : int, optional
        A mask value that is no class but "not labelled" (``-1``, VOC's ``255``; not 0 or 1): an
        annotator's ignored pixel is a missing rating, as in Dawid & Skene (1979). It is no factor of
        that pixel's E-step, nor in the annotator's M-step: ``e_ij``'s sums and ``R_ij`` run over the
        region's pixels ``j`` labelled. A pixel's vote share (the crowd-kit prior's start, and the
        majority vote the EM starts from) is over the annotators who labelled it; a pixel every
        annotator ignored keeps the value in ``masks_``. As in :class:`~labelwise.aggregate.MaskMajorityVote`,
        ``masks_`` are then label maps of ``[0, 1]`` and the value, ``probas_`` have a last axis of 2
        (``[1 - W, W]``, ``[0, 0]`` where nobody labelled), and Dice leaves out the pixels an annotator ignored.

    Attributes
    ----------
    masks_, probas_, classes_, items_, agreement_, dice_ :
        As in :class:`~labelwise.aggregate.MaskMajorityVote`; ``probas_`` holds ``W``.
    annotator_accuracy_ : Series
        ``e_j`` per annotator (``pool="annotator"``), or ``e_ij`` per (item, annotator), in ``dice_``'s order.
    annotators_ : DataFrame
        Per annotator: ``n_items``, ``mean_dice`` and ``accuracy`` (``e_j``, or the mean of ``e_ij`` over
        their items).
    prior_ : Series
        ``prior="item"``: ``pi_i`` per item.
    n_iter_ : Series
        EM steps per item (all the same with ``pool="annotator"``).
    converged_ : bool
        Every item stopped before ``max_iter``.
    loss_history_ : list of float
        After each step, the loss per pixel vote (``prior="item"``: the negative log-likelihood of the
        region's votes; ``"posterior"``: crowd-kit's negated bound): of all items with
        ``pool="annotator"``, else the mean over items of each item's (an item that stopped keeps its last).

    References
    ----------
    D. J.-L. Lee, A. Das Sarma and A. Parameswaran. Aggregating crowdsourced image segmentations.
    HCOMP 2018 Works-in-Progress, CEUR Workshop Proceedings 2173 (2018).

    A. P. Dawid and A. M. Skene. Maximum likelihood estimation of observer error-rates using the EM
    algorithm. Journal of the Royal Statistical Society C 28(1): 20-28 (1979).

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.aggregate import SegmentationEM
    >>> masks = {"img": np.array([[[1, 0], [1, 1]], [[0, 1], [1, 1]], [[0, 1], [1, 1]]])}
    >>> SegmentationEM().fit(masks).masks_["img"].astype(int)
    array([[0, 1],
           [1, 1]])
    """

    def __init__(
        self,
        prior: str = "posterior",
        max_iter: int | None = None,
        tol: float = 1e-5,
        threshold: float = 0.5,
        block_size: int = 1 << 20,
        ignore_value: int | None = None,
        pool: str = "annotator",
    ) -> None:
        self.pool = pool
        self.prior = prior
        self.max_iter = max_iter
        self.tol = tol
        self.threshold = threshold
        self.block_size = block_size
        self.ignore_value = ignore_value

    def fit(self, masks: Any) -> SegmentationEM:
        """Run EM on every item; see :mod:`labelwise.aggregate.masks` for ``masks``."""
        check_choice("prior", self.prior, ("item", "posterior"))
        pooled = check_choice("pool", self.pool, ("item", "annotator")) == "annotator"
        max_iter, tol = check_iterations(self.max_iter, self.tol)
        threshold = check_fraction("threshold", self.threshold, closed_low=False)
        block = self._check_block()
        ignore = self._check_ignore()
        data = as_mask_set(masks)
        slots, slot_item = item_slots(data.codes), slot_items(data.codes)
        if pooled:  # one slot per annotator; every item moves (and stops) together: slot 'items' all 0
            slots, slot_item = data.codes, np.zeros(len(data.annotators), dtype=np.intp)
        steps = max_iter if max_iter is not None else (10 if self.prior == "posterior" else 100)
        run = partial(_crowdkit if self.prior == "posterior" else _fixed_prior, pooled=pooled)
        # a posterior within _TIE of the threshold is a tie, which goes to the background
        cut = threshold + 2 * _TIE
        if ignore is None:
            self.classes_ = np.array([0, 1])
            patterns = count_patterns(data, block)
            table = LongTable(patterns, slots, len(slot_item))
            post, acc, pi, n_iter, history, active = run(table, slot_item, steps, tol)
            self._finish(data, block, patterns, np.split(post, table.offsets), cut)
        else:
            fitted: list = []

            def post_of(patterns: list) -> list[np.ndarray]:
                table = LongTable(patterns, slots, len(slot_item), ignored=2)
                fitted.extend(run(table, slot_item, steps, tol))
                return _two_columns(table, fitted[0])

            self._fit_labels(data, block, self._binary_ignore(ignore), post_of, cut, ignore)
            post, acc, pi, n_iter, history, active = fitted
        codes = np.concatenate(data.codes)
        if pooled:
            self.annotator_accuracy_ = pd.Series(acc, index=data.annotators.rename("annotator"), name="accuracy")
            self.annotators_["accuracy"] = acc
        else:
            self.annotator_accuracy_ = pd.Series(acc, index=self.dice_.index, name="accuracy")
            self.annotators_["accuracy"] = np.bincount(codes, acc, len(data.annotators)) / self.annotators_["n_items"]
        items = pd.Index(data.items, name="item")
        if pi is not None:
            self.prior_ = pd.Series(pi, index=items, name="prior")
        elif hasattr(self, "prior_"):  # from an earlier fit with prior="item"
            del self.prior_
        self.n_iter_ = pd.Series(n_iter, index=items, name="n_iter")
        self.converged_ = not active.any()
        self.loss_history_ = history
        return self


def _two_columns(table: LongTable, post: np.ndarray) -> list[np.ndarray]:
    """Per item, ``[1 - W, W]`` of each pattern, ``[0, 0]`` where nobody labelled it (the ignore value)."""
    return np.split(np.stack([(table.n_seen > 0) * (1.0 - post), post], axis=1), table.offsets)


def _region(table: LongTable) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per pattern: in the region (some vote); per item: the region's pixels (at least 1); per slot: the
    region's pixels the annotator labelled (at least 1; the item's region when nobody ignored a pixel)
    and the pixels the annotator marked."""
    marked = np.bincount(table.rows, table.votes, minlength=table.n_rows) > 0
    in_region = table.counts * marked
    region = np.bincount(table.item, in_region, minlength=table.n_items)
    seen = np.bincount(table.slots, in_region[table.rows], minlength=table.n_slots)
    sizes = np.bincount(table.slots, table.votes * table.counts[table.rows], minlength=table.n_slots)
    return marked, np.maximum(region, 1.0), np.maximum(seen, 1.0), sizes


def _accuracy(table: LongTable, post: np.ndarray, seen: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The M-step: ``1 - (|D_j| + sum W - 2 sum W D_j) / R_j`` per (item, annotator) slot, the sums over
    the region's pixels the annotator labelled (the same sums, in the same order, as the item's when
    nobody ignored a pixel)."""
    mass = table.counts * post
    total = np.bincount(table.slots, mass[table.rows], minlength=table.n_slots)
    both = np.bincount(table.slots, table.votes * mass[table.rows], minlength=table.n_slots)
    return 1.0 - (sizes + total - 2.0 * both) / seen


def _vote_share(table: LongTable) -> np.ndarray:
    """Per pattern: the share of its labellers who marked it (0 where nobody labelled it)."""
    marks = np.bincount(table.rows, table.votes, minlength=table.n_rows)
    return np.divide(marks, table.n_seen, out=np.zeros(table.n_rows), where=table.n_seen > 0)


def _crowdkit(table: LongTable, slot_item: np.ndarray, steps: int, tol: float, pooled: bool = False) -> tuple:
    """crowd-kit 1.4.2's loop, on the patterns: the per-pixel prior becomes the posterior each step.
    The logs and the ratio of exponentials are crowd-kit's, so that the posteriors match to rounding."""
    _, _, seen, sizes = _region(table)
    # the item's pixel votes (its annotators times its pixels when nobody ignored a pixel)
    votes = np.bincount(table.item, table.counts * table.n_seen, minlength=table.n_items)
    n_votes = np.maximum(votes, 1.0)
    prior = _vote_share(table)
    acc = _accuracy(table, np.round(prior), seen, sizes)  # round(0.5) = 0: a tie is background
    active = np.ones(table.n_items, dtype=bool)
    loss = np.full(table.n_items, -np.inf)
    n_iter = np.zeros(table.n_items, dtype=np.int64)
    history: list[float] = []
    v = table.votes
    for _ in range(steps):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ws = acc[table.slots] * v + (1.0 - acc[table.slots]) * (1.0 - v)
            pos = np.log(prior) + np.bincount(table.rows, np.log(ws), minlength=table.n_rows)
            neg = np.log(1.0 - prior) + np.bincount(table.rows, np.log(1.0 - ws), minlength=table.n_rows)
            post = np.nan_to_num(np.exp(pos) / (np.exp(pos) + np.exp(neg)), nan=0)
            post[post < _EPS] = 0
            new_acc = _accuracy(table, post, seen, sizes)
            # crowd-kit's bound: the prior's log in every annotator's term, no (1 - W) log(1 - W)
            ws = new_acc[table.slots] * v + (1.0 - new_acc[table.slots]) * (1.0 - v)
            w_rows, log_prior, log_1prior = post[table.rows], np.log(prior)[table.rows], np.log(1.0 - prior)[table.rows]
            terms = np.nan_to_num((np.log(ws) + log_prior) * w_rows, nan=0) + np.nan_to_num(
                (np.log(1.0 - ws) + log_1prior) * (1.0 - w_rows), nan=0
            )
            per_row = np.bincount(table.rows, terms, minlength=table.n_rows) - np.nan_to_num(np.log(post) * post, nan=0)
            # nan_to_num makes a log(0) term -1.8e308, as crowd-kit's does: times a count it is -inf
            elbo = np.bincount(table.item, table.counts * per_row, minlength=table.n_items) / n_votes
            if pooled:  # one model of all items: one bound (per pixel vote), one stop
                elbo = np.full(table.n_items, (elbo * votes).sum() / max(votes.sum(), 1.0))
        prior = np.where(active[table.item], post, prior)
        acc = np.where(active[slot_item], new_acc, acc)
        n_iter += active
        with np.errstate(invalid="ignore"):  # -inf - -inf: NaN, not below tol, as in crowd-kit
            stop = active & (elbo - loss < tol)
        loss = np.where(active, elbo, loss)
        history.append(float(-loss.mean()))
        active &= ~stop
        if not active.any():
            break
    return prior, acc, None, n_iter, history, active


def _e_step(table: LongTable, marked: np.ndarray, acc: np.ndarray, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior of each pattern (0 outside the region) and each item's log-likelihood (in logs: a
    product over tens of annotators underflows)."""
    v = table.votes
    a = np.clip(acc, _CLIP, 1 - _CLIP)[table.slots]
    g = np.clip(pi, _CLIP, 1 - _CLIP)[table.item]
    log_a = np.log(g) + np.bincount(table.rows, v * np.log(a) + (1 - v) * np.log1p(-a), minlength=table.n_rows)
    log_b = np.log1p(-g) + np.bincount(table.rows, v * np.log1p(-a) + (1 - v) * np.log(a), minlength=table.n_rows)
    post = np.where(marked, expit(log_a - log_b), 0.0)
    loglik = np.bincount(table.item, table.counts * marked * np.logaddexp(log_a, log_b), minlength=table.n_items)
    return post, loglik


def _fixed_prior(table: LongTable, slot_item: np.ndarray, steps: int, tol: float, pooled: bool = False) -> tuple:
    """EM of the one-coin model with one foreground prior per item, over the region's patterns."""
    marked, region, seen, sizes = _region(table)
    n_votes = np.maximum(np.bincount(table.item, table.counts * marked * table.n_seen, minlength=table.n_items), 1.0)
    post = np.where(marked & (_vote_share(table) > 0.5), 1.0, 0.0)  # the majority vote, a tie background
    acc = _accuracy(table, post, seen, sizes)
    pi = np.bincount(table.item, table.counts * post, minlength=table.n_items) / region
    active = np.ones(table.n_items, dtype=bool)
    n_iter = np.zeros(table.n_items, dtype=np.int64)
    history: list[float] = []
    for _ in range(steps):
        post, loglik = _e_step(table, marked, acc, pi)
        new_acc = _accuracy(table, post, seen, sizes)
        new_pi = np.bincount(table.item, table.counts * post, minlength=table.n_items) / region
        moved = np.abs(new_pi - pi)
        np.maximum.at(moved, slot_item, np.abs(new_acc - acc))
        if pooled:  # one model of all items: one stop
            moved = np.full(table.n_items, moved.max())
        acc = np.where(active[slot_item], new_acc, acc)
        pi = np.where(active, new_pi, pi)
        n_iter += active
        history.append(float(-loglik.sum() / n_votes.sum() if pooled else (-loglik / n_votes).mean()))
        active &= moved > tol
        if not active.any():
            break
    return _e_step(table, marked, acc, pi)[0], acc, pi, n_iter, history, active
