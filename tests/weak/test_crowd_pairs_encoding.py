"""The missing-abstain pair check's long answer table encoded once for the fits of one set of vote rows (speed56)."""

from __future__ import annotations

import warnings

from labelwise.aggregate import dawid_skene
from labelwise.weak import LabelModel, _crowd_pairs, simulate_lfs
from labelwise.weak._crowd_pairs import dependent_pairs
from labelwise.weak._shared_steps import SHARED

from .test_pairfp39_pair_triad import copy_pair_crowd


def _encodings(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = dawid_skene.DawidSkene._encode
    monkeypatch.setattr(dawid_skene.DawidSkene, "_encode", lambda self, a: calls.append(1) or real(self, a))
    return calls


def test_both_structures_of_the_one_class_fit_share_one_encoding_of_the_votes(monkeypatch):
    """The benchmark generator's sim15701 (first seed 15700): the one-class fit fits two structures, each with the
    missing-abstain check; with main's check on the long table (``OWN_FIT`` off; the default check fits no
    Dawid-Skene) the votes' long table is encoded once, not once a structure."""
    monkeypatch.setattr(_crowd_pairs, "OWN_FIT", False)
    votes = simulate_lfs(10_000, 10, 2, n_correlated=3, coverage=(0.05, 0.6), imbalance=2.0, random_state=15701).votes
    calls = _encodings(monkeypatch)
    checks: list[int] = []
    real_check = dawid_skene.DawidSkene._weigh_dependent
    monkeypatch.setattr(
        dawid_skene.DawidSkene, "_weigh_dependent", lambda self, *a: checks.append(1) or real_check(self, *a)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LabelModel().fit(votes)
    assert model.abstains_ == "missing" and len(checks) == 2  # the case is exercised: two checks
    assert len(calls) == 1


def test_checks_on_a_shared_encoding_find_the_pairs_of_a_check_alone_bit_for_bit(monkeypatch):
    """Two checks in one shared context (the second on the first's encoding) return the rows of a check made alone."""
    from labelwise.weak import as_votes

    votes = as_votes(copy_pair_crowd(5)[0])
    settings = {"threshold": 5.0, "prior_strength": 8.0, "triad": True}
    alone = dependent_pairs(votes, **settings)
    calls = _encodings(monkeypatch)
    token = SHARED.set({})
    try:
        first = dependent_pairs(votes, **settings)
        second = dependent_pairs(votes, **settings, known=[(0, 1)])
        again = dependent_pairs(votes, **settings)
    finally:
        SHARED.reset(token)
    assert len(alone) and first.tobytes() == alone.tobytes() and again.tobytes() == alone.tobytes()
    assert second.shape[1] == 6 and len(calls) == 1
