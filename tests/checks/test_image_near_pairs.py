"""Near-duplicate hashes by multi-index hashing: the same pairs and sets as comparing every pair."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import _image_scores
from labelwise.checks._image_scores import close_pairs, close_pairs_all, close_pairs_indexed, substrings
from labelwise.checks.image_properties import _near_sets


def planted_hashes(n: int, n_near: int, flips: int, seed: int) -> np.ndarray:
    """``n`` random 64-bit hashes, then ``n_near`` copies of some of them with up to ``flips`` bits flipped."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    copies = values[rng.integers(0, n, n_near)]
    for i in range(n_near):
        bits = rng.choice(64, size=int(rng.integers(0, flips + 1)), replace=False).astype(np.uint64)
        copies[i] ^= np.bitwise_or.reduce(np.uint64(1) << bits, initial=np.uint64(0))
    return np.concatenate([values, copies])


def _pair_set(a: np.ndarray, b: np.ndarray) -> set[tuple[int, int]]:
    return {(min(i, j), max(i, j)) for i, j in zip(a.tolist(), b.tolist(), strict=True) if i != j}


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n=st.integers(1, 60),
    n_near=st.integers(0, 40),
    distance=st.integers(0, 64),
    spread=st.integers(0, 12),
)
def test_indexed_sets_equal_all_pairs_sets_for_any_distance_and_row_order(seed, n, n_near, distance, spread):
    """Multi-index hashing gives the all-pairs method's near-duplicate sets, in any row order."""
    hashes = planted_hashes(n, n_near, min(64, distance + spread), seed)
    rng = np.random.default_rng(seed + 1)
    readable = rng.random(len(hashes)) < 0.9
    expected = _near_sets(hashes, readable, distance, pairs=close_pairs_all)
    assert _near_sets(hashes, readable, distance, pairs=close_pairs_indexed) == expected
    assert _near_sets(hashes, readable, distance) == expected
    perm = rng.permutation(len(hashes))
    permuted = _near_sets(hashes[perm], readable[perm], distance, pairs=close_pairs_indexed)
    assert sorted(sorted(int(perm[i]) for i in s) for s in permuted) == sorted(expected)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), distance=st.integers(0, 64), spread=st.integers(0, 6))
def test_indexed_pairs_are_the_close_pairs_each_once(seed, distance, spread):
    """Each pair of distinct hashes within the distance comes once, no other pair comes."""
    values = np.unique(planted_hashes(80, 60, min(64, distance + spread), seed))
    a, b = close_pairs_indexed(values, distance)
    expected = _pair_set(*close_pairs_all(values, distance))
    assert len(a) == len(expected) and _pair_set(a, b) == expected


@pytest.mark.parametrize("distance", range(65))
def test_substrings_split_the_64_bits_into_distance_plus_one_parts(distance):
    """``distance + 1`` disjoint ranges covering bits 0..63, widths within one bit."""
    parts = substrings(distance)
    assert len(parts) == distance + 1
    assert [s for s, _ in parts] == list(np.cumsum([0] + [w for _, w in parts[:-1]]))
    assert sum(w for _, w in parts) == 64 and max(w for _, w in parts) - min(w for _, w in parts) <= 1


def test_close_pairs_uses_the_index_up_to_distance_11_and_every_pair_beyond(monkeypatch):
    """The index while its narrowest substring has 5 bits or more; all pairs from 4 bits on."""
    used = []
    monkeypatch.setattr(_image_scores, "close_pairs_indexed", lambda v, d: used.append(("index", d)) or ([], []))
    monkeypatch.setattr(_image_scores, "close_pairs_all", lambda v, d: used.append(("all", d)) or ([], []))
    for distance in (0, 4, 8, 11, 12, 20, 64):
        close_pairs(np.zeros(3, dtype=np.uint64), distance)
    assert used == [("index", 0), ("index", 4), ("index", 8), ("index", 11), ("all", 12), ("all", 20), ("all", 64)]


def test_many_hashes_are_grouped_without_comparing_every_pair(monkeypatch):
    """200,000 hashes at distance 4: the all-pairs pass never runs, the planted near copies are found."""
    monkeypatch.setattr(_image_scores, "close_pairs_all", lambda v, d: pytest.fail("all pairs compared"))
    values = np.unique(planted_hashes(200_000, 0, 0, seed=3))
    hashes = np.concatenate([values, values[:50] ^ np.uint64(0b1011)])
    sets = _near_sets(hashes, np.ones(len(hashes), dtype=bool), 4)
    assert sets == [[i, len(values) + i] for i in range(50)]
