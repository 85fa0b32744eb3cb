"""``compress_rows`` sorts the packed rows by numpy's quicksort and folds several words into one key (fast53, session
53): the distinct rows, their counts and the inverse index are the stable sort's, to the bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak._compress import _grouped, _row_order, _words, compress_rows


def reference(matrix: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Session 52's ``compress_rows``: a stable sort of the one word, numpy's ``lexsort`` of several (the same
    grouping of the sorted rows)."""
    n = matrix.shape[0]
    words = _words(matrix, n_classes + 1)
    if n == 0 or not words:
        return matrix[:1], np.full(min(n, 1), float(n)), np.zeros(n, dtype=np.int64)
    order = np.argsort(words[0], kind="stable") if len(words) == 1 else np.lexsort(words[::-1])
    out = _grouped(matrix, words, order)
    return out.matrix, out.weights, out.inverse


def assert_same(matrix: np.ndarray, k: int) -> None:
    got = compress_rows(matrix, k)
    for a, b in zip((got.matrix, got.weights, got.inverse), reference(matrix, k), strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    k=st.integers(1, 12),
    m=st.integers(0, 90),
    n=st.integers(0, 400),
    repeats=st.booleans(),
)
def test_distinct_rows_counts_and_inverse_are_the_stable_sorts(seed, k, m, n, repeats):
    """On random vote matrices (one word or several; many repeated rows or few) every output equals the stable
    sort's bit for bit."""
    rng = np.random.default_rng(seed)
    if repeats:
        pool = rng.integers(-1, k, (max(n // 8, 1), m))
        matrix = pool[rng.integers(0, len(pool), n)]
    else:
        matrix = rng.integers(-1, k, (n, m))
    assert_same(matrix, k)


def test_words_of_the_full_62_bits_are_ranked_before_they_are_combined():
    """Rows whose words use ~60 of the 62 bits (K = 3: 30 columns a word, base 4) on several words sort as numpy's
    lexicographic sort does: the fold ranks the next word where rank times its range would pass 62 bits."""
    rng = np.random.default_rng(7)
    pool = rng.integers(-1, 3, (40, 93))
    pool[:, :30] = 2  # the first word the same on every row
    matrix = pool[rng.integers(0, len(pool), 500)]
    words = _words(matrix, 4)
    assert len(words) == 4 and int(words[1].max()) > 2**58
    order = _row_order(words)
    keys = np.stack(words, axis=1)[order]
    assert all(tuple(a) <= tuple(b) for a, b in zip(keys[:-1], keys[1:], strict=True))
    assert_same(matrix, 3)
