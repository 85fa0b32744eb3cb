"""The dask text path's candidates made and checked against the signature floor by blocks in each band
bucket: the in-memory pairs for any block size, and a bucket's candidates never all held."""

from __future__ import annotations

import tracemalloc

import dask.dataframe as dd
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks._dask_text import bucket_candidates, bucket_runs, dask_near_duplicate_texts, run_signatures
from labelwise.checks._text_minhash import BANDS, ROWS_PER_BAND, THRESHOLD, near_duplicate_texts, signature_floor

from ._text_data import simulated_texts

FIELDS = ("code", "count", "u", "v", "similarity")


def _frame(texts: list[str], partitions: int) -> dd.DataFrame:
    return dd.from_pandas(pd.DataFrame({"text": texts}, dtype=object), npartitions=partitions, sort=False)


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 50),
    partitions=st.integers(1, 4),
    buckets=st.integers(1, 3),
    pair_block=st.integers(1, 80),
    threshold=st.sampled_from([0.5, 0.7, 0.9]),
)
def test_any_pair_block_gives_the_in_memory_pairs(seed, partitions, buckets, pair_block, threshold):
    """Simulated texts with near copies and rewordings: every block size, partition and bucket count
    gives the in-memory TextPairs, array for array."""
    texts = simulated_texts(60, seed)
    memory = near_duplicate_texts(np.array(texts, dtype=object).reshape(-1, 1), threshold, seed=seed)
    on_dask = dask_near_duplicate_texts(
        _frame(texts, partitions), threshold, seed=seed, buckets=buckets, pair_block=pair_block
    )
    assert memory.u.size > 0
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(on_dask, name), getattr(memory, name), err_msg=name)


def _one_band_bucket(n: int) -> tuple[list, list, int]:
    """``n`` texts whose signatures are equal on band 0 and random elsewhere, but for 10 copies of text 0:
    the band rows of one bucket, the signatures fetched from one partition, and the floor."""
    rng = np.random.default_rng(0)
    sig = rng.integers(0, 2**32, (n, BANDS * ROWS_PER_BAND), dtype=np.uint32)
    sig[:, :ROWS_PER_BAND] = 7
    sig[1:10] = sig[0]
    codes = np.arange(n, dtype=np.int64)
    parts = [(np.zeros(n, np.int16), np.full(n, 3, np.uint64), codes)]
    return parts, [run_signatures(bucket_runs(parts), sig, codes)], signature_floor(THRESHOLD, sig.shape[1])


def test_a_bucket_of_two_million_candidates_is_checked_without_holding_them():
    """2,000 texts in one band run (1,999,000 candidates, 16 MB as int64 pair codes): the bucket's check
    by blocks of 4,096 peaks below 8 MB and keeps the 10 copies' 45 pairs; one block of every candidate
    (all held, as before session 40) passes that bound."""
    n = 2000
    parts, fetched, floor = _one_band_bucket(n)
    runs = bucket_runs(parts)
    found = np.concatenate(bucket_candidates(runs, fetched, floor, 2, n, 1 << 12))
    assert sorted(found.tolist()) == [a * n + b for a in range(10) for b in range(a + 1, 10)]

    def peak(block: int) -> int:
        tracemalloc.start()
        try:
            bucket_candidates(runs, fetched, floor, 2, n, block)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert peak(1 << 12) < 8 * 2**20
    assert peak(n * n) > 8 * 2**20
