"""ROVER's word transition networks, built for blocks of items at once, and the vote on each slot.

A network is a sequence of slots; a slot counts, for each word of the item (and for the null arc,
code 0), the hypotheses that put it there. Inside a block of ``B`` items the networks are one
array ``counts[b, slot, local word code]``: each item's words get local codes ``1..V_b`` in the
order of their global codes, which rank words by (length, text), so that among equal counts the
highest code wins the vote, as crowd-kit breaks ties (more votes, then the longer word, then the
greater text; the null arc loses every tie). Hypotheses are aligned in their rank order, the
``k``-th of every item of the block in one call of :func:`~labelwise.aggregate._rover_align.align`.
Items are grouped into blocks by size (words per item), so that padding stays small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np

from ._rover_align import align, blocks, ranges, trace

__all__ = ["Networks", "Scoring", "Tokens", "build_networks"]

#: Cells (block items x slots x local words) of a block's count array, about (2**19 fitted 10,000
#: simulated items fastest among 2**16..2**22 on dev seed 7, not the benchmark's data).
BLOCK_CELLS = 1 << 19


@dataclass(frozen=True)
class Tokens:
    """Hypotheses as word codes, grouped by item and in alignment order within an item.

    Attributes
    ----------
    n_items : int
        Number of items (some may have no hypothesis).
    hyp_item : ndarray of int64, shape (H,)
        Item code of each hypothesis, non-decreasing.
    hyp_len : ndarray of int64, shape (H,)
        Words of each hypothesis.
    word : ndarray of int64, shape (T,)
        Global code of every word, hypothesis after hypothesis; codes rank words by (length, text).
    n_words : int
        Number of distinct words (global codes are ``0..n_words-1``).
    hyp_conf : ndarray of float64, shape (H,), or None
        Confidence of each hypothesis (in [0, 1]), for the confidence-weighted vote.
    """

    n_items: int
    hyp_item: np.ndarray
    hyp_len: np.ndarray
    word: np.ndarray
    n_words: int
    hyp_conf: np.ndarray | None = None


@dataclass(frozen=True)
class Scoring:
    """How a slot's words are scored (Fiscus, 1997, the paper's voting scheme): ``alpha * N(w) / N +
    (1 - alpha) * C(w)``, with ``N(w)`` the answers voting for ``w``, ``N`` the item's answers and
    ``C(w)`` the ``"average"`` or ``"max"`` confidence of those votes (``null_confidence`` for the
    null arc). ``alpha = 1`` is the plain vote, which needs no confidences."""

    alpha: float = 1.0
    confidence: str = "average"
    null_confidence: float = 0.0


@dataclass(frozen=True)
class Networks:
    """The fitted networks, flat: one entry per (item, slot, word) with votes, and the winners.

    ``item``, ``slot``, ``word`` (global code, -1 for the null arc) and ``votes`` list every entry of
    every network; ``win_item``, ``win_word`` the winning non-null word of each slot, in slot order
    within an item, items in code order. ``n_slots`` is the length of each item's network.
    """

    item: np.ndarray
    slot: np.ndarray
    word: np.ndarray
    votes: np.ndarray
    win_item: np.ndarray
    win_word: np.ndarray
    n_slots: np.ndarray


def _merge(
    counts: np.ndarray,
    conf: np.ndarray | None,
    words: np.ndarray,
    n_words: np.ndarray,
    n_slots: np.ndarray,
    k: int,
    hyp_conf: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Align hypothesis ``words`` (B, N) into the networks ``counts`` (B, S, V+1); the new networks
    and their lengths.

    ``k`` is the number of hypotheses already in each network: the null votes of a new slot.
    ``conf`` (B, S, V+1, 2), when given, holds the sum and the maximum of the confidences of each
    word's votes; ``hyp_conf`` (B,) is the confidence of the hypothesis being merged.
    """
    n_items, width = counts.shape[:2]
    rows = np.arange(n_items)[:, None, None]
    match = counts[rows, np.arange(width)[None, None, :], words[:, :, None]] > 0
    skip_cost = counts[:, :, 0] == 0  # a slot already holding a null arc is passed for free
    table = align(match, skip_cost, n_words, n_slots)[1]
    path = trace(cast(np.ndarray, table), n_words, n_slots)  # moves=True: a table
    new_width = max(int(path.length.max(initial=0)), 1)
    new = np.zeros((n_items, new_width, counts.shape[2]), dtype=counts.dtype)
    old = path.slot >= 0
    new[path.item[old], path.position[old]] = counts[path.item[old], path.slot[old]]
    new[path.item[~old], path.position[~old], 0] = k
    said = path.word >= 0
    word = np.zeros(len(path.item), dtype=np.int64)
    word[said] = words[path.item[said], path.word[said]]
    new[path.item, path.position, word] += 1
    new_conf = None
    if conf is not None and hyp_conf is not None:
        new_conf = np.zeros((*new.shape, 2))
        new_conf[path.item[old], path.position[old]] = conf[path.item[old], path.slot[old]]
        value = hyp_conf[path.item]
        at = (path.item, path.position, word)  # one entry per move: no index repeats
        new_conf[at + (0,)] += value
        new_conf[at + (1,)] = np.maximum(new_conf[at + (1,)], value)
    return new, new_conf, path.length


def _grow(arr: np.ndarray, width: int) -> np.ndarray:
    """``arr`` with its slot axis (axis 1) zero-padded to ``width``."""
    if arr.shape[1] >= width:
        return arr
    grown = np.zeros((arr.shape[0], width, *arr.shape[2:]), dtype=arr.dtype)
    grown[:, : arr.shape[1]] = arr
    return grown


def _block(
    local: np.ndarray, lens: np.ndarray, n_hyps: np.ndarray, width: int, hyp_conf: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Networks of one block: ``local`` (B, K, N) word codes, ``lens`` (B, K), ``width`` = V + 1;
    with ``hyp_conf`` (B, K), the hypotheses' confidences, their sums and maxima per word too."""
    n_items = len(n_hyps)
    first = lens[:, 0]
    counts = np.zeros((n_items, max(int(first.max()), 1), width), dtype=np.int32)
    b, p = np.nonzero(np.arange(local.shape[2]) < first[:, None])
    counts[b, p, local[b, 0, p]] = 1
    conf = None
    if hyp_conf is not None:
        conf = np.zeros((*counts.shape, 2))
        conf[b, p, local[b, 0, p]] = hyp_conf[b, 0][:, None]
    n_slots = first.copy()
    for k in range(1, local.shape[1]):
        live = np.flatnonzero(n_hyps > k)
        new, new_conf, length = _merge(
            counts[live],
            None if conf is None else conf[live],
            local[live, k],
            lens[live, k],
            n_slots[live],
            k,
            None if hyp_conf is None else hyp_conf[live, k],
        )
        counts = _grow(counts, new.shape[1])
        counts[live] = 0
        counts[live, : new.shape[1]] = new
        if conf is not None and new_conf is not None:
            conf = _grow(conf, new.shape[1])
            conf[live] = 0
            conf[live, : new.shape[1]] = new_conf
        n_slots[live] = length
    return counts, conf, n_slots


def _load_block(
    block: np.ndarray,
    first_hyp: np.ndarray,
    n_hyps: np.ndarray,
    hyp_start: np.ndarray,
    hyp_len: np.ndarray,
    local: np.ndarray,
    hyp_conf: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The block's hypotheses as local word codes (B, K, N), zero-padded, their lengths (B, K) and
    confidences (B, K; None without)."""
    nb = len(block)
    hyps = ranges(first_hyp[block], n_hyps[block])
    hyp_pos = np.repeat(np.arange(nb), n_hyps[block])
    hyp_rank = hyps - np.repeat(first_hyp[block], n_hyps[block])
    lens = np.zeros((nb, int(n_hyps[block].max())), dtype=np.int64)
    lens[hyp_pos, hyp_rank] = hyp_len[hyps]
    toks = ranges(hyp_start[hyps], hyp_len[hyps])
    tok_of = np.repeat(np.arange(len(hyps)), hyp_len[hyps])
    words = np.zeros((nb, lens.shape[1], max(int(lens.max()), 1)), dtype=np.int64)
    words[hyp_pos[tok_of], hyp_rank[tok_of], toks - hyp_start[hyps][tok_of]] = local[toks]
    conf = None
    if hyp_conf is not None:
        conf = np.zeros(lens.shape)
        conf[hyp_pos, hyp_rank] = hyp_conf[hyps]
    return words, lens, conf


def _winners(counts: np.ndarray, conf: np.ndarray | None, n_hyps: np.ndarray, scoring: Scoring) -> np.ndarray:
    """Each slot's winning local code (0: the null arc); among equal scores the highest code."""
    if scoring.alpha >= 1.0 or conf is None:
        score = counts
    else:
        votes = counts.astype(np.float64)
        if scoring.confidence == "max":
            word_conf = conf[..., 1]
        else:
            word_conf = conf[..., 0] / np.maximum(votes, 1.0)
        word_conf[..., 0] = scoring.null_confidence
        score = scoring.alpha * votes / n_hyps[:, None, None] + (1.0 - scoring.alpha) * word_conf
        score[counts == 0] = -np.inf
    return counts.shape[2] - 1 - np.argmax(score[:, :, ::-1], axis=2)


def build_networks(tokens: Tokens, scoring: Scoring | None = None) -> Networks:
    """Build every item's network from its hypotheses and vote on each slot (plain votes unless
    ``scoring`` says otherwise)."""
    scoring = Scoring() if scoring is None else scoring
    weigh = scoring.alpha < 1.0 and tokens.hyp_conf is not None
    n_items = tokens.n_items
    n_hyp = len(tokens.hyp_item)
    hyp_start = np.concatenate(([0], np.cumsum(tokens.hyp_len)[:-1])).astype(np.int64)
    tok_hyp = np.repeat(np.arange(n_hyp), tokens.hyp_len)
    tok_item = tokens.hyp_item[tok_hyp]
    # local codes: each item's distinct words, in global-code order, numbered from 1
    keys, inverse = np.unique(tok_item * max(tokens.n_words, 1) + tokens.word, return_inverse=True)
    key_item = keys // max(tokens.n_words, 1)
    key_start = np.searchsorted(key_item, np.arange(n_items))
    local = (inverse - key_start[tok_item] + 1).astype(np.int64)
    n_local = np.bincount(key_item, minlength=n_items)
    n_hyps = np.bincount(tokens.hyp_item, minlength=n_items)
    first_hyp = np.searchsorted(tokens.hyp_item, np.arange(n_items))
    longest = np.zeros(n_items, dtype=np.int64)
    np.maximum.at(longest, tokens.hyp_item, tokens.hyp_len)
    cost = (n_local + 1) * (2 * longest + 2)
    n_slots = np.zeros(n_items, dtype=np.int64)
    parts: dict[str, list[np.ndarray]] = {
        name: [] for name in ("item", "slot", "word", "votes", "win_i", "win_s", "win_w")
    }
    global_code = keys % max(tokens.n_words, 1)  # of each (item, word) key: local code c of item i is
    first_key = key_start - 1  # global_code[first_key[i] + c]
    for block in blocks(cost, n_hyps > 0, BLOCK_CELLS):
        words, lens, conf = _load_block(
            block, first_hyp, n_hyps, hyp_start, tokens.hyp_len, local, tokens.hyp_conf if weigh else None
        )
        counts, word_conf, n_slots[block] = _block(words, lens, n_hyps[block], int(n_local[block].max()) + 1, conf)
        b, s, c = np.nonzero(counts)  # slots past an item's network are all 0
        parts["item"].append(block[b])
        parts["slot"].append(s)
        parts["word"].append(np.where(c > 0, global_code[first_key[block[b]] + np.maximum(c, 1)], -1))
        parts["votes"].append(counts[b, s, c])
        best = _winners(counts, word_conf, n_hyps[block], scoring)
        valid = np.arange(counts.shape[1])[None, :] < n_slots[block][:, None]
        wb, ws = np.nonzero(valid & (best > 0))
        parts["win_i"].append(block[wb])
        parts["win_s"].append(ws)
        parts["win_w"].append(global_code[first_key[block[wb]] + best[wb, ws]])
    flat = {name: np.concatenate(arrs) if arrs else np.zeros(0, dtype=np.int64) for name, arrs in parts.items()}
    net = np.lexsort((flat["word"], flat["slot"], flat["item"]))
    win = np.lexsort((flat["win_s"], flat["win_i"]))
    return Networks(
        item=flat["item"][net],
        slot=flat["slot"][net],
        word=flat["word"][net],
        votes=flat["votes"][net].astype(np.int64),
        win_item=flat["win_i"][win],
        win_word=flat["win_w"][win],
        n_slots=n_slots,
    )
