"""near_duplicate_text's signature floor counted on the minima's low bytes first (session 45): the
same pairs as counting every pair on the full minima, even when most minima agree only in their low byte."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks._text_minhash import BANDS, ROWS_PER_BAND, candidate_pairs, floored_candidates


def _full_count_pairs(sig: np.ndarray, floor: int) -> tuple[np.ndarray, np.ndarray]:
    """Every candidate held and counted on the full minima (the path before session 45)."""
    u, v = candidate_pairs(sig, BANDS, ROWS_PER_BAND)
    ok = (sig[u] == sig[v]).sum(axis=1) >= floor
    return u[ok], v[ok]


def _low_byte_twins(seed: int, n: int, flip: float) -> np.ndarray:
    """Signatures in groups sharing their first band; in each row a ``flip`` share of the other
    minima moved by a multiple of 256 (the same low byte, another minimum)."""
    rng = np.random.default_rng(seed)
    n_hashes = BANDS * ROWS_PER_BAND
    base = rng.integers(0, 2**32, size=(max(n // 10, 1), n_hashes), dtype=np.uint64)
    sig = base[rng.integers(0, base.shape[0], n)].copy()
    moved = rng.random((n, n_hashes)) < flip
    moved[:, :ROWS_PER_BAND] = False
    shift = rng.integers(1, 2**24, size=(n, n_hashes), dtype=np.uint64) << np.uint64(8)
    sig[moved] = (sig[moved] + shift[moved]) % np.uint64(2**32)
    return sig.astype(np.uint32)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), n=st.integers(2, 120), flip=st.floats(0.0, 0.9), floor=st.integers(0, 104))
def test_low_byte_bound_keeps_exactly_the_pairs_at_the_floor_of_the_full_minima(seed, n, flip, floor):
    """Minima equal in their low byte but not in full never lift a pair to the floor, and no pair at
    the floor is lost, for any floor and block size."""
    sig = _low_byte_twins(seed, n, flip)
    want_u, want_v = _full_count_pairs(sig, floor)
    for block in (1, 7, 1 << 16):
        u, v = floored_candidates(sig, BANDS, ROWS_PER_BAND, floor, pair_block=block)
        np.testing.assert_array_equal(u, want_u)
        np.testing.assert_array_equal(v, want_v)


def test_low_byte_twins_are_not_pairs_at_the_floor():
    """Rows equal in every low byte, but in only their first band in full, are no pair at a floor of 52;
    the same rows with every minimum equal are."""
    sig = _low_byte_twins(3, 40, 1.0)
    u, _ = floored_candidates(sig, BANDS, ROWS_PER_BAND, 52)
    assert u.size == 0
    same = np.repeat(sig[:1], 4, axis=0)
    u, v = floored_candidates(same, BANDS, ROWS_PER_BAND, 52)
    assert u.size == 6
