"""The exact Jaccard step of near_duplicate_text by blocks of pairs: the same indices for any block size,
each the Jaccard index of the Python shingle sets, in a memory that does not grow with the pairs."""

from __future__ import annotations

import tracemalloc

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks._text_minhash import SHINGLE, DistinctTexts, jaccard

from ._text_data import jaccard as python_jaccard
from ._text_data import simulated_texts


def _keys(n_base: int, seed: int) -> tuple[list[str], np.ndarray]:
    """Simulated texts with near copies, and their distinct normalised keys."""
    texts = simulated_texts(n_base, seed)
    return texts, DistinctTexts.of(np.array(texts, dtype=object).reshape(-1, 1)).keys


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), pair_block=st.integers(1, 60), n_pairs=st.integers(0, 150))
def test_any_pair_block_gives_the_python_sets_jaccard(seed, pair_block, n_pairs):
    """Random pairs of distinct texts (repeats and either order allowed): every block size gives each
    pair the Jaccard index of its two texts' shingle sets, as Python strings."""
    _, keys = _keys(40, seed % 7)
    rng = np.random.default_rng(seed)
    u, v = rng.integers(0, keys.size, n_pairs), rng.integers(0, keys.size, n_pairs)
    found = jaccard(keys, u, v, SHINGLE, pair_block=pair_block)
    want = [python_jaccard(keys[a], keys[b]) for a, b in zip(u.tolist(), v.tolist(), strict=True)]
    np.testing.assert_allclose(found, want, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(found, jaccard(keys, u, v, SHINGLE, pair_block=max(n_pairs, 1)))


def test_block_sizes_give_the_same_floats_bit_for_bit():
    """On simulated texts, blocks of 1, 3, 64 and every pair at once give identical float64 arrays."""
    _, keys = _keys(300, 5)
    rng = np.random.default_rng(1)
    u, v = rng.integers(0, keys.size, 500), rng.integers(0, keys.size, 500)
    whole = jaccard(keys, u, v, SHINGLE, pair_block=u.size)
    for block in (1, 3, 64):
        np.testing.assert_array_equal(jaccard(keys, u, v, SHINGLE, pair_block=block), whole)


def _peak_bytes(*args, **kwargs) -> int:
    """tracemalloc's peak over one call of :func:`jaccard`."""
    tracemalloc.start()
    try:
        jaccard(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_many_pairs_are_scored_in_a_memory_that_does_not_hold_every_texts_shingles():
    """6,000 pairs over 3,000 long texts: blocks of 64 pairs with no shingle cache peak below 6 MB; all
    the pairs' shingle sets at once (the step before session 40, one block of every pair) pass that
    bound. With a cache (session 46) the peak is at most its budget more: the cache is filled a
    block's texts at a time, and the default budget is a constant, not a share of the texts."""
    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefghij "))
    keys = np.array(["".join(rng.choice(letters, 400)) for _ in range(3000)], dtype=object)
    u, v = np.repeat(np.arange(3000), 2), rng.integers(0, 3000, 6000)
    bound = 6 * 2**20
    assert _peak_bytes(keys, u, v, SHINGLE, pair_block=64, cache_bytes=0) < bound
    assert _peak_bytes(keys, u, v, SHINGLE, pair_block=u.size, cache_bytes=0) > bound
    for budget in (2**20, 4 * 2**20):
        assert _peak_bytes(keys, u, v, SHINGLE, pair_block=64, cache_bytes=budget) < bound + budget
