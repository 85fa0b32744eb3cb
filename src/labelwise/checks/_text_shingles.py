"""Character shingles of the near-duplicate text check, hashed to 64 bits (:mod:`._text_minhash`).

A distinct text is its normalised columns joined by ``"\\x00"``; each column is cut into its
character ``k``-shingles (a column shorter than ``k`` is one shingle, padded), each shingle's code
points packed three to a 64-bit word (21 bits each: exact) and mixed in turn by splitmix64's
finaliser, then the column number mixed in (the same shingle in two columns counts as two).
"""

from __future__ import annotations

import numpy as np

_SEP, _PAD = "\x00", "\x01"  # never in a normalised text (both are non-word characters)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
#: Texts shingled and hashed at a time.
BLOCK_ROWS = 1 << 11


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (Steele, Lea & Flood 2014) of an array of uint64, wrapping."""
    x = x.astype(np.uint64, copy=True)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def shingle_hashes(keys: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit hashes of the shingles of ``keys`` (distinct texts, columns joined by ``"\\x00"``)
    and the position in ``keys`` each comes from (non-decreasing); repeats kept."""
    parts, col_of, key_of = [], [], []
    for i, key in enumerate(keys):
        for c, column in enumerate(key.split(_SEP)):
            if column:
                parts.append(column.ljust(k, _PAD))
                col_of.append(c)
                key_of.append(i)
    if not parts:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    joined = _SEP.join(parts) + _SEP
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    is_sep = codes == 0
    segment = np.cumsum(is_sep) - is_sep  # the column segment of each position
    n_windows = codes.shape[0] - k + 1
    seps = np.concatenate([[0], np.cumsum(is_sep)])
    valid = np.flatnonzero(seps[k : k + n_windows] - seps[:n_windows] == 0)
    h = np.zeros(valid.shape[0], dtype=np.uint64)
    for start in range(0, k, 3):  # three 21-bit code points per word: exact, then mixed in
        word = np.zeros(valid.shape[0], dtype=np.uint64)
        for j in range(start, min(start + 3, k)):
            word = (word << np.uint64(21)) | codes[valid + j]
        h = mix(h ^ word)
    seg = segment[valid]
    h = mix(h ^ (np.asarray(col_of, dtype=np.uint64)[seg] * _GOLDEN))
    return h, np.asarray(key_of, dtype=np.int64)[seg]
