"""Near-duplicate texts of a dask DataFrame or Series: :mod:`._text_minhash`'s passes per partition.

The same answer as :func:`labelwise.checks._text_minhash.near_duplicate_texts` on the texts brought
into memory (the same :class:`~._text_minhash.TextPairs`, array for array), for any partitioning and,
up to the numbering of the distinct texts, any row order. The passes, each a set of dask tasks:

1. per partition: the rows' normalised texts (kept there, persisted) and a 128-bit BLAKE2b digest
   of each (16 bytes a row come to the client, which numbers the distinct texts by their first row,
   as ``pandas.factorize`` does in memory; two different texts share a digest with probability
   about ``n^2 / 2^129``);
2. per partition, for the distinct texts first seen there: MinHash signatures and their LSH band
   keys, split into ``buckets`` by band key (Leskovec et al.'s banding, as in memory);
3. per bucket: the rows that share their band and band key with another (the others make no
   candidate), the signatures of their texts fetched from the partitions that hold them, and the
   candidate pairs (texts equal on every minimum of one band) made and checked against the
   signature-agreement floor by blocks (:func:`~._text_minhash.run_pair_blocks`, as in memory); the
   pairs at the floor split by pair into ``buckets`` again, so every copy of a pair meets in one
   bucket;
4. per bucket: its pairs once each, the texts they name fetched from the partitions that hold
   them, the exact Jaccard index of the shingle sets (Broder 1997), as in memory. Only the pairs at
   or above the threshold come to the client, with one text number a row (8 bytes).

Memory on a worker: a partition's texts, its distinct texts' signatures (``4 x 104`` bytes each) and
band keys, a bucket's band rows and its shared rows' signatures, one block of candidates, the pairs at
the floor and the shingles of one block of them, besides those of the bucket's texts named by several
pairs, kept within :data:`~._text_jaccard.SHINGLE_CACHE_BYTES` (:func:`~._text_jaccard.jaccard`). The candidates are never all held: texts that share
frequent words make them grow as the square of the texts (RESULTS.md, session 39), the pairs at the
floor do not.

References
----------
Broder, A. Z. (1997). On the resemblance and containment of documents. Proceedings of Compression
and Complexity of Sequences, 21-29.
Leskovec, J., Rajaraman, A., & Ullman, J. D. (2014). Mining of Massive Datasets, 2nd ed.,
chapter 3.4 (locality-sensitive hashing of signatures by bands).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from ..errors import InvalidParameterError
from ._text_minhash import (
    _SEP,
    BANDS,
    BLOCK_ROWS,
    PAIR_BLOCK,
    ROWS_PER_BAND,
    SHINGLE,
    THRESHOLD,
    TextPairs,
    band_key,
    jaccard,
    mix,
    normalise,
    run_pair_blocks,
    signature_floor,
    signatures,
)

#: Most buckets of the two exchanges (band keys, then pairs): one per partition up to this many.
BUCKETS = 16


def partition_keys(part: Any) -> tuple[np.ndarray, tuple[int, str, str] | None]:
    """A partition's rows as normalised keys (columns joined by ``"\\x00"``; ``""`` for a row with no
    text), and the first value neither text nor missing as ``(row in the partition, column, value)``."""
    frame = part.to_frame() if isinstance(part, pd.Series) else part
    arr = frame.to_numpy(dtype=object)
    missing = np.asarray(pd.isna(arr), dtype=bool)
    keys = np.empty(arr.shape[0], dtype=object)
    for i in range(arr.shape[0]):
        cells = []
        for c in range(arr.shape[1]):
            value = arr[i, c]
            if not missing[i, c] and not isinstance(value, str):
                return keys[:0], (i, str(frame.columns[c]), show(value))
            cells.append("" if missing[i, c] else normalise(value))
        key = _SEP.join(cells)
        keys[i] = key if key.replace(_SEP, "") else ""
    return keys, None


def key_digests(found: tuple[np.ndarray, Any]) -> tuple[int, np.ndarray, np.ndarray, Any]:
    """A partition's rows, the ``(rows, 2)`` uint64 BLAKE2b-128 digests of its keys, whether each row
    has a text, and its first bad value (:func:`partition_keys`)."""
    keys, bad = found
    out = np.zeros((keys.shape[0], 2), dtype=np.uint64)
    has = np.fromiter((bool(key) for key in keys), dtype=bool, count=keys.shape[0])
    for i in np.flatnonzero(has):
        out[i] = np.frombuffer(
            hashlib.blake2b(keys[i].encode("utf-8", "surrogatepass"), digest_size=16).digest(), "<u8"
        )
    return keys.shape[0], out, has, bad


def number_texts(digests: np.ndarray, has: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's distinct-text number (``-1`` without text), numbered by first row, and the first row
    of each number."""
    code = np.full(digests.shape[0], -1, dtype=np.int64)
    rows = np.flatnonzero(has)
    if rows.size == 0:
        return code, np.zeros(0, dtype=np.int64)
    view = np.ascontiguousarray(digests[rows]).view([("a", "<u8"), ("b", "<u8")]).reshape(-1)
    _, first, inverse = np.unique(view, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    code[rows] = rank[inverse.reshape(-1)]
    return code, np.sort(rows[first])


def first_signatures(keys: np.ndarray, local: np.ndarray, k: int, seed: int) -> np.ndarray:
    """The MinHash signatures of a partition's distinct texts first seen there (``local`` positions)."""
    return signatures(keys[local], k, BANDS * ROWS_PER_BAND, seed, BLOCK_ROWS)


def band_rows(sig: np.ndarray, codes: np.ndarray, buckets: int) -> list:
    """``(band, key, code)`` of every LSH band of the signatures ``sig`` of the texts numbered
    ``codes``, split into ``buckets`` by band key."""
    band, key, code = [], [], []
    for b in range(BANDS):
        band.append(np.full(codes.size, b, dtype=np.int16))
        key.append(band_key(sig, b, ROWS_PER_BAND))
        code.append(codes)
    band_a, key_a, code_a = np.concatenate(band), np.concatenate(key), np.concatenate(code)
    to = (key_a % np.uint64(buckets)).astype(np.int64)
    return [(band_a[to == j], key_a[to == j], code_a[to == j]) for j in range(buckets)]


def bucket_runs(parts: list) -> tuple[np.ndarray, np.ndarray]:
    """A band-key bucket's rows that share their band and band key with another row: their text
    numbers, sorted by (band, key, text), and each row's run number (non-decreasing); the other rows
    make no candidate."""
    band = np.concatenate([p[0] for p in parts])
    key = np.concatenate([p[1] for p in parts])
    code = np.concatenate([p[2] for p in parts])
    order = np.lexsort((code, key, band))
    band, key, code = band[order], key[order], code[order]
    del order
    if code.size == 0:
        return code, np.zeros(0, dtype=np.int64)
    run = np.cumsum(np.r_[True, (band[1:] != band[:-1]) | (key[1:] != key[:-1])])
    shared = np.r_[run[1:] == run[:-1], False] | np.r_[False, run[1:] == run[:-1]]
    return code[shared], run[shared]


def run_signatures(runs: tuple, sig: np.ndarray, first_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The text numbers and signatures of a bucket's runs' texts (:func:`bucket_runs`) whose first row
    is in this partition (text numbers ``first_codes``, sorted, signatures ``sig``)."""
    wanted = sorted_unique(runs[0])
    here = wanted[np.isin(wanted, first_codes, assume_unique=True)]
    return here, sig[np.searchsorted(first_codes, here)]


def bucket_candidates(
    runs: tuple, fetched: list, floor: int, buckets: int, n_texts: int, pair_block: int = PAIR_BLOCK
) -> list:
    """A band-key bucket's candidate pairs ``u < v`` (texts in one run of :func:`bucket_runs`) whose
    signatures agree on at least ``floor`` minima, each once as ``u * n_texts + v``, split into
    ``buckets`` by pair: made and checked by blocks of about ``pair_block``
    (:func:`~._text_minhash.run_pair_blocks`), as in memory, never all held (``fetched``: the runs'
    texts' signatures, :func:`run_signatures`)."""
    code, run = runs
    have = np.concatenate([f[0] for f in fetched])
    order = np.argsort(have)
    have, sig = have[order], np.concatenate([f[1] for f in fetched])[order]
    at = np.searchsorted(have, code)  # each row's signature
    m = np.int64(max(n_texts, 1))
    kept = [np.zeros(0, np.int64)]
    for i, j in run_pair_blocks(run, pair_block):
        ok = (sig[at[i]] == sig[at[j]]).sum(axis=1) >= floor
        a, b = code[i[ok]], code[j[ok]]
        kept.append(np.minimum(a, b) * m + np.maximum(a, b))
    pair = sorted_unique(np.concatenate(kept))  # a pair met in several bands once
    to = (mix(pair.astype(np.uint64)) % np.uint64(buckets)).astype(np.int64)
    return [pair[to == j] for j in range(buckets)]


def sorted_unique(x: np.ndarray) -> np.ndarray:
    """``np.unique(x)`` of integers by a sort (``np.unique``'s hashing is many times slower here)."""
    x = np.sort(x)
    return x[np.r_[True, x[1:] != x[:-1]]] if x.size else x


def merge_pairs(pairs: list, n_texts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A pair bucket's candidates ``(u, v)`` (from ``u * n_texts + v``), each once, sorted, and the
    text numbers they name."""
    code = sorted_unique(np.concatenate(pairs))
    m = np.int64(max(n_texts, 1))
    u, v = code // m, code % m
    del code
    return u, v, sorted_unique(np.concatenate([u, v]))


def pair_keys(
    merged: tuple, keys: np.ndarray, sig: np.ndarray, first_codes: np.ndarray, first_local: np.ndarray
) -> tuple:
    """The text numbers, keys and signatures of a pair bucket's texts (:func:`merge_pairs`) whose
    first row is in this partition (text numbers ``first_codes``, sorted, at positions
    ``first_local``, signatures ``sig``)."""
    wanted = merged[2]
    here = wanted[np.isin(wanted, first_codes, assume_unique=True)]
    at = np.searchsorted(first_codes, here)
    return here, keys[first_local[at]], sig[at]


def verify_bucket(merged: tuple, fetched: list, threshold: float, k: int) -> tuple:
    """A pair bucket's candidates (:func:`merge_pairs`) kept as in memory: signatures agreeing on at
    least :func:`~._text_minhash.signature_floor` minima, then an exact Jaccard index at least ``threshold``."""
    u, v, _ = merged
    if u.size == 0:
        return u, v, np.zeros(0, dtype=np.float64)
    codes = np.concatenate([f[0] for f in fetched])
    order = np.argsort(codes)
    codes = codes[order]
    keys, sig = np.concatenate([f[1] for f in fetched])[order], np.concatenate([f[2] for f in fetched])[order]
    iu, iv = np.searchsorted(codes, u), np.searchsorted(codes, v)
    agree = np.zeros(u.size, dtype=np.int64)
    for s in range(0, u.size, 1 << 15):  # a block of candidates' signatures at a time, as in memory
        agree[s : s + (1 << 15)] = (sig[iu[s : s + (1 << 15)]] == sig[iv[s : s + (1 << 15)]]).sum(axis=1)
    ok = agree >= signature_floor(threshold, sig.shape[1])
    u, v, iu, iv = u[ok], v[ok], iu[ok], iv[ok]
    sim = jaccard(keys, iu, iv, k, BLOCK_ROWS)
    keep = sim >= threshold
    return u[keep], v[keep], sim[keep]


def dask_near_duplicate_texts(
    texts: Any,
    threshold: float = THRESHOLD,
    k: int = SHINGLE,
    seed: int = 0,
    buckets: int | None = None,
    pair_block: int = PAIR_BLOCK,
) -> TextPairs:
    """The near-duplicate pairs of a dask DataFrame (a text column each) or Series of texts, as
    :func:`~._text_minhash.near_duplicate_texts` finds them in memory (module docstring); ``buckets``
    (default: the partitions, at most :data:`BUCKETS`) and ``pair_block`` (candidates checked at a time)
    change the tasks, not the answer."""
    if not hasattr(texts, "divisions"):  # a dask DataFrame or Series (a dask array has none)
        raise InvalidParameterError(
            f"texts given as dask must be a dask DataFrame or Series, got {type(texts).__name__}: "
            "make one with dask.dataframe (e.g. dd.from_dask_array)"
        )
    buckets = max(1, min(BUCKETS, int(texts.npartitions))) if buckets is None else buckets
    from dask import delayed

    from .._stage_progress import compute, persist, step

    parts = texts.to_delayed()
    with step("texts: normalised, numbered"):
        found = persist(*[delayed(partition_keys)(p) for p in parts])
        summaries = compute(*[delayed(key_digests)(f) for f in found])
    lengths = np.array([s[0] for s in summaries], dtype=np.int64)
    offsets = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    for p, (_, _, _, bad) in enumerate(summaries):
        if bad is not None:
            raise InvalidParameterError(
                f"texts must hold strings (or missing values), got {bad[2]} at row {offsets[p] + bad[0]}, column {bad[1]!r}"
            )
    digests = np.concatenate([s[1] for s in summaries]) if summaries else np.zeros((0, 2), np.uint64)
    code, first = number_texts(digests, np.concatenate([s[2] for s in summaries]) if summaries else np.zeros(0, bool))
    keys = [f[0] for f in found]
    which = np.searchsorted(offsets, first, side="right") - 1  # the partition of each text's first row
    firsts = [np.flatnonzero(which == p) for p in range(len(parts))]  # text numbers, sorted
    local = [first[f] - offsets[p] for p, f in enumerate(firsts)]
    sigs = [delayed(first_signatures)(kp, local[p], k, seed) for p, kp in enumerate(keys)]
    bands = [delayed(band_rows, nout=buckets)(sig, firsts[p], buckets) for p, sig in enumerate(sigs)]
    floor = signature_floor(float(threshold), BANDS * ROWS_PER_BAND)
    cands = []
    for j in range(buckets):
        runs = delayed(bucket_runs, nout=2)([b[j] for b in bands])
        fetched = [delayed(run_signatures)(runs, sig, firsts[p]) for p, sig in enumerate(sigs)]
        cands.append(delayed(bucket_candidates, nout=buckets)(runs, fetched, floor, buckets, first.size, pair_block))
    verified = []
    for j in range(buckets):
        merged = delayed(merge_pairs, nout=3)([c[j] for c in cands], first.size)
        fetched = [delayed(pair_keys)(merged, kp, sigs[p], firsts[p], local[p]) for p, kp in enumerate(keys)]
        verified.append(delayed(verify_bucket)(merged, fetched, float(threshold), k))
    with step("texts: near-duplicate pairs"):
        out = compute(*verified, optimize_graph=False) if verified else ()
    u = np.concatenate([o[0] for o in out]).astype(np.int64) if out else np.zeros(0, np.int64)
    v = np.concatenate([o[1] for o in out]).astype(np.int64) if out else np.zeros(0, np.int64)
    sim = np.concatenate([o[2] for o in out]) if out else np.zeros(0, np.float64)
    order = np.lexsort((v, u))
    count = np.bincount(code[code >= 0], minlength=first.size)
    return TextPairs(code, count, u[order], v[order], sim[order], float(threshold), int(k))
