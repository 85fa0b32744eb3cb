"""Label maps of K > 2 classes for :mod:`labelwise.aggregate.masks`: vote patterns, STAPLE's
multi-category EM, the vote, and per-class Dice.

As for binary masks (:mod:`._masks_patterns`), a pixel's posterior depends only on its *vote
pattern*, here the class each of the item's annotators gave it. One pass over blocks of pixels
counts each item's patterns: a pattern's key is the mixed-radix number ``sum_j c_j K^j`` of its class
indices (a table of ``K^a`` cells when that is at most :data:`DENSE_CELLS`, sorted ``int64`` keys
while ``K^a`` fits in 62 bits, sorted rows of class indices above). Counts are integers, so any block
size gives the same patterns, in the same (sorted) order, exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from .._chunks import row_blocks
from .._validate.arguments import show
from ..errors import InvalidLabelsError, InvalidParameterError
from ._masks_input import MaskSet
from ._masks_patterns import LongTable

__all__ = [
    "LabelPatterns",
    "LabelTable",
    "all_bool",
    "check_classes",
    "consensus",
    "count_label_patterns",
    "find_classes",
    "finish_labels",
    "initial_confusion",
    "label_dice",
    "label_priors",
    "vote_shares",
]

#: Items whose ``K ** a`` is at most this count their patterns in a dense table.
DENSE_CELLS = 1 << 20
#: A class whose probability is within this of the largest is tied with it; ties go to the higher class.
TIE = 1e-9
_CLIP = 1e-10


@dataclass(frozen=True, eq=False)
class LabelPatterns:
    """The distinct class patterns of one item: ``votes[u, j]`` is the class index annotator ``j`` (of
    the item) gave pattern ``u``'s pixels; ``counts[u]`` pixels have it; ``keys`` sort them."""

    keys: np.ndarray
    votes: np.ndarray
    counts: np.ndarray


def find_classes(data: MaskSet, block: int, ignore: int | None = None) -> np.ndarray:
    """The sorted distinct values of every mask but ``ignore`` (one pass); refuses values that are not
    whole numbers."""
    seen: set = set()
    for i, masks in enumerate(data.masks):
        for j, mask in enumerate(masks):
            for cut in row_blocks(mask.size, 1, block):
                part = mask[cut]
                if part.dtype.kind == "f":
                    bad = ~np.isfinite(part) | (part != np.round(part))
                    if bad.any():
                        at = int(np.flatnonzero(bad)[0])
                        raise InvalidLabelsError(
                            f"masks must hold whole-number class labels, got {show(part[at])} for item "
                            f"{show(data.items[i])}, annotator {show(data.annotators[data.codes[i][j]])} "
                            f"(pixel {cut.start + at})"
                        )
                seen.update(np.unique(part).tolist())
    seen.discard(ignore)
    return np.array(sorted(seen))


def _indices(
    block: np.ndarray, classes: np.ndarray, data: MaskSet, i: int, j: int, start: int, ignore: int | None = None
) -> np.ndarray:
    """Each pixel's class index (``len(classes)`` for the ``ignore`` value: no vote); a value outside
    ``classes`` is refused (item, annotator, pixel)."""
    idx = np.searchsorted(classes, block)
    bad = (idx >= len(classes)) | (classes[np.minimum(idx, len(classes) - 1)] != block)
    if ignore is not None:
        skipped = block == ignore
        idx = np.where(skipped, len(classes), idx)
        bad &= ~skipped
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise InvalidLabelsError(
            f"masks must hold only the classes {classes.tolist()}, got {show(block[at])} for item "
            f"{show(data.items[i])}, annotator {show(data.annotators[data.codes[i][j]])} (pixel {start + at})"
        )
    return idx


def _rows(data: MaskSet, i: int, cut: slice, classes: np.ndarray, ignore: int | None = None) -> np.ndarray:
    """Class indices of the pixels of ``cut``: shape (pixels, annotators)."""
    return np.stack(
        [_indices(m[cut], classes, data, i, j, cut.start, ignore) for j, m in enumerate(data.masks[i])], axis=1
    ).astype(np.int64)


def _mode(n_classes: int, n_ann: int) -> str:
    cells = n_classes**n_ann  # a Python int: no overflow
    return "dense" if cells <= DENSE_CELLS else "keys" if cells < (1 << 62) else "rows"


def count_label_patterns(
    data: MaskSet, block: int, classes: np.ndarray, ignore: int | None = None
) -> list[LabelPatterns]:
    """One pass: each item's distinct class patterns and their pixel counts (with ``ignore``, an
    ignored pixel's vote is the index ``len(classes)``)."""
    k = len(classes) + (ignore is not None)
    found = []
    for i, n in enumerate(data.n_pixels):
        n_ann = len(data.masks[i])
        mode = _mode(k, n_ann)
        # the place values of the keys (rows mode uses none: K ** a would overflow)
        radix = k ** np.arange(n_ann, dtype=np.int64) if mode != "rows" else np.zeros(0, dtype=np.int64)
        tables: list[np.ndarray] = []
        tallies: list[np.ndarray] = []
        dense = np.zeros(k**n_ann if mode == "dense" else 0, dtype=np.int64)
        for cut in row_blocks(int(n), 1, block):
            rows = _rows(data, i, cut, classes, ignore)
            if mode == "dense":
                dense += np.bincount(rows @ radix, minlength=len(dense))
            else:
                u, c = np.unique(
                    rows @ radix if mode == "keys" else rows, axis=None if mode == "keys" else 0, return_counts=True
                )
                tables.append(u)
                tallies.append(c)
        if mode == "dense":
            keys = np.flatnonzero(dense)
            counts = dense[keys]
        else:
            joined = np.concatenate(tables)
            keys, inverse = np.unique(joined, axis=None if mode == "keys" else 0, return_inverse=True)
            counts = np.bincount(inverse.reshape(-1), weights=np.concatenate(tallies), minlength=len(keys))
        votes = keys if mode == "rows" else (keys[:, None] // radix) % k
        found.append(LabelPatterns(keys, np.asarray(votes, dtype=np.int64), np.rint(counts).astype(np.float64)))
    return found


def pattern_index(
    data: MaskSet, patterns: list[LabelPatterns], classes: np.ndarray, i: int, cut: slice, ignore: int | None = None
) -> np.ndarray:
    """The index (into ``patterns[i]``) of each pixel of ``cut`` of item ``i``."""
    k, n_ann = len(classes) + (ignore is not None), len(data.masks[i])
    rows = _rows(data, i, cut, classes, ignore)
    known = patterns[i].keys
    if _mode(k, n_ann) != "rows":
        return np.searchsorted(known, rows @ (k ** np.arange(n_ann, dtype=np.int64)))
    _, inverse = np.unique(np.concatenate([known, rows]), axis=0, return_inverse=True)
    return inverse.reshape(-1)[len(known) :]


def consensus(w: np.ndarray) -> np.ndarray:
    """The class index of largest probability per row; within :data:`TIE` of it, the higher class."""
    best = w.max(axis=1, keepdims=True)
    tied = w >= best - TIE
    return w.shape[1] - 1 - np.argmax(tied[:, ::-1], axis=1)


def vote_shares(pat: LabelPatterns, n_classes: int) -> np.ndarray:
    """Share of the item's annotators giving each class, per pattern: (patterns, classes)."""
    u, a = pat.votes.shape
    shares = np.zeros((u, n_classes))
    np.add.at(shares, (np.repeat(np.arange(u), a), pat.votes.ravel()), 1.0 / a)
    return shares


def label_dice(pat: LabelPatterns, chosen: np.ndarray, n_classes: int) -> np.ndarray:
    """Per annotator of the item: the mean Dice to the consensus over the classes other than the
    first (the background) that the annotator's map or the consensus holds; 1 where neither holds one.
    The pixels an annotator ignored (index ``n_classes``) are left out of that annotator's Dice."""
    a = pat.votes.shape[1]
    out = np.ones(a)
    for j in range(a):
        d = pat.votes[:, j]
        seen = pat.counts * (d < n_classes)
        inter = np.bincount(d, weights=seen * (d == chosen), minlength=n_classes)[1:n_classes]
        total = np.bincount(d, weights=seen, minlength=n_classes)[1:n_classes]
        total = total + np.bincount(chosen, weights=seen, minlength=n_classes + 1)[1:n_classes]
        present = total > 0
        if present.any():
            out[j] = float(np.mean(2.0 * inter[present] / total[present]))
    return out


class LabelTable(LongTable):
    """Every item's class patterns as one long table (pattern, slot, vote): an EM step of the
    multi-category STAPLE is ``K`` ``bincount`` calls over all items at once."""

    def __init__(
        self,
        patterns: list[LabelPatterns],
        slots: list[np.ndarray],
        prior: np.ndarray,
        n_slots: int,
        ignore: bool = False,
    ) -> None:
        self.k = prior.shape[1]
        super().__init__(patterns, slots, n_slots, self.k if ignore else None)
        self.cell = self.slots * self.k + self.votes
        with np.errstate(divide="ignore"):  # a class nobody gave has prior 0: log -inf, W 0
            self.log_f = np.log(np.repeat(prior, self.sizes, axis=0))

    def em_step(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """E-step and M-step of Warfield et al. (2004), multi-category form:
        ``W[u, s] ∝ f(s) prod_j theta[j, d_uj, s]``, then ``theta[j, s', s] = sum_u c_u W[u, s] [d_uj = s'] /
        sum_u c_u W[u, s]`` (a true class with no weight keeps its column). Returns the new theta, and
        the log-likelihood and ``W`` of each item."""
        log_t = np.log(np.clip(theta, _CLIP, 1.0))[self.slots, self.votes]  # (long rows, K)
        log_w = self.log_f + np.stack(
            [np.bincount(self.rows, log_t[:, s], minlength=self.n_rows) for s in range(self.k)], axis=1
        )
        norm = logsumexp(log_w, axis=1)
        w = np.exp(log_w - norm[:, None]) * (self.n_seen > 0)[:, None]  # a pixel nobody labelled: W = 0
        weight = (self.counts[:, None] * w)[self.rows]
        size = self.n_slots * self.k
        num = np.stack([np.bincount(self.cell, weight[:, s], minlength=size) for s in range(self.k)], axis=1)
        num = num.reshape(self.n_slots, self.k, self.k)
        den = num.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            new = np.where(den > 0, num / den, theta)
        loglik = np.bincount(self.item, self.counts * norm, minlength=self.n_items)
        return new, loglik, np.split(w, self.offsets)


def finish_labels(
    data: MaskSet,
    block: int,
    patterns: list[LabelPatterns],
    post: list[np.ndarray],
    classes: np.ndarray,
    threshold: float = 0.5,
    ignore: int | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Per item: the consensus label map (flat, class values), the class probabilities (pixels, K),
    each annotator's Dice to the consensus, and the count of consensus pixels outside the first class.
    With two classes the second is chosen when its probability is at least ``threshold`` (a tie
    within :data:`TIE` included), as for binary masks; with more, the most probable class. With
    ``ignore``, a pixel every annotator ignored (all probabilities 0) keeps the ``ignore`` value."""
    maps, probas, scores, fg = [], [], [], []
    values = classes if ignore is None else np.append(classes, ignore)
    for i, n in enumerate(data.n_pixels):
        if len(classes) == 2:
            chosen = (post[i][:, 1] >= threshold - TIE).astype(np.int64)
        else:
            chosen = consensus(post[i])
        if ignore is not None:
            chosen[post[i].sum(axis=1) == 0] = len(classes)
        scores.append(label_dice(patterns[i], chosen, len(classes)))
        fg.append(float(patterns[i].counts @ ((chosen > 0) & (chosen < len(classes)))))
        labels = np.empty(int(n), dtype=values.dtype)
        proba = np.empty((int(n), len(classes)))
        for cut in row_blocks(int(n), 1, block):
            at = pattern_index(data, patterns, classes, i, cut, ignore)
            labels[cut] = values[chosen[at]]
            proba[cut] = post[i][at]
        maps.append(labels)
        probas.append(proba)
    return maps, probas, scores, np.rint(fg).astype(np.int64)


def label_priors(
    data: MaskSet,
    patterns: list[LabelPatterns],
    n_classes: int,
    per_item: bool,
    fixed: float | None = None,
    ignore: bool = False,
) -> np.ndarray:
    """The prior ``f(s)`` of each item (rows): the share of its (``per_item``) or all items' pixel votes for
    ``s``; with two classes, ``fixed`` gives the second class's prior. With ``ignore`` the votes of index
    ``n_classes`` are none (an item with no vote at all gets the uniform prior: its pixels are all ignored)."""
    if fixed is not None:
        return np.tile([1.0 - fixed, fixed], (len(patterns), 1))
    k = n_classes + ignore
    votes = np.stack([p.counts @ vote_shares(p, k)[:, :n_classes] * p.votes.shape[1] for p in patterns])
    if not per_item:
        votes = np.broadcast_to(votes.sum(axis=0), votes.shape)
    total = votes.sum(axis=1, keepdims=True)
    return np.divide(votes, total, out=np.full(votes.shape, 1.0 / n_classes), where=total > 0)


def initial_confusion(n_slots: int, n_classes: int, init: float) -> np.ndarray:
    """Every annotator's start: ``init`` on the diagonal, the rest spread evenly over the other classes."""
    theta = np.full((n_slots, n_classes, n_classes), (1.0 - init) / (n_classes - 1))
    theta[:, np.arange(n_classes), np.arange(n_classes)] = init
    return theta


def all_bool(data: MaskSet) -> bool:
    """Every mask is boolean (binary without reading a pixel)."""
    return all(m.dtype == bool for masks in data.masks for m in masks)


def check_classes(classes: object) -> np.ndarray | None:
    """``classes``: None, or at least two distinct whole numbers (returned sorted)."""
    if classes is None:
        return None
    values = np.asarray(classes) if not isinstance(classes, str) else np.array([classes])
    if values.ndim != 1 or len(values) < 2 or values.dtype.kind not in "iu" or len(np.unique(values)) != len(values):
        raise InvalidParameterError(
            f"classes must be None or a list of at least two distinct integers, got {show(classes)}"
        )
    return np.sort(values)
