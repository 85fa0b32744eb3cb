"""Tests of labelwise.noise.flip_token_tags."""

import numpy as np
import pytest

from labelwise.errors import LabelwiseError
from labelwise.noise import flip_token_tags


def _sentences(n=500):
    return [["B-PER", "I-PER", "O", "B-LOC", "B-ORG"] for _ in range(n)]


def test_within_flips_keep_the_type_and_between_flips_keep_the_prefix():
    """within swaps B/I inside a type; between changes the type only; O is never touched."""
    noisy = flip_token_tags(_sentences(), within_rate=0.1, between_rate=0.1, random_state=0)
    for new, old, kind in zip(noisy.labels, noisy.true_labels, noisy.kind, strict=False):
        assert new[2] == "O"
        for a, b, k in zip(new, old, kind, strict=False):
            if k == "within":
                assert a[2:] == b[2:] and a[:2] != b[:2]
            elif k == "between":
                assert a[:2] == b[:2] and a[2:] != b[2:]
    share = noisy.n_flipped / (4 * 500)
    assert 0.15 < share < 0.25


def test_deterministic_for_a_seed():
    """Same random_state, same flips."""
    a = flip_token_tags(_sentences(20), random_state=1)
    b = flip_token_tags(_sentences(20), random_state=1)
    assert all(np.array_equal(x, y) for x, y in zip(a.labels, b.labels, strict=False))


def test_rates_summing_above_one_are_rejected():
    """within_rate + between_rate > 1 is an error."""
    with pytest.raises(LabelwiseError, match="at most 1"):
        flip_token_tags(_sentences(2), within_rate=0.6, between_rate=0.6)
