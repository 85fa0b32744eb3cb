"""near_duplicate_text's candidates made and checked by blocks: the pairs of the path that held every
candidate (before session 39), for any block size and row order, in a memory that does not hold them."""

from __future__ import annotations

import tracemalloc

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks._text_minhash import (
    BANDS,
    ROWS_PER_BAND,
    SHINGLE,
    THRESHOLD,
    DistinctTexts,
    candidate_pairs,
    floored_candidates,
    jaccard,
    near_duplicate_texts,
    run_pair_blocks,
    run_pairs,
    signature_floor,
    signatures,
)

from ._text_data import simulated_texts

FIELDS = ("code", "count", "u", "v", "similarity")


def _held(arr: np.ndarray, threshold: float = THRESHOLD, seed: int = 0) -> tuple[np.ndarray, ...]:
    """The path before session 39, step for step: every candidate held, then the floor and the Jaccard index."""
    distinct = DistinctTexts.of(arr)
    sig = signatures(distinct.keys, SHINGLE, BANDS * ROWS_PER_BAND, seed)
    u, v = candidate_pairs(sig, BANDS, ROWS_PER_BAND)
    agree = (sig[u] == sig[v]).sum(axis=1)
    ok = agree >= signature_floor(threshold, sig.shape[1])
    sim = jaccard(distinct.keys, u[ok], v[ok], SHINGLE)
    keep = sim >= threshold
    count = np.bincount(distinct.code[distinct.code >= 0], minlength=distinct.keys.shape[0])
    return distinct.code, count, u[ok][keep], v[ok][keep], sim[keep]


def test_simulated_texts_give_the_held_paths_pairs_for_several_inputs_and_block_sizes():
    for n_base, seed, threshold, block in [
        (300, 1, 0.7, 1),
        (600, 2, 0.7, 97),
        (600, 3, 0.5, 1 << 16),
        (900, 4, 0.9, 5),
    ]:
        arr = np.array(simulated_texts(n_base, seed), dtype=object).reshape(-1, 1)
        found = near_duplicate_texts(arr, threshold, seed=seed, pair_block=block)
        held = _held(arr, threshold, seed)
        assert found.u.size > 0
        for name, want in zip(FIELDS, held, strict=True):
            np.testing.assert_array_equal(getattr(found, name), want, err_msg=f"{name}, block {block}")


@settings(max_examples=60, deadline=None)
@given(keys=st.lists(st.integers(0, 4), min_size=0, max_size=40), block=st.integers(1, 30))
def test_run_pair_blocks_are_run_pairs_cut_between_first_positions(keys, block):
    sorted_keys = np.sort(np.array(keys, dtype=np.uint64))
    blocks = list(run_pair_blocks(sorted_keys, block))
    left, right = run_pairs(sorted_keys)
    got_left = np.concatenate([b[0] for b in blocks]) if blocks else np.zeros(0, np.int64)
    got_right = np.concatenate([b[1] for b in blocks]) if blocks else np.zeros(0, np.int64)
    np.testing.assert_array_equal(got_left, left)
    np.testing.assert_array_equal(got_right, right)
    for i, _ in blocks:  # no empty block; more than ``block`` pairs only for one first position
        assert i.size > 0 and (i.size <= block or np.unique(i).size == 1)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 60),
    values=st.integers(1, 4),
    floor=st.integers(0, 12),
    block=st.integers(1, 50),
    seed=st.integers(0, 2**16),
)
def test_floored_candidates_are_the_held_candidates_at_the_floor_for_any_block_and_row_order(
    n, values, floor, block, seed
):
    rng = np.random.default_rng(seed)
    sig = rng.integers(0, values, (n, 12), dtype=np.uint32)  # few values: many candidates, agreements of all counts
    u, v = candidate_pairs(sig, 3, 4)
    ok = (sig[u] == sig[v]).sum(axis=1) >= floor
    got_u, got_v = floored_candidates(sig, 3, 4, floor, block)
    np.testing.assert_array_equal(got_u, u[ok])
    np.testing.assert_array_equal(got_v, v[ok])
    perm = rng.permutation(n)  # row ``r`` of the permuted signatures is row ``perm[r]``
    pu, pv = floored_candidates(sig[perm], 3, 4, floor, block)
    moved = {(min(a, b), max(a, b)) for a, b in zip(perm[pu].tolist(), perm[pv].tolist(), strict=True)}
    assert moved == set(zip(u[ok].tolist(), v[ok].tolist(), strict=True))


def _peak_bytes(fn, *args) -> int:
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_one_band_shared_by_every_text_is_checked_without_holding_its_candidates():
    """2,000 texts equal on one band's minima (1,999,000 candidates, 16 MB as int64 codes) and nothing
    else, but for 10 copies: the streamed check peaks below 8 MB and keeps the copies' 45 pairs; holding
    the candidates (the path before session 39) passes that bound."""
    n = 2000
    rng = np.random.default_rng(0)
    sig = rng.integers(0, 2**32, (n, BANDS * ROWS_PER_BAND), dtype=np.uint32)
    sig[:, :ROWS_PER_BAND] = 7
    sig[1:10] = sig[0]
    floor = signature_floor(THRESHOLD, sig.shape[1])
    u, v = floored_candidates(sig, BANDS, ROWS_PER_BAND, floor, 1 << 12)
    assert list(zip(u.tolist(), v.tolist(), strict=True)) == [(a, b) for a in range(10) for b in range(a + 1, 10)]
    assert _peak_bytes(floored_candidates, sig, BANDS, ROWS_PER_BAND, floor, 1 << 12) < 8 * 2**20
    assert _peak_bytes(candidate_pairs, sig, BANDS, ROWS_PER_BAND) > 8 * 2**20
