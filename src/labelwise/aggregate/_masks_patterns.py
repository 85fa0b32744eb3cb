"""Vote patterns of crowd masks: the sufficient statistics of the per-pixel models of
:mod:`labelwise.aggregate.masks`.

With one parameter set per annotator (and a prior per item), a pixel's posterior depends only on
which of the item's annotators marked it: its *vote pattern*. One pass over blocks of pixels counts
each item's patterns (integer counts, added over blocks: the same for any block size, exactly); the
models then run on the patterns (at most ``2**a`` per item of ``a`` annotators, and never more than
its pixels), and a last pass writes each pixel's value from its pattern's. A pattern is a key of
bits (annotator ``j`` is bit ``j % 64`` of word ``j // 64``); with at most :data:`DENSE_BITS`
annotators the keys index a count table directly, above it they are sorted (``numpy.unique``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from .._chunks import row_blocks
from .._validate.arguments import show
from ..errors import InvalidLabelsError
from ._masks_input import MaskSet

__all__ = ["DENSE_BITS", "PatternTable", "Patterns", "count_patterns", "foreground_priors", "m_step", "pixel_values"]

#: Items with at most this many annotators count their patterns in a table of ``2**a`` cells.
DENSE_BITS = 16


@dataclass(frozen=True, eq=False)
class Patterns:
    """The distinct vote patterns of one item: ``votes[u, j]`` is 1 when pattern ``u`` has annotator
    ``j`` (of the item) marking the pixel; ``counts[u]`` pixels have it; ``keys`` are their sorted keys."""

    keys: np.ndarray
    votes: np.ndarray
    counts: np.ndarray


def _checked(mask: np.ndarray, data: MaskSet, i: int, j: int, start: int) -> None:
    """Refuse a block of one mask unless every value is 0 or 1."""
    if mask.dtype == bool:
        return
    if mask.dtype.kind == "u":
        bad = mask > 1
    elif mask.dtype.kind == "i":
        bad = (mask < 0) | (mask > 1)
    else:
        bad = (mask != 0) & (mask != 1)
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise InvalidLabelsError(
            f"masks must hold only 0 and 1, got {show(mask[at])} for item {show(data.items[i])}, annotator "
            f"{show(data.annotators[data.codes[i][j]])} (pixel {start + at})"
        )


def _keys(data: MaskSet, i: int, cut: slice, check: bool) -> np.ndarray:
    """The pattern key of each pixel of ``cut``: shape (pixels,) with one word, else (pixels, words);
    ``uint32`` keys up to :data:`DENSE_BITS` annotators, ``uint64`` words above."""
    masks = data.masks[i]
    dtype = np.uint32 if len(masks) <= DENSE_BITS else np.uint64
    words = (len(masks) + 63) // 64
    keys = np.zeros((cut.stop - cut.start, words), dtype=dtype)
    for j, mask in enumerate(masks):
        block = mask[cut]
        if check:
            _checked(block, data, i, j, cut.start)
        marked = block if block.dtype.kind in "bu" else block != 0  # 0/1 by now: bool or unsigned as they are
        keys[:, j // 64] |= np.left_shift(marked.astype(dtype), dtype(j % 64))
    return keys[:, 0] if words == 1 else keys


def _merge(keys: list[np.ndarray], counts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys (sorted) and their summed counts."""
    joined = np.concatenate(keys)
    unique, inverse = np.unique(joined, axis=0 if joined.ndim > 1 else None, return_inverse=True)
    return unique, np.bincount(inverse.reshape(-1), weights=np.concatenate(counts), minlength=len(unique))


def _votes(keys: np.ndarray, n_ann: int) -> np.ndarray:
    words = keys.reshape(len(keys), -1)
    j = np.arange(n_ann)
    return ((words[:, j // 64] >> (j % 64).astype(np.uint64)) & np.uint64(1)).astype(np.float64)


def count_patterns(data: MaskSet, block: int) -> list[Patterns]:
    """One pass: each item's distinct vote patterns and their pixel counts; checks every value.

    Raises
    ------
    InvalidLabelsError
        A mask holds a value other than 0 and 1 (NaN included); the message names the item, the
        annotator and the pixel (in the flattened mask).
    """
    found = []
    for i, n in enumerate(data.n_pixels):
        n_ann = len(data.masks[i])
        if n_ann <= DENSE_BITS:
            table = np.zeros(1 << n_ann, dtype=np.int64)
            for cut in row_blocks(int(n), 1, block):
                table += np.bincount(_keys(data, i, cut, True).astype(np.intp), minlength=1 << n_ann)
            keys = np.flatnonzero(table).astype(np.uint64)
            counts = table[keys.astype(np.intp)]
        else:
            parts, tallies = [], []
            for cut in row_blocks(int(n), 1, block):
                k = _keys(data, i, cut, True)
                u, c = np.unique(k, axis=0 if k.ndim > 1 else None, return_counts=True)
                parts.append(u)
                tallies.append(c.astype(np.float64))
            keys, summed = _merge(parts, tallies)
            counts = np.rint(summed).astype(np.int64)
        found.append(Patterns(keys, _votes(keys, n_ann), counts.astype(np.float64)))
    return found


def pixel_values(data: MaskSet, patterns: list[Patterns], values: list[np.ndarray], block: int) -> list[np.ndarray]:
    """One pass: each item's flat array of ``values[i][pattern of the pixel]``."""
    out = []
    for i, n in enumerate(data.n_pixels):
        n_ann = len(data.masks[i])
        full = np.empty(int(n), dtype=values[i].dtype)
        if n_ann <= DENSE_BITS:
            table = np.zeros(1 << n_ann, dtype=values[i].dtype)
            table[patterns[i].keys.astype(np.intp)] = values[i]
        for cut in row_blocks(int(n), 1, block):
            k = _keys(data, i, cut, False)
            if n_ann <= DENSE_BITS:
                full[cut] = table[k.astype(np.intp)]
            elif k.ndim == 1:
                full[cut] = values[i][np.searchsorted(patterns[i].keys, k)]
            else:  # every key is among the item's sorted distinct keys: their union is those keys
                known = patterns[i].keys
                _, inverse = np.unique(np.concatenate([known, k]), axis=0, return_inverse=True)
                full[cut] = values[i][inverse.reshape(-1)[len(known) :]]
        out.append(full)
    return out


#: STAPLE's sensitivities and specificities are kept within [_CLIP, 1 - _CLIP] in the E-step's logs.
_CLIP = 1e-10


class LongTable:
    """Every item's patterns as one long table (pattern, slot, vote), so that an EM step is a few
    ``bincount`` calls over all items at once (no loop over items): the layout shared by the binary
    :class:`PatternTable` and the multi-class ``_masks_labels.LabelTable``. ``sizes``: patterns per item.
    With ``ignored`` (the vote index of an ignored pixel) those votes have no row: an annotator's ignored
    pixel is no term of its pattern's E-step and no count of the annotator's M-step (a missing rating, as
    in Dawid & Skene, 1979). ``n_seen``: the annotators who voted on each pattern."""

    def __init__(self, patterns: list, slots: list[np.ndarray], n_slots: int, ignored: int | None = None) -> None:
        sizes = self.sizes = np.array([len(p.counts) for p in patterns])
        self.offsets = np.cumsum(sizes)[:-1]
        self.n_rows, self.n_slots, self.n_items = int(sizes.sum()), n_slots, len(sizes)
        self.item = np.repeat(np.arange(len(sizes)), sizes)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.rows = np.concatenate(
            [np.repeat(np.arange(u) + o, len(s)) for u, o, s in zip(sizes, starts, slots, strict=True)]
        )
        self.slots = np.concatenate([np.tile(s, u) for u, s in zip(sizes, slots, strict=True)])
        self.votes = np.concatenate([p.votes.ravel() for p in patterns])
        self.counts = np.concatenate([p.counts for p in patterns])
        #: some vote was dropped: per-slot sums differ from the item's (else they are the same sums, bit for bit)
        self.partial = False
        if ignored is not None:
            keep = self.votes != ignored
            self.partial = not bool(keep.all())
            self.rows, self.slots, self.votes = self.rows[keep], self.slots[keep], self.votes[keep]
        self.n_seen = np.bincount(self.rows, minlength=self.n_rows).astype(np.float64)


class PatternTable(LongTable):
    """The binary vote patterns' long table, with each item's foreground prior's logs."""

    def __init__(self, patterns: list[Patterns], slots: list[np.ndarray], gamma: np.ndarray, n_slots: int) -> None:
        super().__init__(patterns, slots, n_slots)
        g = np.repeat(gamma, self.sizes)
        with np.errstate(divide="ignore"):  # a prior of 0 (1): log_a (log_b) = -inf, W = 0 (1)
            self.log_g, self.log_1g = np.log(g), np.log1p(-g)

    def em_step(self, p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """E-step (Warfield et al., eq. 19, in logs: a product over tens of annotators underflows) on every
        pattern, each weighing its pixel count, and the M-step's sums per slot: rows are sum W D,
        sum W, sum (1 - W)(1 - D), sum (1 - W). Also the log-likelihood of each item and ``W`` per item's pattern."""
        log_p, log_1p, log_q, log_1q = (t[self.slots] for t in _log_terms(p, q))
        v = self.votes
        log_a = self.log_g + np.bincount(self.rows, v * log_p + (1.0 - v) * log_1p, minlength=self.n_rows)
        log_b = self.log_1g + np.bincount(self.rows, v * log_1q + (1.0 - v) * log_q, minlength=self.n_rows)
        w = expit(log_a - log_b)
        on, off = (self.counts * w)[self.rows], (self.counts * (1.0 - w))[self.rows]
        stats = np.stack(
            [np.bincount(self.slots, x, minlength=self.n_slots) for x in (on * v, on, off * (1.0 - v), off)]
        )
        loglik = np.bincount(self.item, self.counts * np.logaddexp(log_a, log_b), minlength=self.n_items)
        return stats, loglik, np.split(w, self.offsets)


def _log_terms(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, ...]:
    p = np.clip(p, _CLIP, 1 - _CLIP)
    q = np.clip(q, _CLIP, 1 - _CLIP)
    return np.log(p), np.log1p(-p), np.log(q), np.log1p(-q)


def foreground_priors(data: MaskSet, patterns: list[Patterns], fixed: float | None, per_item: bool) -> np.ndarray:
    """STAPLE's fixed foreground prior of each item: ``fixed``, or the share of the item's (``per_item``) or
    all items' pixel votes that are foreground."""
    if fixed is not None:
        return np.full(len(data.items), fixed)
    ones = np.array([p.counts @ p.votes.sum(axis=1) for p in patterns])
    totals = data.n_pixels * np.array([len(c) for c in data.codes], dtype=np.float64)
    return ones / totals if per_item else np.full(len(data.items), ones.sum() / totals.sum())


def m_step(stats: np.ndarray, p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Warfield et al.'s eqs. (20)-(21) from :meth:`PatternTable.em_step`'s sums; an annotator with no
    expected foreground (background) pixel keeps its sensitivity (specificity)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        new_p = np.where(stats[1] > 0, stats[0] / stats[1], p)
        new_q = np.where(stats[3] > 0, stats[2] / stats[3], q)
    return new_p, new_q
