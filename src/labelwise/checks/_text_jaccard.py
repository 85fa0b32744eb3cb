"""The exact Jaccard index of near-duplicate text pairs, by blocks of pairs, with a budgeted cache of shingle sets.

A text's set is its shingle hashes (:func:`._text_shingles.shingle_hashes`), a repeated shingle
once, held as a sorted array of unique uint64. :func:`jaccard` takes the pairs by blocks of
:data:`JACCARD_BLOCK`: a block's texts' sets, then each pair's intersection counted by a sorted
search and its index ``|A & B| / (|A| + |B| - |A & B|)``. A text named by pairs in many blocks
(templated texts: about 20 blocks each at 50,000 texts, RESULTS.md, session 45) would be shingled
again in each, so the sets of the texts in the most pairs are made once and kept
(:class:`ShingleSets`) while they fit in :data:`SHINGLE_CACHE_BYTES` (counted from the texts'
lengths before any is hashed); the other texts are shingled in each block that names them. The
counts are exact integers, so nothing depends on the budget or the block sizes: the same floats
bit for bit. Memory: the cache (at most its budget) and one block's sets.

References
----------
Broder, A. Z. (1997). On the resemblance and containment of documents. Proceedings of Compression
and Complexity of Sequences, 21-29.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from ._text_shingles import _SEP, BLOCK_ROWS, shingle_hashes

#: Pairs whose exact Jaccard index is computed at a time (:func:`jaccard`).
JACCARD_BLOCK = 1 << 11
#: Bytes the shingle hashes cached by :func:`jaccard` may take (8 a shingle, 16 a text): 256 MiB, the
#: hashes of about a million texts of 30 characters; a fixed size, not a share of the texts, so the
#: memory stays bounded (texts beyond it are shingled again in each block of pairs that names them).
SHINGLE_CACHE_BYTES = 256 * 2**20
_TEXT_BYTES = 16  # a cached text's start offset and number


@dataclass(frozen=True)
class ShingleCache:
    """The shingle hashes of some texts (:func:`._text_shingles.shingle_hashes`, repeats kept) in
    one flat array: those of text ``ids[t]`` are ``hashes[start[t] : start[t + 1]]`` (``ids`` sorted)."""

    ids: np.ndarray
    start: np.ndarray
    hashes: np.ndarray

    @property
    def nbytes(self) -> int:
        """Bytes held."""
        return int(self.ids.nbytes + self.start.nbytes + self.hashes.nbytes)

    @classmethod
    def of(
        cls, keys: np.ndarray, ids: np.ndarray, k: int, block_rows: int, count: np.ndarray | None = None
    ) -> ShingleCache:
        """The hashes of ``keys[ids]`` (``ids`` sorted), shingled by blocks of ``block_rows`` texts into
        one array of their :func:`shingle_count` (the exact size: nothing is copied or grown);
        ``count``: those counts, where the caller has them already."""
        if count is None:
            count = np.fromiter((shingle_count(keys[t], k) for t in ids), dtype=np.int64, count=ids.size)
        start = np.r_[0, np.cumsum(count)].astype(np.int64)
        hashes = np.empty(int(start[-1]), dtype=np.uint64)
        for s in range(0, ids.size, block_rows):
            e = min(s + block_rows, ids.size)
            hashes[start[s] : start[e]] = shingle_hashes(keys[ids[s:e]], k)[0]
        return cls(ids, start, hashes)

    def take(self, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The hashes of the texts at positions ``at`` (of ``ids``), in that order, one flat array,
        and how many each has."""
        lo = self.start[at]
        size = self.start[at + 1] - lo
        first = np.cumsum(size) - size
        return self.hashes[np.arange(int(size.sum())) + np.repeat(lo - first, size)], size


def shingle_count(key: str, k: int) -> int:
    """How many hashes :func:`._text_shingles.shingle_hashes` makes of ``key`` (repeats included):
    ``max(len - k + 1, 1)`` a non-empty column, its code points counted."""
    return sum(max(len(column) - k + 1, 1) for column in key.split(_SEP) if column)


def cached_texts(keys: np.ndarray, u: np.ndarray, v: np.ndarray, k: int, block_rows: int, budget: int) -> ShingleCache:
    """The hashes of the texts of the pairs ``(u, v)`` named by the most pairs (two at least), as many
    as fit in ``budget`` bytes (:data:`SHINGLE_CACHE_BYTES`) with their offsets, counted before any
    is hashed."""
    rows = np.unique(np.concatenate([u, v]))
    if budget <= 0 or rows.size == 0:
        return ShingleCache.of(keys, rows[:0], k, block_rows)
    uses = np.bincount(np.searchsorted(rows, np.concatenate([u, v])), minlength=rows.size)
    order = np.argsort(-uses, kind="stable")  # the texts in the most pairs first
    order = order[uses[order] >= 2]  # a text of one pair is in one block: shingled once without a cache
    count = np.fromiter((shingle_count(keys[r], k) for r in rows[order]), dtype=np.int64, count=order.size)
    fits = np.cumsum(8 * count + _TEXT_BYTES) <= budget - 8  # 8: the last end offset
    kept, count = rows[order[fits]], count[fits]
    by_id = np.argsort(kept, kind="stable")
    return ShingleCache.of(keys, kept[by_id], k, block_rows, count[by_id])


def jaccard(
    keys: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    k: int,
    block_rows: int = BLOCK_ROWS,
    pair_block: int = JACCARD_BLOCK,
    cache_bytes: int | None = None,
    progress: Any = None,
) -> np.ndarray:
    """The exact Jaccard index of the shingle sets of ``keys[u]`` and ``keys[v]`` (pairwise), by blocks
    of ``pair_block`` pairs (:func:`_block_jaccard`), the hashes of the texts in the most pairs kept
    in ``cache_bytes`` (default :data:`SHINGLE_CACHE_BYTES`, read at the call; 0: none kept).

    Memory: the cache and one block's sets, whatever the number of pairs (all the pairs' texts' sets
    at once were the in-memory path's peak, RESULTS.md, session 40): the cache is filled by at most
    as many texts at a time as a block of pairs names. Nothing depends on the block sizes or the
    budget (the counts are exact integers). ``progress`` (a
    :class:`labelwise._stage_progress.Stage`, optional) advances once a block.
    """
    u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
    budget = SHINGLE_CACHE_BYTES if cache_bytes is None else int(cache_bytes)
    cache = cached_texts(keys, u, v, k, min(block_rows, 2 * pair_block), budget)  # a block's texts at a time
    out = np.empty(u.size, dtype=np.float64)
    for s in range(0, u.size, pair_block):
        out[s : s + pair_block] = _block_jaccard(
            keys, u[s : s + pair_block], v[s : s + pair_block], k, block_rows, cache
        )
        if progress is not None:
            progress.advance()
    return out


def _block_hashes(
    keys: np.ndarray, rows: np.ndarray, k: int, block_rows: int, cache: ShingleCache
) -> tuple[np.ndarray, np.ndarray]:
    """The shingle hashes of ``rows`` (sorted, unique), in row order, and how many each has: taken
    from ``cache`` where it holds them, shingled now (by blocks of ``block_rows``) otherwise."""
    at = np.minimum(np.searchsorted(cache.ids, rows), max(cache.ids.size - 1, 0))
    held = cache.ids[at] == rows if cache.ids.size else np.zeros(rows.size, dtype=bool)
    if held.all():
        return cache.take(at)
    fresh = ShingleCache.of(keys, rows[~held], k, block_rows)  # the present per-block hashing
    old, old_size = cache.take(at[held])
    size = np.empty(rows.size, dtype=np.int64)
    size[held], size[~held] = old_size, np.diff(fresh.start)
    is_held = np.repeat(held, size)
    hashes = np.empty(is_held.size, dtype=np.uint64)
    hashes[is_held], hashes[~is_held] = old, fresh.hashes
    return hashes, size


def _block_jaccard(
    keys: np.ndarray, u: np.ndarray, v: np.ndarray, k: int, block_rows: int, cache: ShingleCache
) -> np.ndarray:
    """:func:`jaccard` of one block of pairs: the shingle sets of its texts as the rows of a sparse
    0/1 matrix (hashes numbered by :func:`pandas.factorize`), each pair's intersection the sum of
    the product of its two rows."""
    if u.size == 0:
        return np.zeros(0, dtype=np.float64)
    rows, back = np.unique(np.concatenate([u, v]), return_inverse=True)
    hashes, count = _block_hashes(keys, rows, k, block_rows, cache)
    ids = pd.factorize(hashes)[0]
    indptr = np.r_[0, np.cumsum(count)]
    S = csr_matrix(
        (np.ones(ids.shape[0], dtype=np.float64), ids, indptr), shape=(rows.size, max(int(ids.max(initial=-1)) + 1, 1))
    )
    S.sum_duplicates()
    S.data[:] = 1.0  # sets: a repeated shingle once
    size = np.diff(S.indptr).astype(np.float64)
    bu, bv = back[: u.size], back[u.size :]
    inter = np.asarray(S[bu].multiply(S[bv]).sum(axis=1)).ravel()
    return inter / (size[bu] + size[bv] - inter)
