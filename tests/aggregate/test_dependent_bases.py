"""The pair check's answer bases in memory: ``MemoryPairs.bases_list``, one call for every screened pair.

On main (session 43) the in-memory pair check gathered each screened pair's two members' answer bases
(their items' posteriors without the pair) one ``bases`` call at a time, and ``MemoryPairs`` had no
``bases_list``: only the Dask data (``DaskPairs``) and the ring check's ``MemoryRings`` did. Now
both backends share ``PairData.bases_list``, and ``_pairs_fitted`` calls it once for all its pairs.
"""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.aggregate import DawidSkene
from labelwise.aggregate._answers import encode_answers
from labelwise.aggregate._dependent import MemoryPairs
from labelwise.aggregate._observed import _Observed
from labelwise.aggregate.majority import weighted_vote_shares
from tests.aggregate._crowd import pair_crowd


def _memory_pairs(answers) -> tuple[MemoryPairs, int, int]:
    enc = encode_answers(answers)
    pat = enc.patterns
    data = MemoryPairs(DawidSkene(), enc, pat, _Observed.build(pat), weighted_vote_shares(pat.answers))
    return data, enc.n_classes, enc.n_annotators


class TestMemoryPairsBasesList:
    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seed=st.integers(0, 3), data=st.data())
    def test_is_bases_of_each_triple_bit_for_bit(self, seed, data):
        """``bases_list`` of any triples (a pair's member, or an annotator alone) gives the arrays of one
        ``bases`` call each, bit for bit and in order; no triple gives an empty list."""
        pairs, k, n_ann = _memory_pairs(pair_crowd(n_items=300, seed=seed)[0])
        rng = np.random.default_rng(seed)
        prior = rng.dirichlet(np.ones(k))
        conf = rng.dirichlet(np.ones(k), size=(n_ann, k))
        who = st.integers(0, n_ann - 1)
        drawn = data.draw(st.lists(st.tuples(who, who, st.booleans()), max_size=6))
        triples = [(min(a, b), max(a, b), a if first else b) for a, b, first in drawn]
        got = pairs.bases_list(prior, conf, triples)
        assert len(got) == len(triples)
        for g, t in zip(got, triples, strict=True):
            for x, y in zip(g, pairs.bases(prior, conf, *t), strict=True):
                assert x.dtype == y.dtype
                np.testing.assert_array_equal(x, y)


def test_the_pair_check_gathers_every_screened_pair_in_one_call(monkeypatch):
    """On a crowd with a copied pair, the check's first step (each screened pair's own confusion
    matrices) gathers both members of every screened pair in one ``bases_list`` call, then one per
    confirmed suspect; ``bases`` (one member at a time) is never called. The fit is unchanged."""
    answers, _ = pair_crowd(seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = DawidSkene().fit(answers)
    calls: list[list[tuple[int, int, int]]] = []
    singles: list[tuple] = []
    bases_list, bases = MemoryPairs.bases_list, MemoryPairs.bases

    def spy_list(self, prior, conf, triples):
        calls.append(list(triples))
        return bases_list(self, prior, conf, triples)

    def spy_one(self, *args):
        singles.append(args)
        return bases(self, *args)

    monkeypatch.setattr(MemoryPairs, "bases_list", spy_list)
    monkeypatch.setattr(MemoryPairs, "bases", spy_one)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = DawidSkene().fit(answers)
    assert singles == []
    assert len(ref.dependent_pairs_) >= 1  # the planted pair is screened, confirmed and kept
    assert len(calls) >= 2 and len(calls[0]) >= 2
    screened = calls[0]
    assert screened == [(a, b, j) for a, b, _ in screened[::2] for j in (a, b)]  # both members of each pair
    assert all(len(c) == 2 for c in calls[1:])  # each suspect's confirmation: its two members
    np.testing.assert_array_equal(got.probas_.to_numpy(), ref.probas_.to_numpy())
    assert got.dependent_pairs_.equals(ref.dependent_pairs_)
