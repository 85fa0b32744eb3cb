"""Near-duplicate texts: MinHash signatures of character shingles, LSH bands, exact Jaccard.

The texts of a row (one or more columns) are normalised (:func:`normalise`), and rows whose
normalised texts are equal are one *distinct text* (found exactly, by :func:`pandas.factorize`).
Each distinct text is the set of character ``k``-shingles of its columns (a column shorter than
``k`` is one shingle; the same shingle in two columns counts as two), each shingle hashed to 64
bits (its code points packed three to a word, exactly, then mixed by splitmix64). Two texts are
near duplicates when the Jaccard index of their shingle sets (Broder 1997's resemblance) is at
least the threshold.

The pairs are found without comparing every pair: each text gets a MinHash signature of
``BANDS x ROWS_PER_BAND`` minima of its shingles under random hash functions (multiply-add-shift
on 64 bits; the chance that two texts share one minimum is their Jaccard index), and texts whose
signatures agree on every row of some band are candidates (the banding of Leskovec, Rajaraman and
Ullman): a pair at Jaccard ``s`` is a candidate with probability ``1 - (1 - s^r)^b``. A
candidate whose signatures agree on fewer minima than a pair at the threshold would with
probability :data:`PREFILTER_MISS` (a binomial tail, :func:`signature_floor`) is dropped; every
other candidate's Jaccard index is computed exactly from the shingle sets, so no pair below the
threshold is reported, and a pair at or above it is missed with probability below 1e-3 at the
default threshold (:func:`miss_probability`). Memory: the texts' signatures
(``4 x BANDS x ROWS_PER_BAND`` bytes per distinct text, and a quarter of that for their low
bytes), one block of :data:`PAIR_BLOCK` candidate pairs (the candidates themselves can grow as
the square of the texts, when thousands of texts share the frequent shingles of one band; only those at the signature floor are kept, RESULTS.md, session
39), the pairs kept and, for their texts, their shingle hashes: those of the texts in the most
pairs kept once, within :data:`._text_jaccard.SHINGLE_CACHE_BYTES`, the others made again for each
block of pairs (:mod:`._text_jaccard`); the shingles are made by blocks of ``block_rows`` texts,
and nothing depends on the block sizes, the cache's budget, the row order or anything but the
texts and ``seed``.

References
----------
Broder, A. Z. (1997). On the resemblance and containment of documents. Proceedings of Compression
and Complexity of Sequences, 21-29.
Broder, A. Z., Charikar, M., Frieze, A. M., & Mitzenmacher, M. (1998). Min-wise independent
permutations. STOC, 327-336.
Leskovec, J., Rajaraman, A., & Ullman, J. D. (2014). Mining of Massive Datasets, 2nd ed.,
chapter 3.4 (locality-sensitive hashing of signatures by bands).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._text_jaccard import JACCARD_BLOCK, jaccard
from ._text_shingles import _SEP, BLOCK_ROWS, mix, shingle_hashes

#: Characters per shingle, and the Jaccard threshold (benchmarks/dev_text_near_duplicates.py).
SHINGLE = 5
THRESHOLD = 0.7
#: LSH bands and signature rows per band: the fewest minima (104) with which a pair at the default
#: threshold is a candidate with probability >= 0.999 (a miss 7.9e-4) and a pair at Jaccard 0.2 at
#: most 0.05 (0.041), the dev rule's.
BANDS, ROWS_PER_BAND = 26, 4
#: The chance, at most, that a pair at the threshold is dropped before its Jaccard index is
#: computed because its signatures agree on too few minima (:func:`signature_floor`).
PREFILTER_MISS = 1e-5
#: Candidate pairs made and checked against the signature floor at a time (:func:`floored_candidates`).
PAIR_BLOCK = 1 << 16
_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Unicode NFKC, case folded, every run of characters other than letters and digits one blank, ends stripped."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def miss_probability(jaccard: float, bands: int = BANDS, rows: int = ROWS_PER_BAND) -> float:
    """The chance that a pair at ``jaccard`` agrees on no band, ``(1 - jaccard^rows)^bands``, plus
    :data:`PREFILTER_MISS` (a bound on the chance its minima agree too seldom)."""
    return float((1.0 - jaccard**rows) ** bands) + PREFILTER_MISS


@dataclass(frozen=True)
class DistinctTexts:
    """The rows' normalised texts: ``code`` of every row's distinct text (``-1`` when every column is
    empty or missing after normalising) and the distinct texts, columns joined by ``"\\x00"``."""

    code: np.ndarray
    keys: np.ndarray

    @classmethod
    def of(cls, texts: np.ndarray) -> DistinctTexts:
        """From an ``(n, m)`` object array of texts (``None`` for missing)."""
        keys = np.array(
            [_SEP.join("" if t is None else normalise(t) for t in row) for row in texts], dtype=object
        ).reshape(-1)
        empty = np.fromiter((not k.replace(_SEP, "") for k in keys), dtype=bool, count=keys.shape[0])
        code = np.full(keys.shape[0], -1, dtype=np.int64)
        found, uniques = pd.factorize(keys[~empty])
        code[~empty] = found
        return cls(code, np.asarray(uniques, dtype=object))


def signatures(keys: np.ndarray, k: int, n_hashes: int, seed: int, block_rows: int = BLOCK_ROWS) -> np.ndarray:
    """``(len(keys), n_hashes)`` uint32 MinHash signatures: the least of ``(a x h + b) >> 32`` over
    each text's shingle hashes ``h``, for ``n_hashes`` seeded ``(a, b)`` (``a`` odd)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2**63, n_hashes, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, n_hashes, dtype=np.uint64)
    out = np.empty((keys.shape[0], n_hashes), dtype=np.uint32)
    for s in range(0, keys.shape[0], block_rows):
        h, of = shingle_hashes(keys[s : s + block_rows], k)
        starts = np.flatnonzero(np.r_[True, of[1:] != of[:-1]])  # every text has a shingle
        buf = np.empty_like(h)
        for p in range(n_hashes):
            np.multiply(h, a[p], out=buf)
            buf += b[p]
            buf >>= np.uint64(32)
            out[s : s + block_rows, p] = np.minimum.reduceat(buf, starts)
    return out


def band_key(sig: np.ndarray, band: int, rows: int) -> np.ndarray:
    """Each signature's 64-bit key of band ``band`` (its ``rows`` minima mixed in turn)."""
    key = np.zeros(sig.shape[0], dtype=np.uint64)
    for r in range(band * rows, (band + 1) * rows):
        key = mix(key ^ sig[:, r].astype(np.uint64))
    return key


def candidate_pairs(sig: np.ndarray, bands: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(u, v)``, ``u < v``, of signatures equal on all ``rows`` of at least one of ``bands`` bands
    (sorted, each once). Holds every candidate: :func:`floored_candidates` is the streamed path."""
    n = sig.shape[0]
    found = []
    for band in range(bands):
        key = band_key(sig, band, rows)
        order = np.argsort(key, kind="stable")
        u, v = run_pairs(key[order])
        a, b = order[u], order[v]
        found.append(np.minimum(a, b) * n + np.maximum(a, b))
    return _unique_pairs(found, n)


def floored_candidates(
    sig: np.ndarray, bands: int, rows: int, floor: int, pair_block: int = PAIR_BLOCK, progress: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of :func:`candidate_pairs` whose signatures agree on at least ``floor`` minima (sorted,
    each once), without holding every candidate: each band's candidates are made and checked by
    blocks of about ``pair_block`` (:func:`run_pair_blocks`), and only those at the floor are kept.

    Texts that share frequent shingles can put thousands of texts in one band bucket, so the
    candidates can grow as the square of the texts while the pairs at the floor do not (RESULTS.md,
    session 39); the memory is then the signatures, one block and the pairs kept. Each block is
    first counted on the minima's low bytes (a quarter of the bytes; equal minima have equal low
    bytes, so the count is never below the true one and no pair at the floor is lost), and only
    the blocks' pairs at the floor there are counted on the full minima (RESULTS.md, session 45).
    ``progress`` (a :class:`labelwise._stage_progress.Stage`, optional) advances once a band.
    """
    n = sig.shape[0]
    low = sig.astype(np.uint8)  # equal minima have equal low bytes: a count that can only be higher
    kept = []
    for band in range(bands):
        key = band_key(sig, band, rows)
        order = np.argsort(key, kind="stable")
        for i, j in run_pair_blocks(key[order], pair_block):
            a, b = order[i], order[j]
            near = np.count_nonzero(low[a] == low[b], axis=1) >= floor
            a, b = a[near], b[near]
            ok = np.count_nonzero(sig[a] == sig[b], axis=1) >= floor
            a, b = a[ok], b[ok]
            kept.append(np.minimum(a, b) * n + np.maximum(a, b))
        if progress is not None:
            progress.advance()
    return _unique_pairs(kept, n)


def _unique_pairs(codes_list: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pair codes ``u * n + v`` from several arrays, sorted and each once, as ``(u, v)``."""
    codes = np.sort(np.concatenate(codes_list)) if codes_list else np.zeros(0, dtype=np.int64)
    codes = codes[np.r_[True, codes[1:] != codes[:-1]]] if codes.size else codes  # np.unique: 20x slower here
    return codes // max(n, 1), codes % max(n, 1)


def _run_lengths(sorted_keys: np.ndarray) -> np.ndarray:
    """Per position of ``sorted_keys``, how many positions after it hold the same value."""
    n = sorted_keys.shape[0]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    ends = np.r_[starts[1:], n]
    return np.repeat(ends, ends - starts) - np.arange(n) - 1


def _pairs_from(lo: int, after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``(i, j)`` whose first position ``i`` is ``lo + t`` with ``after[t]`` equal values after it."""
    total = int(after.sum())
    left = np.repeat(np.arange(lo, lo + after.shape[0]), after)
    first = np.cumsum(after) - after  # where each position's pairs begin
    right = left + 1 + (np.arange(total) - np.repeat(first, after))
    return left, right


def run_pairs(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of positions ``(i, j)``, ``i < j``, inside one run of equal values of ``sorted_keys``."""
    if sorted_keys.shape[0] == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return _pairs_from(0, _run_lengths(sorted_keys))


def run_pair_blocks(sorted_keys: np.ndarray, pair_block: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """:func:`run_pairs`'s pairs, in the same order, by blocks of whole first positions: at most
    ``pair_block`` pairs a block, or one position's pairs when it alone has more (fewer than
    ``len(sorted_keys)``); no empty block."""
    n = sorted_keys.shape[0]
    if n == 0:
        return
    after = _run_lengths(sorted_keys)
    ends = np.cumsum(after)
    lo = int(np.searchsorted(ends, 0, side="right"))  # skip the positions with no pair
    while lo < n:
        done = int(ends[lo - 1]) if lo else 0
        hi = max(int(np.searchsorted(ends, done + pair_block, side="right")), lo + 1)
        yield _pairs_from(lo, after[lo:hi])
        lo = int(np.searchsorted(ends, int(ends[hi - 1]), side="right"))


def signature_floor(threshold: float, n_hashes: int, miss: float = PREFILTER_MISS) -> int:
    """The least count of equal minima a candidate needs before its Jaccard index is computed: the
    largest ``c`` with ``P(Binomial(n_hashes, threshold) < c) <= miss`` (a pair at the threshold
    agrees on each minimum with probability ``threshold``; above it, more often)."""
    from scipy.stats import binom

    c = 0
    while c < n_hashes and binom.cdf(c, n_hashes, threshold) <= miss:
        c += 1
    return c


@dataclass(frozen=True)
class TextPairs:
    """Near-duplicate pairs among the rows' distinct texts.

    ``code``: each row's distinct text (``-1``: no text); ``count``: rows per distinct text; ``u``,
    ``v`` (``u < v``), ``similarity``: the pairs of distinct texts whose Jaccard index is at least
    ``threshold`` (rows that share a distinct text are near duplicates at similarity 1 besides).
    """

    code: np.ndarray
    count: np.ndarray
    u: np.ndarray
    v: np.ndarray
    similarity: np.ndarray
    threshold: float
    shingle: int

    def best(self, among: np.ndarray | None = None) -> np.ndarray:
        """Per distinct text, the highest similarity to another row whose distinct text is in
        ``among`` (a boolean mask over distinct texts; every row when None), 0 when none."""
        out = np.zeros(self.count.shape[0], dtype=np.float64)
        ok_v = np.ones(self.u.size, bool) if among is None else among[self.v]
        ok_u = np.ones(self.u.size, bool) if among is None else among[self.u]
        np.maximum.at(out, self.u[ok_v], self.similarity[ok_v])
        np.maximum.at(out, self.v[ok_u], self.similarity[ok_u])
        return out


def near_duplicate_texts(
    texts: np.ndarray,
    threshold: float = THRESHOLD,
    k: int = SHINGLE,
    seed: int = 0,
    block_rows: int = BLOCK_ROWS,
    pair_block: int = PAIR_BLOCK,
) -> TextPairs:
    """The near-duplicate pairs of the rows' texts (``(n, m)`` object array, ``None`` for missing);
    candidates checked by blocks of ``pair_block`` (nothing depends on it). On a terminal, two
    stages show the LSH bands done and the blocks of pairs whose Jaccard index is computed
    (:mod:`labelwise._stage_progress`; nothing is drawn off a terminal)."""
    from .._stage_progress import stage, stages

    distinct = DistinctTexts.of(texts)
    sig = signatures(distinct.keys, k, BANDS * ROWS_PER_BAND, seed, block_rows)
    floor = signature_floor(threshold, sig.shape[1])
    with stages(None):
        with stage("near-duplicate texts: LSH bands", total=BANDS, count_tasks=False) as shown:
            u, v = floored_candidates(sig, BANDS, ROWS_PER_BAND, floor, pair_block, progress=shown)
        blocks = -(-u.size // JACCARD_BLOCK)
        with stage("near-duplicate texts: exact Jaccard", total=blocks, count_tasks=False) as shown:
            sim = jaccard(distinct.keys, u, v, k, block_rows, JACCARD_BLOCK, progress=shown)
    keep = sim >= threshold
    count = np.bincount(distinct.code[distinct.code >= 0], minlength=distinct.keys.shape[0])
    return TextPairs(distinct.code, count, u[keep], v[keep], sim[keep], float(threshold), int(k))
