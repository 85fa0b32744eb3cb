"""The exact Jaccard step's cache of shingle hashes: the same floats for any budget and block size,
never more than its budget, each cached text shingled once, and the dask text path unchanged."""

from __future__ import annotations

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import _text_jaccard
from labelwise.checks._dask_text import dask_near_duplicate_texts
from labelwise.checks._text_jaccard import cached_texts, jaccard, shingle_count
from labelwise.checks._text_minhash import SHINGLE, DistinctTexts, near_duplicate_texts
from labelwise.checks._text_shingles import shingle_hashes

from ._text_data import jaccard as python_jaccard
from ._text_data import simulated_texts

FIELDS = ("code", "count", "u", "v", "similarity")


def _keys(n_base: int, seed: int) -> np.ndarray:
    """The distinct normalised keys of simulated texts with near copies and rewordings."""
    return DistinctTexts.of(np.array(simulated_texts(n_base, seed), dtype=object).reshape(-1, 1)).keys


def _full_bytes(keys: np.ndarray, u: np.ndarray, v: np.ndarray) -> int:
    """The bytes of a cache of every text of the pairs: 8 a hash, 16 a text, 8 for the last offset."""
    rows = np.unique(np.concatenate([u, v]))
    return int(sum(8 * shingle_count(keys[r], SHINGLE) + 16 for r in rows)) + 8


class TestCachedJaccard:
    @settings(max_examples=40, deadline=None)
    @given(
        seed=st.integers(0, 2**16),
        share=st.floats(0.0, 1.2),
        pair_block=st.integers(1, 60),
        block_rows=st.integers(1, 40),
        n_pairs=st.integers(0, 150),
    )
    def test_any_budget_and_block_size_give_the_uncached_floats_bit_for_bit(
        self, seed, share, pair_block, block_rows, n_pairs
    ):
        """Random pairs (repeats, either order, a text with itself): a budget from none to more than every
        text's hashes, any block of pairs and of texts, gives the floats of no cache, each the Jaccard
        index of the two texts' Python shingle sets."""
        keys = _keys(40, seed % 7)
        rng = np.random.default_rng(seed)
        u, v = rng.integers(0, keys.size, n_pairs), rng.integers(0, keys.size, n_pairs)
        budget = int(share * _full_bytes(keys, u, v))
        found = jaccard(keys, u, v, SHINGLE, block_rows, pair_block, cache_bytes=budget)
        uncached = jaccard(keys, u, v, SHINGLE, block_rows, pair_block, cache_bytes=0)
        assert found.tobytes() == uncached.tobytes()
        want = [python_jaccard(keys[a], keys[b]) for a, b in zip(u.tolist(), v.tolist(), strict=True)]
        np.testing.assert_allclose(found, want, rtol=0, atol=1e-12)

    def test_a_text_named_by_many_blocks_is_shingled_once_when_cached(self, monkeypatch):
        """Pairs of text 0 with every other text, by blocks of 5: with the cache every text is hashed
        once; without, text 0 is hashed again for each of its blocks."""
        keys = _keys(60, 3)
        v = np.arange(1, keys.size)
        u = np.zeros_like(v)
        hashed: list[str] = []

        def counting(batch: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
            hashed.extend(batch.tolist())
            return shingle_hashes(batch, k)

        monkeypatch.setattr(_text_jaccard, "shingle_hashes", counting)
        cached = jaccard(keys, u, v, SHINGLE, pair_block=5)
        assert sorted(hashed) == sorted(keys.tolist())
        hashed.clear()
        uncached = jaccard(keys, u, v, SHINGLE, pair_block=5, cache_bytes=0)
        assert hashed.count(keys[0]) == -(-v.size // 5)
        assert cached.tobytes() == uncached.tobytes()

    def test_the_default_budget_is_read_at_each_call(self, monkeypatch):
        """``SHINGLE_CACHE_BYTES`` set to 0 turns the cache off for later calls (as a module constant)."""
        keys = _keys(30, 1)
        u, v = np.zeros(keys.size - 1, dtype=np.int64), np.arange(1, keys.size)
        hashed: list[int] = []

        def counting(batch: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
            hashed.append(len(batch))
            return shingle_hashes(batch, k)

        monkeypatch.setattr(_text_jaccard, "shingle_hashes", counting)
        monkeypatch.setattr(_text_jaccard, "SHINGLE_CACHE_BYTES", 0)
        jaccard(keys, u, v, SHINGLE, pair_block=4)
        assert sum(hashed) == keys.size - 1 + -(-(keys.size - 1) // 4)  # text 0 once a block


class TestBudget:
    @settings(max_examples=40, deadline=None)
    @given(seed=st.integers(0, 2**16), share=st.floats(0.0, 1.5), n_pairs=st.integers(1, 120))
    def test_the_cache_never_holds_more_than_its_budget_and_keeps_the_most_named_texts(self, seed, share, n_pairs):
        """Any budget: the cache's arrays take at most the budget, every text it leaves out is named by no
        more pairs than any text it keeps, it keeps every text named twice or more when they all fit
        (a text of one pair is in one block), and it holds each kept text's hashes as shingled alone."""
        keys = _keys(30, seed % 5)
        rng = np.random.default_rng(seed)
        u, v = rng.integers(0, keys.size, n_pairs), rng.integers(0, keys.size, n_pairs)
        full = _full_bytes(keys, u, v)
        budget = int(share * full)
        cache = cached_texts(keys, u, v, SHINGLE, 7, budget)
        assert cache.nbytes <= max(budget, 0) or cache.ids.size == 0
        uses = np.bincount(np.concatenate([u, v]), minlength=keys.size)
        rows = np.unique(np.concatenate([u, v]))
        left = np.setdiff1d(rows, cache.ids)
        if cache.ids.size and left.size:
            assert uses[left].max() <= uses[cache.ids].min()
        if budget >= full:  # every text named twice or more
            np.testing.assert_array_equal(cache.ids, rows[uses[rows] >= 2])
        for t, text in enumerate(cache.ids):
            held = cache.hashes[cache.start[t] : cache.start[t + 1]]
            np.testing.assert_array_equal(held, shingle_hashes(keys[[text]], SHINGLE)[0])

    def test_no_budget_keeps_nothing(self):
        """A budget of 0 (or below) keeps no text: every block shingles its texts, as before the cache."""
        keys = _keys(20, 0)
        u, v = np.arange(keys.size - 1), np.arange(1, keys.size)
        for budget in (0, -5):
            cache = cached_texts(keys, u, v, SHINGLE, 16, budget)
            assert cache.ids.size == 0 and cache.hashes.size == 0


@pytest.mark.parametrize("budget", [0, 4000, None])
def test_the_dask_text_path_gives_the_in_memory_pairs_for_any_budget(monkeypatch, budget):
    """The dask path's Jaccard step (per pair bucket) with no cache, a cache of a few texts and the default:
    the in-memory TextPairs without a cache, array for array."""
    texts = simulated_texts(60, 4)
    monkeypatch.setattr(_text_jaccard, "SHINGLE_CACHE_BYTES", 0)
    memory = near_duplicate_texts(np.array(texts, dtype=object).reshape(-1, 1), 0.5, seed=4)
    if budget is not None:
        monkeypatch.setattr(_text_jaccard, "SHINGLE_CACHE_BYTES", budget)
    else:
        monkeypatch.undo()
    frame = dd.from_pandas(pd.DataFrame({"text": texts}, dtype=object), npartitions=3, sort=False)
    on_dask = dask_near_duplicate_texts(frame, 0.5, seed=4, buckets=2)
    assert memory.u.size > 0
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(on_dask, name), getattr(memory, name), err_msg=name)
