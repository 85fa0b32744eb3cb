"""``MemoryPairs.fit_without`` reuses the groups' answer weights between the confirmations' fits
(pairfast52): any sequence of calls gives each call's numbers of a fresh ``MemoryPairs``, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.aggregate import DawidSkene
from labelwise.aggregate._answers import encode_answers
from labelwise.aggregate._dependent import MemoryPairs
from labelwise.aggregate._observed import _Observed
from labelwise.aggregate.majority import weighted_vote_shares
from tests.aggregate._crowd import pair_crowd


def _memory_pairs(answers) -> tuple[MemoryPairs, np.ndarray, int]:
    enc = encode_answers(answers)
    pat = enc.patterns
    est = DawidSkene()
    pseudo = est._pseudo_counts(pat)
    return MemoryPairs(est, enc, pat, _Observed.build(pat), weighted_vote_shares(pat.answers)), pseudo, enc.n_annotators


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 3), data=st.data())
def test_fit_without_in_any_sequence_is_a_fresh_fit_bit_for_bit(seed, data):
    """Fits without a pair (or without none), the found groups repeated or changed between calls, give
    the prior and confusion matrices of the same call on a new ``MemoryPairs``."""
    answers = pair_crowd(n_items=300, seed=seed)[0]
    pairs, pseudo, n_ann = _memory_pairs(answers)
    who = st.integers(0, n_ann - 1)
    found_lists = [data.draw(st.lists(st.tuples(who, who), max_size=3)) for _ in range(2)]
    calls = data.draw(st.lists(st.tuples(st.integers(0, 1), who, who), min_size=1, max_size=5))
    for which, a, b in calls:
        found = np.array([(x, y) for x, y in found_lists[which] if x != y], dtype=np.int64).reshape(-1, 2).T
        groups = (found[0], found[1])
        held = (a, b) if a != b else (-1, -1)
        got = pairs.fit_without(groups, *held, pseudo, 100, 1e-4)
        ref = _memory_pairs(answers)[0].fit_without(groups, *held, pseudo, 100, 1e-4)
        for x, y in zip(got, ref, strict=True):
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes()


def test_fits_with_other_groups_of_the_same_size_do_not_share_weights():
    """Two found groups of the same number of pairs, called in turn, each give its own fresh fit."""
    answers = pair_crowd(n_items=300, seed=1)[0]
    pairs, pseudo, n_ann = _memory_pairs(answers)
    assert n_ann >= 4
    for found in [(0, 1), (2, 3), (0, 1), (1, 3)]:
        groups = (np.array([found[0]]), np.array([found[1]]))
        got = pairs.fit_without(groups, -1, -1, pseudo, 100, 1e-4)
        ref = _memory_pairs(answers)[0].fit_without(groups, -1, -1, pseudo, 100, 1e-4)
        for x, y in zip(got, ref, strict=True):
            assert x.tobytes() == y.tobytes(), found
